// Package backup takes a backup of a running desk into one self-contained SQLite file, and
// restores one into an empty database.
//
// A backup is a snapshot of the desk at one instant, taken while it serves: SQLite's VACUUM
// INTO on SQLite (one read transaction, which writers in WAL mode do not wait for), a copy in
// one repeatable-read snapshot on PostgreSQL (internal/dbcopy). The file is checked (PRAGMA
// integrity_check) and carries its manifest in a table of its own: the schema it was written
// with, the program that took it, when, and every table's rows and checksum, computed as
// dbcopy computes them so that they hold whatever the database the desk is restored into. The
// backup is written under a temporary name beside the file asked for and takes that name only
// once complete and on disk: a backup that fails or is interrupted leaves no file.
//
// A restore checks the file (its size, integrity_check, the manifest, the schema, every table's
// rows and checksum) and copies it into an empty database of either kind in one transaction:
// a backup that does not match its manifest leaves the database as it was.
package backup

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/dbcopy"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
)

// Program is the version of the program written into the manifests (the command line sets it
// to its own).
var Program = "dev"

// Format is the manifest's format; a restore refuses a later one.
const Format = 1

// Manifest describes a backup: it is stored as JSON in the file's backup_manifest table.
type Manifest struct {
	Format int `json:"format"`
	// Program is the version of Guichet that took the backup; Source the kind of database it
	// was taken from ("sqlite" or "postgres").
	Program string `json:"program"`
	Source  string `json:"source"`
	// CreatedAt is when the snapshot began (UTC): what was written before is in it.
	CreatedAt time.Time `json:"created_at"`
	// Schema is the last migration applied to the desk, Migrations all of them.
	Schema     string   `json:"schema"`
	Migrations []string `json:"migrations"`
	// Tables are the desk's tables, sorted by name, with their rows and checksum.
	Tables []Table `json:"tables"`
}

// Table is one table's rows and checksum (dbcopy's).
type Table struct {
	Name   string `json:"name"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
}

// Rows counts the rows of every table.
func (m *Manifest) Rows() int64 {
	var n int64
	for _, t := range m.Tables {
		n += t.Rows
	}
	return n
}

// Options tune a backup or a restore.
type Options struct {
	// Progress is told what step runs (its name, for a person to read) and how much of it is
	// done out of total; total is 0 for a step that cannot tell.
	Progress func(step string, done, total int)
	// DB is the desk's database already open (the jobs runner's), used instead of opening the
	// address anew.
	DB *bun.DB
	// Actor says who takes the backup in the audit log ("job backup.daily"; "": the label ctx
	// carries, see audit.WithLabel).
	Actor string
}

func (o *Options) progress(step string, done, total int) {
	if o.Progress != nil {
		o.Progress(step, done, total)
	}
}

// Step is one step of a backup or restore and how long it took.
type Step struct {
	Name string
	Took time.Duration
}

// steps times the steps of a backup or a restore.
type steps struct {
	list  []Step
	name  string
	start time.Time
}

func (s *steps) begin(name string) {
	s.end()
	s.name, s.start = name, time.Now()
}

func (s *steps) end() {
	if s.name != "" {
		s.list = append(s.list, Step{Name: s.name, Took: time.Since(s.start)})
		s.name = ""
	}
}

// problem is a bad input answered with one line and exit status 2 (see db.Problem).
func problem(format string, args ...any) error {
	return &db.Problem{Msg: fmt.Sprintf(format, args...)}
}

// known are the migrations this program knows, as a database migrated by it records them.
var known struct {
	once  sync.Once
	names []string
	err   error
}

// knownMigrations lists the migrations this program applies to a SQLite database, sorted: the
// names an empty one records once migrated (a temporary file, once per process). A backup is
// a SQLite file, whatever the desk it was taken from.
func knownMigrations(ctx context.Context) ([]string, error) {
	known.once.Do(func() {
		dir, err := os.MkdirTemp("", "guichet-schema-")
		if err != nil {
			known.err = err
			return
		}
		defer os.RemoveAll(dir)
		bdb, err := db.Open(filepath.Join(dir, "schema.db"))
		if err != nil {
			known.err = err
			return
		}
		defer bdb.Close()
		if _, err := db.Migrate(context.WithoutCancel(ctx), bdb); err != nil {
			known.err = err
			return
		}
		known.names, known.err = appliedMigrations(ctx, bdb)
	})
	return known.names, known.err
}

// appliedMigrations lists the migrations idb records as applied, sorted; none when it has no
// schema at all.
func appliedMigrations(ctx context.Context, idb bun.IDB) ([]string, error) {
	var names []string
	err := idb.NewRaw("SELECT name FROM schema_migrations ORDER BY name").Scan(ctx, &names)
	if err != nil && (strings.Contains(err.Error(), "no such table") || strings.Contains(err.Error(), "does not exist")) {
		return nil, nil
	}
	return names, err
}

// schemaDiff compares the migrations applied to a database with the ones this program knows:
// unknown are those it does not know (a newer program applied them), missing those not yet
// applied.
func schemaDiff(ctx context.Context, applied []string) (unknown, missing []string, latest string, err error) {
	mine, err := knownMigrations(ctx)
	if err != nil {
		return nil, nil, "", fmt.Errorf("list this program's migrations: %w", err)
	}
	for _, n := range applied {
		if !slices.Contains(mine, n) {
			unknown = append(unknown, n)
		}
	}
	for _, n := range mine {
		if !slices.Contains(applied, n) {
			missing = append(missing, n)
		}
	}
	return unknown, missing, mine[len(mine)-1], nil
}

func last(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1]
}

// openFile opens a backup's SQLite file with a pool of its own, read only or not, without the
// desk's pragmas: its journal stays a rollback journal, so that the file is all there is.
func openFile(path string, readOnly bool) (*bun.DB, error) {
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(5000)"
	if readOnly {
		dsn += "&mode=ro"
	}
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	sqldb.SetMaxOpenConns(2)
	bdb := bun.NewDB(sqldb, sqlitedialect.New())
	if err := bdb.Ping(); err != nil {
		bdb.Close()
		return nil, err
	}
	return bdb, nil
}

// removeSQLite removes a SQLite file with its journals.
func removeSQLite(path string) {
	for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

// syncFile flushes a file's data to the disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// syncDir flushes a folder's entries to the disk, so that a file renamed in it stays renamed.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync() //nolint:errcheck // not every system syncs a folder
		d.Close()
	}
}

// publish gives the complete temporary file tmp its final name file, which must not exist: a
// link refuses an existing name, where a rename would replace it.
func publish(tmp, file string) error {
	err := os.Link(tmp, file)
	switch {
	case errors.Is(err, fs.ErrExist):
		return problem("%s already exists: a backup never replaces a file; choose another name", file)
	case err != nil:
		// A file system without hard links: check, then rename.
		if _, serr := os.Lstat(file); serr == nil {
			return problem("%s already exists: a backup never replaces a file; choose another name", file)
		}
		if err := os.Rename(tmp, file); err != nil {
			return fmt.Errorf("name the backup %s: %w", file, err)
		}
	default:
		os.Remove(tmp)
	}
	syncDir(filepath.Dir(file))
	return nil
}

// writeManifest stores m in the backup's file.
func writeManifest(ctx context.Context, bdb *bun.DB, m *Manifest) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if _, err := bdb.ExecContext(ctx, "CREATE TABLE "+dbcopy.ManifestTable+" (format INTEGER NOT NULL, manifest TEXT NOT NULL)"); err != nil {
		return fmt.Errorf("write the manifest: %w", err)
	}
	if _, err := bdb.NewRaw("INSERT INTO "+dbcopy.ManifestTable+" (format, manifest) VALUES (?, ?)", m.Format, string(data)).Exec(ctx); err != nil {
		return fmt.Errorf("write the manifest: %w", err)
	}
	return nil
}

// ReadManifest reads the manifest of the backup file open in bdb.
func ReadManifest(ctx context.Context, bdb bun.IDB) (*Manifest, error) {
	var rows []struct {
		Format   int    `bun:"format"`
		Manifest string `bun:"manifest"`
	}
	if err := bdb.NewRaw("SELECT format, manifest FROM "+dbcopy.ManifestTable).Scan(ctx, &rows); err != nil {
		return nil, err
	}
	if len(rows) != 1 {
		return nil, fmt.Errorf("%d manifests, want one", len(rows))
	}
	var m Manifest
	if err := json.Unmarshal([]byte(rows[0].Manifest), &m); err != nil {
		return nil, err
	}
	if m.Format != rows[0].Format {
		return nil, fmt.Errorf("format %d in the manifest, %d beside it", m.Format, rows[0].Format)
	}
	return &m, nil
}

// integrity runs SQLite's integrity check on bdb: nil, or what it found (its first lines).
func integrity(ctx context.Context, bdb bun.IDB) error {
	var found []string
	if err := bdb.NewRaw("PRAGMA integrity_check(10)").Scan(ctx, &found); err != nil {
		return err
	}
	if len(found) == 1 && found[0] == "ok" {
		return nil
	}
	if len(found) == 0 {
		return errors.New("the integrity check said nothing")
	}
	return errors.New(strings.Join(found, "; "))
}

// tables are dbcopy's sums as the manifest writes them.
func tables(rs []dbcopy.TableReport) []Table {
	out := make([]Table, len(rs))
	for i, r := range rs {
		out[i] = Table{Name: r.Name, Rows: r.Rows, SHA256: r.Checksum}
	}
	slices.SortFunc(out, func(a, b Table) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// compare says how the tables found differ from the manifest's ("" when they do not).
func compare(manifest, found []Table) string {
	want := map[string]Table{}
	for _, t := range manifest {
		want[t.Name] = t
	}
	var bad []string
	for _, f := range found {
		w, ok := want[f.Name]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("table %s is not in the manifest", f.Name))
		case w != f:
			bad = append(bad, fmt.Sprintf("table %s holds %d rows (sha256 %.12s), the manifest says %d rows (sha256 %.12s)",
				f.Name, f.Rows, f.SHA256, w.Rows, w.SHA256))
		}
		delete(want, f.Name)
	}
	for _, t := range manifest {
		if _, ok := want[t.Name]; ok {
			bad = append(bad, fmt.Sprintf("table %s of the manifest is missing", t.Name))
		}
	}
	if len(bad) > 3 {
		bad = append(bad[:3], fmt.Sprintf("and %d more", len(bad)-3))
	}
	return strings.Join(bad, "; ")
}

// record writes the backup in the desk's audit log, in a transaction of its own.
func record(ctx context.Context, bdb *bun.DB, actor, file string, m *Manifest, size int64) error {
	abs, err := filepath.Abs(file)
	if err != nil {
		abs = file
	}
	object := filepath.Base(file)
	if len(object) > 120 {
		object = object[:120]
	}
	return bdb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return audit.Write(ctx, tx, audit.Change{Action: audit.BackupTaken, ActorLabel: actor, Object: object,
			After: map[string]any{"path": abs, "bytes": size, "rows": m.Rows(), "tables": len(m.Tables), "schema": m.Schema,
				"source": m.Source, "created_at": m.CreatedAt}})
	})
}
