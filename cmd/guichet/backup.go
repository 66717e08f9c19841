package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/backup"
	"github.com/guichet/guichet/internal/dbcopy"
)

func init() {
	backup.Program = version
	commands["backup"] = command{summary: "write a backup of the desk, even while it serves, into a new file: one SQLite file, checked, with its manifest",
		usage: "[FLAGS] FILE", needsDB: true, args: true, flags: backupFlags}
	commands["restore"] = command{summary: "restore a backup file into the configured database, which must be empty, and verify it",
		usage: "[FLAGS] FILE", needsDB: true, args: true, flags: restoreFlags}
}

// stepBar draws the steps of a backup or a restore on w: its title once the work begins (a
// refusal is one line alone), a line naming each step as it begins, and the progress bar of
// those that measure it.
type stepBar struct {
	w     io.Writer
	title string
	step  string
	bar   *progress
}

func (s *stepBar) show(step string, done, total int) {
	if s.title != "" {
		fmt.Fprintln(s.w, s.title)
		s.title = ""
	}
	if step != s.step {
		s.end()
		s.step = step
		fmt.Fprintf(s.w, "  %s\n", step)
	}
	if total <= 0 || done <= 0 && s.bar == nil {
		return
	}
	if s.bar == nil {
		s.bar = newProgress(s.w, total)
	}
	s.bar.total = total
	s.bar.Show(done)
}

// end ends the line of the bar under way.
func (s *stepBar) end() {
	if s.bar != nil {
		fmt.Fprintln(s.w)
		s.bar = nil
	}
}

// fileArg is the one FILE argument of backup and restore, after the flags.
func fileArg(fs *flag.FlagSet, name string) (string, error) {
	switch {
	case fs.NArg() == 0 || fs.Arg(0) == "":
		return "", usageError("FILE is required: guichet " + name + " [FLAGS] FILE")
	case fs.NArg() > 1:
		return "", usageError(fmt.Sprintf("unexpected argument %q after FILE (the flags go before it)", fs.Arg(1)))
	}
	return fs.Arg(0), nil
}

func steps(list []backup.Step) string {
	parts := make([]string, len(list))
	for i, s := range list {
		parts[i] = s.Name + " " + s.Took.Round(100*time.Millisecond).String()
	}
	return strings.Join(parts, ", ")
}

func tablesOut(w io.Writer, ts []backup.Table) {
	width := 20
	for _, t := range ts {
		width = max(width, len(t.Name))
	}
	for _, t := range ts {
		fmt.Fprintf(w, "  %-*s %9d rows  sha256 %.16s\n", width, t.Name, t.Rows, t.SHA256)
	}
}

func backupFlags(fs *flag.FlagSet) func(context.Context, *env) error {
	return func(ctx context.Context, e *env) error {
		file, err := fileArg(fs, "backup")
		if err != nil {
			return err
		}
		bar := &stepBar{w: e.stderr, title: fmt.Sprintf("backing up %s to %s", dbcopy.Redact(e.cfg.Database), file)}
		res, err := backup.Take(ctx, e.cfg.Database, file, backup.Options{Progress: bar.show})
		bar.end()
		if res == nil {
			return err
		}
		m := res.Manifest
		tablesOut(e.stdout, m.Tables)
		fmt.Fprintf(e.stdout, "%d rows in %d tables (schema %s) backed up to %s (%.1f MB) in %s: %s; integrity checked, manifest written.\n",
			m.Rows(), len(m.Tables), m.Schema, file, float64(res.Bytes)/1e6, res.Took.Round(100*time.Millisecond), steps(res.Steps))
		return err
	}
}

func restoreFlags(fs *flag.FlagSet) func(context.Context, *env) error {
	return func(ctx context.Context, e *env) error {
		file, err := fileArg(fs, "restore")
		if err != nil {
			return err
		}
		to := e.cfg.Database
		bar := &stepBar{w: e.stderr, title: fmt.Sprintf("restoring %s into %s", file, dbcopy.Redact(to))}
		res, err := backup.Restore(ctx, file, to, backup.Options{Progress: bar.show})
		bar.end()
		if err != nil {
			return err
		}
		m, rep := res.Manifest, res.Report
		tablesOut(e.stdout, m.Tables)
		how := "row counts and checksums verified equal to the backup's manifest"
		if len(res.Migrated) > 0 {
			how = fmt.Sprintf("the backup verified against its manifest, then migrated from schema %s (%d migrations)", m.Schema, len(res.Migrated))
		}
		fmt.Fprintf(e.stdout, "%d rows in %d tables and %d search index rows restored from %s (taken %s by Guichet %s on %s) into %s in %s: %s; %s.\n",
			rep.Rows, len(rep.Tables), rep.IndexRows, file, m.CreatedAt.Format(time.RFC3339), m.Program, m.Source, dbcopy.Redact(to),
			res.Took.Round(100*time.Millisecond), steps(res.Steps), how)
		return nil
	}
}
