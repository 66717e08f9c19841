package retention_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/retention"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

var pngData = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")

func png(name string) timeline.Upload {
	return timeline.Upload{Name: name, ContentType: "image/png", Data: pngData}
}

func text(name string) timeline.Upload {
	return timeline.Upload{Name: name, ContentType: "text/plain; charset=utf-8", Data: []byte("2024-03-04 ERROR disk full\n")}
}

// clock is the services' clock, moved by the test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }
func (c *clock) on(a *app.App) *clock {
	a.Incidents.Now, a.Changes.Now, a.Contracts.Now = c.Now, c.Now, c.Now
	return c
}

func actor(t *testing.T, a *app.App, login string) tenancy.Actor {
	t.Helper()
	u, err := identity.UserByLogin(t.Context(), a.DB, login)
	if err != nil {
		t.Fatal(err)
	}
	return tenancy.ActorOf(u)
}

func tenantID(t *testing.T, a *app.App, code string) int64 {
	t.Helper()
	tn, err := tenancy.TenantByCode(t.Context(), a.DB, code)
	if err != nil {
		t.Fatal(err)
	}
	return tn.ID
}

// declare makes Marie's incident on OCB0000001 with files.
func declare(t *testing.T, a *app.App, title string, files ...timeline.Upload) *incident.Incident {
	t.Helper()
	inc, err := a.Incidents.Declare(t.Context(), actor(t, a, "Marie.Dupont"), tenantID(t, a, "OCB0000001"), incident.Draft{Title: title,
		Description: "La machine virtuelle ne répond plus.", Service: "ecs", Region: "eu-west-0", Impact: "medium", Urgency: "medium", Files: files})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func do(t *testing.T, a *app.App, login string, inc *incident.Incident, act incident.Act) *incident.Incident {
	t.Helper()
	act.Version = inc.Version
	got, err := a.Incidents.Do(t.Context(), actor(t, a, login), inc.ID, act)
	if err != nil {
		t.Fatalf("%s on %s: %v", act.Action, inc.Number(), err)
	}
	return got
}

// closeLongAgo makes an incident with a public and an internal file, resolved at at and closed
// by the system a week later.
func closeLongAgo(t *testing.T, a *app.App, c *clock, at time.Time, title string) *incident.Incident {
	t.Helper()
	c.Set(at)
	inc := declare(t, a, title, png("graph.png"))
	inc = do(t, a, "Alice.Agent", inc, incident.Act{Action: incident.Take})
	do(t, a, "Alice.Agent", inc, incident.Act{Action: incident.Reply, Body: "Journal du nœud.", Internal: true, Files: []timeline.Upload{text("node.log")}})
	inc, err := incident.ByID(t.Context(), a.DB, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	do(t, a, "Alice.Agent", inc, incident.Act{Action: incident.Resolve, Body: "Disque remplacé."})
	c.Set(at.Add(8 * 24 * time.Hour))
	if _, err := a.Incidents.CloseResolved(t.Context(), c.Now()); err != nil {
		t.Fatal(err)
	}
	if got, _ := incident.ByID(t.Context(), a.DB, inc.ID); got.Status != incident.Closed {
		t.Fatalf("%s: %s, want closed", inc.Number(), got.Status)
	}
	return inc
}

// files reads a ticket's attachments by name, with their content.
func files(t *testing.T, a *app.App, s timeline.Subject) map[string]*timeline.Attachment {
	t.Helper()
	es, err := timeline.List(t.Context(), a.DB, s, true)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*timeline.Attachment{}
	for _, e := range es {
		for _, x := range e.Attachments {
			f, err := timeline.AttachmentByID(t.Context(), a.DB, x.ID)
			if err != nil {
				t.Fatal(err)
			}
			out[f.Name] = f
		}
	}
	return out
}

// traces returns a ticket's retention entries.
func traces(t *testing.T, a *app.App, s timeline.Subject) []timeline.Entry {
	t.Helper()
	es, err := timeline.List(t.Context(), a.DB, s, true)
	if err != nil {
		t.Fatal(err)
	}
	var out []timeline.Entry
	for _, e := range es {
		if e.Event == retention.Event {
			out = append(out, e)
		}
	}
	return out
}

func wantPurged(t *testing.T, what string, f *timeline.Attachment, at time.Time) {
	t.Helper()
	switch {
	case f == nil:
		t.Errorf("%s: no such file", what)
	case f.PurgedAt == nil || !f.PurgedAt.Equal(at):
		t.Errorf("%s: purged at %v, want %v", what, f.PurgedAt, at)
	case len(f.Data) != 0:
		t.Errorf("%s: %d bytes left", what, len(f.Data))
	case f.Size == 0:
		t.Errorf("%s: its size is lost", what)
	}
}

func wantKept(t *testing.T, what string, f *timeline.Attachment) {
	t.Helper()
	switch {
	case f == nil:
		t.Errorf("%s: no such file", what)
	case f.PurgedAt != nil || len(f.Data) == 0 || int64(len(f.Data)) != f.Size:
		t.Errorf("%s: purged (%v, %d bytes)", what, f.PurgedAt, len(f.Data))
	}
}

func wantTrace(t *testing.T, what string, es []timeline.Entry, kind timeline.Kind, from, to string) {
	t.Helper()
	if len(es) != 1 {
		t.Errorf("%s: %d retention entries, want 1", what, len(es))
		return
	}
	e := es[0]
	if e.Kind != kind || e.From != from || e.To != to || e.ActorID != nil || e.ValueType != timeline.Text {
		t.Errorf("%s: entry %s %q %q by %v, want %s %q %q by the system", what, e.Kind, e.From, e.To, e.ActorID, kind, from, to)
	}
}

func auditOf(t *testing.T, a *app.App) map[string]audit.Entry {
	t.Helper()
	var es []audit.Entry
	if err := a.DB.NewSelect().Model(&es).Where("action = ?", audit.AttachmentsPurged).OrderExpr("id").Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	out := map[string]audit.Entry{}
	for _, e := range es {
		if _, twice := out[e.Object]; twice {
			t.Errorf("%s audited twice", e.Object)
		}
		out[e.Object] = e
	}
	return out
}

// TestRetentionPurgesClosedTicketsOnce: the files of tickets closed two years ago are emptied and
// marked, with one trace on each timeline (an event naming the public files; an internal note
// when only internal files went) and one audit entry; a ticket closed recently, an open one and a
// file sent after the closure are kept; a second run purges nothing and writes nothing.
func TestRetentionPurgesClosedTicketsOnce(t *testing.T) {
	a := testutil.NewApp(t)
	c := (&clock{}).on(a)
	ctx := t.Context()
	t0 := time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)
	now := time.Date(2026, 3, 13, 9, 0, 0, 0, time.UTC) // closed 12 March 2024: due from 12 March 2026
	marie, sophie := actor(t, a, "Marie.Dupont"), actor(t, a, "Sophie.Commerciale")

	closed := closeLongAgo(t, a, c, t0, "Disque plein")

	c.Set(t0) // cancelled long ago, with the file of an internal note only
	internalOnly := declare(t, a, "Annulé")
	do(t, a, "Alice.Agent", internalOnly, incident.Act{Action: incident.Reply, Body: "Capture interne.", Internal: true, Files: []timeline.Upload{png("internal.png")}})
	internalOnly, _ = incident.ByID(ctx, a.DB, internalOnly.ID)
	do(t, a, "Marie.Dupont", internalOnly, incident.Act{Action: incident.Cancel})

	open := declare(t, a, "Toujours ouvert", png("open.png"))

	recent := declare(t, a, "Annulé le mois dernier", png("recent.png"))
	c.Set(now.AddDate(0, -1, 0))
	do(t, a, "Marie.Dupont", recent, incident.Act{Action: incident.Cancel})

	// A change request cancelled long ago, with a file sent then and one sent yesterday.
	c.Set(t0)
	chg, err := a.Changes.Submit(ctx, marie, tenantID(t, a, "OCB0000001"), "ecs_instances",
		map[string]string{"region": "eu-west-1", "current": "1", "requested": "2", "justification": "Croissance"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Changes.Reply(ctx, marie, chg.ID, "Le devis signé.", false, []timeline.Upload{png("quota.png")}); err != nil {
		t.Fatal(err)
	}
	chg, _ = change.ByID(ctx, a.DB, chg.ID)
	if _, err := a.Changes.Act(ctx, marie, chg.ID, change.StepInput{Action: change.Cancel, Version: chg.Version}); err != nil {
		t.Fatal(err)
	}
	c.Set(now.AddDate(0, 0, -1))
	if err := a.Changes.Reply(ctx, marie, chg.ID, "Pour mémoire.", false, []timeline.Upload{png("late.png")}); err != nil {
		t.Fatal(err)
	}

	// A sales form rejected long ago.
	c.Set(t0)
	req, err := a.Contracts.File(ctx, marie, tenantID(t, a, "OCB0000001"), contract.Form{Kind: contract.TenantOrder, ContractName: "Dupont Labo", Level: "standard"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Contracts.Reply(ctx, marie, req.ID, "Le bon de commande.", false, []timeline.Upload{png("order.png")}); err != nil {
		t.Fatal(err)
	}
	req, _ = contract.RequestByID(ctx, a.DB, req.ID)
	if _, err := a.Contracts.Decide(ctx, sophie, req.ID, contract.Decision{Reason: "Doublon.", Version: req.Version}); err != nil {
		t.Fatal(err)
	}

	// Ten days early (the day before the first ticket is due), nothing goes.
	if n, err := retention.Purge(ctx, a.DB, 24, now.AddDate(0, 0, -10), 2); err != nil || n != 0 {
		t.Fatalf("ten days early: %d purged, %v", n, err)
	}

	n, err := retention.Purge(ctx, a.DB, 24, now, 2) // batches of 2 tickets: several rounds
	if err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("%d files purged, want 5", n)
	}
	fs := files(t, a, closed.Subject())
	wantPurged(t, "graph.png", fs["graph.png"], now)
	wantPurged(t, "node.log", fs["node.log"], now)
	wantTrace(t, closed.Number(), traces(t, a, closed.Subject()), timeline.Event, "1", "graph.png")
	wantPurged(t, "internal.png", files(t, a, internalOnly.Subject())["internal.png"], now)
	wantTrace(t, internalOnly.Number(), traces(t, a, internalOnly.Subject()), timeline.Note, "1", "internal.png")
	fs = files(t, a, chg.Subject())
	wantPurged(t, "quota.png", fs["quota.png"], now)
	wantKept(t, "late.png", fs["late.png"])
	wantTrace(t, chg.Number(), traces(t, a, chg.Subject()), timeline.Event, "1", "quota.png")
	wantPurged(t, "order.png", files(t, a, req.Subject())["order.png"], now)
	wantTrace(t, req.Number(), traces(t, a, req.Subject()), timeline.Event, "1", "order.png")
	for _, inc := range []*incident.Incident{open, recent} {
		for name, f := range files(t, a, inc.Subject()) {
			wantKept(t, name, f)
		}
		if es := traces(t, a, inc.Subject()); len(es) != 0 {
			t.Errorf("%s: %d retention entries", inc.Number(), len(es))
		}
	}
	// A customer reads the public trace, never the internal one.
	pub, err := timeline.List(ctx, a.DB, internalOnly.Subject(), false)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range pub {
		if e.Event == retention.Event {
			t.Errorf("a customer reads the purge of an internal note's file: %+v", e)
		}
	}

	au := auditOf(t, a)
	want := map[string]int{closed.Number(): 2, internalOnly.Number(): 1, chg.Number(): 1, req.Number(): 1}
	if len(au) != len(want) {
		t.Errorf("audit entries for %v, want %v", au, want)
	}
	for obj, files := range want {
		e, ok := au[obj]
		var after map[string]int
		if ok {
			_ = json.Unmarshal([]byte(e.After), &after)
		}
		switch {
		case !ok:
			t.Errorf("%s: not audited", obj)
		case e.ActorID != nil || e.ActorLabel != "job attachments.retention":
			t.Errorf("%s: audited as %v %q", obj, e.ActorID, e.ActorLabel)
		case e.TenantID == nil || *e.TenantID != tenantID(t, a, "OCB0000001"):
			t.Errorf("%s: audited on tenant %v", obj, e.TenantID)
		case after["attachments"] != files:
			t.Errorf("%s: audited %s, want %d attachments", obj, e.After, files)
		}
	}

	// Again, and a day later: nothing more, no second trace.
	entries := testutil.Count(t, a.DB, "timeline_entries", "1 = 1")
	for _, at := range []time.Time{now, now.AddDate(0, 0, 1)} {
		if n, err := retention.Purge(ctx, a.DB, 24, at, retention.Batch); err != nil || n != 0 {
			t.Errorf("again at %s: %d purged, %v", at, n, err)
		}
	}
	if got := testutil.Count(t, a.DB, "timeline_entries", "1 = 1"); got != entries {
		t.Errorf("%d timeline entries after the second run, want %d", got, entries)
	}
	if got := len(auditOf(t, a)); got != len(want) {
		t.Errorf("%d audit entries after the second run, want %d", got, len(want))
	}
	// The late file goes when its own time comes.
	if n, err := retention.Purge(ctx, a.DB, 24, now.AddDate(2, 0, 0), retention.Batch); err != nil || n != 2 { // late.png and recent.png
		t.Errorf("two years later: %d purged, %v", n, err)
	}
	wantPurged(t, "late.png", files(t, a, chg.Subject())["late.png"], now.AddDate(2, 0, 0))
	if es := traces(t, a, chg.Subject()); len(es) != 2 || es[1].To != "late.png" {
		t.Errorf("%s: retention entries %+v", chg.Number(), es)
	}
}

// TestRetentionTwoInstancesPurgeOnce: two processes on one database run the purge at once,
// twice each; every file is purged once, with one trace and one audit entry per ticket.
func TestRetentionTwoInstancesPurgeOnce(t *testing.T) {
	a := testutil.NewApp(t)
	b, err := app.Open(context.Background(), a.Config, a.Log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	c := (&clock{}).on(a)
	t0 := time.Date(2024, 3, 4, 9, 0, 0, 0, time.UTC)
	var incs []*incident.Incident
	for i := range 7 {
		incs = append(incs, closeLongAgo(t, a, c, t0, fmt.Sprintf("Incident %d", i)))
	}
	now := t0.AddDate(3, 0, 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := 0
	for i := range 4 {
		d := []*app.App{a, b}[i%2]
		wg.Go(func() {
			n, err := retention.Purge(context.Background(), d.DB, 24, now, 3)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("process %d: %v", i%2, err)
			}
			total += n
		})
	}
	wg.Wait()
	if total != 2*len(incs) {
		t.Errorf("%d files purged in all, want %d", total, 2*len(incs))
	}
	for _, inc := range incs {
		wantTrace(t, inc.Number(), traces(t, a, inc.Subject()), timeline.Event, "1", "graph.png")
		for name, f := range files(t, a, inc.Subject()) {
			wantPurged(t, inc.Number()+" "+name, f, now)
		}
	}
	if got := len(auditOf(t, a)); got != len(incs) {
		t.Errorf("%d audit entries, want %d", got, len(incs))
	}
}
