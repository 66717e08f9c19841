-- Trust. The audit log: who changed rights, roles, memberships, invitations, accounts,
-- two-factor authentication, API tokens and tenants, who exported what, and GDPR actions;
-- written in the same transaction as the change, never updated by the desk (but for erasure,
-- which replaces an erased person's address in what entries say). actor_id is NULL for the
-- program itself (a job, a command, the start-up), actor_label then says which.
-- GDPR erasure leaves users.erased_at; retention leaves attachments.purged_at (the row stays,
-- its data emptied, so the timeline still says a file was there).
CREATE TABLE audit_log (
    id              {{.PK}},
    at              {{.TS}}      NOT NULL,
    actor_id        BIGINT       REFERENCES users (id),
    actor_label     VARCHAR(80)  NOT NULL DEFAULT '',
    ip              VARCHAR(64)  NOT NULL DEFAULT '',
    action          VARCHAR(60)  NOT NULL,
    tenant_id       BIGINT       REFERENCES tenants (id),
    subject_user_id BIGINT       REFERENCES users (id),
    object          VARCHAR(120) NOT NULL DEFAULT '',
    before_json     TEXT         NOT NULL DEFAULT '',
    after_json      TEXT         NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);
--bun:split
CREATE INDEX audit_log_subject ON audit_log (subject_user_id, id);
--bun:split
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);
--bun:split
CREATE INDEX audit_log_action ON audit_log (action, id);
--bun:split
ALTER TABLE users ADD COLUMN erased_at {{.TS}};
--bun:split
ALTER TABLE attachments ADD COLUMN purged_at {{.TS}};
