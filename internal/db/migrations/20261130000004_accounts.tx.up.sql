-- Accounts hardening: two-factor authentication (TOTP, RFC 6238) with recovery codes, logins
-- waiting for their second factor, and attempt counters shared by every process.
--
-- The TOTP secret must be readable to check a code, so it is stored as is (base32); it is set
-- when enrolment starts and counts only once totp_enabled_at is set. totp_last_step is the time
-- step of the last code accepted: a code of that step or an earlier one is refused (no replay).
ALTER TABLE users ADD COLUMN totp_secret VARCHAR(64) NOT NULL DEFAULT '';
--bun:split
ALTER TABLE users ADD COLUMN totp_enabled_at {{.TS}};
--bun:split
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
--bun:split
-- A pending session has passed the password and waits for the second factor: it is no login.
ALTER TABLE sessions ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
-- One-time recovery codes; only a SHA-256 of each (80 random bits) is kept.
CREATE TABLE recovery_codes (
    user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  VARCHAR(64) NOT NULL,
    created_at {{.TS}}     NOT NULL,
    used_at    {{.TS}},
    PRIMARY KEY (user_id, code_hash)
);
--bun:split
-- Attempts counted per bucket and subject over a sliding window: logins per client address,
-- current-password and code checks per user. Rows older than a day are pruned as new ones come.
CREATE TABLE auth_attempts (
    id      {{.PK}},
    bucket  VARCHAR(40)  NOT NULL,
    subject VARCHAR(100) NOT NULL,
    at      {{.TS}}      NOT NULL
);
--bun:split
CREATE INDEX auth_attempts_subject ON auth_attempts (bucket, subject, at);
--bun:split
CREATE INDEX auth_attempts_at ON auth_attempts (at);
