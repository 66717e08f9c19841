CREATE TABLE outbox (
    id                {{.PK}},
    recipient_email   VARCHAR(254) NOT NULL,
    recipient_name    VARCHAR(120) NOT NULL,
    recipient_user_id BIGINT,
    lang              VARCHAR(2)   NOT NULL,
    kind              VARCHAR(60)  NOT NULL,
    thread            VARCHAR(120) NOT NULL,
    message_id        VARCHAR(255) NOT NULL UNIQUE,
    subject           TEXT         NOT NULL,
    body_text         TEXT         NOT NULL,
    body_html         TEXT         NOT NULL,
    status            VARCHAR(10)  NOT NULL,
    attempts          INTEGER      NOT NULL DEFAULT 0,
    next_attempt_at   {{.TS}}      NOT NULL,
    claimed_until     {{.TS}},
    deadline_at       {{.TS}}      NOT NULL,
    last_error        TEXT         NOT NULL DEFAULT '',
    created_at        {{.TS}}      NOT NULL,
    sent_at           {{.TS}}
);
--bun:split
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
--bun:split
CREATE INDEX outbox_created ON outbox (created_at);
--bun:split
CREATE TABLE password_tokens (
    id_hash    VARCHAR(64) PRIMARY KEY,
    user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    VARCHAR(10) NOT NULL,
    created_at {{.TS}}     NOT NULL,
    expires_at {{.TS}}     NOT NULL,
    used_at    {{.TS}}
);
--bun:split
CREATE INDEX password_tokens_user ON password_tokens (user_id);
