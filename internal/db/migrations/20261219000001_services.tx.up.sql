-- The Services tab. Service orders are change requests made from the service catalogue
-- (catalogue = 'services'); a DeC/DSS order carries the sales rep's quote (amount in cents and
-- the last day it may be accepted). The effects of implemented orders: the tenant's REF1 (REF2
-- and REF3 are set by the provider and shown read-only), its contract name, the Cloud Alliance
-- regions granted to it, the File and Applicative Backup activation (fab_activated_at), after
-- which the domain owner grants the « Backup console » right; and subscriptions (reserved ECS
-- instances, Workspace reservations), whose cancellations take effect on the first day of the
-- next month in Paris and are applied once by the jobs runner (applied_at).
ALTER TABLE change_requests ADD COLUMN catalogue VARCHAR(20) NOT NULL DEFAULT 'standard';
--bun:split
ALTER TABLE change_requests ADD COLUMN quote_cents BIGINT;
--bun:split
ALTER TABLE change_requests ADD COLUMN quote_valid_until VARCHAR(10);
--bun:split
CREATE INDEX change_requests_catalogue ON change_requests (catalogue, tenant_id, id);
--bun:split
ALTER TABLE tenants ADD COLUMN ref1 VARCHAR(40) NOT NULL DEFAULT '';
--bun:split
ALTER TABLE tenants ADD COLUMN ref2 VARCHAR(40) NOT NULL DEFAULT '';
--bun:split
ALTER TABLE tenants ADD COLUMN ref3 VARCHAR(40) NOT NULL DEFAULT '';
--bun:split
ALTER TABLE tenants ADD COLUMN fab_activated_at {{.TS}};
--bun:split
ALTER TABLE memberships ADD COLUMN can_services BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE memberships ADD COLUMN can_backup_console BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE invitations ADD COLUMN can_services BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
CREATE TABLE tenant_alliance_regions (
    tenant_id  BIGINT      NOT NULL REFERENCES tenants (id),
    region     VARCHAR(40) NOT NULL,
    order_id   BIGINT      REFERENCES change_requests (id),
    granted_at {{.TS}}     NOT NULL,
    PRIMARY KEY (tenant_id, region)
);
--bun:split
CREATE TABLE subscriptions (
    id          {{.PK}},
    tenant_id   BIGINT      NOT NULL REFERENCES tenants (id),
    order_id    BIGINT      REFERENCES change_requests (id),
    kind        VARCHAR(20) NOT NULL,
    region      VARCHAR(40) NOT NULL,
    template    VARCHAR(80) NOT NULL,
    instances   INTEGER     NOT NULL,
    started_on  VARCHAR(10) NOT NULL,
    term_months INTEGER     NOT NULL,
    version     INTEGER     NOT NULL,
    created_at  {{.TS}}     NOT NULL,
    updated_at  {{.TS}}     NOT NULL
);
--bun:split
CREATE INDEX subscriptions_tenant ON subscriptions (tenant_id, id);
--bun:split
CREATE TABLE subscription_cancellations (
    id              {{.PK}},
    subscription_id BIGINT      NOT NULL REFERENCES subscriptions (id),
    tenant_id       BIGINT      NOT NULL REFERENCES tenants (id),
    instances       INTEGER     NOT NULL,
    requested_by    BIGINT      NOT NULL REFERENCES users (id),
    requested_at    {{.TS}}     NOT NULL,
    effective_on    VARCHAR(10) NOT NULL,
    applied_at      {{.TS}}
);
--bun:split
CREATE INDEX subscription_cancellations_due ON subscription_cancellations (applied_at, effective_on);
--bun:split
CREATE INDEX subscription_cancellations_subscription ON subscription_cancellations (subscription_id);
