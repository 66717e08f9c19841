-- One-time form tokens: a form submitted twice (a double click, a POST sent again) creates one
-- ticket. The token is recorded with the ticket it created, in the same transaction.
CREATE TABLE form_submissions (
    token_hash   VARCHAR(64) PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject_kind VARCHAR(32) NOT NULL,
    subject_id   BIGINT NOT NULL,
    created_at   {{.TS}} NOT NULL
);
--bun:split
CREATE INDEX form_submissions_created ON form_submissions (created_at);
