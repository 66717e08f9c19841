package dbcopy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/guichet/guichet/internal/db"
	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// problem is a bad input answered with one line and exit status 2 (see db.Problem).
func problem(format string, args ...any) error {
	return &db.Problem{Msg: fmt.Sprintf(format, args...)}
}

// Redact is a database address fit to print: a URL without its password, or a file path.
func Redact(dsn string) string {
	if !db.IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// checkURL refuses a PostgreSQL URL db.Open could not use, in the words of the flag it came by.
func checkURL(flag, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil || u.Host == "" && u.Query().Get("host") == "" {
		return problem("%s: %q is not a valid PostgreSQL URL (want postgres://user:password@host:5432/database)", flag, Redact(dsn))
	}
	if _, err := pgx.ParseConfig(dsn); err != nil {
		return problem("%s: the PostgreSQL URL %s is not valid: %v", flag, Redact(dsn), err)
	}
	return nil
}

// sameAddress refuses a source and a target that name the same database: the same file, or the
// same host, port and database name.
func sameAddress(from, to string) error {
	same := problem("the source and the target are the same database (%s): copy into another, empty database", Redact(to))
	switch {
	case db.IsPostgres(from) != db.IsPostgres(to):
		return nil
	case db.IsPostgres(from):
		a, errA := pgx.ParseConfig(from)
		b, errB := pgx.ParseConfig(to)
		if errA == nil && errB == nil && strings.EqualFold(a.Host, b.Host) && a.Port == b.Port && a.Database == b.Database {
			return same
		}
		return nil
	}
	a, errA := filepath.Abs(from)
	b, errB := filepath.Abs(to)
	if errA == nil && errB == nil && a == b {
		return same
	}
	fa, errA := os.Stat(from)
	fb, errB := os.Stat(to)
	if errA == nil && errB == nil && os.SameFile(fa, fb) {
		return same
	}
	return nil
}

// sameServerDatabase refuses two PostgreSQL URLs that reach the same database by different
// names (localhost and 127.0.0.1, say): the same database on a server started at the same instant
// and listening on the same port.
func sameServerDatabase(ctx context.Context, src, dst *bun.DB, to string) error {
	if !db.IsPG(src) || !db.IsPG(dst) {
		return nil
	}
	const q = "SELECT current_database() || ' ' || pg_postmaster_start_time()::text || ' ' || COALESCE(inet_server_port(), 0)::text"
	var a, b string
	if err := src.NewRaw(q).Scan(ctx, &a); err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	if err := dst.NewRaw(q).Scan(ctx, &b); err != nil {
		return fmt.Errorf("--to: %w", err)
	}
	if a == b {
		return problem("the source and the target are the same database (%s): copy into another, empty database", Redact(to))
	}
	return nil
}

// openSource opens the desk to copy: a SQLite file must exist (opening creates a missing one).
func openSource(dsn string) (*bun.DB, error) {
	if db.IsPostgres(dsn) {
		if err := checkURL("--from", dsn); err != nil {
			return nil, err
		}
	} else {
		fi, err := os.Stat(dsn)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, problem("--from: there is no SQLite file at %s", dsn)
		case err != nil:
			return nil, problem("--from: %v", err)
		case fi.IsDir():
			return nil, problem("--from: %s is a folder, not a SQLite file", dsn)
		}
	}
	bdb, err := db.Open(dsn, db.Options{Pool: 2})
	if err != nil {
		return nil, fmt.Errorf("--from: %w", err)
	}
	return bdb, nil
}

// openTarget opens the database to copy into, creating a SQLite file that is not there yet.
// Its closer closes it and, when the copy failed, removes the SQLite file it created.
func openTarget(dsn string) (*bun.DB, func(failed bool), error) {
	created := false
	if db.IsPostgres(dsn) {
		if err := checkURL("--to", dsn); err != nil {
			return nil, nil, err
		}
	} else {
		fi, err := os.Stat(dsn)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			created = true
		case err != nil:
			return nil, nil, problem("--to: %v", err)
		case fi.IsDir():
			return nil, nil, problem("--to: %s is a folder, not a SQLite file", dsn)
		}
	}
	bdb, err := db.Open(dsn, db.Options{Pool: 2})
	if err != nil {
		if created {
			removeSQLite(dsn)
		}
		return nil, nil, fmt.Errorf("--to: %w", err)
	}
	return bdb, func(failed bool) {
		bdb.Close()
		if failed && created {
			removeSQLite(dsn)
		}
	}, nil
}

// removeSQLite removes a SQLite file with its write-ahead log and shared-memory file.
func removeSQLite(path string) {
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + suffix)
	}
}

// checkTarget refuses a target that is not empty: one with a table the source does not have
// (someone else's database), or with a row in any table, search index included. A database
// without tables, or migrated and never used, is empty.
func checkTarget(ctx context.Context, idb bun.IDB, source *catalogue, to string) error {
	names, err := tableNames(ctx, idb)
	if err != nil {
		return problem("--to %s: cannot read its tables: %v", Redact(to), err)
	}
	for _, name := range names {
		if source.tables[name] == nil && !bookkeeping[name] && !searchTables[name] {
			return problem("--to %s: the database holds a table that is not the desk's (%s): copy into an empty database", Redact(to), name)
		}
	}
	for _, name := range names {
		if bookkeeping[name] {
			continue
		}
		full, err := hasRows(ctx, idb, name)
		if err != nil {
			return problem("--to %s: cannot read table %s: %v", Redact(to), name, err)
		}
		if full {
			return problem("--to %s: the database is not empty (table %s holds rows): copy into an empty database", Redact(to), name)
		}
	}
	return nil
}
