package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/dbcopy"
	"github.com/uptrace/bun"
)

// Result says what a backup wrote.
type Result struct {
	File     string
	Manifest *Manifest
	// Bytes is the file's size; Took how long the whole backup took, Steps each of its steps.
	Bytes int64
	Took  time.Duration
	Steps []Step
}

// Take writes a backup of the desk at dsn (a SQLite file or a postgres:// URL) into file, which
// must not exist, while the desk serves. A bad input (file already there, a folder that cannot
// be written, a database without a desk or of a schema this program does not know) is a
// *db.Problem, found before anything is written; a failure or a cancelled ctx leaves no file.
// The backup is recorded in the desk's audit log once written: an error recording it is
// returned with the result.
func Take(ctx context.Context, dsn, file string, o Options) (*Result, error) {
	start := time.Now()
	if _, err := os.Lstat(file); err == nil {
		return nil, problem("%s already exists: a backup never replaces a file; choose another name", file)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, problem("%s: %v", file, err)
	}
	src := o.DB
	if src == nil {
		if !db.IsPostgres(dsn) {
			fi, err := os.Stat(dsn)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return nil, problem("there is no SQLite file at %s: nothing to back up", dsn)
			case err != nil:
				return nil, problem("%s: %v", dsn, err)
			case fi.IsDir():
				return nil, problem("%s is a folder, not a SQLite file", dsn)
			}
		}
		var err error
		if src, err = db.Open(dsn, db.Options{Pool: 2}); err != nil {
			return nil, err
		}
		defer src.Close()
	}
	pg := db.IsPG(src)
	var missing []string
	if pg {
		// A PostgreSQL desk is copied, which needs it at this program's schema exactly; its
		// migrations are not named as SQLite's are (some are each dialect's own).
		if err := db.CheckSchema(ctx, src); err != nil {
			return nil, problem("the database %s cannot be backed up by this program: %v", dbcopy.Redact(dsn), err)
		}
	} else {
		applied, err := appliedMigrations(ctx, src)
		if err != nil {
			return nil, fmt.Errorf("read the schema of %s: %w", dsn, err)
		}
		if len(applied) == 0 {
			return nil, problem("the database %s holds no desk (it has no schema): nothing to back up", dsn)
		}
		var unknown []string
		var latest string
		if unknown, missing, latest, err = schemaDiff(ctx, applied); err != nil {
			return nil, err
		}
		if len(unknown) > 0 {
			return nil, problem("the database %s was written by a newer version of Guichet (schema %s; this program knows up to %s): back it up with that version",
				dsn, last(applied), latest)
		}
	}

	dir := filepath.Dir(file)
	f, err := os.CreateTemp(dir, "."+filepath.Base(file)+".*.tmp")
	if err != nil {
		return nil, problem("cannot write the backup in %s: %v", dir, errors.Unwrap(err))
	}
	tmp := f.Name()
	f.Close()
	published := false
	defer func() {
		if !published {
			removeSQLite(tmp)
		}
	}()

	m := &Manifest{Format: Format, Program: Program, Source: "sqlite", CreatedAt: time.Now().UTC()}
	var st steps
	if pg {
		m.Source = "postgres"
		st.begin("copy")
		o.progress("copy", 0, 0)
		rep, err := dbcopy.CopyFrom(ctx, src, dsn, tmp, dbcopy.Options{Progress: func(done, total int) { o.progress("copy", done, total) }})
		if err != nil {
			return nil, fmt.Errorf("copy the desk: %w", err)
		}
		m.Tables = tables(rep.Tables)
	} else {
		st.begin("snapshot")
		if err := snapshot(ctx, src, tmp, &o); err != nil {
			return nil, err
		}
	}
	bk, err := openFile(tmp, false)
	if err != nil {
		return nil, fmt.Errorf("open the backup: %w", err)
	}
	err = finish(ctx, bk, m, pg, &st, &o)
	if cerr := bk.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	st.begin("write")
	if err := os.Chmod(tmp, 0o600); err != nil {
		return nil, err
	}
	if err := syncFile(tmp); err != nil {
		return nil, fmt.Errorf("write the backup to disk: %w", err)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err := publish(tmp, file); err != nil {
		return nil, err
	}
	published = true
	st.end()
	res := &Result{File: file, Manifest: m, Took: time.Since(start), Steps: st.list}
	if fi, err := os.Stat(file); err == nil {
		res.Bytes = fi.Size()
	}
	if len(missing) == 0 { // an older schema has no audit log, or not this one
		if err := record(context.WithoutCancel(ctx), src, o.Actor, file, m, res.Bytes); err != nil {
			return res, fmt.Errorf("the backup %s is written, but recording it in the audit log failed: %w", file, err)
		}
	}
	return res, nil
}

// snapshot writes the SQLite desk src into the empty file tmp with VACUUM INTO: one read
// transaction, which the desk's writers do not wait for in WAL mode. Its progress is the file's
// size against the pages in use of the desk.
func snapshot(ctx context.Context, src *bun.DB, tmp string, o *Options) error {
	var pages, free, size int64
	for q, v := range map[string]*int64{"PRAGMA page_count": &pages, "PRAGMA freelist_count": &free, "PRAGMA page_size": &size} {
		if err := src.NewRaw(q).Scan(ctx, v); err != nil {
			return fmt.Errorf("read the size of the database: %w", err)
		}
	}
	const mib = 1 << 20
	total := int(max((pages-free)*size/mib, 1))
	o.progress("snapshot (MiB)", 0, total)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if fi, err := os.Stat(tmp); err == nil {
					o.progress("snapshot (MiB)", min(int(fi.Size()/mib), total), total)
				}
			}
		}
	})
	_, err := src.ExecContext(ctx, "VACUUM INTO ?", tmp)
	close(stop)
	wg.Wait()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("snapshot (VACUUM INTO): %w", err)
	}
	o.progress("snapshot (MiB)", total, total)
	return nil
}

// finish checks the backup open in bk, completes its manifest (its migrations, and the sums of
// a SQLite desk: a PostgreSQL desk's were verified by the copy) and writes it in.
func finish(ctx context.Context, bk *bun.DB, m *Manifest, pg bool, st *steps, o *Options) error {
	if _, err := bk.ExecContext(ctx, "PRAGMA journal_mode = DELETE"); err != nil {
		return fmt.Errorf("open the backup: %w", err)
	}
	names, err := appliedMigrations(ctx, bk)
	if err != nil {
		return fmt.Errorf("read the backup's schema: %w", err)
	}
	m.Migrations, m.Schema = names, last(names)
	if pg {
		st.begin("integrity check")
		o.progress("integrity check", 0, 0)
		if err := integrity(ctx, bk); err != nil {
			return fmt.Errorf("the backup failed its integrity check: %w", err)
		}
	} else {
		st.begin("integrity check and checksums")
		sums, err := check(ctx, bk, o)
		if err != nil {
			return err
		}
		m.Tables = tables(sums)
	}
	return writeManifest(ctx, bk, m)
}

// check runs SQLite's integrity check on the backup file open in bk while it sums its tables,
// each on a connection of its own: the file does not change.
func check(ctx context.Context, bk *bun.DB, o *Options) ([]dbcopy.TableReport, error) {
	const step = "integrity check and checksums (rows)"
	o.progress(step, 0, 0)
	ierr := make(chan error, 1)
	go func() { ierr <- integrity(ctx, bk) }()
	sums, err := dbcopy.Sums(ctx, bk, func(done, total int) { o.progress(step, done, total) })
	// A table that cannot be read is a corrupt file, which the integrity check says best.
	if ie := <-ierr; ie != nil && ctx.Err() == nil {
		return nil, &corrupt{ie}
	}
	if err != nil {
		return nil, fmt.Errorf("sum the tables: %w", err)
	}
	return sums, ctx.Err()
}

// corrupt is what the integrity check found.
type corrupt struct{ err error }

func (c *corrupt) Error() string { return "the integrity check failed: " + c.err.Error() }
func (c *corrupt) Unwrap() error { return c.err }
