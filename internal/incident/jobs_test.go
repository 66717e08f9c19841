package incident_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// twoProcesses returns two desks on one database file, each with its own connection pool and
// services, as two instances of the program are; both run at now with the same support leads.
func twoProcesses(t *testing.T, now time.Time, leads []string) [2]*app.App {
	t.Helper()
	a := testutil.NewApp(t)
	b, err := app.Open(context.Background(), a.Config, a.Log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	for _, d := range []*app.App{a, b} {
		d.Incidents.Now = func() time.Time { return now }
		d.Incidents.Audience.Leads = leads
	}
	return [2]*app.App{a, b}
}

func actorOf(t *testing.T, idb bun.IDB, login string) tenancy.Actor {
	t.Helper()
	u, err := identity.UserByLogin(t.Context(), idb, login)
	if err != nil {
		t.Fatal(err)
	}
	return tenancy.ActorOf(u)
}

// declare makes n incidents of John's on OCB0000001, the odd ones taken by Alice.
func declare(t *testing.T, svc *incident.Service, n int) []*incident.Incident {
	t.Helper()
	ctx := t.Context()
	john, alice := actorOf(t, svc.DB, "John.Doe"), actorOf(t, svc.DB, "Alice.Agent")
	tn, err := tenancy.TenantByCode(ctx, svc.DB, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}
	var out []*incident.Incident
	for i := range n {
		d := draft()
		d.Title = fmt.Sprintf("incident %d", i)
		inc, err := svc.Declare(ctx, john, tn.ID, d)
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			if inc, err = svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Take, Version: inc.Version}); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, inc)
	}
	return out
}

// concurrently runs job from both processes, twice each, at once, and returns the sum of their counts.
func concurrently(t *testing.T, desks [2]*app.App, job func(*incident.Service, context.Context) (int, error)) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := range 4 {
		svc := desks[i%2].Incidents
		wg.Go(func() {
			n, err := job(svc, context.Background())
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("process %d: %v", i%2, err)
			}
			total += n
		})
	}
	wg.Wait()
	return total
}

// The breach job run by two processes at once tells each breach once to each recipient: the
// assignee when there is one, and every support lead.
func TestBreachJobAcrossProcesses(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	leads := []string{"leads@example.com", "night-lead@example.com"}
	desks := twoProcesses(t, now, leads)
	incs := declare(t, desks[0].Incidents, 12)
	later := now.Add(30 * 24 * time.Hour)
	told := concurrently(t, desks, func(s *incident.Service, ctx context.Context) (int, error) { return s.NotifyBreaches(ctx, later) })

	var rows []notify.Message
	if err := desks[0].DB.NewSelect().Model(&rows).Where("kind = 'incident_breach'").Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{} // incident, recipient, target (its text) → messages
	perIncident := map[string]map[string]int{}
	for _, m := range rows {
		seen[m.Thread+" "+m.RecipientEmail+" "+m.BodyText]++
		if perIncident[m.Thread] == nil {
			perIncident[m.Thread] = map[string]int{}
		}
		perIncident[m.Thread][m.RecipientEmail]++
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%d copies of one breach message: %.80q", n, k)
		}
	}
	alice := actorOf(t, desks[0].DB, "Alice.Agent")
	breaches := 0
	for _, inc := range incs {
		got, err := incident.ByID(t.Context(), desks[0].DB, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		targets := 0
		for _, b := range []bool{got.FRBreachNotified, got.ResBreachNotified} {
			if b {
				targets++
			}
		}
		if targets == 0 {
			t.Fatalf("%s: no breach notified a month later", inc.Number())
		}
		breaches += targets
		want := map[string]int{leads[0]: targets, leads[1]: targets}
		if inc.Assigned() {
			want[alice.Email] = targets
		}
		thread := fmt.Sprintf("incident-%d", inc.ID)
		if fmt.Sprint(perIncident[thread]) != fmt.Sprint(want) {
			t.Errorf("%s (assigned %v): breach mail per recipient %v, want %v", inc.Number(), inc.Assigned(), perIncident[thread], want)
		}
	}
	if told != breaches {
		t.Errorf("the job runs report %d breaches told, want %d (each once)", told, breaches)
	}
}

// The closing job run by two processes at once closes each incident once.
func TestCloseResolvedAcrossProcesses(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	desks := twoProcesses(t, now, nil)
	incs := declare(t, desks[0].Incidents, 8)
	alice := actorOf(t, desks[0].DB, "Alice.Agent")
	for _, inc := range incs {
		var err error
		if !inc.Assigned() {
			if inc, err = desks[0].Incidents.Do(t.Context(), alice, inc.ID, incident.Act{Action: incident.Take, Version: inc.Version}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := desks[0].Incidents.Do(t.Context(), alice, inc.ID, incident.Act{Action: incident.Resolve, Body: "Fixed.", Version: inc.Version}); err != nil {
			t.Fatal(err)
		}
	}
	later := now.Add(8 * 24 * time.Hour)
	closed := concurrently(t, desks, func(s *incident.Service, ctx context.Context) (int, error) { return s.CloseResolved(ctx, later) })
	if closed != len(incs) {
		t.Errorf("the job runs report %d incidents closed, want %d (each once)", closed, len(incs))
	}
	for _, inc := range incs {
		got, err := incident.ByID(t.Context(), desks[0].DB, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		// The timeline tells the closing once.
		n, err := desks[0].DB.NewSelect().Table("timeline_entries").
			Where("subject_id = ? AND to_value = ?", inc.ID, incident.StatusKey(incident.Closed)).Count(t.Context())
		if got.Status != incident.Closed || n != 1 || err != nil {
			t.Errorf("%s: status %s, %d closing events (%v); want closed once", inc.Number(), got.Status, n, err)
		}
	}
}

// Incident mail needs the incidents right: John, whose right was removed, is not written the
// agent's reply or the resolution; and a reply written before his right is removed is dropped
// by the worker, not sent.
func TestIncidentMailNeedsTheRight(t *testing.T) {
	a := testutil.NewApp(t)
	f := &fixture{svc: a.Incidents, t: t}
	ctx := t.Context()
	john, alice := actorOf(t, a.DB, "John.Doe"), actorOf(t, a.DB, "Alice.Agent")
	t1 := f.tenant("OCB0000001")
	inc, err := f.svc.Declare(ctx, john, t1, draft())
	if err != nil {
		t.Fatal(err)
	}
	if inc, err = f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Take, Version: inc.Version}); err != nil {
		t.Fatal(err)
	}
	setIncidentsRight := func(on bool) {
		t.Helper()
		if _, err := f.svc.DB.NewUpdate().Table("memberships").Set("can_incidents = ?", on).
			Where("tenant_id = ? AND user_id = ?", t1, john.UserID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	toJohn := func(kind string) []notify.Message {
		var out []notify.Message
		for _, m := range outbox(t, f) {
			if m.Kind == kind && m.RecipientEmail == john.Email {
				out = append(out, m)
			}
		}
		return out
	}

	srv := testutil.StartSMTP(t)
	srv.Deliver(a) // the confirmation of the declaration goes while John holds the right
	// Written after the right is removed: nothing for John.
	setIncidentsRight(false)
	if inc, err = f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reply, Body: "We are on it."}); err != nil {
		t.Fatal(err)
	}
	if inc, err = f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Resolve, Body: "Fixed.", Version: inc.Version}); err != nil {
		t.Fatal(err)
	}
	if n := len(toJohn("incident_reply")) + len(toJohn("incident_resolved")); n != 0 {
		t.Errorf("John without the incidents right was written %d messages about the incident", n)
	}

	// Written while he holds it, his right removed before it is sent: dropped.
	setIncidentsRight(true)
	if _, err = f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reply, Body: "One more thing."}); err != nil {
		t.Fatal(err)
	}
	if len(toJohn("incident_reply")) != 1 {
		t.Fatalf("John holding the right again was not written the reply")
	}
	setIncidentsRight(false)
	received := testutil.To(srv.Deliver(a), john.Email)
	m := toJohn("incident_reply")[0]
	if m.Status != notify.StatusDropped || m.LastError != notify.ReasonNoRight {
		t.Errorf("the reply to John: status %s, last_error %q; want dropped, %s", m.Status, m.LastError, notify.ReasonNoRight)
	}
	for _, r := range received {
		if r.Header.Get("Message-ID") == m.MessageID {
			t.Error("the relay received the reply to John after his right was removed")
		}
	}
	if decl := toJohn("incident_declared"); len(decl) != 1 || decl[0].Status != notify.StatusSent {
		t.Errorf("the confirmation of John's declaration, written while he held the right: %v", decl)
	}
}

// An incident written from a copy read before the breach job told its breach (an action whose
// transaction began first, as PostgreSQL lets it) keeps the breach told: the next run of the
// job does not tell it again.
func TestBreachToldSurvivesAWriteFromAnEarlierRead(t *testing.T) {
	now := time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	desks := twoProcesses(t, now, []string{"leads@example.com"})
	inc := declare(t, desks[0].Incidents, 1)[0]
	earlier, err := incident.ByID(t.Context(), desks[0].DB, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	later := now.Add(30 * 24 * time.Hour)
	if n, err := desks[0].Incidents.NotifyBreaches(t.Context(), later); err != nil || n == 0 {
		t.Fatalf("breach job: %d, %v", n, err)
	}
	if err := incident.Update(t.Context(), desks[1].DB, earlier); err != nil {
		t.Fatalf("write from the earlier read: %v", err)
	}
	if n, err := desks[1].Incidents.NotifyBreaches(t.Context(), later.Add(2*time.Minute)); err != nil || n != 0 {
		t.Errorf("the job's next run told %d breaches again (%v), want none", n, err)
	}
}
