package report

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/guichet/guichet/internal/sla"
	"github.com/uptrace/bun"
)

// What the tests of package report_test (which need testutil, and so the app, which imports
// this package) reach inside it.

// CacheMismatches brings the cache up to date and lists how its rows differ from rowOf of the
// facts given (the stored rows): a row missing, different, or of no stored fact.
func CacheMismatches(ctx context.Context, c *Cache, stored map[int64]Fact) ([]string, error) {
	v, err := c.view(ctx)
	if err != nil {
		return nil, err
	}
	defer v.release()
	var out []string
	for id, f := range stored {
		switch {
		case id >= int64(len(v.rows)):
			out = append(out, fmt.Sprintf("incident %d: no row in the cache", id))
		case v.rows[id] != rowOf(&f):
			out = append(out, fmt.Sprintf("incident %d: cache %+v, stored %+v", id, v.rows[id], rowOf(&f)))
		}
	}
	for id, r := range v.rows {
		if _, ok := stored[int64(id)]; r.live && !ok {
			out = append(out, fmt.Sprintf("incident %d: in the cache, not stored", id))
		}
	}
	// The blocks kept up to date as rows come are the blocks summed up anew.
	if want := tableOf(v.rows).blocks; !slices.Equal(v.blocks, want) {
		out = append(out, fmt.Sprintf("blocks %+v, summed up anew %+v", v.blocks, want))
	}
	return out, nil
}

// Marks reads the marked incidents as a refresh does, before computing them.
func Marks(ctx context.Context, idb bun.IDB) ([]mark, error) {
	var ms []mark
	err := idb.NewSelect().Model(&ms).OrderExpr("incident_id").Scan(ctx)
	return ms, err
}

// ComputeMarks is the rest of a refresh's batch: it computes the incidents of marks read
// earlier, in a numbered transaction, and clears those marks unless marked again since.
func ComputeMarks(ctx context.Context, idb *bun.DB, policy *sla.Policy, ms []mark, now time.Time) error {
	return idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		return compute(ctx, tx, policy, ms, seq, now)
	})
}

// MarkCount is how many times a mark was made since it was last cleared.
func MarkCount(ms []mark, id int64) int64 {
	for _, m := range ms {
		if m.IncidentID == id {
			return m.Mark
		}
	}
	return 0
}
