package db

import (
	"context"
	"embed"
	"fmt"
	"strings"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// typeNames fill the SQL migrations' templates, so that one file serves every dialect.
type typeNames struct {
	PK   string // auto-increment integer primary key
	TS   string // instant
	Blob string // binary data
	// SQLite is true on SQLite, for what only it has (FTS5 full-text tables).
	SQLite bool
}

func typesFor(db *bun.DB) typeNames {
	if db.Dialect().Name() == dialect.PG {
		return typeNames{PK: "BIGSERIAL PRIMARY KEY", TS: "TIMESTAMPTZ", Blob: "BYTEA"}
	}
	return typeNames{PK: "INTEGER PRIMARY KEY AUTOINCREMENT", TS: "TIMESTAMP", Blob: "BLOB", SQLite: true}
}

func migrator(db *bun.DB) (*migrate.Migrator, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(migrationFiles); err != nil {
		return nil, err
	}
	return migrate.NewMigrator(db, ms,
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTemplateData(typesFor(db)),
		migrate.WithTableName("schema_migrations"),
		migrate.WithLocksTableName("schema_migration_locks"),
	), nil
}

// Migrate applies every embedded migration not yet applied, after refusing a database that a
// newer version of the program has written.
func Migrate(ctx context.Context, db *bun.DB) (applied []string, err error) {
	m, err := migrator(db)
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("db: prepare migrations: %w", err)
	}
	if err := refuseUnknown(ctx, m); err != nil {
		return nil, err
	}
	if err := m.Lock(ctx); err != nil {
		return nil, fmt.Errorf("db: lock migrations: %w", err)
	}
	defer m.Unlock(ctx) //nolint:errcheck // the lock row goes with the next successful unlock
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	for _, mig := range group.Migrations {
		applied = append(applied, mig.Name+"_"+mig.Comment)
	}
	return applied, nil
}

// CheckSchema fails unless the database holds exactly the migrations this program knows.
func CheckSchema(ctx context.Context, db *bun.DB) error {
	m, err := migrator(db)
	if err != nil {
		return err
	}
	if err := refuseUnknown(ctx, m); err != nil {
		return err
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil && strings.Contains(err.Error(), "no such table") {
		return fmt.Errorf("db: the database has no schema yet (run `guichet migrate`)")
	}
	if err != nil {
		return fmt.Errorf("db: read schema version: %w", err)
	}
	if pending := ms.Unapplied(); len(pending) > 0 {
		return fmt.Errorf("db: %d migration(s) not applied (run `guichet migrate`)", len(pending))
	}
	return nil
}

// refuseUnknown stops on a database migrated by a newer program: running an old binary on a
// schema it does not know would corrupt data silently.
func refuseUnknown(ctx context.Context, m *migrate.Migrator) error {
	missing, err := m.MissingMigrations(ctx)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil
		}
		return fmt.Errorf("db: read schema version: %w", err)
	}
	if len(missing) > 0 {
		return fmt.Errorf("db: the database was written by a newer version of Guichet (unknown migration %s); upgrade the program", missing[0].Name)
	}
	return nil
}
