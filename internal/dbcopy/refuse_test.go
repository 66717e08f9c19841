package dbcopy_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/dbcopy"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// wantProblem fails t unless err is a *db.Problem (exit status 2) whose one line holds every
// part of want.
func wantProblem(t *testing.T, err error, want ...string) {
	t.Helper()
	var p *db.Problem
	if !errors.As(err, &p) {
		t.Fatalf("error %v (%T), want a *db.Problem", err, err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error on several lines: %q", err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
}

// migratedPG returns a new PostgreSQL database migrated to the desk's schema, and it opened.
func migratedPG(t *testing.T) (string, *bun.DB) {
	t.Helper()
	dsn := testutil.NewPostgresDatabase(t)
	bdb := openDB(t, dsn)
	if _, err := db.Migrate(t.Context(), bdb); err != nil {
		t.Fatal(err)
	}
	return dsn, bdb
}

// tables lists a database's tables.
func tables(t *testing.T, dsn string) []string {
	t.Helper()
	return testutil.Tables(t, openDB(t, dsn))
}

func missing(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s was created (%v)", path, err)
	}
}

// TestRefusesANonEmptyTarget: a target with a row anywhere, or with a table that is not the
// desk's, is refused before anything is written to it.
func TestRefusesANonEmptyTarget(t *testing.T) {
	testutil.NeedBothDatabases(t)
	ctx := t.Context()
	src := testutil.NewDemoDatabase(t)

	pg, target := migratedPG(t)
	if _, err := target.NewRaw("INSERT INTO settings (name, value) VALUES ('csrf_secret', 'x')").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := dbcopy.Copy(ctx, src, pg, dbcopy.Options{})
	wantProblem(t, err, "--to", "not empty", "settings")
	if n, s := count(t, target, "users"), count(t, target, "settings"); n != 0 || s != 1 {
		t.Errorf("target written: %d users, %d settings", n, s)
	}
	var called bool
	if err := target.NewRaw("SELECT is_called FROM users_id_seq").Scan(ctx, &called); err != nil || called {
		t.Errorf("users_id_seq moved: %v %v", called, err)
	}

	// A search index row is a row.
	pg2, target2 := migratedPG(t)
	if _, err := target2.NewRaw("INSERT INTO timeline_search (id, tenant_id, internal, doc) VALUES (1, 1, false, to_tsvector('simple', 'x'))").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = dbcopy.Copy(ctx, src, pg2, dbcopy.Options{})
	wantProblem(t, err, "not empty", "timeline_search")

	// Someone else's database: refused, and not even migrated.
	pg3 := testutil.NewPostgresDatabase(t)
	if _, err := openDB(t, pg3).NewRaw("CREATE TABLE invoices (id INT PRIMARY KEY)").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = dbcopy.Copy(ctx, src, pg3, dbcopy.Options{})
	wantProblem(t, err, "not the desk's", "invoices")
	if got := tables(t, pg3); !slices.Equal(got, []string{"invoices"}) {
		t.Errorf("tables of the target: %v", got)
	}

	// A desk in use, on SQLite: refused, and left as it was.
	other := testutil.NewDemoDatabase(t)
	before := dump(t, other)
	_, err = dbcopy.Copy(ctx, pg, other, dbcopy.Options{})
	wantProblem(t, err, "--to", "not empty", "holds rows")
	after := dump(t, other)
	for name, rows := range before {
		if after[name] != rows {
			t.Errorf("table %s of the SQLite target changed", name)
		}
	}
}

// TestRefusesUnreachableAndWrongAddresses: a server that does not answer, a URL without a host,
// a SQLite file that is not there: one line, and no file left behind.
func TestRefusesUnreachableAndWrongAddresses(t *testing.T) {
	testutil.NeedBothDatabases(t)
	ctx := t.Context()
	src := testutil.NewDemoDatabase(t)
	dir := t.TempDir()
	newFile := filepath.Join(dir, "new.db")

	_, err := dbcopy.Copy(ctx, src, "postgres://postgres@127.0.0.1:1/nowhere?connect_timeout=3", dbcopy.Options{})
	wantProblem(t, err, "--to", "cannot connect", "127.0.0.1:1")
	_, err = dbcopy.Copy(ctx, "postgres://postgres:secret@127.0.0.1:1/nowhere?connect_timeout=3", newFile, dbcopy.Options{})
	wantProblem(t, err, "--from", "cannot connect")
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("the password is printed: %q", err)
	}
	missing(t, newFile)
	_, err = dbcopy.Copy(ctx, src, "postgres://", dbcopy.Options{})
	wantProblem(t, err, "--to", "not a valid PostgreSQL URL")
	_, err = dbcopy.Copy(ctx, filepath.Join(dir, "absent.db"), newFile, dbcopy.Options{})
	wantProblem(t, err, "--from", "no SQLite file", "absent.db")
	missing(t, filepath.Join(dir, "absent.db"))
	missing(t, newFile)
	_, err = dbcopy.Copy(ctx, src, filepath.Join(dir, "no", "such", "folder.db"), dbcopy.Options{})
	wantProblem(t, err, "--to")
}

// TestRefusesTheSameDatabase: the same file, or the same PostgreSQL database however named.
func TestRefusesTheSameDatabase(t *testing.T) {
	testutil.NeedBothDatabases(t)
	ctx := t.Context()
	src := testutil.NewDemoDatabase(t)
	_, err := dbcopy.Copy(ctx, src, src, dbcopy.Options{})
	wantProblem(t, err, "same database")
	roundabout := filepath.Join(filepath.Dir(src), "..", filepath.Base(filepath.Dir(src)), ".", filepath.Base(src))
	_, err = dbcopy.Copy(ctx, src, roundabout, dbcopy.Options{})
	wantProblem(t, err, "same database")

	pg, _ := migratedPG(t)
	_, err = dbcopy.Copy(ctx, pg, pg, dbcopy.Options{})
	wantProblem(t, err, "same database")
	// The same database by another name of its host: only the servers can tell. The desk is
	// empty, so that without the check the copy would pass.
	other := strings.Replace(pg, "127.0.0.1", "localhost", 1)
	if other == pg {
		t.Skipf("the test server's URL %s does not name 127.0.0.1", testutil.PostgresServer())
	}
	_, err = dbcopy.Copy(ctx, pg, other, dbcopy.Options{})
	wantProblem(t, err, "same database")
}

// TestRefusesASourceOfAnotherSchema: a file that is no desk, a desk not migrated to the end,
// and one migrated by a newer program are refused before the target is created.
func TestRefusesASourceOfAnotherSchema(t *testing.T) {
	testutil.NeedBothDatabases(t)
	ctx := t.Context()
	dir := t.TempDir()
	target := filepath.Join(dir, "target.db")

	blank := filepath.Join(dir, "blank.db")
	bdb, err := db.Open(blank)
	if err != nil {
		t.Fatal(err)
	}
	bdb.Close()
	_, err = dbcopy.Copy(ctx, blank, target, dbcopy.Options{})
	wantProblem(t, err, "--from", "no schema yet")
	missing(t, target)

	behind := testutil.NewDemoDatabase(t)
	if _, err := openDB(t, behind).NewRaw("DELETE FROM schema_migrations WHERE name = (SELECT MAX(name) FROM schema_migrations)").Exec(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = dbcopy.Copy(ctx, behind, target, dbcopy.Options{})
	wantProblem(t, err, "--from", "not applied")
	missing(t, target)

	ahead := testutil.NewDemoDatabase(t)
	if _, err := openDB(t, ahead).NewRaw("INSERT INTO schema_migrations (name, group_id, migrated_at) VALUES ('29991231000001', 99, ?)", time.Now()).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	pg := testutil.NewPostgresDatabase(t)
	_, err = dbcopy.Copy(ctx, ahead, pg, dbcopy.Options{})
	wantProblem(t, err, "--from", "newer version")
	if got := tables(t, pg); len(got) != 0 {
		t.Errorf("the target was written: %v", got)
	}
}

// TestAFailedCopyLeavesTheTargetEmpty: a value the target cannot take, met after thousands of
// rows were written, or a verification that fails once every row is in and the sequences are
// set, rolls the whole copy back: PostgreSQL's tables stay empty and its sequences where they
// were; a SQLite file the copy created is removed.
func TestAFailedCopyLeavesTheTargetEmpty(t *testing.T) {
	testutil.NeedBothDatabases(t)
	ctx := t.Context()
	for _, c := range []struct {
		name, spoil, want string
	}{
		// Neither PostgreSQL's text nor bun takes a NUL character; SQLite keeps it.
		{"a NUL character", "UPDATE incidents SET title = 'a' || char(0) || 'b' WHERE id = 300", "copy table incidents"},
		// A search index row that no row of the desk makes: the index rebuilt has one row less.
		{"a stray search row", "INSERT INTO timeline_fts (rowid, body) VALUES (999999999, 'fantome')", "verification failed"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := testutil.NewDemoDatabase(t)
			a := openApp(t, src)
			if err := demo.Incidents(ctx, a.DB, a.Tenancy, a.SLA, 300, time.Now(), nil); err != nil {
				t.Fatal(err)
			}
			if _, err := a.DB.NewRaw(c.spoil).Exec(ctx); err != nil {
				t.Fatal(err)
			}
			a.Close()

			pg, target := migratedPG(t)
			_, err := dbcopy.Copy(ctx, src, pg, dbcopy.Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if testing.Verbose() {
				t.Log(err)
			}
			var p *db.Problem
			if errors.As(err, &p) {
				t.Errorf("a failed copy is no bad input: %v", err)
			}
			for _, name := range []string{"users", "tenants", "timeline_entries", "incidents", "timeline_search"} {
				if n := count(t, target, name); n != 0 {
					t.Errorf("%d rows left in %s", n, name)
				}
			}
			for _, seq := range []string{"users_id_seq", "timeline_entries_id_seq", "incidents_id_seq"} {
				var called bool
				if err := target.NewRaw("SELECT is_called FROM "+seq).Scan(ctx, &called); err != nil || called {
					t.Errorf("%s moved: %v %v", seq, called, err)
				}
			}

			file := filepath.Join(t.TempDir(), "copy.db")
			if _, err := dbcopy.Copy(ctx, src, file, dbcopy.Options{}); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("copy into SQLite: error %v, want %q", err, c.want)
			}
			missing(t, file)
			missing(t, file+"-wal")
		})
	}
}
