package demo_test

import (
	"testing"
	"time"

	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/testutil"
)

func TestGeneratedIncidentsReadLikeADesksHistory(t *testing.T) {
	a := testutil.NewApp(t)
	now := time.Now()
	calls := 0
	if err := demo.Incidents(t.Context(), a.DB, a.Tenancy, a.SLA, 3000, now, func(int) { calls++ }); err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("progress told %d times, want 2", calls)
	}
	count := func(status incident.Status) int64 {
		n, err := a.DB.NewSelect().Model((*incident.Incident)(nil)).Where("status = ?", status).Count(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if closed, open := count(incident.Closed), count(incident.InProgress)+count(incident.New); closed < 2000 || open == 0 {
		t.Errorf("closed %d, open %d", closed, open)
	}
	queue, _, err := incident.List(t.Context(), a.DB, incident.Filter{Queue: true}, paging.Number(1), now)
	if err != nil || len(queue) == 0 {
		t.Fatalf("queue: %d %v", len(queue), err)
	}
	for i := 1; i < len(queue); i++ {
		if queue[i].SLADueAt.Before(queue[i-1].SLADueAt) {
			t.Fatalf("queue not sorted by due time at %d", i)
		}
	}
	found, _, err := incident.List(t.Context(), a.DB, incident.Filter{Text: "hyperviseur", Staff: true}, paging.Number(1), now)
	if err != nil || len(found) == 0 {
		t.Fatalf("search: %d %v", len(found), err)
	}
	// Adding more keeps numbering and search going.
	if err := demo.Incidents(t.Context(), a.DB, a.Tenancy, a.SLA, 10, now, nil); err != nil {
		t.Fatal(err)
	}
	last, _, _ := incident.List(t.Context(), a.DB, incident.Filter{Text: incident.Number(3010), Staff: true}, paging.Page{Number: 1, Size: 5}, now)
	if len(last) != 1 {
		t.Fatalf("INC0003010 found %d times", len(last))
	}
}
