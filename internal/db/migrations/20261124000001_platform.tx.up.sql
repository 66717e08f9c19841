CREATE TABLE settings (
    name  VARCHAR(100) PRIMARY KEY,
    value TEXT NOT NULL
);
--bun:split
CREATE TABLE users (
    id            {{.PK}},
    login         VARCHAR(64)  NOT NULL,
    login_key     VARCHAR(64)  NOT NULL UNIQUE,
    email         VARCHAR(254) NOT NULL,
    display_name  VARCHAR(120) NOT NULL,
    lang          VARCHAR(2)   NOT NULL,
    kind          VARCHAR(10)  NOT NULL,
    active        BOOLEAN      NOT NULL,
    password_hash VARCHAR(255) NOT NULL DEFAULT '',
    failed_logins INTEGER      NOT NULL DEFAULT 0,
    locked_at     {{.TS}},
    created_at    {{.TS}}      NOT NULL,
    updated_at    {{.TS}}      NOT NULL
);
--bun:split
CREATE INDEX users_email ON users (email);
--bun:split
CREATE TABLE tenants (
    id           {{.PK}},
    code         VARCHAR(10)  NOT NULL UNIQUE,
    name         VARCHAR(120) NOT NULL,
    status       VARCHAR(30)  NOT NULL,
    referent_id  BIGINT       NOT NULL REFERENCES users (id),
    owner_id     BIGINT       NOT NULL REFERENCES users (id),
    sales_rep_id BIGINT       REFERENCES users (id),
    created_at   {{.TS}}      NOT NULL,
    updated_at   {{.TS}}      NOT NULL
);
--bun:split
CREATE INDEX tenants_sales_rep ON tenants (sales_rep_id);
--bun:split
CREATE TABLE memberships (
    tenant_id    BIGINT  NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id      BIGINT  NOT NULL REFERENCES users (id),
    can_incidents BOOLEAN NOT NULL,
    can_changes   BOOLEAN NOT NULL,
    can_contract  BOOLEAN NOT NULL,
    can_users     BOOLEAN NOT NULL,
    created_at   {{.TS}} NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
--bun:split
CREATE INDEX memberships_user ON memberships (user_id);
--bun:split
CREATE TABLE sessions (
    id_hash         VARCHAR(64) PRIMARY KEY,
    user_id         BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope_tenant_id BIGINT,
    created_at      {{.TS}}     NOT NULL,
    last_seen_at    {{.TS}}     NOT NULL
);
--bun:split
CREATE INDEX sessions_user ON sessions (user_id);
--bun:split
CREATE TABLE support_levels (
    id              {{.PK}},
    tenant_id       BIGINT      NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    level           VARCHAR(10) NOT NULL,
    effective_from  VARCHAR(10) NOT NULL,
    committed_until VARCHAR(10),
    created_at      {{.TS}}     NOT NULL
);
--bun:split
CREATE INDEX support_levels_tenant ON support_levels (tenant_id, effective_from);
