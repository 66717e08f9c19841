// Package db opens the database (SQLite by default) through bun and owns the schema migrations.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	_ "modernc.org/sqlite" // pure-Go SQLite with FTS5
)

// Open opens the SQLite file at path with the pragmas the desk relies on: a busy timeout, WAL,
// foreign keys, and immediate transactions so that read-then-write transactions do not fail with
// SQLITE_BUSY under load.
func Open(path string) (*bun.DB, error) {
	if strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://") {
		return nil, errors.New("db: PostgreSQL is not supported by this version; use a SQLite file path")
	}
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate"
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	// SQLite has one writer; a small pool keeps readers concurrent in WAL mode without piling
	// up writers that would only wait on the busy timeout.
	sqldb.SetMaxOpenConns(8)
	sqldb.SetMaxIdleConns(8)
	bdb := bun.NewDB(sqldb, sqlitedialect.New())
	if err := ping(bdb); err != nil {
		bdb.Close()
		return nil, fmt.Errorf("db: open %s: %w", path, err)
	}
	return bdb, nil
}

// IsUniqueViolation reports whether err is a unique-constraint failure.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE=23505") ||
		strings.Contains(msg, "duplicate key value")
}

// ContainsFold returns a portable case-insensitive "column contains text" condition and its argument.
func ContainsFold(column, text string) (string, string) {
	text = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(text))
	return "LOWER(" + column + `) LIKE ? ESCAPE '\'`, "%" + text + "%"
}

// ping opens the first connection. Processes that start together on a new file race to turn it
// to WAL, which takes the file's exclusive lock without waiting on the busy timeout: the loser
// tries again for a while rather than failing its start.
func ping(bdb *bun.DB) error {
	pause := 20 * time.Millisecond
	deadline := time.Now().Add(15 * time.Second)
	for {
		err := bdb.PingContext(context.Background())
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(pause)
		pause = min(2*pause, 500*time.Millisecond)
	}
}
