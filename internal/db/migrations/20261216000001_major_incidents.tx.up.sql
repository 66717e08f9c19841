-- Major incidents (issue 12): an outage announced to the customers of the tenants it concerns,
-- in French and in English, with its public updates; incidents customers declared are linked
-- to it, and its updates and resolution reach them.
CREATE TABLE major_incidents (
    id                {{.PK}},
    title_fr          VARCHAR(200)  NOT NULL,
    title_en          VARCHAR(200)  NOT NULL,
    description_fr    TEXT          NOT NULL,
    description_en    TEXT          NOT NULL,
    services          VARCHAR(1000) NOT NULL, -- service codes, separated by spaces
    regions           VARCHAR(1000) NOT NULL, -- region codes (and "alliance"), separated by spaces
    all_tenants       BOOLEAN       NOT NULL,
    state             VARCHAR(20)   NOT NULL,
    started_at        {{.TS}}       NOT NULL,
    resolved_at       {{.TS}},
    breach_alerted_at {{.TS}},
    created_by        BIGINT        NOT NULL REFERENCES users (id),
    version           INTEGER       NOT NULL,
    created_at        {{.TS}}       NOT NULL,
    updated_at        {{.TS}}       NOT NULL
);
--bun:split
CREATE INDEX major_incidents_state ON major_incidents (state, started_at);
--bun:split
-- The tenants a major incident concerns, when it does not concern them all.
CREATE TABLE major_incident_tenants (
    major_id  BIGINT NOT NULL REFERENCES major_incidents (id) ON DELETE CASCADE,
    tenant_id BIGINT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    PRIMARY KEY (major_id, tenant_id)
);
--bun:split
CREATE INDEX major_incident_tenants_tenant ON major_incident_tenants (tenant_id, major_id);
--bun:split
-- Public updates, each in both languages, with the state they put the major incident in. The
-- fan-out to the linked incidents runs in bounded transactions: fanout_cursor is the last
-- linked incident it handled, fanout_done says it finished (a restart carries on from there).
CREATE TABLE major_incident_updates (
    id            {{.PK}},
    major_id      BIGINT      NOT NULL REFERENCES major_incidents (id) ON DELETE CASCADE,
    state         VARCHAR(20) NOT NULL,
    body_fr       TEXT        NOT NULL,
    body_en       TEXT        NOT NULL,
    author_id     BIGINT      REFERENCES users (id),
    created_at    {{.TS}}     NOT NULL,
    fanout_cursor BIGINT      NOT NULL DEFAULT 0,
    fanout_done   BOOLEAN     NOT NULL DEFAULT FALSE
);
--bun:split
CREATE INDEX major_incident_updates_major ON major_incident_updates (major_id, id);
--bun:split
CREATE INDEX major_incident_updates_fanout ON major_incident_updates (fanout_done, id);
--bun:split
-- Referents of concerned tenants who asked to be told of the updates.
CREATE TABLE major_incident_followers (
    major_id   BIGINT  NOT NULL REFERENCES major_incidents (id) ON DELETE CASCADE,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    tenant_id  BIGINT  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    created_at {{.TS}} NOT NULL,
    PRIMARY KEY (major_id, user_id)
);
--bun:split
-- Who was mailed an update: one mail per person per update, however many of their incidents
-- are linked, and none twice when a fan-out is carried on after an interruption.
CREATE TABLE major_update_mail (
    update_id BIGINT NOT NULL REFERENCES major_incident_updates (id) ON DELETE CASCADE,
    user_id   BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (update_id, user_id)
);
--bun:split
ALTER TABLE incidents ADD COLUMN major_id BIGINT REFERENCES major_incidents (id);
--bun:split
CREATE INDEX incidents_major ON incidents (major_id, id);
