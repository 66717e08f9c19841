package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Batch is how many incidents one transaction of Refresh computes.
const Batch = 500

// mark is a report_dirty row: an incident to compute again, and how many times it was marked.
type mark struct {
	bun.BaseModel `bun:"table:report_dirty,alias:report_dirty"`
	IncidentID    int64 `bun:"incident_id,pk"`
	Mark          int64 `bun:"mark"`
}

// Refresh computes again the rows of the marked incidents, Batch at a time, each batch in one
// transaction that numbers its rows (report_state.seq, whose row it holds until it commits, so
// batches commit in the order of their numbers) and clears the marks it read, unless marked
// again meanwhile. Several instances may run it at once: they take turns on report_state. It
// returns how many rows it wrote; progress, if not nil, is told after each batch.
func Refresh(ctx context.Context, idb *bun.DB, policy *sla.Policy, now time.Time, progress func(done int)) (int, error) {
	done := 0
	for ctx.Err() == nil {
		n := 0
		err := idb.RunInTx(context.WithoutCancel(ctx), nil, func(ctx context.Context, tx bun.Tx) error {
			// The marks are locked in the order of their ids, the order every writer of several
			// marks writes them in (MarkReport sorts them), then report_state's row: on
			// PostgreSQL, no two wait for each other in a circle. Nothing marked: no number
			// taken, so the instances' copies have nothing to read.
			var ms []mark
			if err := db.ForUpdate(tx.NewSelect().Model(&ms).OrderExpr("incident_id").Limit(Batch)).Scan(ctx); err != nil {
				return fmt.Errorf("report: read the marked incidents: %w", err)
			}
			if len(ms) == 0 {
				return nil
			}
			seq, err := nextSeq(ctx, tx)
			if err != nil {
				return err
			}
			n = len(ms)
			return compute(ctx, tx, policy, ms, seq, now)
		})
		if err != nil {
			return done, err
		}
		if n == 0 {
			return done, nil
		}
		done += n
		if progress != nil {
			progress(done)
		}
	}
	return done, nil
}

// nextSeq numbers the transaction, holding report_state's row until it ends.
func nextSeq(ctx context.Context, tx bun.Tx) (int64, error) {
	var seq int64
	if err := tx.NewRaw("INSERT INTO report_state (id, seq) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET seq = report_state.seq + 1 RETURNING seq").Scan(ctx, &seq); err != nil {
		return 0, fmt.Errorf("report: number the refresh: %w", err)
	}
	return seq, nil
}

// compute writes the rows of the marked incidents and clears their marks.
func compute(ctx context.Context, tx bun.Tx, policy *sla.Policy, ms []mark, seq int64, now time.Time) error {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.IncidentID
	}
	var incs []incident.Incident
	if err := tx.NewSelect().Model(&incs).Where("i.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return fmt.Errorf("report: read %d incidents: %w", len(ids), err)
	}
	entries, err := incident.SLAEntriesOf(ctx, tx, ids)
	if err != nil {
		return err
	}
	facts := make([]Fact, 0, len(incs))
	found := make(map[int64]bool, len(incs))
	for i := range incs {
		inc := &incs[i]
		found[inc.ID] = true
		ev, err := evaluate(policy, inc, entries[inc.ID], now)
		if err != nil {
			// A timeline the SLA cannot read (its incident's page says so too) must not hold
			// back every other incident of the batch, run after run: the row counts the
			// incident without its targets.
			ev = sla.Evaluation{Level: inc.Level, Priority: inc.Priority}
			ev.FirstResponse.State, ev.Resolution.State = sla.None, sla.None
		}
		f := FactOf(inc, ev)
		f.Seq = seq
		facts = append(facts, f)
	}
	var gone []int64
	for _, id := range ids {
		if !found[id] {
			gone = append(gone, id)
		}
	}
	if len(gone) > 0 {
		if _, err := tx.NewDelete().Model((*Fact)(nil)).Where("incident_id IN (?)", bun.In(gone)).Exec(ctx); err != nil {
			return fmt.Errorf("report: delete the rows of deleted incidents: %w", err)
		}
	}
	if err := Upsert(ctx, tx, facts); err != nil {
		return err
	}
	return clearMarks(ctx, tx, ms)
}

// evaluate is an incident's SLA at now, or at its last event when that is later. The SLA
// ignores events after now: a refresh whose now was taken before a change committed (the job's
// tick, a rebuild that runs for minutes, another instance's clock ahead) would otherwise write
// a row that misses the change, and clear its mark.
func evaluate(policy *sla.Policy, inc *incident.Incident, es []timeline.Entry, now time.Time) (sla.Evaluation, error) {
	tl := incident.SLATimeline(inc, es)
	if last := tl[len(tl)-1].At; last.After(now) {
		now = last
	}
	return policy.Evaluate(inc.Level, tl, now)
}

// Write numbers rows as one refresh and writes them, in the caller's transaction: what writes
// incidents and their rows at once (the demo's generated incidents) instead of marking them.
func Write(ctx context.Context, tx bun.Tx, facts []Fact) error {
	seq, err := nextSeq(ctx, tx)
	if err != nil {
		return err
	}
	for i := range facts {
		facts[i].Seq = seq
	}
	return Upsert(ctx, tx, facts)
}

// Upsert writes rows, replacing those of the same incidents.
func Upsert(ctx context.Context, idb bun.IDB, facts []Fact) error {
	if len(facts) == 0 {
		return nil
	}
	q := idb.NewInsert().Model(&facts).On("CONFLICT (incident_id) DO UPDATE")
	for _, c := range []string{"tenant_id", "level", "priority", "service", "region", "status", "created_at", "answered_at",
		"resolved_at", "fr_state", "fr_due", "res_state", "res_due", "seq"} {
		q = q.Set(c + " = EXCLUDED." + c)
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("report: write %d rows: %w", len(facts), err)
	}
	return nil
}

// clearMarks deletes the marks read, each unless it was marked again since.
func clearMarks(ctx context.Context, tx bun.Tx, ms []mark) error {
	var b strings.Builder
	args := make([]any, 0, 2*len(ms))
	for i, m := range ms {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString("(incident_id = ? AND mark = ?)")
		args = append(args, m.IncidentID, m.Mark)
	}
	if _, err := tx.NewDelete().Model((*mark)(nil)).Where(b.String(), args...).Exec(ctx); err != nil {
		return fmt.Errorf("report: clear %d marks: %w", len(ms), err)
	}
	return nil
}

// MarkAll marks every incident, so that Refresh computes every row anew: `guichet reports
// rebuild`. Rows of incidents that no longer exist are deleted.
func MarkAll(ctx context.Context, idb *bun.DB) (int, error) {
	var n int
	err := idb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewRaw("DELETE FROM report_incidents WHERE incident_id NOT IN (SELECT id FROM incidents)").Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewRaw("INSERT INTO report_dirty (incident_id, mark) SELECT id, 1 FROM incidents WHERE TRUE " +
			"ON CONFLICT (incident_id) DO UPDATE SET mark = report_dirty.mark + 1").Exec(ctx); err != nil {
			return err
		}
		return tx.NewRaw("SELECT COUNT(*) FROM report_dirty").Scan(ctx, &n)
	})
	if err != nil {
		return 0, fmt.Errorf("report: mark every incident: %w", err)
	}
	return n, nil
}

// Pending counts the incidents marked and not computed yet.
func Pending(ctx context.Context, idb bun.IDB) (int, error) {
	n, err := idb.NewSelect().Model((*mark)(nil)).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("report: count the marked incidents: %w", err)
	}
	return int(n), nil
}

// Recompute computes the row of each incident from the source, as Refresh would at now, without
// writing anything: what a test compares the stored rows with.
func Recompute(ctx context.Context, idb bun.IDB, policy *sla.Policy, now time.Time) (map[int64]Fact, error) {
	out := map[int64]Fact{}
	var last int64
	for {
		var incs []incident.Incident
		if err := idb.NewSelect().Model(&incs).Where("i.id > ?", last).OrderExpr("i.id").Limit(Batch).Scan(ctx); err != nil {
			return nil, fmt.Errorf("report: read incidents: %w", err)
		}
		if len(incs) == 0 {
			return out, nil
		}
		ids := make([]int64, len(incs))
		for i := range incs {
			ids[i] = incs[i].ID
		}
		entries, err := incident.SLAEntriesOf(ctx, idb, ids)
		if err != nil {
			return nil, err
		}
		for i := range incs {
			ev, err := evaluate(policy, &incs[i], entries[incs[i].ID], now)
			if err != nil {
				return nil, err
			}
			out[incs[i].ID] = FactOf(&incs[i], ev)
		}
		last = ids[len(ids)-1]
	}
}

// Stored reads every stored row, by incident.
func Stored(ctx context.Context, idb bun.IDB) (map[int64]Fact, error) {
	var fs []Fact
	if err := idb.NewSelect().Model(&fs).Scan(ctx); err != nil {
		return nil, fmt.Errorf("report: read the rows: %w", err)
	}
	out := make(map[int64]Fact, len(fs))
	for _, f := range fs {
		out[f.IncidentID] = f
	}
	return out, nil
}
