package demo_test

import (
	"testing"
	"time"

	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
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
	// A customer declaring next gets the next number, on PostgreSQL too (whose sequences the
	// generator moves past the ids it wrote).
	john, err := identity.UserByLogin(t.Context(), a.DB, "John.Doe")
	if err != nil {
		t.Fatal(err)
	}
	tn, err := tenancy.TenantByCode(t.Context(), a.DB, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}
	inc, err := a.Incidents.Declare(t.Context(), tenancy.ActorOf(john), tn.ID, incident.Draft{Title: "Instance ecs-prod-01 arrêtée",
		Description: "Depuis 9 h.", Service: "ecs", Region: "eu-west-0", Impact: "high", Urgency: "medium"})
	if err != nil {
		t.Fatalf("declare after the generator: %v", err)
	}
	if inc.ID != 3011 {
		t.Errorf("declared as %s, want INC0003011", inc.Number())
	}
}
