-- The access version: a number the database moves on every change to what a request's identity
-- and access are made of (users, tenants, memberships, sessions other than their last-seen
-- time, API tokens other than their last-used time), whoever makes it (any instance, the
-- command line). Each request reads it first; the session, user and tenants resolved for a
-- token stay cached while it does not move (see internal/access).
CREATE TABLE access_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  BIGINT  NOT NULL
);
--bun:split
INSERT INTO access_version (id, n) VALUES (1, 0);
--bun:split
CREATE FUNCTION guichet_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE access_version SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
--bun:split
CREATE TRIGGER access_users AFTER UPDATE OR DELETE ON users FOR EACH STATEMENT EXECUTE FUNCTION guichet_access_changed();
--bun:split
CREATE TRIGGER access_tenants AFTER INSERT OR UPDATE OR DELETE ON tenants FOR EACH STATEMENT EXECUTE FUNCTION guichet_access_changed();
--bun:split
CREATE TRIGGER access_memberships AFTER INSERT OR UPDATE OR DELETE ON memberships FOR EACH STATEMENT EXECUTE FUNCTION guichet_access_changed();
--bun:split
CREATE TRIGGER access_sessions AFTER UPDATE OF user_id, scope_tenant_id, created_at, pending OR DELETE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION guichet_access_changed();
--bun:split
CREATE TRIGGER access_tokens AFTER UPDATE OF user_id, scope, expires_at, revoked_at, revoked_by OR DELETE ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION guichet_access_changed();
