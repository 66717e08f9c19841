package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/backup"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/dbcopy"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
)

// cliOn runs the program against the database at dsn.
func cliOn(t *testing.T, dsn string) *cli {
	return &cli{t: t, db: dsn, env: map[string]string{"GUICHET_DATABASE": dsn, "GUICHET_LOG_LEVEL": "warn"}}
}

// openBackup opens a backup file as SQLite itself would, without the desk's pragmas (its
// journal stays a rollback journal): to read it, or to damage it.
func openBackup(t *testing.T, file string, readOnly bool) *bun.DB {
	t.Helper()
	dsn := "file:" + (&url.URL{Path: file}).EscapedPath()
	if readOnly {
		dsn += "?mode=ro"
	}
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	return bun.NewDB(sqldb, sqlitedialect.New())
}

func manifestOf(t *testing.T, file string) *backup.Manifest {
	t.Helper()
	bdb := openBackup(t, file, true)
	defer bdb.Close()
	m, err := backup.ReadManifest(context.Background(), bdb)
	if err != nil {
		t.Fatalf("manifest of %s: %v", file, err)
	}
	return m
}

// sumsOf sums every table of the desk at dsn as the manifest does.
func sumsOf(t *testing.T, dsn string) []backup.Table {
	t.Helper()
	bdb, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	sums, err := dbcopy.Sums(context.Background(), bdb, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]backup.Table, len(sums))
	for i, s := range sums {
		out[i] = backup.Table{Name: s.Name, Rows: s.Rows, SHA256: s.Checksum}
	}
	return out
}

// holding names a table of the database at dsn that holds a row ("" when it is empty or not
// there).
func holding(t *testing.T, dsn string) string {
	t.Helper()
	if !db.IsPostgres(dsn) {
		if _, err := os.Stat(dsn); err != nil {
			return ""
		}
	}
	bdb, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	name, err := dbcopy.Holding(context.Background(), bdb)
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// emptyDesk is a migrated database without a row: a SQLite file, or on the PostgreSQL pass a
// database of its own.
func emptyDesk(t *testing.T) string {
	t.Helper()
	dsn := testutil.NewDatabase(t)
	bdb, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if _, err := db.Migrate(context.Background(), bdb); err != nil {
		t.Fatal(err)
	}
	return dsn
}

// The summary lines of backup and restore.
var (
	backedUp = regexp.MustCompile(`(?m)^\d+ rows in \d+ tables \(schema \d+\) backed up to .* \(\d+\.\d MB\) in [0-9.]+(ms|s): .*; integrity checked, manifest written\.$`)
	restored = regexp.MustCompile(`(?m)^\d+ rows in \d+ tables and \d+ search index rows restored from .* \(taken .* by Guichet dev on (sqlite|postgres)\) into .* in [0-9.]+(ms|s|m[0-9.]+s): .*; row counts and checksums verified equal to the backup's manifest\.$`)
)

// TestBackupUnderWriteLoad: a backup taken while customers keep declaring incidents restores
// to an equal desk: the restored database's rows and checksums are the manifest's, and every
// incident whose declaration was acknowledged before the backup began is in it. It restores
// into a SQLite file not there yet (a copy of the file), into an empty migrated SQLite file
// (a copy through the database) and on the PostgreSQL pass into an empty PostgreSQL database.
func TestBackupUnderWriteLoad(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	u, err := identity.UserByLogin(ctx, a.DB, "John.Doe")
	if err != nil {
		t.Fatal(err)
	}
	tn, err := tenancy.TenantByCode(ctx, a.DB, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var acked []int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				inc, err := a.Incidents.Declare(ctx, tenancy.ActorOf(u), tn.ID, incident.Draft{Title: fmt.Sprintf("Load %d-%d", w, i),
					Description: "Declared during the backup.", Service: "ecs", Region: "eu-west-0", Impact: "high", Urgency: "medium"})
				if err != nil {
					t.Errorf("declare: %v", err)
					return
				}
				mu.Lock()
				acked = append(acked, inc.ID)
				mu.Unlock()
			}
		})
	}
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
		wg.Wait()
	}()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 20 || time.Now().After(deadline) {
			break
		}
	}
	mu.Lock()
	before := slices.Clone(acked)
	mu.Unlock()

	file := filepath.Join(t.TempDir(), "desk.backup")
	code, out, errs := cliOn(t, a.Config.Database).run("backup", file)
	mu.Lock()
	during := len(acked) - len(before)
	mu.Unlock()
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("backup: exit %d, stderr %q", code, errs)
	}
	if !strings.HasPrefix(errs, "backing up "+a.Config.Database+" to "+file+"\n") || !strings.Contains(errs, "] 100%") {
		t.Errorf("no progress: stderr %q", errs)
	}
	if !backedUp.MatchString(out) || len(tableLines.FindAllString(out, -1)) < 40 {
		t.Errorf("stdout %q", out)
	}
	if during == 0 {
		t.Error("no incident was declared while the backup ran: no load")
	}
	t.Logf("%d incidents declared before the backup, %d while it ran", len(before), during)
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, %v; want mode 0600", fi, err)
	}
	m := manifestOf(t, file)

	targets := map[string]string{"a new SQLite file": filepath.Join(t.TempDir(), "restored.db")}
	if testutil.OnPostgres() {
		targets["an empty PostgreSQL database"] = emptyDesk(t)
	} else {
		targets["an empty SQLite desk"] = emptyDesk(t)
	}
	for name, to := range targets {
		t.Run(name, func(t *testing.T) {
			c := cliOn(t, to)
			code, out, errs := c.run("restore", file)
			if code != 0 {
				t.Fatalf("restore: exit %d, stderr %q", code, errs)
			}
			if !strings.HasPrefix(errs, "restoring "+file+" into "+to+"\n") || !strings.Contains(errs, "] 100%") {
				t.Errorf("no progress: stderr %q", errs)
			}
			if !restored.MatchString(out) {
				t.Errorf("stdout %q", out)
			}
			if got := sumsOf(t, to); !slices.Equal(got, m.Tables) {
				t.Errorf("restored desk:\n%v\nmanifest:\n%v", got, m.Tables)
			}
			rdb, err := db.Open(to)
			if err != nil {
				t.Fatal(err)
			}
			defer rdb.Close()
			var ids []int64
			if err := rdb.NewRaw("SELECT id FROM incidents").Scan(ctx, &ids); err != nil {
				t.Fatal(err)
			}
			for _, id := range before {
				if !slices.Contains(ids, id) {
					t.Errorf("incident %d, acknowledged before the backup began, is not restored", id)
					break
				}
			}
			if out := c.must("migrate"); out != "database is up to date\n" {
				t.Errorf("migrate on the restored desk: %q", out)
			}
			if u := c.user("admin"); u.Login != "admin" {
				t.Errorf("admin on the restored desk: %+v", u)
			}
			if name == "a new SQLite file" {
				if fi, err := os.Stat(to); err != nil || fi.Mode().Perm()&0o077 != 0 {
					t.Errorf("restored file: %v, %v; want it its owner's alone", fi, err)
				}
			}
		})
	}
}

// TestBackupRefusals: a backup into a file already there, into a folder that is not there,
// without a FILE, of a database that is not there or of a newer schema each end with one line
// and exit status 2, and write nothing.
func TestBackupRefusals(t *testing.T) {
	a := testutil.NewApp(t)
	c := cliOn(t, a.Config.Database)
	dir := t.TempDir()
	there := filepath.Join(dir, "there.db")
	if err := os.WriteFile(there, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		c    *cli
		args []string
		want string
	}{
		{"a file already there", c, []string{there}, "guichet backup: " + there + " already exists: a backup never replaces a file"},
		{"no folder", c, []string{filepath.Join(dir, "nowhere", "b.db")}, "guichet backup: cannot write the backup in " + filepath.Join(dir, "nowhere") + ": no such file or directory"},
		{"no FILE", c, nil, "guichet backup: FILE is required"},
		{"two files", c, []string{filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")}, "guichet backup: unexpected argument"},
	}
	if !testutil.OnPostgres() {
		missing := filepath.Join(dir, "missing.db")
		cases = append(cases, struct {
			name string
			c    *cli
			args []string
			want string
		}{"no database", cliOn(t, missing), []string{filepath.Join(dir, "b.db")}, "guichet backup: there is no SQLite file at " + missing})
	}
	for _, r := range cases {
		t.Run(r.name, func(t *testing.T) {
			code, out, errs := r.c.run(append([]string{"backup"}, r.args...)...)
			if code != 2 || out != "" {
				t.Errorf("exit %d, stdout %q, want 2 and nothing", code, out)
			}
			if !strings.HasPrefix(errs, r.want) || strings.Count(errs, "\n") != 1 {
				t.Errorf("stderr %q, want one line starting %q", errs, r.want)
			}
		})
	}
	if data, err := os.ReadFile(there); err != nil || string(data) != "keep me" {
		t.Errorf("the file already there: %q, %v", data, err)
	}
	// A desk written by a newer version of the program.
	if _, err := a.DB.NewRaw("INSERT INTO schema_migrations (name, group_id, migrated_at) VALUES ('20991231000000', 99, CURRENT_TIMESTAMP)").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	code, out, errs := c.run("backup", filepath.Join(dir, "b.db"))
	if code != 2 || out != "" || !strings.Contains(errs, "newer version of Guichet") || strings.Count(errs, "\n") != 1 {
		t.Errorf("a newer desk: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"there.db"}) {
		t.Errorf("files written: %q", got)
	}
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// damaged writes a copy of the backup good at name in dir, changed by change.
func damaged(t *testing.T, good, dir, name string, change func(path string)) string {
	t.Helper()
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	change(path)
	return path
}

// execOn runs statements on the backup at path as SQLite itself would.
func execOn(t *testing.T, path string, queries ...string) {
	t.Helper()
	bdb := openBackup(t, path, false)
	defer bdb.Close()
	for _, q := range queries {
		if _, err := bdb.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestRestoreRefusals: a restore of no file, of a file that is not a backup, of a truncated,
// corrupt or altered backup, of a backup of a newer schema, or into a database that is not
// empty ends with a clear message and exit status 2, and leaves the database as it was: a new
// SQLite file is not written (nor anything beside it), an empty database stays empty, a desk
// keeps its rows.
func TestRestoreRefusals(t *testing.T) {
	a := testutil.NewApp(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.backup")
	if code, _, errs := cliOn(t, a.Config.Database).run("backup", good); code != 0 {
		t.Fatalf("backup: exit %d, %q", code, errs)
	}
	fi, err := os.Stat(good)
	if err != nil {
		t.Fatal(err)
	}
	text := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(text, []byte("not a backup\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, file string
		want       []string // the message holds one of them
	}{
		{"no file", filepath.Join(dir, "missing.backup"), []string{"there is no backup at " + filepath.Join(dir, "missing.backup")}},
		{"not a SQLite file", text, []string{text + " is not a Guichet backup: it is not a SQLite file"}},
		{"a desk's own file", damaged(t, good, dir, "nomanifest.db", func(p string) { execOn(t, p, "DROP TABLE "+dbcopy.ManifestTable) }),
			[]string{"nomanifest.db is not a Guichet backup: it holds no manifest"}},
		{"truncated", damaged(t, good, dir, "half.backup", func(p string) {
			if err := os.Truncate(p, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}), []string{"half.backup is truncated: it holds"}},
		{"corrupt", damaged(t, good, dir, "corrupt.backup", func(p string) {
			f, err := os.OpenFile(p, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt([]byte(strings.Repeat("\xa5", 16384)), fi.Size()/2/4096*4096); err != nil {
				t.Fatal(err)
			}
		}), []string{"corrupt.backup is corrupt: ", "corrupt.backup is damaged: "}},
		{"a row changed", damaged(t, good, dir, "changed.backup", func(p string) {
			execOn(t, p, "UPDATE users SET display_name = 'Mallory' WHERE login = 'admin'")
		}), []string{"changed.backup is damaged: table users holds "}},
		{"a manifest changed", damaged(t, good, dir, "manifest.backup", func(p string) {
			execOn(t, p, "UPDATE "+dbcopy.ManifestTable+" SET manifest = 'not JSON'")
		}), []string{"manifest.backup is damaged: its manifest cannot be read"}},
		{"a newer schema", damaged(t, good, dir, "newer.backup", func(p string) {
			execOn(t, p, "INSERT INTO schema_migrations (name, group_id, migrated_at) VALUES ('20991231000000', 99, CURRENT_TIMESTAMP)")
		}), []string{"newer.backup holds a desk of schema 20991231000000, newer than this program knows ("}},
	}
	type target struct {
		dsn    string
		folder string // a SQLite file's, which holds nothing else
	}
	targets := map[string]target{}
	newFolder := t.TempDir()
	targets["a new SQLite file"] = target{filepath.Join(newFolder, "restored.db"), newFolder}
	targets["an empty database"] = target{dsn: emptyDesk(t)}
	for tname, to := range targets {
		for _, r := range cases {
			t.Run(tname+"/"+r.name, func(t *testing.T) {
				code, out, errs := cliOn(t, to.dsn).run("restore", r.file)
				lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
				msg := lines[len(lines)-1]
				ok := false
				for _, w := range r.want {
					ok = ok || strings.HasPrefix(msg, "guichet restore: ") && strings.Contains(msg, w)
				}
				if code != 2 || out != "" || !ok {
					t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing and %q", code, out, errs, r.want)
				}
				if name := holding(t, to.dsn); name != "" {
					t.Errorf("table %s of the target holds rows", name)
				}
				if to.folder != "" {
					if got := names(t, to.folder); len(got) != 0 {
						t.Errorf("files written: %q", got)
					}
				}
			})
		}
	}
	// A desk in use.
	before := sumsOf(t, a.Config.Database)
	code, out, errs := cliOn(t, a.Config.Database).run("restore", good)
	if want := "guichet restore: the database " + a.Config.Database + " is not empty (table "; code != 2 || out != "" || !strings.HasPrefix(errs, want) || strings.Count(errs, "\n") != 1 {
		t.Errorf("into a desk: exit %d, stdout %q, stderr %q; want 2, nothing and one line %q…", code, out, errs, want)
	}
	if after := sumsOf(t, a.Config.Database); !slices.Equal(before, after) {
		t.Error("the desk changed")
	}
	// Onto itself.
	code, _, errs = cliOn(t, good).run("restore", good)
	if code != 2 || !strings.Contains(errs, "is not empty") {
		t.Errorf("onto itself: exit %d, stderr %q", code, errs)
	}
}

// TestBackupRestoresAcrossDatabases: a SQLite desk's backup restores into PostgreSQL, equal.
func TestBackupRestoresAcrossDatabases(t *testing.T) {
	testutil.NeedBothDatabases(t)
	a := testutil.NewApp(t)
	file := filepath.Join(t.TempDir(), "desk.backup")
	if code, _, errs := cliOn(t, a.Config.Database).run("backup", file); code != 0 {
		t.Fatalf("backup: exit %d, %q", code, errs)
	}
	pg := testutil.NewPostgresDatabase(t)
	code, out, errs := cliOn(t, pg).run("restore", file)
	if code != 0 || !restored.MatchString(out) {
		t.Fatalf("restore into PostgreSQL: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if got, m := sumsOf(t, pg), manifestOf(t, file); !slices.Equal(got, m.Tables) {
		t.Errorf("restored desk:\n%v\nmanifest:\n%v", got, m.Tables)
	}
}
