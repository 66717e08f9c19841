package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/testutil"
)

// tableLines are the lines of a copy's report that give a table's rows and checksum.
var tableLines = regexp.MustCompile(`(?m)^  \S+ +\d+ rows  sha256 [0-9a-f]{16}$`)

// TestCopyCommand: `guichet copy` moves a desk from SQLite to PostgreSQL and back, with a
// progress bar, a report of every table's rows and checksum (the same both ways), and the
// copy is a desk the program runs on.
func TestCopyCommand(t *testing.T) {
	testutil.NeedBothDatabases(t)
	c := newCLI(t)
	c.must("demo", "--incidents", "500")
	pg := testutil.NewPostgresDatabase(t)
	code, out, errs := c.run("copy", "--from", c.db, "--to", pg)
	if code != 0 {
		t.Fatalf("copy to PostgreSQL: exit %d, stderr %q", code, errs)
	}
	if !strings.Contains(errs, "copying "+c.db+" to "+pg) || !strings.Contains(errs, "] 100%") {
		t.Errorf("no progress bar: stderr %q", errs)
	}
	if !regexp.MustCompile(`(?m)^  incidents +500 rows `).MatchString(out) ||
		!regexp.MustCompile(`(?m)^\d+ rows in 44 tables and \d+ search index rows copied to `+regexp.QuoteMeta(pg)+` in .*; row counts and checksums verified equal\.$`).MatchString(out) {
		t.Errorf("stdout %q", out)
	}
	there := tableLines.FindAllString(out, -1)
	if len(there) != 44 {
		t.Errorf("%d table lines: %q", len(there), out)
	}

	back := &cli{t: t, db: filepath.Join(t.TempDir(), "back.db"), env: map[string]string{"GUICHET_LOG_LEVEL": "warn"}}
	back.env["GUICHET_DATABASE"] = back.db
	code, out, errs = c.run("copy", "--from", pg, "--to", back.db)
	if code != 0 {
		t.Fatalf("copy back to SQLite: exit %d, stderr %q", code, errs)
	}
	if again := tableLines.FindAllString(out, -1); strings.Join(again, "\n") != strings.Join(there, "\n") {
		t.Errorf("the way back differs:\n%s\n---\n%s", strings.Join(there, "\n"), strings.Join(again, "\n"))
	}
	if out := back.must("migrate"); out != "database is up to date\n" {
		t.Errorf("migrate on the copy: %q", out)
	}
	if n := back.count("incidents"); n != 500 {
		t.Errorf("%d incidents on the copy", n)
	}
	if u := back.user("admin"); u.Login != "admin" {
		t.Errorf("admin on the copy: %+v", u)
	}
}

// TestCopyRefusals: a missing flag, a target that is not empty, an unreachable server and the
// same database twice each end with one line and exit status 2, and write nothing.
func TestCopyRefusals(t *testing.T) {
	testutil.NeedBothDatabases(t)
	c := newCLI(t)
	c.must("demo")
	other := newCLI(t)
	other.must("demo", "--incidents", "10")
	pg := testutil.NewPostgresDatabase(t)
	if code, _, errs := c.run("copy", "--from", c.db, "--to", pg); code != 0 {
		t.Fatalf("first copy: exit %d, %q", code, errs)
	}
	bdb, err := db.Open(pg)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	pgUsers := func() int {
		return testutil.Count(t, bdb, "users", "1 = 1")
	}
	users := pgUsers()

	for _, r := range []struct {
		name string
		args []string
		want string
	}{
		{"no target", []string{"--from", c.db}, "guichet copy: --from and --to are both required"},
		{"a SQLite desk in use", []string{"--from", c.db, "--to", other.db}, "guichet copy: --to " + other.db + ": the database is not empty"},
		{"a PostgreSQL desk in use", []string{"--from", other.db, "--to", pg}, "guichet copy: --to " + pg + ": the database is not empty"},
		{"an unreachable server", []string{"--from", c.db, "--to", "postgres://postgres@127.0.0.1:1/guichet?connect_timeout=3"},
			"guichet copy: --to: db: cannot connect to PostgreSQL at 127.0.0.1:1/guichet"},
		{"the same file", []string{"--from", c.db, "--to", c.db}, "guichet copy: the source and the target are the same database"},
		{"the same PostgreSQL database", []string{"--from", pg, "--to", pg}, "guichet copy: the source and the target are the same database"},
	} {
		t.Run(r.name, func(t *testing.T) {
			code, out, errs := c.run(append([]string{"copy"}, r.args...)...)
			if code != 2 || out != "" {
				t.Errorf("exit %d, stdout %q, want 2 and nothing", code, out)
			}
			if !strings.HasPrefix(errs, r.want) || strings.Count(errs, "\n") != 1 || !strings.HasSuffix(errs, "\n") {
				t.Errorf("stderr %q, want one line starting %q", errs, r.want)
			}
		})
	}
	if n := pgUsers(); n != users {
		t.Errorf("PostgreSQL target: %d users, %d before", n, users)
	}
	if n := other.count("incidents"); n != 10 {
		t.Errorf("SQLite target: %d incidents, want its own 10", n)
	}
}
