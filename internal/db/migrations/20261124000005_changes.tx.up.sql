CREATE TABLE change_requests (
    id             {{.PK}},
    tenant_id      BIGINT       NOT NULL REFERENCES tenants (id),
    requester_id   BIGINT       NOT NULL REFERENCES users (id),
    item_code      VARCHAR(64)  NOT NULL,
    snapshot       TEXT         NOT NULL,
    search_text    TEXT         NOT NULL DEFAULT '',
    state          VARCHAR(20)  NOT NULL,
    scheduled_on   VARCHAR(10),
    applied_value  TEXT         NOT NULL DEFAULT '',
    reason         TEXT         NOT NULL DEFAULT '',
    version        INTEGER      NOT NULL,
    created_at     {{.TS}}      NOT NULL,
    updated_at     {{.TS}}      NOT NULL,
    approved_at    {{.TS}},
    implemented_at {{.TS}}
);
--bun:split
CREATE INDEX change_requests_tenant ON change_requests (tenant_id, id);
--bun:split
CREATE INDEX change_requests_tenant_state ON change_requests (tenant_id, state, id);
--bun:split
CREATE INDEX change_requests_work ON change_requests (state, scheduled_on, approved_at, id);
