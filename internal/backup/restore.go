package backup

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/dbcopy"
	"github.com/uptrace/bun"
)

// Restored says what a restore wrote.
type Restored struct {
	File, To string
	Manifest *Manifest
	Report   *dbcopy.Report
	// Migrated are the migrations applied to a backup of an older schema before it was copied.
	Migrated []string
	Took     time.Duration
	Steps    []Step
}

// Restore copies the desk in the backup file into the empty database at to (a SQLite file,
// created when missing, or a postgres:// URL). A file that is not a backup, or is truncated,
// corrupt or different from its manifest, a backup of a schema newer than this program's and
// a database that is not empty are each a *db.Problem, and leave the database as it was (a
// SQLite file the restore created is removed). A backup of an older schema is migrated, in a
// temporary copy, once verified.
func Restore(ctx context.Context, file, to string, o Options) (*Restored, error) {
	start := time.Now()
	if err := checkFile(file); err != nil {
		return nil, err
	}
	if err := checkEmpty(ctx, to); err != nil {
		return nil, err
	}
	bk, err := openFile(file, true)
	if err != nil {
		return nil, problem("%s cannot be opened as a backup: %v; nothing was restored", file, err)
	}
	defer bk.Close()
	m, missing, err := readBackup(ctx, bk, file)
	if err != nil {
		return nil, err
	}
	res := &Restored{File: file, To: to, Manifest: m}
	var st steps
	if !db.IsPostgres(to) {
		if _, err := os.Lstat(to); errors.Is(err, fs.ErrNotExist) {
			bk.Close()
			if err := restoreFile(ctx, res, len(missing) > 0, &st, &o); err != nil {
				return nil, err
			}
			st.end()
			res.Took, res.Steps = time.Since(start), st.list
			return res, nil
		}
	}
	st.begin("integrity check")
	o.progress("integrity check", 0, 0)
	if err := integrity(ctx, bk); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, problem("%s is corrupt: %v; nothing was restored", file, err)
	}
	damaged := func(found []dbcopy.TableReport) error { return matches(file, m, found) }
	src, from, expect := bk, file, damaged
	if len(missing) > 0 {
		// An older schema: the backup is verified as it is, then migrated in a copy of it,
		// which the manifest no longer describes.
		st.begin("checksums")
		o.progress("checksums (rows)", 0, 0)
		sums, err := dbcopy.Sums(ctx, bk, func(done, total int) { o.progress("checksums (rows)", done, total) })
		if err != nil {
			return nil, fmt.Errorf("sum the backup's tables: %w", err)
		}
		if err := damaged(sums); err != nil {
			return nil, err
		}
		st.begin("migrate")
		o.progress("migrate", 0, 0)
		tmp, err := copyFile(file, to)
		if err != nil {
			return nil, err
		}
		defer removeSQLite(tmp)
		mdb, err := db.Open(tmp)
		if err != nil {
			return nil, err
		}
		defer mdb.Close()
		if res.Migrated, err = db.Migrate(ctx, mdb); err != nil {
			return nil, fmt.Errorf("migrate the backup from schema %s: %w", m.Schema, err)
		}
		src, from, expect = mdb, tmp, nil
	}
	st.begin("copy")
	o.progress("copy", 0, 0)
	rep, err := dbcopy.CopyFrom(ctx, src, from, to, dbcopy.Options{Expect: expect,
		Progress: func(done, total int) { o.progress("copy", done, total) }})
	if err != nil {
		return nil, err
	}
	st.end()
	res.Report, res.Took, res.Steps = rep, time.Since(start), st.list
	return res, nil
}

// readBackup reads the manifest of the backup open in bk and checks its schema: a schema newer
// than this program's is refused, an older one's migrations not applied are returned.
func readBackup(ctx context.Context, bk bun.IDB, file string) (*Manifest, []string, error) {
	m, err := ReadManifest(ctx, bk)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil, nil, problem("%s is not a Guichet backup: it holds no manifest (take a backup with guichet backup); nothing was restored", file)
		}
		return nil, nil, problem("%s is damaged: its manifest cannot be read (%v); nothing was restored", file, err)
	}
	if m.Format > Format {
		return nil, nil, problem("%s was written by a newer version of Guichet (%s, backup format %d): restore it with that version or a newer one", file, m.Program, m.Format)
	}
	applied, err := appliedMigrations(ctx, bk)
	if err != nil {
		return nil, nil, problem("%s is damaged: its schema cannot be read (%v); nothing was restored", file, err)
	}
	names := slices.Clone(applied)
	if m.Schema != "" {
		names = append(names, m.Schema)
	}
	unknown, missing, latest, err := schemaDiff(ctx, names)
	if err != nil {
		return nil, nil, err
	}
	if len(unknown) > 0 {
		return nil, nil, problem("%s holds a desk of schema %s, newer than this program knows (%s): restore it with Guichet %s or newer",
			file, max(last(applied), m.Schema), latest, m.Program)
	}
	if !slices.Equal(applied, m.Migrations) || m.Schema != last(applied) {
		return nil, nil, problem("%s is damaged: the migrations it records differ from its manifest's; nothing was restored", file)
	}
	return m, missing, nil
}

// matches refuses tables found that differ from the manifest's.
func matches(file string, m *Manifest, found []dbcopy.TableReport) error {
	if d := compare(m.Tables, tables(found)); d != "" {
		return problem("%s is damaged: %s; nothing was restored", file, d)
	}
	return nil
}

// restoreFile restores a backup into a SQLite file that is not there yet: the backup is copied
// beside it under a temporary name, checked and summed there against its manifest, rid of the
// manifest, migrated when older, put in WAL mode as the desk runs it, and given the file's name
// once on disk. It is the same desk a copy would write, in a fraction of the time.
func restoreFile(ctx context.Context, res *Restored, older bool, st *steps, o *Options) error {
	st.begin("file copy")
	tmp, err := copyInto(ctx, res.File, res.To, o)
	if err != nil {
		return err
	}
	published := false
	defer func() {
		if !published {
			removeSQLite(tmp)
		}
	}()
	bk, err := openFile(tmp, false)
	if err != nil {
		return fmt.Errorf("open the copy of the backup: %w", err)
	}
	defer bk.Close()
	st.begin("integrity check and checksums")
	sums, err := check(ctx, bk, o)
	var bad *corrupt
	switch {
	case errors.As(err, &bad):
		return problem("%s is corrupt: %v; nothing was restored", res.File, bad.err)
	case err != nil:
		return err
	}
	if err := matches(res.File, res.Manifest, sums); err != nil {
		return err
	}
	if _, err := bk.ExecContext(ctx, "DROP TABLE "+dbcopy.ManifestTable); err != nil {
		return fmt.Errorf("remove the manifest: %w", err)
	}
	if err := bk.Close(); err != nil {
		return err
	}
	rep := &dbcopy.Report{}
	for _, t := range sums {
		rep.Tables = append(rep.Tables, t)
		rep.Rows += t.Rows
	}
	// The desk's own connection (WAL mode, its functions) migrates an older schema.
	ddb, err := db.Open(tmp)
	if err != nil {
		return err
	}
	defer ddb.Close()
	if older {
		st.begin("migrate")
		o.progress("migrate", 0, 0)
		if res.Migrated, err = db.Migrate(ctx, ddb); err != nil {
			return fmt.Errorf("migrate the backup from schema %s: %w", res.Manifest.Schema, err)
		}
	}
	if err := db.CheckSchema(ctx, ddb); err != nil {
		return err
	}
	if err := ddb.NewRaw("SELECT count(*) FROM timeline_fts").Scan(ctx, &rep.IndexRows); err != nil {
		return fmt.Errorf("count the search index: %w", err)
	}
	if err := ddb.Close(); err != nil {
		return err
	}
	// Closed, the desk's connection wrote its write-ahead log back: the file is all there is.
	if fi, err := os.Stat(tmp + "-wal"); err == nil && fi.Size() > 0 {
		return fmt.Errorf("the restored database %s kept a write-ahead log", tmp)
	}
	st.begin("write")
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("write the database to disk: %w", err)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err := os.Link(tmp, res.To); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return problem("the database %s appeared while the backup was restored: nothing was restored into it", res.To)
		}
		if _, serr := os.Lstat(res.To); serr == nil {
			return problem("the database %s appeared while the backup was restored: nothing was restored into it", res.To)
		}
		if err := os.Rename(tmp, res.To); err != nil {
			return fmt.Errorf("name the database %s: %w", res.To, err)
		}
	}
	published = true
	removeSQLite(tmp)
	syncDir(filepath.Dir(res.To))
	res.Report = rep
	return nil
}

// copyInto copies the backup file beside the SQLite file to, under a temporary name (the
// owner's alone) that it returns.
func copyInto(ctx context.Context, file, to string, o *Options) (string, error) {
	out, err := os.CreateTemp(filepath.Dir(to), "."+filepath.Base(to)+".*.restore")
	if err != nil {
		return "", problem("cannot write the database in %s: %v", filepath.Dir(to), errors.Unwrap(err))
	}
	in, err := os.Open(file)
	if err != nil {
		out.Close()
		os.Remove(out.Name())
		return "", err
	}
	defer in.Close()
	const step, mib = "file copy (MiB)", 1 << 20
	var total int
	if fi, err := in.Stat(); err == nil {
		total = int(max(fi.Size()/mib, 1))
	}
	o.progress(step, 0, total)
	buf := make([]byte, mib)
	var done int64
	for {
		n, rerr := in.Read(buf)
		if n > 0 {
			if _, err = out.Write(buf[:n]); err != nil {
				break
			}
			done += int64(n)
			o.progress(step, min(int(done/mib), total), total)
		}
		if rerr == io.EOF {
			break
		}
		if err = rerr; err != nil {
			break
		}
		if err = ctx.Err(); err != nil {
			break
		}
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return "", fmt.Errorf("copy the backup: %w", err)
	}
	return out.Name(), nil
}

// checkFile refuses what cannot be a backup before opening it: no file, a folder, a file that
// is not a SQLite database, or one shorter than its header says (truncated).
func checkFile(file string) error {
	fi, err := os.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return problem("there is no backup at %s", file)
	case err != nil:
		return problem("%s: %v", file, err)
	case fi.IsDir():
		return problem("%s is a folder, not a backup file", file)
	}
	f, err := os.Open(file)
	if err != nil {
		return problem("%s: %v", file, err)
	}
	defer f.Close()
	h := make([]byte, 100)
	if _, err := io.ReadFull(f, h); err != nil || string(h[:16]) != "SQLite format 3\x00" {
		return problem("%s is not a Guichet backup: it is not a SQLite file; nothing was restored", file)
	}
	if h[18] == 2 || h[19] == 2 {
		return problem("%s is not a Guichet backup: it is a database in WAL mode, as a desk's own file is (take a backup with guichet backup); nothing was restored", file)
	}
	pageSize := int64(binary.BigEndian.Uint16(h[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	pages := int64(binary.BigEndian.Uint32(h[28:32]))
	// The header's page count holds when the version it was written for is its change counter.
	if pages > 0 && binary.BigEndian.Uint32(h[24:28]) == binary.BigEndian.Uint32(h[92:96]) && fi.Size() < pages*pageSize {
		return problem("%s is truncated: it holds %d bytes, its header says %d; nothing was restored", file, fi.Size(), pages*pageSize)
	}
	if pageSize >= 512 && fi.Size()%pageSize != 0 {
		return problem("%s is truncated: %d bytes is not a whole number of its %d-byte pages; nothing was restored", file, fi.Size(), pageSize)
	}
	return nil
}

// checkEmpty refuses a target that holds a row. A SQLite file that is not there yet is empty.
func checkEmpty(ctx context.Context, to string) error {
	if !db.IsPostgres(to) {
		fi, err := os.Stat(to)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil
		case err != nil:
			return problem("%s: %v", to, err)
		case fi.IsDir():
			return problem("%s is a folder, not a SQLite file", to)
		}
	}
	tdb, err := db.Open(to, db.Options{Pool: 1})
	if err != nil {
		return err
	}
	defer tdb.Close()
	name, err := dbcopy.Holding(ctx, tdb)
	if err != nil {
		return problem("the database %s cannot be read: %v", dbcopy.Redact(to), err)
	}
	if name != "" {
		return problem("the database %s is not empty (table %s holds rows): restore into an empty database", dbcopy.Redact(to), name)
	}
	return nil
}

// copyFile copies the backup into a temporary file of its own, to migrate: beside the target
// when it is a SQLite file, else beside the backup, else in the system's temporary folder.
func copyFile(file, to string) (string, error) {
	var dirs []string
	if !db.IsPostgres(to) {
		dirs = append(dirs, filepath.Dir(to))
	}
	dirs = append(dirs, filepath.Dir(file), "")
	var out *os.File
	var err error
	for _, d := range dirs {
		if out, err = os.CreateTemp(d, ".guichet-restore-*.db"); err == nil {
			break
		}
	}
	if err != nil {
		return "", fmt.Errorf("copy the backup to migrate it: %w", err)
	}
	in, err := os.Open(file)
	if err == nil {
		_, err = io.Copy(out, in)
		in.Close()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		removeSQLite(out.Name())
		return "", fmt.Errorf("copy the backup to migrate it: %w", err)
	}
	return out.Name(), nil
}
