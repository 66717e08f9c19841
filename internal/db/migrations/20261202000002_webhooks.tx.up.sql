-- Webhooks: HTTPS endpoints told of events, signed with their secret. tenant_id NULL is an
-- endpoint of every tenant, which only admins register. events holds the patterns subscribed,
-- separated by spaces (incident.declared, change.*, ...).
CREATE TABLE webhooks (
    id          {{.PK}},
    tenant_id   BIGINT        REFERENCES tenants (id) ON DELETE CASCADE,
    url         VARCHAR(2000) NOT NULL,
    secret      VARCHAR(100)  NOT NULL,
    events      VARCHAR(1000) NOT NULL,
    description VARCHAR(200)  NOT NULL DEFAULT '',
    active      BOOLEAN       NOT NULL,
    version     INTEGER       NOT NULL,
    created_by  BIGINT        NOT NULL REFERENCES users (id),
    created_at  {{.TS}}       NOT NULL,
    updated_at  {{.TS}}       NOT NULL
);
--bun:split
CREATE INDEX webhooks_tenant ON webhooks (tenant_id);
--bun:split
-- One delivery per event and endpoint, written in the transaction of the change (outbox
-- pattern), delivered at least once by the workers: claimed under a lease, retried with backoff
-- until deadline_at (24 h after the event), then dead.
CREATE TABLE webhook_deliveries (
    id              {{.PK}},
    webhook_id      BIGINT      NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        VARCHAR(40) NOT NULL,
    event_type      VARCHAR(60) NOT NULL,
    payload         TEXT        NOT NULL,
    status          VARCHAR(10) NOT NULL,
    attempts        INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at {{.TS}}     NOT NULL,
    claimed_until   {{.TS}},
    claimed_by      VARCHAR(40) NOT NULL DEFAULT '',
    deadline_at     {{.TS}}     NOT NULL,
    last_status     INTEGER     NOT NULL DEFAULT 0,
    last_error      TEXT        NOT NULL DEFAULT '',
    created_at      {{.TS}}     NOT NULL,
    updated_at      {{.TS}}     NOT NULL,
    delivered_at    {{.TS}},
    UNIQUE (webhook_id, event_id)
);
--bun:split
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
--bun:split
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, id);
--bun:split
CREATE INDEX webhook_deliveries_deadline ON webhook_deliveries (deadline_at);
