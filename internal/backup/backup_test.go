package backup_test

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/backup"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/dbcopy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
)

// readManifest reads the manifest of the backup at file, opened read only.
func readManifest(t *testing.T, file string) *backup.Manifest {
	t.Helper()
	sqldb, err := sql.Open("sqlite", "file:"+(&url.URL{Path: file}).EscapedPath()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	bdb := bun.NewDB(sqldb, sqlitedialect.New())
	defer bdb.Close()
	m, err := backup.ReadManifest(context.Background(), bdb)
	if err != nil {
		t.Fatalf("manifest of %s: %v", file, err)
	}
	return m
}

// names lists the files of dir.
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

// backups counts the backup.taken entries of the audit log.
func backups(t *testing.T, bdb bun.IDB, actor string) int {
	t.Helper()
	return testutil.Count(t, bdb, "audit_log", "action = ? AND actor_label = ?", audit.BackupTaken, actor)
}

// A backup of a desk is one file, its owner's alone, whose manifest gives the desk's schema and
// every table's rows and checksum, as dbcopy sums them on the desk itself; it is recorded in the
// desk's audit log, and nothing else is left beside it.
func TestBackupManifestMatchesTheDesk(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "desk.backup")
	before, err := dbcopy.Sums(ctx, a.DB, nil)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	res, err := backup.Take(ctx, a.Config.Database, file, backup.Options{Actor: "test", Progress: func(step string, _, _ int) {
		if len(steps) == 0 || steps[len(steps)-1] != step {
			steps = append(steps, step)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"desk.backup"}) {
		t.Errorf("files beside the backup: %q", got)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() != res.Bytes {
		t.Errorf("backup file: %v %v, want mode 0600 and %d bytes", fi.Mode(), err, res.Bytes)
	}
	m := readManifest(t, file)
	wantSource, wantSteps := "sqlite", []string{"snapshot (MiB)", "integrity check and checksums (rows)"}
	if testutil.OnPostgres() {
		wantSource, wantSteps = "postgres", []string{"copy", "integrity check"}
	}
	if m.Source != wantSource || m.Format != backup.Format || m.Program != backup.Program || m.CreatedAt.IsZero() {
		t.Errorf("manifest %+v", m)
	}
	if !slices.Equal(steps, wantSteps) {
		t.Errorf("steps %q, want %q", steps, wantSteps)
	}
	var applied []string
	if err := a.DB.NewRaw("SELECT name FROM schema_migrations ORDER BY name").Scan(ctx, &applied); err != nil {
		t.Fatal(err)
	}
	// A backup is a SQLite file: a PostgreSQL desk's is migrated as SQLite is, some of whose
	// migrations are its own.
	if testutil.OnPostgres() {
		applied = m.Migrations
	}
	if len(applied) == 0 || !slices.Equal(m.Migrations, applied) || m.Schema != applied[len(applied)-1] {
		t.Errorf("manifest's schema %s %q, the desk's %q", m.Schema, m.Migrations, applied)
	}
	if len(m.Tables) != len(before) || len(m.Tables) < 40 {
		t.Fatalf("%d tables in the manifest, %d on the desk", len(m.Tables), len(before))
	}
	for i, s := range before {
		if w := m.Tables[i]; w.Name != s.Name || w.Rows != s.Rows || w.SHA256 != s.Checksum {
			t.Errorf("table %s: %d rows %.12s in the manifest, %d rows %.12s on the desk", s.Name, w.Rows, w.SHA256, s.Rows, s.Checksum)
		}
	}
	if !slices.EqualFunc(m.Tables, res.Manifest.Tables, func(a, b backup.Table) bool { return a == b }) {
		t.Error("the result's manifest is not the file's")
	}
	if n := backups(t, a.DB, "test"); n != 1 {
		t.Errorf("%d audit entries of the backup", n)
	}
	// Its manifest is no table of the desk: a copy of the file leaves it out.
	to := testutil.NewDatabase(t)
	if _, err := dbcopy.Copy(ctx, file, to, dbcopy.Options{}); err != nil {
		t.Fatalf("copy the backup: %v", err)
	}
	tdb, err := db.Open(to)
	if err != nil {
		t.Fatal(err)
	}
	defer tdb.Close()
	var n int
	err = tdb.NewRaw("SELECT count(*) FROM "+dbcopy.ManifestTable).Scan(ctx, &n)
	if err == nil || !strings.Contains(err.Error(), testutil.NoSuchTable()) {
		t.Errorf("the manifest table on a copy: %d rows, %v", n, err)
	}
}

// A backup stopped midway (Ctrl-C) leaves no file, not even a partial one.
func TestBackupInterruptedLeavesNothing(t *testing.T) {
	a := testutil.NewApp(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := backup.Take(ctx, a.Config.Database, filepath.Join(dir, "b.db"), backup.Options{Progress: func(step string, done, _ int) {
		if done > 0 && (strings.HasPrefix(step, "integrity check") || step == "copy") {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Take = %v, want it cancelled", err)
	}
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("files left: %q", got)
	}
	if n := backups(t, a.DB, "system"); n != 0 {
		t.Errorf("%d audit entries of a backup not taken", n)
	}
}

// The daily backup writes guichet-YYYYMMDD-HHMMSS.db files in a folder of its own (created,
// its owner's alone), keeps the newest GUICHET_BACKUP_KEEP of them and deletes the older ones,
// with what a backup interrupted a day ago left behind; it never deletes another file.
func TestBackupDailyKeepsTheNewest(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "backups")
	c := a.Config
	c.BackupDir, c.BackupKeep = dir, 2
	run := backup.Daily(a.DB, c)
	// Four runs an hour apart: the runner's clock is the file's modification times' one.
	day := time.Now().UTC().Truncate(time.Second)
	at := func(i int) time.Time { return day.Add(time.Duration(i) * time.Hour) }
	if n, err := run(ctx, day); n != 1 || err != nil {
		t.Fatalf("first backup: %d, %v", n, err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("backup folder: %v, %v; want mode 0700", fi.Mode(), err)
	}
	others := []string{"guichet.db", "guichet-20261130.db", "guichet-20261130-023000.db.bak", "notes.txt",
		"." + backup.DailyName(day.Add(-time.Minute)) + ".99.tmp"}
	for _, name := range others {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("mine"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stale := "." + backup.DailyName(day.Add(-48*time.Hour)) + ".42.tmp"
	if err := os.WriteFile(filepath.Join(dir, stale), []byte("left by a crash"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, stale), day.Add(-48*time.Hour), day.Add(-48*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 4; i++ {
		if n, err := run(ctx, at(i)); n != 1 || err != nil {
			t.Fatalf("backup %d: %d, %v", i, n, err)
		}
	}
	newest := backup.DailyName(at(3))
	want := append([]string{backup.DailyName(at(2)), newest}, others...)
	slices.Sort(want)
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Errorf("files in the folder:\n%q\nwant\n%q", got, want)
	}
	fi, err := os.Stat(filepath.Join(dir, newest))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("newest backup: %v, %v; want mode 0600", fi.Mode(), err)
	}
	if m := readManifest(t, filepath.Join(dir, newest)); m.Schema == "" {
		t.Errorf("manifest %+v", m)
	}
	if n := backups(t, a.DB, "job backup.daily"); n != 4 {
		t.Errorf("%d audit entries of the job, want 4", n)
	}
	// A backup of the same second is refused, not overwritten.
	if n, err := run(ctx, at(3)); n != 0 || err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("the same backup again: %d, %v", n, err)
	}
	// Without a folder, nothing.
	c.BackupDir = ""
	if n, err := backup.Daily(a.DB, c)(ctx, at(9)); n != 0 || err != nil {
		t.Errorf("no folder: %d, %v", n, err)
	}
}

// Two desks serving one database take the daily backup once between them: one file and one
// audit entry a day, whichever instance's runner ticks first.
func TestBackupDailyOnceAcrossInstances(t *testing.T) {
	dsn := testutil.NewDemoDatabase(t)
	dir := filepath.Join(t.TempDir(), "backups")
	bdb, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	ctx := context.Background()
	// Both instances log into one buffer: a tick run twice would say so there, as a second
	// backup done or as one failing on the first one's file.
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	for round := 1; round <= 2; round++ {
		if round == 2 {
			// The next day, as far as the job's tick is concerned; a second later for its name.
			time.Sleep(time.Second)
			if _, err := bdb.NewRaw("UPDATE job_runs SET next_run_at = ? WHERE name = 'backup.daily'", time.Now().UTC().Add(-time.Hour)).Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
		serveCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for range 2 {
			c := testutil.Config(dsn)
			c.Addr, c.BackupDir, c.BackupKeep = "127.0.0.1:0", dir, 5
			a, err := app.Open(ctx, c, log)
			if err != nil {
				t.Fatal(err)
			}
			wg.Go(func() {
				defer a.Close()
				if err := a.Serve(serveCtx, time.Second, nil); err != nil {
					t.Errorf("serve: %v", err)
				}
			})
		}
		deadline := time.Now().Add(60 * time.Second)
		for backups(t, bdb, "job backup.daily") < round && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		// The other instance had its chance meanwhile.
		time.Sleep(2 * time.Second)
		stop()
		wg.Wait()
		var daily []string
		for _, n := range names(t, dir) {
			if strings.HasPrefix(n, "guichet-") {
				daily = append(daily, n)
			}
		}
		if len(daily) != round || backups(t, bdb, "job backup.daily") != round {
			t.Fatalf("round %d: files %q, %d audit entries; want %d of each", round, names(t, dir), backups(t, bdb, "job backup.daily"), round)
		}
		if runs := logs.count("job=backup.daily"); runs != round || logs.count(`msg="job done" job=backup.daily count=1`) != round {
			t.Fatalf("round %d: the job ran %d times, want %d:\n%s", round, runs, round, logs.String())
		}
	}
}

// syncBuffer is a buffer that goroutines write to in turn.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// count counts the lines holding s.
func (b *syncBuffer) count(s string) int {
	n := 0
	for line := range strings.Lines(b.String()) {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}
