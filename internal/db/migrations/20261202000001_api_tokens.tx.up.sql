-- Personal access tokens of the API. Only a SHA-256 hash of a token is kept; its first
-- characters (prefix) let people recognize it in lists.
CREATE TABLE api_tokens (
    id           {{.PK}},
    user_id      BIGINT       NOT NULL REFERENCES users (id),
    name         VARCHAR(100) NOT NULL,
    prefix       VARCHAR(16)  NOT NULL,
    token_hash   CHAR(64)     NOT NULL UNIQUE,
    -- read: GET only; write: everything the user may do
    scope        VARCHAR(10)  NOT NULL,
    created_at   {{.TS}}      NOT NULL,
    expires_at   {{.TS}}      NOT NULL,
    last_used_at {{.TS}},
    revoked_at   {{.TS}},
    revoked_by   BIGINT       REFERENCES users (id)
);
--bun:split
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);
--bun:split
-- Idempotency keys of API creates: the first response to (token, key) is kept a day and
-- returned to every retry; a retry with another body is refused. A row with status 0 is a
-- request still running.
CREATE TABLE api_idempotency (
    token_id   BIGINT       NOT NULL REFERENCES api_tokens (id),
    idem_key   VARCHAR(255) NOT NULL,
    request    CHAR(64)     NOT NULL,
    status     INTEGER      NOT NULL DEFAULT 0,
    headers    TEXT         NOT NULL DEFAULT '',
    body       TEXT         NOT NULL DEFAULT '',
    created_at {{.TS}}      NOT NULL,
    PRIMARY KEY (token_id, idem_key)
);
--bun:split
CREATE INDEX api_idempotency_created ON api_idempotency (created_at);
