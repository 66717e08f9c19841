CREATE TABLE timeline_entries (
    id           {{.PK}},
    subject_kind VARCHAR(20)  NOT NULL,
    subject_id   BIGINT       NOT NULL,
    kind         VARCHAR(10)  NOT NULL,
    event        VARCHAR(80)  NOT NULL DEFAULT '',
    value_type   VARCHAR(10)  NOT NULL DEFAULT '',
    from_value   TEXT         NOT NULL DEFAULT '',
    to_value     TEXT         NOT NULL DEFAULT '',
    body         TEXT         NOT NULL DEFAULT '',
    actor_id     BIGINT       REFERENCES users (id),
    created_at   {{.TS}}      NOT NULL
);
--bun:split
CREATE INDEX timeline_subject ON timeline_entries (subject_kind, subject_id, id);
--bun:split
CREATE TABLE attachments (
    id           {{.PK}},
    entry_id     BIGINT       NOT NULL REFERENCES timeline_entries (id),
    subject_kind VARCHAR(20)  NOT NULL,
    subject_id   BIGINT       NOT NULL,
    internal     BOOLEAN      NOT NULL,
    name         VARCHAR(255) NOT NULL,
    content_type VARCHAR(100) NOT NULL,
    size         BIGINT       NOT NULL,
    data         {{.Blob}}    NOT NULL,
    created_at   {{.TS}}      NOT NULL
);
--bun:split
CREATE INDEX attachments_entry ON attachments (entry_id);
{{ if .SQLite }}
--bun:split
CREATE VIRTUAL TABLE timeline_fts USING fts5(body, content='', tokenize='unicode61 remove_diacritics 2');
{{ end }}
