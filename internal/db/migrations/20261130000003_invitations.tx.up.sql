-- Invitations: members join a tenant by invitation. A user with the Users right invites an
-- email address with rights; the person at that address accepts from the mailed link (or from
-- their home page) before becoming a member. Only a hash of the link's token is stored.
-- A renewal closes the pending row and writes a new one, so that the rows written in the last
-- day count every mail sent (the per-tenant daily limit) and the list never shows an address twice.
CREATE TABLE invitations (
    id            {{.PK}},
    tenant_id     BIGINT       NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    -- the address as the inviter typed it (what the inviter sees), and its lower-case key
    email         VARCHAR(254) NOT NULL,
    email_key     VARCHAR(254) NOT NULL,
    -- the language of the mail when the address has no account
    lang          VARCHAR(2)   NOT NULL,
    can_incidents BOOLEAN      NOT NULL,
    can_changes   BOOLEAN      NOT NULL,
    can_contract  BOOLEAN      NOT NULL,
    can_users     BOOLEAN      NOT NULL,
    invited_by    BIGINT       NOT NULL REFERENCES users (id),
    token_hash    VARCHAR(64)  NOT NULL UNIQUE,
    -- pending, accepted, declined, cancelled (by the tenant), renewed (replaced by a newer one)
    status        VARCHAR(10)  NOT NULL,
    created_at    {{.TS}}      NOT NULL,
    expires_at    {{.TS}}      NOT NULL,
    closed_at     {{.TS}},
    -- the account that accepted
    user_id       BIGINT       REFERENCES users (id)
);
--bun:split
CREATE UNIQUE INDEX invitations_pending ON invitations (tenant_id, email_key) WHERE status = 'pending';
--bun:split
CREATE INDEX invitations_tenant_created ON invitations (tenant_id, created_at);
--bun:split
CREATE INDEX invitations_email ON invitations (email_key, status);
