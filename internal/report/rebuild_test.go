package report_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/report"
	"github.com/guichet/guichet/internal/testutil"
)

// asRead is a row as a dashboard reads it at now: an open target past its due instant is
// breached there.
func asRead(f report.Fact, now time.Time) report.Fact {
	if f.FRState == report.TargetOpen && f.FRDue != nil && !f.FRDue.After(now) {
		f.FRState = report.TargetBreached
	}
	if f.ResState == report.TargetOpen && f.ResDue != nil && !f.ResDue.After(now) {
		f.ResState = report.TargetBreached
	}
	return f
}

// sameRows fails t unless the stored rows and the recomputed ones say the same of every
// incident (as read at now when read is set), and returns the stored rows.
func (d *reportDesk) sameRows(now time.Time, read bool) map[int64]report.Fact {
	d.t.Helper()
	ctx := d.t.Context()
	stored, err := report.Stored(ctx, d.a.DB)
	if err != nil {
		d.t.Fatal(err)
	}
	want, err := report.Recompute(ctx, d.a.DB, d.a.SLA, now)
	if err != nil {
		d.t.Fatal(err)
	}
	var n int
	if err := d.a.DB.NewSelect().TableExpr("incidents").ColumnExpr("COUNT(*)").Scan(ctx, &n); err != nil {
		d.t.Fatal(err)
	}
	if len(want) != n || len(stored) != n {
		d.t.Errorf("%d incidents, %d rows stored, %d recomputed", n, len(stored), len(want))
	}
	var ids []int64
	for id := range want {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		got, ok := stored[id]
		w := want[id]
		if read {
			got, w = asRead(got, now), asRead(w, now)
		}
		if !ok || !got.Same(w) {
			d.t.Errorf("incident %d:\nstored     %s\nrecomputed %s", id, show(got), show(w))
		}
	}
	return stored
}

func show(f report.Fact) string {
	t := func(p *time.Time) string {
		if p == nil {
			return "-"
		}
		return p.UTC().Format(time.RFC3339)
	}
	return string(f.Level) + " " + string(f.Priority) + " " + string(f.Status) + " " + f.Service + " " + f.Region +
		" created " + f.CreatedAt.UTC().Format(time.RFC3339) + " answered " + t(f.AnsweredAt) + " resolved " + t(f.ResolvedAt) +
		" fr " + f.FRState + " " + t(f.FRDue) + " res " + f.ResState + " " + t(f.ResDue)
}

func (d *reportDesk) pending() int {
	d.t.Helper()
	n, err := report.Pending(d.t.Context(), d.a.DB)
	if err != nil {
		d.t.Fatal(err)
	}
	return n
}

func (d *reportDesk) cacheMatches(stored map[int64]report.Fact) {
	d.t.Helper()
	diff, err := report.CacheMismatches(d.t.Context(), d.svc.Cache, stored)
	if err != nil {
		d.t.Fatal(err)
	}
	for _, s := range diff {
		d.t.Error(s)
	}
}

// TestRowsEqualRecomputation checks the derived rows against a computation from the incidents
// and their timelines, after a varied history: declarations, replies, waits, a reopening,
// resolutions, a cancellation, a priority change, a major incident's resolution.
func TestRowsEqualRecomputation(t *testing.T) {
	d := newReportDesk(t)
	ctx := t.Context()
	// The cache is read along the way (each dashboard brings it up to date), and at the end
	// holds what it read in pieces.
	d.now = utc("2026-10-20T08:00:00Z")
	if _, err := d.dashboard("Alice.Agent", report.Query{}); err != nil {
		t.Fatal(err)
	}
	s := scenario(d)
	if _, err := d.dashboard("Alice.Agent", report.Query{}); err != nil {
		t.Fatal(err)
	}
	// More history after the last run of the job: marked, not computed yet.
	d.do("Marie.Dupont", s.h, "2026-11-05T10:30:00Z", incident.Act{Action: incident.Reopen})
	d.do("Alice.Agent", s.e, "2026-11-05T10:40:00Z", incident.Act{Action: incident.Reply, Body: "Nous regardons.", Internal: true})
	if n := d.pending(); n != 2 {
		t.Errorf("%d incidents marked, want H and E", n)
	}
	end := utc("2026-11-05T11:00:00Z")
	if _, err := report.Refresh(ctx, d.a.DB, d.a.SLA, end, nil); err != nil {
		t.Fatal(err)
	}
	if n := d.pending(); n != 0 {
		t.Errorf("%d incidents still marked after the refresh", n)
	}
	// Rows computed before end (C's, open) read the same at end as a computation at end.
	stored := d.sameRows(end, true)
	if c := stored[s.c.ID]; c.ResState != report.TargetOpen || !c.ResDue.Equal(utc("2026-11-01T22:00:00Z")) {
		t.Errorf("C's resolution %s due %v, want open (computed before its due instant)", c.ResState, c.ResDue)
	}
	if h := stored[s.h.ID]; h.Status != incident.InProgress || h.ResolvedAt != nil || h.ResState != report.TargetOpen ||
		h.AnsweredAt == nil || !h.AnsweredAt.Equal(utc("2026-11-05T09:00:00Z")) {
		t.Errorf("H reopened: %s", show(h))
	}
	if f := stored[s.f.ID]; f.Priority != "P1" || f.Status != incident.Cancelled || f.FRState != report.TargetNone || f.ResState != report.TargetNone {
		t.Errorf("F: %s", show(f))
	}
	if g := stored[s.g.ID]; !g.ResolvedAt.Equal(utc("2026-11-04T16:00:00Z")) || g.ResState != report.TargetMet || g.FRState != report.TargetMet {
		t.Errorf("G: %s", show(g))
	}
	d.cacheMatches(stored)

	// The rebuild computes every row anew: exactly the recomputation.
	n, err := report.MarkAll(ctx, d.a.DB)
	if err != nil || n != len(stored) {
		t.Fatalf("MarkAll: %d, %v", n, err)
	}
	if done, err := report.Refresh(ctx, d.a.DB, d.a.SLA, end, nil); err != nil || done != n {
		t.Fatalf("rebuild: %d rows, %v", done, err)
	}
	rebuilt := d.sameRows(end, false)
	for id, f := range stored {
		if !asRead(f, end).Same(rebuilt[id]) {
			t.Errorf("incident %d rebuilt differs:\nbefore %s\nafter  %s", id, show(f), show(rebuilt[id]))
		}
	}
	if c := rebuilt[s.c.ID]; c.ResState != report.TargetBreached {
		t.Errorf("C rebuilt after its due instant: %s", c.ResState)
	}
	d.cacheMatches(rebuilt)
	// A second rebuild changes nothing; a refresh with nothing marked writes nothing.
	if _, err := report.MarkAll(ctx, d.a.DB); err != nil {
		t.Fatal(err)
	}
	if _, err := report.Refresh(ctx, d.a.DB, d.a.SLA, end, nil); err != nil {
		t.Fatal(err)
	}
	d.sameRows(end, false)
	if done, err := report.Refresh(ctx, d.a.DB, d.a.SLA, end, nil); err != nil || done != 0 {
		t.Errorf("a refresh with nothing marked: %d, %v", done, err)
	}
	// A fresh cache loads the same rows in one go.
	fresh := &report.Cache{DB: d.a.DB}
	again, _ := report.Stored(ctx, d.a.DB)
	diff, err := report.CacheMismatches(ctx, fresh, again)
	if err != nil || len(diff) != 0 {
		t.Errorf("a fresh cache: %v %v", diff, err)
	}
}

// TestMarksDuringARefreshAreKept: an incident marked again after a refresh read its mark
// stays marked when that refresh clears the marks it read, and the next refresh computes it.
func TestMarksDuringARefreshAreKept(t *testing.T) {
	d := newReportDesk(t)
	ctx := t.Context()
	a := d.declare("Marie.Dupont", "OCB0000001", "high", "high", "ecs", "eu-west-0", "2026-11-02T09:00:00Z")
	b := d.declare("Marie.Dupont", "OCB0000002", "high", "medium", "evs", "eu-west-0", "2026-11-02T09:01:00Z")
	d.refresh("2026-11-02T09:02:00Z")
	if n := d.pending(); n != 0 {
		t.Fatalf("%d marked after a refresh", n)
	}
	d.take(a, "2026-11-02T09:03:00Z")
	d.take(b, "2026-11-02T09:03:30Z")
	ms, err := report.Marks(ctx, d.a.DB) // a refresh reads the marks...
	if err != nil || len(ms) != 2 || report.MarkCount(ms, a.ID) != 1 {
		t.Fatalf("marks read %v, %v", ms, err)
	}
	d.reply(a, "2026-11-02T09:04:00Z") // ...a is marked again meanwhile...
	now := utc("2026-11-02T09:05:00Z")
	if err := report.ComputeMarks(ctx, d.a.DB, d.a.SLA, ms, now); err != nil { // ...and it clears what it read
		t.Fatal(err)
	}
	left, err := report.Marks(ctx, d.a.DB)
	if err != nil || len(left) != 1 || report.MarkCount(left, a.ID) != 2 {
		t.Errorf("marks left %v, %v; want a's, made twice", left, err)
	}
	d.refresh("2026-11-02T09:06:00Z")
	if n := d.pending(); n != 0 {
		t.Errorf("%d marked after the next refresh", n)
	}
	stored := d.sameRows(utc("2026-11-02T09:06:00Z"), false)
	if f := stored[a.ID]; f.AnsweredAt == nil || f.FRState != report.TargetMet {
		t.Errorf("a after its answer: %s", show(f))
	}
}

// TestRefreshCountsChangesAfterItsNow: a refresh whose now was taken before an incident's
// change committed (the job's tick, a rebuild running for minutes, another instance's clock
// behind) computes the row with the change, not without it and its mark cleared.
func TestRefreshCountsChangesAfterItsNow(t *testing.T) {
	d := newReportDesk(t)
	a := d.declare("Marie.Dupont", "OCB0000001", "high", "high", "ecs", "eu-west-0", "2026-11-02T09:00:00Z")
	d.take(a, "2026-11-02T09:05:00Z")
	d.reply(a, "2026-11-02T09:10:00Z")
	d.resolve(a, "2026-11-02T09:20:00Z")
	d.refresh("2026-11-02T09:07:00Z") // its now is before the reply and the resolution
	if n := d.pending(); n != 0 {
		t.Fatalf("%d marked", n)
	}
	stored, err := report.Stored(t.Context(), d.a.DB)
	if err != nil {
		t.Fatal(err)
	}
	f := stored[a.ID]
	if f.AnsweredAt == nil || !f.AnsweredAt.Equal(utc("2026-11-02T09:10:00Z")) || f.ResolvedAt == nil || f.FRState != report.TargetMet ||
		f.ResState != report.TargetMet {
		t.Errorf("a refresh before the last changes: %s", show(f))
	}
	d.sameRows(utc("2026-11-02T09:07:00Z"), false)
	d.sameRows(utc("2026-11-02T12:00:00Z"), false)
}

// TestConcurrentRefreshes runs refreshes at once, on PostgreSQL, while incidents are marked:
// none fails, and once they are done and a last one ran, no mark is left and the rows are
// right.
func TestConcurrentRefreshes(t *testing.T) {
	if !testutil.OnPostgres() {
		t.Skip("SQLite has one writer at a time: refreshes at once are a PostgreSQL matter")
	}
	d := newReportDesk(t)
	s := scenario(d)
	ctx := context.WithoutCancel(t.Context())
	end := utc("2026-11-05T12:00:00Z")
	ids := []int64{s.a.ID, s.b.ID, s.c.ID, s.d.ID, s.e.ID, s.f.ID, s.g.ID, s.h.ID}
	for round := range 5 {
		if _, err := report.MarkAll(ctx, d.a.DB); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := report.Refresh(ctx, d.a.DB, d.a.SLA, end, nil); err != nil {
					errs <- err
				}
			}()
		}
		wg.Add(1)
		go func() { // marks made meanwhile, one incident a transaction, as changes make them
			defer wg.Done()
			for i := range 20 {
				if err := incident.MarkReport(ctx, d.a.DB, ids[(i+round)%len(ids)]); err != nil {
					errs <- err
				}
			}
		}()
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("round %d: %v", round, err)
		}
		if _, err := report.Refresh(ctx, d.a.DB, d.a.SLA, end, nil); err != nil {
			t.Fatal(err)
		}
		if n := d.pending(); n != 0 {
			t.Errorf("round %d: %d marks left", round, n)
		}
	}
	d.cacheMatches(d.sameRows(end, false))
}
