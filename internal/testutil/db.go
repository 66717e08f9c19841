package testutil

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// onPostgres is set for the second pass of Main: every database a test opens is then a fresh
// PostgreSQL database on the server GUICHET_TEST_POSTGRES names.
var onPostgres bool

// PostgresServer is the URL of the PostgreSQL server tests may create databases on (for
// example postgres://postgres@127.0.0.1:5432/postgres), or "".
func PostgresServer() string { return os.Getenv("GUICHET_TEST_POSTGRES") }

// OnPostgres says whether this pass of the tests runs on PostgreSQL.
func OnPostgres() bool { return onPostgres }

// Main runs a package's tests on SQLite, then again on PostgreSQL when GUICHET_TEST_POSTGRES
// names a server. Under GUICHET_TEST_STRICT=1 a missing server fails the run instead of
// skipping the PostgreSQL pass. Packages whose tests open a database call it from TestMain.
// after runs once both passes are done, before the process exits; the program GuichetBinary
// built is removed then too.
func Main(m *testing.M, after ...func()) {
	code := m.Run()
	server := PostgresServer()
	switch {
	case server == "" && Strict():
		fmt.Fprintln(os.Stderr, "FAIL: GUICHET_TEST_STRICT=1 but GUICHET_TEST_POSTGRES names no PostgreSQL server: the PostgreSQL pass cannot run")
		code = max(code, 1)
	case server == "":
		fmt.Fprintln(os.Stderr, "note: GUICHET_TEST_POSTGRES is not set: the tests ran on SQLite only")
	default:
		fmt.Fprintln(os.Stderr, "=== the same tests on PostgreSQL ("+redact(server)+")")
		onPostgres = true
		code = max(code, m.Run())
	}
	dropTemplates()
	removeBinary()
	for _, f := range after {
		f()
	}
	os.Exit(code)
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "?"
	}
	return u.Redacted()
}

var (
	adminOnce sync.Once
	adminErr  error
	serverURL *url.URL
	dbSeq     atomic.Int64
)

// admin checks the test server's URL once.
func admin() (*url.URL, error) {
	adminOnce.Do(func() {
		serverURL, adminErr = url.Parse(PostgresServer())
		if adminErr == nil && !db.IsPostgres(PostgresServer()) {
			adminErr = fmt.Errorf("GUICHET_TEST_POSTGRES=%q is not a postgres:// URL", redact(PostgresServer()))
		}
	})
	return serverURL, adminErr
}

// execServer runs one statement on the test server's maintenance database.
func execServer(query string) error {
	u, err := admin()
	if err != nil {
		return err
	}
	bdb, err := db.Open(u.String(), db.Options{Pool: 1})
	if err != nil {
		return err
	}
	defer bdb.Close()
	_, err = bdb.ExecContext(context.Background(), query)
	return err
}

// databaseURL is the URL of database name on the test server.
func databaseURL(name string) string {
	u, _ := admin()
	v := *u
	v.Path = "/" + name
	return v.String()
}

// createDatabase creates an empty database (or a copy of template) on the test server.
func createDatabase(template string) (name string, err error) {
	name = fmt.Sprintf("guichet_test_%d_%d", os.Getpid(), dbSeq.Add(1))
	q := "CREATE DATABASE " + name
	if template != "" {
		q += " TEMPLATE " + template
	}
	return name, execServer(q)
}

func dropDatabase(name string) error {
	return execServer("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
}

// NewDatabase returns the address of a new, empty database for t: a SQLite file in
// t.TempDir(), or on the PostgreSQL pass a database of its own, dropped when t ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	if !onPostgres {
		return filepath.Join(t.TempDir(), "guichet.db")
	}
	return NewPostgresDatabase(t)
}

// OpenDB opens a new, migrated database for t (see NewDatabase), closed when t ends.
func OpenDB(t testing.TB) *bun.DB {
	t.Helper()
	bdb, err := db.Open(NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	if _, err := db.Migrate(context.Background(), bdb); err != nil {
		t.Fatal(err)
	}
	return bdb
}

// NoSuchTable is what the database of this pass says of a missing table.
func NoSuchTable() string {
	if onPostgres {
		return "does not exist (SQLSTATE 42P01)"
	}
	return "no such table"
}

// NeedBothDatabases is for a test that makes databases of both kinds itself (a copy between
// SQLite and PostgreSQL): it skips it on the PostgreSQL pass, once being enough, and when no
// server is named, unless GUICHET_TEST_STRICT=1 says it must run.
func NeedBothDatabases(t testing.TB) {
	t.Helper()
	if onPostgres {
		t.Skip("copies between SQLite and PostgreSQL run once, on the first pass")
	}
	if PostgresServer() == "" {
		if Strict() {
			t.Fatal("GUICHET_TEST_STRICT=1 but GUICHET_TEST_POSTGRES names no PostgreSQL server")
		}
		t.Skip("GUICHET_TEST_POSTGRES is not set")
	}
}

// NewPostgresDatabase returns the URL of a new, empty database on the test server, whichever
// the pass, dropped when t ends (see NeedBothDatabases).
func NewPostgresDatabase(t testing.TB) string {
	t.Helper()
	name, err := createDatabase("")
	if err != nil {
		t.Fatalf("create a PostgreSQL database: %v", err)
	}
	t.Cleanup(func() {
		if err := dropDatabase(name); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	return databaseURL(name)
}
