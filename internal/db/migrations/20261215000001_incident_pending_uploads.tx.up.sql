-- Files kept between a form refused and the same form sent again (issue 11, item 9): a form
-- that comes back with an error keeps what was uploaded, for the session that uploaded it, for
-- a short while. Logging out (the session's row going) takes them with it.
CREATE TABLE pending_uploads (
    id           {{.PK}},
    session_hash VARCHAR(64)  NOT NULL REFERENCES sessions (id_hash) ON DELETE CASCADE,
    user_id      BIGINT       NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         VARCHAR(255) NOT NULL,
    content_type VARCHAR(100) NOT NULL,
    size         BIGINT       NOT NULL,
    data         {{.Blob}}    NOT NULL,
    created_at   {{.TS}}      NOT NULL,
    expires_at   {{.TS}}      NOT NULL
);
--bun:split
CREATE INDEX pending_uploads_session ON pending_uploads (session_hash, id);
--bun:split
CREATE INDEX pending_uploads_expires ON pending_uploads (expires_at);
