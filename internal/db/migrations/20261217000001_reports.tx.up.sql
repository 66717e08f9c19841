-- Reports and dashboards. report_incidents holds one row of derived figures per incident (its
-- dimensions, when it was first answered and resolved, and where each SLA target stands), from
-- which every dashboard and report is computed. It is derived data: `guichet reports rebuild`
-- writes it anew from the incidents and their timelines, and a test checks the two agree.
-- report_dirty is the incidents whose row must be computed again: each change of an incident
-- marks it in its own transaction (mark counts the marks, so that a mark made while the job
-- computes the row is not lost), and the job "reports.refresh" computes and clears them.
-- report_state.seq numbers the job's transactions (its one row is written by the first): each
-- writes its rows with the next number, holding report_state's row, so a reader that saw number
-- N has seen every row numbered up to N.
-- report_mail records each tenant's monthly report mail, once per tenant and month. On SQLite,
-- incident_id is the rowid: the instances read the rows in its order.
CREATE TABLE report_incidents (
    incident_id {{if .SQLite}}INTEGER{{else}}BIGINT{{end}} PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    tenant_id   BIGINT       NOT NULL,
    level       VARCHAR(10)  NOT NULL,
    priority    VARCHAR(2)   NOT NULL,
    service     VARCHAR(40)  NOT NULL,
    region      VARCHAR(40)  NOT NULL,
    status      VARCHAR(20)  NOT NULL,
    created_at  {{.TS}}      NOT NULL,
    answered_at {{.TS}},
    resolved_at {{.TS}},
    fr_state    VARCHAR(10)  NOT NULL,
    fr_due      {{.TS}},
    res_state   VARCHAR(10)  NOT NULL,
    res_due     {{.TS}},
    seq         BIGINT       NOT NULL
);
--bun:split
CREATE INDEX report_incidents_seq ON report_incidents (seq);
--bun:split
CREATE INDEX report_incidents_tenant ON report_incidents (tenant_id, created_at);
--bun:split
CREATE TABLE report_dirty (
    incident_id BIGINT  PRIMARY KEY,
    mark        BIGINT  NOT NULL
);
--bun:split
CREATE TABLE report_state (
    id  INTEGER PRIMARY KEY,
    seq BIGINT  NOT NULL
);
--bun:split
-- Every incident already there is computed once by the job.
INSERT INTO report_dirty (incident_id, mark) SELECT id, 1 FROM incidents;
--bun:split
CREATE TABLE report_mail (
    tenant_id BIGINT     NOT NULL REFERENCES tenants (id),
    month     VARCHAR(7) NOT NULL,
    sent_at   {{.TS}}    NOT NULL,
    PRIMARY KEY (tenant_id, month)
);
--bun:split
-- The dashboards count change requests and sales desk requests by the day they were made.
CREATE INDEX change_requests_created ON change_requests (created_at);
--bun:split
CREATE INDEX contract_requests_created ON contract_requests (created_at);
