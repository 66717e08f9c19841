// Package testutil gives tests a real desk: a migrated SQLite file with the demo data in
// t.TempDir(), and a client that carries cookies and CSRF tokens as a browser does.
package testutil

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/demo"
)

// Strict reports whether tests must not skip for want of Chromium or PostgreSQL (CI sets it).
func Strict() bool { return os.Getenv("GUICHET_TEST_STRICT") == "1" }

var (
	templateOnce sync.Once
	templatePath string
	templateErr  error
)

// Config is the configuration tests run with, on the database file path.
func Config(path string) config.Config {
	c, err := config.Load(nil, func(string) string { return "" })
	if err != nil {
		panic(err)
	}
	c.Database = path
	return c
}

// demoTemplate builds one demo database per test process; tests get copies, which is much
// faster than hashing every demo password again.
func demoTemplate() (string, error) {
	templateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "guichet-test-")
		if err != nil {
			templateErr = err
			return
		}
		templatePath = filepath.Join(dir, "demo.db")
		ctx := context.Background()
		a, err := app.Open(ctx, Config(templatePath), quietLog())
		if err != nil {
			templateErr = err
			return
		}
		defer a.Close()
		if templateErr = demo.Load(ctx, a.DB, a.Identity, a.Tenancy, time.Now()); templateErr != nil {
			return
		}
		_, templateErr = a.DB.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	})
	return templatePath, templateErr
}

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// NewApp returns an opened desk on a private copy of the demo database.
func NewApp(t testing.TB) *app.App {
	t.Helper()
	src, err := demoTemplate()
	if err != nil {
		t.Fatalf("demo database: %v", err)
	}
	path := filepath.Join(t.TempDir(), "guichet.db")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), Config(path), quietLog())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}
