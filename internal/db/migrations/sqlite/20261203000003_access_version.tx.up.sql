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
CREATE TRIGGER access_users_update AFTER UPDATE ON users BEGIN UPDATE access_version SET n = n + 1 WHERE id = 1; END;
--bun:split
CREATE TRIGGER access_users_delete AFTER DELETE ON users BEGIN UPDATE access_version SET n = n + 1 WHERE id = 1; END;
--bun:split
CREATE TRIGGER access_tenants_insert AFTER INSERT ON tenants BEGIN UPDATE access_version SET n = n + 1 WHERE id = 1; END;
--bun:split
CREATE TRIGGER access_tenants_update AFTER UPDATE ON tenants BEGIN UPDATE access_version SET n = n + 1 WHERE id = 1; END;
--bun:split
CREATE TRIGGER access_tenants_delete AFTER DELETE ON tenants BEGIN UPDATE access_version SET n = n + 1 WHERE id = 1; END;
--bun:split
CREATE TRIGGER access_memberships_insert AFTER INSERT ON memberships BEGIN UPDATE access_version SET n = n + 1 WHERE id = 1; END;
--bun:split
CREATE TRIGGER access_memberships_update AFTER UPDATE ON memberships BEGIN UPDATE access_version SET n = n + 1 WHERE id = 1; END;
--bun:split
CREATE TRIGGER access_memberships_delete AFTER DELETE ON memberships BEGIN UPDATE access_version SET n = n + 1 WHERE id = 1; END;
--bun:split
CREATE TRIGGER access_sessions_update AFTER UPDATE OF user_id, scope_tenant_id, created_at, pending ON sessions BEGIN UPDATE access_version SET n = n + 1 WHERE id = 1; END;
--bun:split
CREATE TRIGGER access_sessions_delete AFTER DELETE ON sessions BEGIN UPDATE access_version SET n = n + 1 WHERE id = 1; END;
--bun:split
CREATE TRIGGER access_tokens_update AFTER UPDATE OF user_id, scope, expires_at, revoked_at, revoked_by ON api_tokens BEGIN UPDATE access_version SET n = n + 1 WHERE id = 1; END;
--bun:split
CREATE TRIGGER access_tokens_delete AFTER DELETE ON api_tokens BEGIN UPDATE access_version SET n = n + 1 WHERE id = 1; END;
