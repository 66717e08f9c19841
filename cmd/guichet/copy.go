package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/dbcopy"
)

func init() {
	commands["copy"] = command{summary: "copy a whole desk into an empty database, SQLite to PostgreSQL or back, and verify it",
		usage: "--from SRC --to DST", flags: copyFlags}
}

func copyFlags(fs *flag.FlagSet) func(context.Context, *env) error {
	from := fs.String("from", "", "the desk to copy: a SQLite file or a postgres:// URL")
	to := fs.String("to", "", "the empty database to copy it into: a SQLite file (created when missing) or a postgres:// URL")
	return func(ctx context.Context, e *env) error {
		if *from == "" || *to == "" {
			return usageError("--from and --to are both required")
		}
		var bar *progress
		rep, err := dbcopy.Copy(ctx, *from, *to, dbcopy.Options{Progress: func(done, total int) {
			if bar == nil {
				fmt.Fprintf(e.stderr, "copying %s to %s\n", dbcopy.Redact(*from), dbcopy.Redact(*to))
				bar = newProgress(e.stderr, total)
			}
			bar.Show(done)
		}})
		if bar != nil {
			if err == nil {
				bar.Done()
			} else {
				fmt.Fprintln(e.stderr)
			}
		}
		if err != nil {
			return err
		}
		width := 20 // the names in one column, however long the longest
		for _, t := range rep.Tables {
			width = max(width, len(t.Name))
		}
		for _, t := range rep.Tables {
			fmt.Fprintf(e.stdout, "  %-*s %9d rows  sha256 %.16s\n", width, t.Name, t.Rows, t.Checksum)
		}
		fmt.Fprintf(e.stdout, "%d rows in %d tables and %d search index rows copied to %s in %s; row counts and checksums verified equal.\n",
			rep.Rows, len(rep.Tables), rep.IndexRows, dbcopy.Redact(*to), rep.Copy.Round(100*time.Millisecond))
		return nil
	}
}
