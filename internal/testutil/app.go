// Package testutil gives tests a real desk: a migrated SQLite file with the demo data in
// t.TempDir(), and a client that carries cookies and CSRF tokens as a browser does.
package testutil

import (
	"context"
	"fmt"
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

	pgTemplateOnce sync.Once
	pgTemplate     string
	pgTemplateErr  error
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
		if templateErr = loadDemo(templatePath); templateErr != nil {
			return
		}
		a, err := app.Open(context.Background(), Config(templatePath), quietLog())
		if err != nil {
			templateErr = err
			return
		}
		defer a.Close()
		_, templateErr = a.DB.ExecContext(context.Background(), "PRAGMA wal_checkpoint(TRUNCATE)")
	})
	return templatePath, templateErr
}

// pgDemoTemplate is demoTemplate on PostgreSQL: a database that tests' databases copy.
func pgDemoTemplate() (string, error) {
	pgTemplateOnce.Do(func() {
		pgTemplate, pgTemplateErr = createDatabase("")
		if pgTemplateErr == nil {
			pgTemplateErr = loadDemo(databaseURL(pgTemplate))
		}
	})
	return pgTemplate, pgTemplateErr
}

// dropTemplates drops the PostgreSQL template when the tests are done.
func dropTemplates() {
	if pgTemplate != "" {
		if err := dropDatabase(pgTemplate); err != nil {
			fmt.Fprintf(os.Stderr, "drop the template database %s: %v\n", pgTemplate, err)
		}
	}
	if templatePath != "" {
		os.RemoveAll(filepath.Dir(templatePath))
	}
}

// loadDemo migrates the database dsn names and loads the demo data into it.
func loadDemo(dsn string) error {
	ctx := context.Background()
	a, err := app.Open(ctx, Config(dsn), quietLog())
	if err != nil {
		return err
	}
	defer a.Close()
	return demo.Load(ctx, a.DB, a.Identity, a.Tenancy, time.Now())
}

func quietLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// NewApp returns an opened desk on a private copy of the demo database: a SQLite file in
// t.TempDir(), or on the PostgreSQL pass a database of its own.
func NewApp(t testing.TB) *app.App {
	t.Helper()
	a, err := app.Open(context.Background(), Config(NewDemoDatabase(t)), quietLog())
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// NewDemoDatabase returns the address of a private copy of the demo database, removed when t
// ends.
func NewDemoDatabase(t testing.TB) string {
	t.Helper()
	if onPostgres {
		tpl, err := pgDemoTemplate()
		if err != nil {
			t.Fatalf("demo database: %v", err)
		}
		name, err := createDatabase(tpl)
		if err != nil {
			t.Fatalf("copy the demo database: %v", err)
		}
		t.Cleanup(func() {
			if err := dropDatabase(name); err != nil {
				t.Errorf("drop database %s: %v", name, err)
			}
		})
		return databaseURL(name)
	}
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
	return path
}
