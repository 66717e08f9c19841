package incident_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

type fixture struct {
	svc   *incident.Service
	now   time.Time
	actor func(login string) tenancy.Actor
	t     *testing.T
}

func newFixture(t *testing.T) *fixture {
	a := testutil.NewApp(t)
	f := &fixture{svc: a.Incidents, now: time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC), t: t}
	f.svc.Now = func() time.Time { return f.now }
	f.svc.Audience.Leads = []string{"leads@example.com"}
	f.actor = func(login string) tenancy.Actor {
		u, err := identity.UserByLogin(t.Context(), a.DB, login)
		if err != nil {
			t.Fatal(err)
		}
		return tenancy.ActorOf(u)
	}
	return f
}

func (f *fixture) tenant(code string) int64 {
	tn, err := tenancy.TenantByCode(f.t.Context(), f.svc.DB, code)
	if err != nil {
		f.t.Fatal(err)
	}
	return tn.ID
}

func draft() incident.Draft {
	return incident.Draft{Title: "Instance ecs-prod-01 ne démarre plus", Description: "Depuis 9 h, l’instance reste en erreur.",
		Service: "ecs", Region: "eu-west-0", Impact: "high", Urgency: "medium", Phone: "+33 1 23 45 67 89"}
}

func outbox(t *testing.T, f *fixture) []notify.Message {
	var ms []notify.Message
	if err := f.svc.DB.NewSelect().Model(&ms).OrderExpr("id").Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestDeclareWorkAndResolve(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	marie, john, alice := f.actor("Marie.Dupont"), f.actor("John.Doe"), f.actor("Alice.Agent")
	t1 := f.tenant("OCB0000001")

	inc, err := f.svc.Declare(ctx, john, t1, draft())
	if err != nil {
		t.Fatal(err)
	}
	if inc.Priority != sla.P2 || inc.Status != incident.New || inc.Level != sla.Premium || !inc.HasDue() {
		t.Fatalf("declared %+v", inc)
	}
	ms := outbox(t, f)
	if len(ms) != 2 || ms[0].Kind != "incident_declared" {
		t.Fatalf("declared mail: %+v", ms)
	}

	// Another organisation's customer cannot see it, not even exist.
	if _, err := f.svc.Get(ctx, f.actor("Paul.Martin"), inc.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("foreign customer: %v", err)
	}
	if _, err := f.svc.Get(ctx, f.actor("Sophie.Commerciale"), inc.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("sales rep: %v", err)
	}

	f.now = f.now.Add(10 * time.Minute)
	if inc, err = f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Take, Version: inc.Version}); err != nil {
		t.Fatal(err)
	}
	if inc.Status != incident.InProgress || inc.AssigneeName != "Alice Agent" {
		t.Fatalf("taken: %s %q", inc.Status, inc.AssigneeName)
	}
	stale := inc.Version
	if _, err := f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reply, Body: "Nous regardons.", Internal: false}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reply, Body: "hyperviseur nova-17 suspect", Internal: true}); err != nil {
		t.Fatal(err)
	}
	// A reprioritization needs a reason; on a stale page it is refused.
	_, err = f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reprioritize, Version: stale, Priority: sla.P1})
	if es, ok := i18n.AsErrors(err); !ok || es[0].Field != "reason" {
		t.Fatalf("no reason: %v", err)
	}
	if inc, err = f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reprioritize, Version: stale, Priority: sla.P1, Body: "Production à l’arrêt"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Wait, Version: stale}); !errors.Is(err, apperr.ErrStale) {
		t.Fatalf("stale: %v", err)
	}

	// Customers never see the note; staff do. Search follows the same line.
	custTL, _ := f.svc.Timeline(ctx, marie, inc)
	staffTL, _ := f.svc.Timeline(ctx, alice, inc)
	if len(staffTL) != len(custTL)+1 {
		t.Fatalf("timelines: staff %d, customer %d", len(staffTL), len(custTL))
	}
	for _, q := range []struct {
		text  string
		staff bool
		want  int
	}{{"nova", false, 0}, {"nova", true, 1}, {"regardons", false, 1}, {"demarre", false, 1}, {inc.Number(), false, 1}, {"inexistant", true, 0}} {
		list, _, err := incident.List(ctx, f.svc.DB, incident.Filter{TenantID: t1, Text: q.text, Staff: q.staff}, paging.Number(1), f.now)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != q.want {
			t.Errorf("search %q (staff %v): %d results, want %d", q.text, q.staff, len(list), q.want)
		}
	}

	// Resolve, reopen, resolve, then the job closes it after 7 days.
	if _, err := f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Resolve, Version: inc.Version}); err == nil {
		t.Fatal("resolved without a note")
	}
	if inc, err = f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Resolve, Version: inc.Version, Body: "Hyperviseur remplacé."}); err != nil {
		t.Fatal(err)
	}
	if inc, err = f.svc.Do(ctx, john, inc.ID, incident.Act{Action: incident.Reopen, Version: inc.Version}); err != nil {
		t.Fatal(err)
	}
	if inc, err = f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Resolve, Version: inc.Version, Body: "Vraiment remplacé."}); err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.CloseResolved(ctx, f.now.Add(6*24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("closed early: %d %v", n, err)
	}
	for range 2 { // idempotent
		if _, err := f.svc.CloseResolved(ctx, f.now.Add(8*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := f.svc.Get(ctx, alice, inc.ID)
	if got.Status != incident.Closed {
		t.Fatalf("status %s", got.Status)
	}
	if _, err := f.svc.Do(ctx, john, inc.ID, incident.Act{Action: incident.Reply, Body: "encore ?"}); err == nil {
		t.Fatal("reply on a closed incident")
	}
	kinds := map[string]int{}
	for _, m := range outbox(t, f) {
		kinds[m.Kind]++
		if m.Kind == "incident_reply" && (m.RecipientEmail != "john.doe@example.com") {
			t.Errorf("reply mailed to %s", m.RecipientEmail)
		}
	}
	if kinds["incident_reply"] != 1 || kinds["incident_resolved"] != 2 || kinds["incident_reopened"] != 1 {
		t.Errorf("mail kinds %v", kinds)
	}
	_ = timeline.Note
}

func TestBreachIsNotifiedOnce(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	inc, err := f.svc.Declare(ctx, f.actor("John.Doe"), f.tenant("OCB0000001"), draft())
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Duration{time.Minute, 30 * 24 * time.Hour, 31 * 24 * time.Hour} {
		if _, err := f.svc.NotifyBreaches(ctx, f.now.Add(at)); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, m := range outbox(t, f) {
		if m.Kind == "incident_breach" {
			n++
			if m.RecipientEmail != "leads@example.com" {
				t.Errorf("breach of an unassigned incident mailed to %s", m.RecipientEmail)
			}
		}
	}
	if n != 2 { // first response and resolution, once each
		t.Fatalf("%d breach mails, want 2", n)
	}
	got, _ := f.svc.Get(ctx, f.actor("Alice.Agent"), inc.ID)
	if got.SLAState(f.now.Add(31*24*time.Hour)) != sla.Breached {
		t.Fatal("not breached")
	}
}

// The SLA is evaluated from the events and staff replies alone (SLAEntries), exactly as from
// the whole timeline: customers' replies, notes, texts and files change nothing of it.
func TestSLAReadsTheSameTimelineWithoutTexts(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	john, alice := f.actor("John.Doe"), f.actor("Alice.Agent")
	inc, err := f.svc.Declare(ctx, john, f.tenant("OCB0000001"), draft())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []struct {
		who   tenancy.Actor
		after time.Duration
		act   incident.Act
	}{
		{john, time.Minute, incident.Act{Action: incident.Reply, Body: "Toujours en panne."}},
		{alice, 10 * time.Minute, incident.Act{Action: incident.Take}},
		{alice, 5 * time.Minute, incident.Act{Action: incident.Reply, Body: "Note interne", Internal: true}},
		{alice, 5 * time.Minute, incident.Act{Action: incident.Reprioritize, Priority: "P1", Body: "Production à l’arrêt"}},
		{alice, 5 * time.Minute, incident.Act{Action: incident.Reply, Body: "Nous regardons."}},
		{alice, 5 * time.Minute, incident.Act{Action: incident.Wait, Body: "Pouvez-vous redémarrer ?"}},
		{john, 40 * time.Minute, incident.Act{Action: incident.Reply, Body: "Redémarrée."}},
		{alice, 30 * time.Minute, incident.Act{Action: incident.Resolve, Body: "Hyperviseur remplacé."}},
	} {
		f.now = f.now.Add(s.after)
		if s.act.Action != incident.Reply {
			s.act.Version = inc.Version
		}
		if inc, err = f.svc.Do(ctx, s.who, inc.ID, s.act); err != nil {
			t.Fatalf("%s: %v", s.act.Action, err)
		}
	}
	all, err := timeline.List(ctx, f.svc.DB, inc.Subject(), true)
	if err != nil {
		t.Fatal(err)
	}
	lean, err := incident.SLAEntries(ctx, f.svc.DB, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	want, got := incident.SLATimeline(inc, all), incident.SLATimeline(inc, lean)
	if len(want) < 6 || !reflect.DeepEqual(got, want) {
		t.Fatalf("SLA timeline from the lean read:\n%+v\nfrom the whole timeline:\n%+v", got, want)
	}
}
