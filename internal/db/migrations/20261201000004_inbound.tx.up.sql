-- Inbound mail: every message that comes in (by IMAP or by `guichet mail ingest`) is recorded
-- once, by its Message-ID, with what became of it. The raw message is kept: staff read the
-- original of a reply, and admins the quarantined messages, from it.
CREATE TABLE inbound_messages (
    id           {{.PK}},
    -- the Message-ID without angle brackets, or "sha256:" and the raw message's hash without one
    message_id   VARCHAR(255) NOT NULL UNIQUE,
    source       VARCHAR(10)  NOT NULL,
    sender       VARCHAR(254) NOT NULL DEFAULT '',
    subject      TEXT         NOT NULL DEFAULT '',
    -- handled, quarantined, ignored, discarded, attached
    status       VARCHAR(12)  NOT NULL,
    -- the message key saying why it was quarantined or ignored, and what more is known
    reason       VARCHAR(80)  NOT NULL DEFAULT '',
    detail       TEXT         NOT NULL DEFAULT '',
    -- the ticket and the timeline entry it became, and who wrote it
    subject_kind VARCHAR(20)  NOT NULL DEFAULT '',
    subject_id   BIGINT,
    entry_id     BIGINT       REFERENCES timeline_entries (id),
    user_id      BIGINT       REFERENCES users (id),
    -- the text as read, quotes included, for the quarantine page
    body_text    TEXT         NOT NULL DEFAULT '',
    raw          {{.Blob}}    NOT NULL,
    raw_size     BIGINT       NOT NULL,
    received_at  {{.TS}}      NOT NULL,
    decided_by   BIGINT       REFERENCES users (id),
    decided_at   {{.TS}}
);
--bun:split
CREATE INDEX inbound_messages_status ON inbound_messages (status, received_at);
--bun:split
CREATE INDEX inbound_messages_sender ON inbound_messages (sender, received_at);
--bun:split
CREATE INDEX inbound_messages_entry ON inbound_messages (entry_id);
--bun:split
-- The last read of each way in (imap, pipe): when, how many, and the last error.
CREATE TABLE inbound_fetches (
    source        VARCHAR(10) PRIMARY KEY,
    last_at       {{.TS}}     NOT NULL,
    handled       INTEGER     NOT NULL DEFAULT 0,
    last_error    TEXT        NOT NULL DEFAULT '',
    last_error_at {{.TS}}
);
--bun:split
-- How an entry came in: '' (a form) or 'email'.
ALTER TABLE timeline_entries ADD COLUMN via VARCHAR(10) NOT NULL DEFAULT '';
