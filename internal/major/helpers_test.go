package major_test

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/guichet/guichet/locales"
)

// The demo desk: Marie.Dupont (fr) is the referent of OCB0000001–3, John.Doe (en) a member of
// OCB0000001 with the incidents right only, Paul.Martin (fr) the referent of OCB0000004,
// Alice.Agent an agent, Sophie.Commerciale a sales rep, admin an admin.
const (
	t1, t2, t3, t4 = "OCB0000001", "OCB0000002", "OCB0000003", "OCB0000004"
	leads          = "leads@example.com"
)

// fixture is a desk on a private copy of the demo database, its clock stopped at now for the
// major incidents, the incidents and the outbox alike.
type fixture struct {
	t   *testing.T
	a   *app.App
	svc *major.Service
	inc *incident.Service
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	a := testutil.NewApp(t)
	// Near the real date: the demo's support levels are dated from the day the demo was made.
	f := &fixture{t: t, a: a, svc: a.Majors, inc: a.Incidents, now: time.Now().UTC().Truncate(time.Second)}
	clock := func() time.Time { return f.now }
	f.svc.Now, f.inc.Now, a.Notifier.Now = clock, clock, clock
	f.inc.Audience.Leads = []string{leads} // the roster the major incidents share
	if f.inc.Majors != f.svc {
		t.Fatal("the incident service is not built with the major incident service as its Majors")
	}
	return f
}

func (f *fixture) actor(login string) tenancy.Actor {
	f.t.Helper()
	u, err := identity.UserByLogin(f.t.Context(), f.a.DB, login)
	if err != nil {
		f.t.Fatalf("user %s: %v", login, err)
	}
	return tenancy.ActorOf(u)
}

func (f *fixture) userID(login string) int64 { return f.actor(login).UserID }

func (f *fixture) tenant(code string) int64 {
	f.t.Helper()
	tn, err := tenancy.TenantByCode(f.t.Context(), f.a.DB, code)
	if err != nil {
		f.t.Fatalf("tenant %s: %v", code, err)
	}
	return tn.ID
}

// incidentDraft is an incident on service in region.
func incidentDraft(service, region string) incident.Draft {
	return incident.Draft{Title: "Volumes inaccessibles", Description: "Nos volumes ne répondent plus depuis 9 h.",
		Service: service, Region: region, Impact: "high", Urgency: "medium"}
}

// declare declares an incident as login on tenant code, on service in region.
func (f *fixture) declare(login, code, service, region string) *incident.Incident {
	f.t.Helper()
	inc, err := f.inc.Declare(f.t.Context(), f.actor(login), f.tenant(code), incidentDraft(service, region))
	if err != nil {
		f.t.Fatalf("declare as %s on %s: %v", login, code, err)
	}
	return inc
}

// majorDraft is a major incident on ECS and EVS in eu-west-0, concerning tenants (all when none).
func majorDraft(tenants ...string) major.Draft {
	d := major.Draft{TitleFR: "Panne du stockage bloc à Paris", TitleEN: "Block storage outage in Paris",
		DescriptionFR: "Les volumes EVS de la région eu-west-0 ne répondent plus.",
		DescriptionEN: "EVS volumes in region eu-west-0 no longer answer.",
		Services:      []string{"ecs", "evs"}, Regions: []string{"eu-west-0"}}
	if len(tenants) == 0 {
		d.AllTenants = true
	} else {
		d.Tenants = strings.Join(tenants, " ")
	}
	return d
}

// open opens a major incident as Alice.Agent.
func (f *fixture) open(d major.Draft) *major.Major {
	f.t.Helper()
	m, err := f.svc.Open(f.t.Context(), f.actor("Alice.Agent"), d)
	if err != nil {
		f.t.Fatalf("open: %v", err)
	}
	return m
}

// link links incidents to m as Alice.Agent.
func (f *fixture) link(m *major.Major, incs ...*incident.Incident) {
	f.t.Helper()
	ids := make([]int64, 0, len(incs))
	for _, inc := range incs {
		ids = append(ids, inc.ID)
	}
	n, err := f.svc.Link(f.t.Context(), f.actor("Alice.Agent"), m.ID, "numbers", ids)
	if err != nil || n != len(ids) {
		f.t.Fatalf("link %v: %d linked, %v", ids, n, err)
	}
}

// post posts an update as Alice.Agent.
func (f *fixture) post(m *major.Major, state major.State, fr, en string) *major.Update {
	f.t.Helper()
	u, err := f.svc.Post(f.t.Context(), f.actor("Alice.Agent"), m.ID, major.UpdateDraft{State: string(state), BodyFR: fr, BodyEN: en})
	if err != nil {
		f.t.Fatalf("post %s: %v", state, err)
	}
	return u
}

// do applies act to inc as login.
func (f *fixture) do(login string, inc *incident.Incident, act incident.Act) *incident.Incident {
	f.t.Helper()
	act.Version = f.reload(inc).Version
	got, err := f.inc.Do(f.t.Context(), f.actor(login), inc.ID, act)
	if err != nil {
		f.t.Fatalf("%s on %s: %v", act.Action, inc.Number(), err)
	}
	return got
}

// take has Alice.Agent take inc: it is in progress.
func (f *fixture) take(inc *incident.Incident) *incident.Incident {
	return f.do("Alice.Agent", inc, incident.Act{Action: incident.Take})
}

// resolve has Alice.Agent resolve inc, which she works on.
func (f *fixture) resolve(inc *incident.Incident) *incident.Incident {
	return f.do("Alice.Agent", inc, incident.Act{Action: incident.Resolve, Body: "Réglé de notre côté."})
}

// reload reads an incident as it stands.
func (f *fixture) reload(inc *incident.Incident) *incident.Incident {
	f.t.Helper()
	got, err := incident.ByID(f.t.Context(), f.a.DB, inc.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return got
}

// majorOf reads a major incident as staff see it.
func (f *fixture) majorOf(id int64) *major.Major {
	f.t.Helper()
	m, err := f.svc.Get(f.t.Context(), f.actor("Alice.Agent"), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// entries is the whole timeline of an incident (notes included), oldest first.
func (f *fixture) entries(inc *incident.Incident) []timeline.Entry {
	f.t.Helper()
	es, err := timeline.List(f.t.Context(), f.a.DB, inc.Subject(), true)
	if err != nil {
		f.t.Fatal(err)
	}
	return es
}

// events are the entries of an incident's timeline whose event key starts with prefix.
func (f *fixture) events(inc *incident.Incident, prefix string) []timeline.Entry {
	var out []timeline.Entry
	for _, e := range f.entries(inc) {
		if e.Kind == timeline.Event && strings.HasPrefix(e.Event, prefix) {
			out = append(out, e)
		}
	}
	return out
}

// mail lists the outbox messages of kind, in the order written.
func (f *fixture) mail(kind string) []notify.Message {
	f.t.Helper()
	var ms []notify.Message
	if err := f.a.DB.NewSelect().Model(&ms).Where("kind = ?", kind).OrderExpr("id").Scan(f.t.Context()); err != nil {
		f.t.Fatal(err)
	}
	return ms
}

func (f *fixture) count(table, where string, args ...any) int {
	f.t.Helper()
	return testutil.Count(f.t, f.a.DB, table, where, args...)
}

// rows counts the rows a refused action must not have written.
type rows map[string]int

// snapshot counts the rows of every table a major incident's actions write.
func (f *fixture) snapshot() rows {
	f.t.Helper()
	out := rows{}
	for _, table := range []string{"major_incidents", "major_incident_tenants", "major_incident_updates", "major_incident_followers",
		"major_update_mail", "timeline_entries", "outbox", "incidents"} {
		out[table] = f.count(table, "1 = 1")
	}
	out["incidents linked"] = f.count("incidents", "major_id IS NOT NULL")
	return out
}

// unchanged fails unless the tables hold the rows they held at before.
func (f *fixture) unchanged(before rows, what string) {
	f.t.Helper()
	after := f.snapshot()
	for k, n := range before {
		if after[k] != n {
			f.t.Errorf("%s wrote to %s: %d rows, were %d", what, k, after[k], n)
		}
	}
}

var (
	bundleOnce sync.Once
	bundle     *i18n.Bundle
	bundleErr  error
)

// wantError fails t unless err is a localized error beside field (or page-level when field is
// "") with key, whose message exists in both languages; it returns the error for its arguments.
func wantError(t *testing.T, err error, field, key string) *i18n.Error {
	t.Helper()
	bundleOnce.Do(func() { bundle, bundleErr = i18n.Load(locales.FS) })
	if bundleErr != nil {
		t.Fatal(bundleErr)
	}
	es, ok := i18n.AsErrors(err)
	if !ok || len(es) != 1 {
		t.Errorf("error = %v, want %s beside %q", err, key, field)
		return &i18n.Error{}
	}
	if es[0].Field != field || es[0].Key != key {
		t.Errorf("error = %s beside %q, want %s beside %q", es[0].Key, es[0].Field, key, field)
	}
	for _, lang := range i18n.Langs {
		if !bundle.Has(lang, es[0].Key) {
			t.Errorf("%s has no message in %s", es[0].Key, lang)
		}
	}
	return es[0]
}

func wantNotFound(t *testing.T, err error, what string) {
	t.Helper()
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("%s: error = %v, want apperr.ErrNotFound", what, err)
	}
}
