package db

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"
	"github.com/uptrace/bun/migrate"
)

// Migrations are embedded, ordered by their names' timestamps and never edited once released:
// a change is a new file. The files in migrations/ run on every database; where the SQL of a
// step differs by dialect, the step is a file in migrations/sqlite/ and one in migrations/pg/.
// Types that differ only by name come from the templates' typeNames.
//
//go:embed migrations
var migrationFiles embed.FS

// sharedFiles shows the files of migrations/ without its dialect folders.
type sharedFiles struct{ fs.FS }

func (f sharedFiles) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := fs.ReadDir(f.FS, name)
	return slices.DeleteFunc(es, func(e fs.DirEntry) bool { return e.IsDir() }), err
}

// dialectDir is the folder of the migrations written for db's dialect alone.
func dialectDir(db *bun.DB) string {
	if db.Dialect().Name() == dialect.PG {
		return "pg"
	}
	return "sqlite"
}

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

// goSteps are the migrations written in Go (AddMigration).
var goSteps []migrate.Migration

// AddMigration registers a migration written in Go, for a step that needs the program's own
// code (refilling the search index with the words the program folds): named like the SQL
// files (name is its timestamp, comment its words), it runs in order with them, once, and up
// runs its own transaction. The package whose code it needs registers it from an init
// function, so that every program that writes that data migrates with it.
func AddMigration(name, comment string, up func(ctx context.Context, db *bun.DB) error) {
	goSteps = append(goSteps, migrate.Migration{Name: name, Comment: comment,
		Up: func(ctx context.Context, m *migrate.Migrator, _ *migrate.Migration) error { return up(ctx, m.DB()) }})
}

// GoMigrations names the migrations written in Go (AddMigration) as Migrate names them, beside
// the SQL files, for the tests that count what a database must have recorded.
func GoMigrations() []string {
	names := make([]string, len(goSteps))
	for i, s := range goSteps {
		names[i] = s.Name + "_" + s.Comment
	}
	return names
}

func migrator(db *bun.DB) (*migrate.Migrator, error) {
	ms := migrate.NewMigrations()
	for _, step := range goSteps {
		ms.Add(step)
	}
	root, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	if err := ms.Discover(sharedFiles{root}); err != nil {
		return nil, err
	}
	if _, err := fs.Stat(root, dialectDir(db)); err == nil {
		own, err := fs.Sub(root, dialectDir(db))
		if err != nil {
			return nil, err
		}
		if err := ms.Discover(own); err != nil {
			return nil, err
		}
	}
	return migrate.NewMigrator(db, ms,
		migrate.WithMarkAppliedOnSuccess(true),
		migrate.WithTemplateData(typesFor(db)),
		migrate.WithTableName("schema_migrations"),
		migrate.WithLocksTableName("schema_migration_locks"),
	), nil
}

// LockWait is how long Migrate waits for another process's migration to finish.
var LockWait = 2 * time.Minute

// ErrLocked is a migration lock still held after LockWait: another process is migrating, or
// one died while it did and left its lock behind (`guichet migrate --unlock` clears it).
var ErrLocked = errors.New("db: the migrations are locked by another process; if none is migrating, " +
	"clear the lock with `guichet migrate --unlock`")

// Migrate applies every embedded migration not yet applied, after refusing a database that a
// newer version of the program has written. Processes that start together take turns: the
// first migrates, the others wait for its lock and then find nothing left to do. A schema that
// is up to date needs no lock, so a stale lock stops no start that has nothing to apply.
func Migrate(ctx context.Context, db *bun.DB) (applied []string, err error) {
	m, err := migrator(db)
	if err != nil {
		return nil, err
	}
	pg := db.Dialect().Name() == dialect.PG
	if pg {
		// On PostgreSQL, a session lock of the server's orders every start from the first
		// statement (creating the bookkeeping tables races too), and the server releases it
		// when a process dies: no lock is ever left behind.
		unlock, err := advisoryLock(ctx, db)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("db: prepare migrations: %w", err)
	}
	if err := refuseUnknown(ctx, m); err != nil {
		return nil, err
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: read schema version: %w", err)
	}
	if len(ms.Unapplied()) == 0 {
		return nil, nil
	}
	if !pg {
		if err := waitLock(ctx, m); err != nil {
			return nil, err
		}
		// The lock is released even when ctx ends, or the next start would wait for nothing.
		defer m.Unlock(context.WithoutCancel(ctx)) //nolint:errcheck // a failed unlock is what --unlock is for
	}
	group, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: migrate: %w", err)
	}
	for _, mig := range group.Migrations {
		applied = append(applied, mig.Name+"_"+mig.Comment)
	}
	return applied, nil
}

// migrationLockKey names the desk's migration lock among the server's advisory locks.
const migrationLockKey = 0x6775696368657401 // "guichet" 1

// advisoryLock takes the PostgreSQL migration lock on a connection of its own, waiting up to
// LockWait, and returns what releases it.
func advisoryLock(ctx context.Context, db *bun.DB) (func(), error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("db: lock migrations: %w", err)
	}
	wait, cancel := context.WithTimeout(ctx, LockWait)
	defer cancel()
	pause := 50 * time.Millisecond
	for {
		var got bool
		if err := conn.NewRaw("SELECT pg_try_advisory_lock(?)", int64(migrationLockKey)).Scan(ctx, &got); err != nil {
			conn.Close()
			return nil, fmt.Errorf("db: lock migrations: %w", err)
		}
		if got {
			return func() {
				conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(?)", int64(migrationLockKey)) //nolint:errcheck // closing the session releases it too
				conn.Close()
			}, nil
		}
		select {
		case <-wait.Done():
			conn.Close()
			if errors.Is(wait.Err(), context.DeadlineExceeded) {
				return nil, ErrLocked
			}
			return nil, wait.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, time.Second)
	}
}

// waitLock takes the migration lock, waiting up to LockWait for its holder to release it.
func waitLock(ctx context.Context, m *migrate.Migrator) error {
	ctx, cancel := context.WithTimeout(ctx, LockWait)
	defer cancel()
	pause := 50 * time.Millisecond
	for {
		err := m.Lock(ctx)
		if err == nil {
			return nil
		}
		// Taken by another process, or its migration holds the database longer than the busy
		// timeout: wait either way.
		if !IsUniqueViolation(err) && !isBusy(err) {
			return fmt.Errorf("db: lock migrations: %w", err)
		}
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return ErrLocked
			}
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, time.Second)
	}
}

func isBusy(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY")
}

// Unlock clears the migration lock a process left behind when it died migrating, and says
// whether there was one.
func Unlock(ctx context.Context, db *bun.DB) (bool, error) {
	res, err := db.NewDelete().TableExpr("schema_migration_locks").Where("1 = 1").Exec(ctx)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") || strings.Contains(err.Error(), "does not exist") {
			return false, nil
		}
		return false, fmt.Errorf("db: clear the migration lock: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
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
	if err != nil && (strings.Contains(err.Error(), "no such table") || strings.Contains(err.Error(), "does not exist")) {
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
		if strings.Contains(err.Error(), "no such table") || strings.Contains(err.Error(), "does not exist") {
			return nil
		}
		return fmt.Errorf("db: read schema version: %w", err)
	}
	if len(missing) > 0 {
		return fmt.Errorf("db: the database was written by a newer version of Guichet (unknown migration %s); upgrade the program", missing[0].Name)
	}
	return nil
}
