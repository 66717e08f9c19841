-- Canned responses: a library of replies that agents and admins write once, in French and in
-- English, with placeholders ({customer_name}, {incident_number}, …) filled when one is inserted
-- on an incident, and an optional action applied with the reply (pending: wait for the
-- customer; resolve). name_key is the name in lower case (strings.ToLower), which keeps names
-- unique in any case on both databases (SQLite's lower() knows only ASCII). uses counts the
-- replies sent with the response.
CREATE TABLE canned_responses (
    id         {{.PK}},
    name       VARCHAR(100) NOT NULL,
    name_key   VARCHAR(400) NOT NULL,
    text_fr    TEXT         NOT NULL,
    text_en    TEXT         NOT NULL,
    action     VARCHAR(10)  NOT NULL DEFAULT '',
    uses       BIGINT       NOT NULL DEFAULT 0,
    version    INTEGER      NOT NULL,
    created_by BIGINT       NOT NULL REFERENCES users (id),
    created_at {{.TS}}      NOT NULL,
    updated_at {{.TS}}      NOT NULL
);
--bun:split
CREATE UNIQUE INDEX canned_responses_name ON canned_responses (name_key);
