-- The help center. help_articles holds each article's current text in both languages (a
-- language not written has an empty title and body), its figures, and seq: the number of its
-- last write, taken from help_state's one row (written by the first write, so that a new desk's
-- tables are empty) in the writing transaction, so that an instance
-- that applied every article numbered up to N to its search index reads only those numbered
-- above N. help_versions keeps every save of an article. help_votes holds each person's last
-- vote on an article; help_events records views, votes and deflections (a declaration or an
-- order given up on an article's answer) with their instant, for the dashboard's periods.
CREATE TABLE help_articles (
    id           {{.PK}},
    category     VARCHAR(20)  NOT NULL,
    visibility   VARCHAR(10)  NOT NULL,
    state        VARCHAR(10)  NOT NULL,
    title_fr     VARCHAR(200) NOT NULL DEFAULT '',
    body_fr      TEXT         NOT NULL DEFAULT '',
    title_en     VARCHAR(200) NOT NULL DEFAULT '',
    body_en      TEXT         NOT NULL DEFAULT '',
    author_id    BIGINT       NOT NULL REFERENCES users (id),
    editor_id    BIGINT       NOT NULL REFERENCES users (id),
    incident_id  BIGINT       REFERENCES incidents (id),
    created_at   {{.TS}}      NOT NULL,
    updated_at   {{.TS}}      NOT NULL,
    published_at {{.TS}},
    version      INTEGER      NOT NULL,
    seq          BIGINT       NOT NULL,
    views        BIGINT       NOT NULL DEFAULT 0,
    helpful      BIGINT       NOT NULL DEFAULT 0,
    unhelpful    BIGINT       NOT NULL DEFAULT 0,
    deflections  BIGINT       NOT NULL DEFAULT 0
);
--bun:split
CREATE INDEX help_articles_seq ON help_articles (seq);
--bun:split
CREATE INDEX help_articles_updated ON help_articles (updated_at);
--bun:split
CREATE TABLE help_versions (
    article_id BIGINT       NOT NULL REFERENCES help_articles (id),
    version    INTEGER      NOT NULL,
    category   VARCHAR(20)  NOT NULL,
    visibility VARCHAR(10)  NOT NULL,
    state      VARCHAR(10)  NOT NULL,
    title_fr   VARCHAR(200) NOT NULL,
    body_fr    TEXT         NOT NULL,
    title_en   VARCHAR(200) NOT NULL,
    body_en    TEXT         NOT NULL,
    editor_id  BIGINT       NOT NULL REFERENCES users (id),
    created_at {{.TS}}      NOT NULL,
    PRIMARY KEY (article_id, version)
);
--bun:split
CREATE TABLE help_state (
    id  INTEGER PRIMARY KEY,
    seq BIGINT  NOT NULL
);
--bun:split
CREATE TABLE help_votes (
    article_id BIGINT  NOT NULL REFERENCES help_articles (id),
    user_id    BIGINT  NOT NULL REFERENCES users (id),
    helpful    BOOLEAN NOT NULL,
    created_at {{.TS}} NOT NULL,
    updated_at {{.TS}} NOT NULL,
    PRIMARY KEY (article_id, user_id)
);
--bun:split
CREATE TABLE help_events (
    id         {{.PK}},
    article_id BIGINT      NOT NULL REFERENCES help_articles (id),
    kind       VARCHAR(12) NOT NULL,
    source     VARCHAR(10) NOT NULL DEFAULT '',
    user_id    BIGINT      REFERENCES users (id),
    tenant_id  BIGINT      REFERENCES tenants (id),
    created_at {{.TS}}     NOT NULL
);
--bun:split
CREATE INDEX help_events_created ON help_events (created_at);
--bun:split
CREATE INDEX help_events_article ON help_events (article_id, kind);
