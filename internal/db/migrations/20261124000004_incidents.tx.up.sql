CREATE TABLE incidents (
    id                 {{.PK}},
    tenant_id          BIGINT       NOT NULL REFERENCES tenants (id),
    reporter_id        BIGINT       NOT NULL REFERENCES users (id),
    assignee_id        BIGINT       REFERENCES users (id),
    title              VARCHAR(200) NOT NULL,
    description        TEXT         NOT NULL,
    service            VARCHAR(40)  NOT NULL,
    region             VARCHAR(40)  NOT NULL,
    region_other       VARCHAR(100) NOT NULL DEFAULT '',
    impact             VARCHAR(6)   NOT NULL,
    urgency            VARCHAR(6)   NOT NULL,
    priority           VARCHAR(2)   NOT NULL,
    status             VARCHAR(20)  NOT NULL,
    phone              VARCHAR(40)  NOT NULL DEFAULT '',
    level              VARCHAR(10)  NOT NULL,
    version            INTEGER      NOT NULL,
    sla_due_at         {{.TS}}      NOT NULL,
    sla_risk_at        {{.TS}}      NOT NULL,
    sla_alert_at       {{.TS}},
    fr_breach_notified  BOOLEAN     NOT NULL DEFAULT FALSE,
    res_breach_notified BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at         {{.TS}}      NOT NULL,
    updated_at         {{.TS}}      NOT NULL,
    resolved_at        {{.TS}}
);
--bun:split
CREATE INDEX incidents_tenant_updated ON incidents (tenant_id, updated_at, id);
--bun:split
CREATE INDEX incidents_tenant_status ON incidents (tenant_id, status, updated_at, id);
--bun:split
CREATE INDEX incidents_open_due ON incidents (sla_due_at, id) WHERE status IN ('new', 'in_progress', 'pending_customer');
--bun:split
CREATE INDEX incidents_assignee ON incidents (assignee_id, status);
--bun:split
CREATE INDEX incidents_alert ON incidents (sla_alert_at) WHERE sla_alert_at IS NOT NULL;
--bun:split
CREATE INDEX incidents_resolved ON incidents (resolved_at) WHERE status = 'resolved';
--bun:split
CREATE INDEX incidents_updated ON incidents (updated_at, id);
