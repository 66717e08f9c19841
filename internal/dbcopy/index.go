package dbcopy

import (
	"context"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// rebuildIndex writes the search index of the desk in idb from its rows, exactly as the program
// writes it (incident.RebuildIndex), telling tick how many timeline entries it read, and
// optimizes it.
func rebuildIndex(ctx context.Context, idb bun.IDB, tick func(int)) (int64, error) {
	n, err := incident.RebuildIndex(ctx, idb, tick)
	if err != nil {
		return 0, err
	}
	return n, timeline.OptimizeIndex(ctx, idb)
}

// indexRows counts the rows of idb's search index.
func indexRows(ctx context.Context, idb bun.IDB) (int64, error) {
	name := "timeline_fts"
	if db.IsPG(idb) {
		name = "timeline_search"
	}
	return countRows(ctx, idb, name)
}
