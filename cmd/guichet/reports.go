package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/report"
)

func init() {
	commands["reports rebuild"] = command{summary: "compute every incident's report figures anew from the incidents and their timelines (derived data), with a progress bar",
		needsDB: true, flags: reportsRebuildFlags}
}

func reportsRebuildFlags(*flag.FlagSet) func(context.Context, *env) error {
	return func(ctx context.Context, e *env) error {
		a, err := e.open(ctx)
		if err != nil {
			return err
		}
		start := time.Now()
		n, err := report.MarkAll(ctx, a.DB)
		if err != nil {
			return err
		}
		bar := newProgress(e.stderr, n)
		done, err := report.Refresh(ctx, a.DB, a.SLA, time.Now(), bar.Show)
		if err != nil {
			return err
		}
		bar.Done()
		fmt.Fprintf(e.stdout, "%d incidents computed in %s.\n", done, time.Since(start).Round(time.Second))
		return nil
	}
}
