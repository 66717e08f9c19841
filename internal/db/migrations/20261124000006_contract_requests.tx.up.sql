-- Contract requests: support-level change requests and the sales forms (tenant cancellation,
-- referent change, domain-owner change, additional tenant order, multi-tenant bill), each a
-- ticket numbered REQ + its id on seven digits (REQ0000001), processed by the tenant's sales rep.
CREATE TABLE contract_requests (
    id               {{.PK}},
    tenant_id        BIGINT       NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind             VARCHAR(30)  NOT NULL,
    state            VARCHAR(20)  NOT NULL,
    requester_id     BIGINT       NOT NULL REFERENCES users (id),
    -- support level: the level in force when asked, and the level asked for
    from_level       VARCHAR(10)  NOT NULL DEFAULT '',
    level            VARCHAR(10)  NOT NULL DEFAULT '',
    -- referent / domain-owner change: the new holder
    holder_name      VARCHAR(120) NOT NULL DEFAULT '',
    holder_email     VARCHAR(254) NOT NULL DEFAULT '',
    holder_lang      VARCHAR(2)   NOT NULL DEFAULT '',
    -- additional tenant order: the contract name asked for, and the code the rep gives
    contract_name    VARCHAR(120) NOT NULL DEFAULT '',
    new_tenant_code  VARCHAR(10)  NOT NULL DEFAULT '',
    details          TEXT         NOT NULL DEFAULT '',
    decision_reason  TEXT         NOT NULL DEFAULT '',
    decided_by       BIGINT       REFERENCES users (id),
    decided_at       {{.TS}},
    -- accepted support level: first day in force and end of the new commitment;
    -- accepted cancellation: the day the tenant is cancelled
    effective_on     VARCHAR(10),
    committed_until  VARCHAR(10),
    -- set once the effect due on effective_on is done: the "level takes effect" mail queued,
    -- or the tenant cancelled; the job claims a row by setting it, so it runs once
    applied_at       {{.TS}},
    version          INTEGER      NOT NULL DEFAULT 1,
    created_at       {{.TS}}      NOT NULL,
    updated_at       {{.TS}}      NOT NULL
);
--bun:split
-- One pending request of each kind per tenant (so one pending support-level request at a time).
CREATE UNIQUE INDEX contract_requests_one_pending ON contract_requests (tenant_id, kind) WHERE state = 'pending';
--bun:split
CREATE INDEX contract_requests_tenant ON contract_requests (tenant_id, created_at);
--bun:split
CREATE INDEX contract_requests_state ON contract_requests (state, created_at);
--bun:split
CREATE INDEX contract_requests_due ON contract_requests (state, applied_at, effective_on);
