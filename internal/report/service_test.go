package report_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/report"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// reportDesk is a desk on a copy of the demo whose clock the test moves, for the incidents, the
// major incidents, the change requests, the mail and the reports alike. The demo's support
// levels are dated from the real day; they are moved back to 2020 so that incidents declared
// in October and November 2026 get them: OCB0000001 Premium, OCB0000002 Business,
// OCB0000003 Standard, OCB0000004 Basic.
type reportDesk struct {
	t   *testing.T
	a   *app.App
	svc *report.Service
	now time.Time
}

func newReportDesk(t *testing.T) *reportDesk {
	t.Helper()
	a := testutil.NewApp(t)
	d := &reportDesk{t: t, a: a, now: utc("2026-10-01T08:00:00Z")}
	clock := func() time.Time { return d.now }
	a.Incidents.Now, a.Majors.Now, a.Changes.Now, a.Notifier.Now = clock, clock, clock, clock
	// Fresh is short: each dashboard reads what the last refresh wrote.
	d.svc = &report.Service{DB: a.DB, Cache: &report.Cache{DB: a.DB, Fresh: time.Nanosecond}, Policy: a.SLA, Notifier: a.Notifier, Now: clock}
	d.exec("UPDATE support_levels SET effective_from = ?", "2020-01-01")
	return d
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func day(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d *reportDesk) exec(query string, args ...any) {
	d.t.Helper()
	if _, err := d.a.DB.NewRaw(query, args...).Exec(d.t.Context()); err != nil {
		d.t.Fatalf("%s: %v", query, err)
	}
}

func (d *reportDesk) actor(login string) tenancy.Actor {
	d.t.Helper()
	u, err := identity.UserByLogin(d.t.Context(), d.a.DB, login)
	if err != nil {
		d.t.Fatalf("user %s: %v", login, err)
	}
	return tenancy.ActorOf(u)
}

func (d *reportDesk) tenant(code string) int64 {
	d.t.Helper()
	tn, err := tenancy.TenantByCode(d.t.Context(), d.a.DB, code)
	if err != nil {
		d.t.Fatalf("tenant %s: %v", code, err)
	}
	return tn.ID
}

// declare declares an incident as login on tenant code at when; impact and urgency make its
// priority (high+high P1, high+medium P2, medium+medium P3, low+low P4).
func (d *reportDesk) declare(login, code, impact, urgency, service, region, when string) *incident.Incident {
	d.t.Helper()
	d.now = utc(when)
	inc, err := d.a.Incidents.Declare(d.t.Context(), d.actor(login), d.tenant(code), incident.Draft{Title: "Volumes inaccessibles",
		Description: "Nos volumes ne répondent plus.", Service: service, Region: region, Impact: impact, Urgency: urgency})
	if err != nil {
		d.t.Fatalf("declare on %s: %v", code, err)
	}
	return inc
}

// do has login apply act to inc at when.
func (d *reportDesk) do(login string, inc *incident.Incident, when string, act incident.Act) {
	d.t.Helper()
	d.now = utc(when)
	cur, err := incident.ByID(d.t.Context(), d.a.DB, inc.ID)
	if err != nil {
		d.t.Fatal(err)
	}
	act.Version = cur.Version
	if _, err := d.a.Incidents.Do(d.t.Context(), d.actor(login), inc.ID, act); err != nil {
		d.t.Fatalf("%s on %s at %s: %v", act.Action, inc.Number(), when, err)
	}
}

func (d *reportDesk) take(inc *incident.Incident, when string) {
	d.do("Alice.Agent", inc, when, incident.Act{Action: incident.Take})
}

func (d *reportDesk) reply(inc *incident.Incident, when string) {
	d.do("Alice.Agent", inc, when, incident.Act{Action: incident.Reply, Body: "Nous regardons."})
}

func (d *reportDesk) resolve(inc *incident.Incident, when string) {
	d.do("Alice.Agent", inc, when, incident.Act{Action: incident.Resolve, Body: "Réglé."})
}

// refresh runs the report job at when.
func (d *reportDesk) refresh(when string) {
	d.t.Helper()
	if _, err := report.Refresh(d.t.Context(), d.a.DB, d.a.SLA, utc(when), nil); err != nil {
		d.t.Fatalf("refresh at %s: %v", when, err)
	}
}

// change submits a VPC quota request as login on tenant code at when: pre-approved at once
// when asking for 6 from 5, waiting for the sales rep when asking for 20.
func (d *reportDesk) change(login, code, requested, when string) *change.Request {
	d.t.Helper()
	d.now = utc(when)
	r, err := d.a.Changes.Submit(d.t.Context(), d.actor(login), d.tenant(code), "vpcs",
		map[string]string{"region": "eu-west-1", "current": "5", "requested": requested, "justification": "Croissance"})
	if err != nil {
		d.t.Fatalf("change request on %s: %v", code, err)
	}
	return r
}

// salesRequest writes a sales desk request as it stands (the report reads only its tenant, kind,
// state and dates).
func (d *reportDesk) salesRequest(code string, kind contract.Kind, state contract.State, created, decided string) {
	d.t.Helper()
	r := &contract.Request{TenantID: d.tenant(code), Kind: kind, State: state, RequesterID: d.actor("Marie.Dupont").UserID,
		Version: 1, CreatedAt: utc(created), UpdatedAt: utc(created)}
	if decided != "" {
		at, by := utc(decided), d.actor("Sophie.Commerciale").UserID
		r.DecidedAt, r.DecidedBy = &at, &by
	}
	if _, err := d.a.DB.NewInsert().Model(r).Exec(d.t.Context()); err != nil {
		d.t.Fatal(err)
	}
}

// salesRep creates a sales rep.
func (d *reportDesk) salesRep(login string) {
	d.t.Helper()
	if _, err := d.a.Identity.CreateUser(d.t.Context(), d.actor("admin").Actor, identity.UserInput{Login: login,
		Email: login + "@example.com", DisplayName: login, Lang: "en", Kind: identity.Sales, Active: true}); err != nil {
		d.t.Fatal(err)
	}
}

// story is what the scenario declared, by letter.
type story struct{ a, b, c, d, e, f, g, h *incident.Incident }

// scenario writes a history of incidents across the end of summer time (25 October 2026) and
// the end of October, with the report job run along the way. Paris times in the comments.
//
//	A OCB0000001 Premium P1 ecs: declared 25 Oct 01:50 CEST, answered 02:04 CEST (met), resolved
//	  03:30 CET (met), 2h40m across the repeated hour.
//	B OCB0000001 Premium P1 ecs: declared 31 Oct 21:00; first response due 21:15 (breached in
//	  October), answered 1 Nov 00:10; resolution due 1 Nov 01:00 (breached in November),
//	  resolved 02:00.
//	C OCB0000002 Business P2 evs: declared 31 Oct 23:00, answered 1 Nov 00:30 (met in November);
//	  resolution due 1 Nov 23:00. Its row is last computed at 03:00, open: the dashboard reads
//	  it breached once past due.
//	D OCB0000003 Standard P3 obs eu-west-1: declared Mon 26 Oct 09:00, answered 10:00, waits for
//	  the customer from 10:30 to Tue 09:00, resolved 11:00 (both met, business hours).
//	E OCB0000004 Basic P4 ecs na-east-0: declared 2 Nov 09:00, no target, left new.
//	F OCB0000001 P3 then P1 ecs: declared 3 Nov 10:00, reprioritized 10:05, cancelled 10:10 by
//	  its reporter before any target was due: none counts.
//	G OCB0000002 Business P2 evs: declared 4 Nov 11:00, answered 11:20, waits 11:30 to 13:30,
//	  resolved 14:00, reopened 16:00, resolved again 17:00 (met: 2 hours counted of 24).
//	H OCB0000001 Premium P2 evs: declared 5 Nov 09:00, resolved 10:00 by the resolution of a
//	  major incident: the resolution answers it an hour late (first response breached at
//	  09:30), within the resolution target.
func scenario(d *reportDesk) story {
	d.t.Helper()
	var s story
	s.a = d.declare("Marie.Dupont", "OCB0000001", "high", "high", "ecs", "eu-west-0", "2026-10-24T23:50:00Z")
	d.take(s.a, "2026-10-25T00:00:00Z")
	d.reply(s.a, "2026-10-25T00:04:00Z")
	d.refresh("2026-10-25T00:05:00Z")
	d.resolve(s.a, "2026-10-25T02:30:00Z")

	s.d = d.declare("Marie.Dupont", "OCB0000003", "medium", "medium", "obs", "eu-west-1", "2026-10-26T08:00:00Z")
	d.take(s.d, "2026-10-26T08:30:00Z")
	d.reply(s.d, "2026-10-26T09:00:00Z")
	d.do("Alice.Agent", s.d, "2026-10-26T09:30:00Z", incident.Act{Action: incident.Wait})
	d.refresh("2026-10-26T12:00:00Z")
	d.do("Marie.Dupont", s.d, "2026-10-27T08:00:00Z", incident.Act{Action: incident.Reply, Body: "Voici les journaux."})
	d.resolve(s.d, "2026-10-27T10:00:00Z")

	s.b = d.declare("John.Doe", "OCB0000001", "high", "high", "ecs", "eu-west-0", "2026-10-31T20:00:00Z")
	d.take(s.b, "2026-10-31T20:30:00Z")
	s.c = d.declare("Marie.Dupont", "OCB0000002", "high", "medium", "evs", "eu-west-0", "2026-10-31T22:00:00Z")
	d.reply(s.b, "2026-10-31T23:10:00Z")
	d.take(s.c, "2026-10-31T23:29:00Z")
	d.reply(s.c, "2026-10-31T23:30:00Z")
	d.resolve(s.b, "2026-11-01T01:00:00Z")
	d.refresh("2026-11-01T02:00:00Z")

	s.e = d.declare("Paul.Martin", "OCB0000004", "low", "low", "ecs", "na-east-0", "2026-11-02T08:00:00Z")
	s.f = d.declare("John.Doe", "OCB0000001", "medium", "medium", "ecs", "eu-west-0", "2026-11-03T09:00:00Z")
	d.do("Alice.Agent", s.f, "2026-11-03T09:05:00Z", incident.Act{Action: incident.Reprioritize, Priority: sla.P1, Body: "Production arrêtée."})
	d.do("John.Doe", s.f, "2026-11-03T09:10:00Z", incident.Act{Action: incident.Cancel})

	s.g = d.declare("Marie.Dupont", "OCB0000002", "high", "medium", "evs", "eu-west-0", "2026-11-04T10:00:00Z")
	d.take(s.g, "2026-11-04T10:10:00Z")
	d.reply(s.g, "2026-11-04T10:20:00Z")
	d.do("Alice.Agent", s.g, "2026-11-04T10:30:00Z", incident.Act{Action: incident.Wait})
	d.do("Marie.Dupont", s.g, "2026-11-04T12:30:00Z", incident.Act{Action: incident.Reply, Body: "C'est fait."})
	d.resolve(s.g, "2026-11-04T13:00:00Z")
	d.refresh("2026-11-04T14:00:00Z")
	d.do("Marie.Dupont", s.g, "2026-11-04T15:00:00Z", incident.Act{Action: incident.Reopen})
	d.resolve(s.g, "2026-11-04T16:00:00Z")

	s.h = d.declare("John.Doe", "OCB0000001", "high", "medium", "evs", "eu-west-0", "2026-11-05T08:00:00Z")
	d.now = utc("2026-11-05T08:10:00Z")
	alice := d.actor("Alice.Agent")
	m, err := d.a.Majors.Open(d.t.Context(), alice, major.Draft{TitleFR: "Panne du stockage bloc à Paris", TitleEN: "Block storage outage in Paris",
		DescriptionFR: "Les volumes EVS ne répondent plus.", DescriptionEN: "EVS volumes no longer answer.",
		Services: []string{"evs"}, Regions: []string{"eu-west-0"}, Tenants: "OCB0000001"})
	if err != nil {
		d.t.Fatal(err)
	}
	d.now = utc("2026-11-05T08:15:00Z")
	if _, err := d.a.Majors.Link(d.t.Context(), alice, m.ID, "numbers", []int64{s.h.ID}); err != nil {
		d.t.Fatal(err)
	}
	d.now = utc("2026-11-05T09:00:00Z")
	if _, err := d.a.Majors.Post(d.t.Context(), alice, m.ID, major.UpdateDraft{State: string(major.Resolved),
		BodyFR: "Le stockage est rétabli.", BodyEN: "Storage is back."}); err != nil {
		d.t.Fatal(err)
	}
	if got, _ := incident.ByID(d.t.Context(), d.a.DB, s.h.ID); got.Status != incident.Resolved {
		d.t.Fatalf("the major incident left %s %s", s.h.Number(), got.Status)
	}
	d.refresh("2026-11-05T10:00:00Z")
	d.now = utc("2026-11-05T12:00:00Z") // the dashboards are read now
	return s
}

// period is 20 October to 5 November 2026 (today).
func period(t *testing.T) report.Period {
	t.Helper()
	p, err := report.ParsePeriod(report.PeriodCustom, "2026-10-20", "2026-11-05", day("2026-11-05"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func secs(n int) time.Duration { return time.Duration(n) * time.Second }

func (d *reportDesk) dashboard(login string, q report.Query) (*report.Dashboard, error) {
	d.t.Helper()
	if q.Period == (report.Period{}) {
		q.Period = period(d.t)
	}
	return d.svc.Dashboard(d.t.Context(), d.actor(login), q)
}

// counts maps a dashboard's counts by tenant to the tenants' codes.
func counts(db *report.Dashboard) map[string]int {
	out := map[string]int{}
	for _, c := range db.Incidents.ByTenant {
		out[db.Codes[c.TenantID]] = c.N
	}
	return out
}

func breachList(db *report.Dashboard) []string {
	var out []string
	for _, b := range db.Incidents.Breaches {
		out = append(out, b.Target+"@"+b.Due.UTC().Format(time.RFC3339))
	}
	return out
}

func TestDashboard(t *testing.T) {
	d := newReportDesk(t)
	d.change("Marie.Dupont", "OCB0000001", "6", "2026-09-15T10:00:00Z") // before the period
	s := scenario(d)
	d.change("Marie.Dupont", "OCB0000001", "6", "2026-10-30T10:00:00Z")
	d.change("Paul.Martin", "OCB0000004", "6", "2026-11-02T10:00:00Z")
	big := d.change("Marie.Dupont", "OCB0000002", "20", "2026-11-03T10:00:00Z")
	d.now = utc("2026-11-03T14:00:00Z")
	if _, err := d.a.Changes.Act(t.Context(), d.actor("Sophie.Commerciale"), big.ID, change.StepInput{Action: change.Approve, Version: big.Version}); err != nil {
		t.Fatal(err)
	}
	d.change("Marie.Dupont", "OCB0000003", "20", "2026-11-04T10:00:00Z")
	d.salesRequest("OCB0000001", contract.SupportLevel, contract.Pending, "2026-10-28T10:00:00Z", "")
	d.salesRequest("OCB0000002", contract.ReferentChange, contract.Accepted, "2026-10-29T10:00:00Z", "2026-10-29T16:00:00Z")
	d.salesRequest("OCB0000004", contract.Cancellation, contract.Rejected, "2026-11-02T09:00:00Z", "2026-11-03T09:00:00Z")
	d.salesRequest("OCB0000001", contract.SupportLevel, contract.Accepted, "2026-10-10T10:00:00Z", "2026-10-21T10:00:00Z")
	d.now = utc("2026-11-05T12:00:00Z")

	got, err := d.dashboard("Alice.Agent", report.Query{})
	if err != nil {
		t.Fatal(err)
	}
	in := got.Incidents
	if in.Created != 8 || in.Resolved != 5 || in.Weekly || len(in.Series) != 17 {
		t.Errorf("created %d, resolved %d, weekly %v, %d points", in.Created, in.Resolved, in.Weekly, len(in.Series))
	}
	created := map[string]int{"2026-10-25": 1, "2026-10-26": 1, "2026-10-31": 2, "2026-11-02": 1, "2026-11-03": 1, "2026-11-04": 1, "2026-11-05": 1}
	resolved := map[string]int{"2026-10-25": 1, "2026-10-27": 1, "2026-11-01": 1, "2026-11-04": 1, "2026-11-05": 1}
	for _, p := range in.Series {
		if k := p.From.Date().String(); p.Created != created[k] || p.Resolved != resolved[k] {
			t.Errorf("%s: created %d, resolved %d; want %d, %d", k, p.Created, p.Resolved, created[k], resolved[k])
		}
	}
	var backlog [4][3]int
	backlog[1][1] = 1 // C, P2 in progress
	backlog[3][0] = 1 // E, P4 new
	if in.Backlog != backlog {
		t.Errorf("backlog %v, want %v", in.Backlog, backlog)
	}
	oct, nov := report.MonthOf(day("2026-10-01")), report.MonthOf(day("2026-11-01"))
	wantSLA := []report.SLAMonth{
		{Month: oct, Level: sla.Standard, FRMet: 1, ResMet: 1},                     // D
		{Month: oct, Level: sla.Premium, FRMet: 1, FRBreached: 1, ResMet: 1},       // A; B; A
		{Month: nov, Level: sla.Business, FRMet: 2, ResMet: 1, ResBreached: 1},     // C, G; G; C
		{Month: nov, Level: sla.Premium, FRBreached: 1, ResMet: 1, ResBreached: 1}, // H; H; B
	}
	if !reflect.DeepEqual(in.SLA, wantSLA) {
		t.Errorf("SLA\n got %+v\nwant %+v", in.SLA, wantSLA)
	}
	wantBreaches := []string{"first_response@2026-11-05T08:30:00Z", "resolution@2026-11-01T22:00:00Z",
		"resolution@2026-11-01T00:00:00Z", "first_response@2026-10-31T20:15:00Z"}
	if got := breachList(got); !reflect.DeepEqual(got, wantBreaches) || in.BreachCount != 4 {
		t.Errorf("%d breaches %q, want %q", in.BreachCount, got, wantBreaches)
	}
	if ids := []int64{in.Breaches[0].IncidentID, in.Breaches[1].IncidentID, in.Breaches[2].IncidentID, in.Breaches[3].IncidentID}; !reflect.DeepEqual(ids, []int64{s.h.ID, s.c.ID, s.b.ID, s.b.ID}) {
		t.Errorf("breached incidents %v", ids)
	}
	if got.Titles[s.b.ID] != "Volumes inaccessibles" || got.Codes[in.Breaches[1].TenantID] != "OCB0000002" {
		t.Errorf("titles %v, codes %v", got.Titles, got.Codes)
	}
	wantTTR := [4]report.Duration{
		{N: 2, Mean: secs(13800), Median: secs(13800)}, // A 2h40m, B 5h
		{N: 2, Mean: secs(12600), Median: secs(12600)}, // G 6h, H 1h
		{N: 1, Mean: 26 * time.Hour, Median: 26 * time.Hour},
		{},
	}
	if in.TTR != wantTTR {
		t.Errorf("TTR %+v, want %+v", in.TTR, wantTTR)
	}
	if want := (report.Duration{N: 5, Mean: secs(146400 / 5), Median: 5 * time.Hour}); in.Resolve != want {
		t.Errorf("resolve %+v, want %+v", in.Resolve, want)
	}
	// A 14m, G 20m, D 1h, H 1h, C 1h30m, B 3h10m.
	if want := (report.Duration{N: 6, Mean: secs(26040 / 6), Median: time.Hour}); in.FirstResponse != want {
		t.Errorf("first response %+v, want %+v", in.FirstResponse, want)
	}
	if want := map[string]int{"OCB0000001": 4, "OCB0000002": 2, "OCB0000003": 1, "OCB0000004": 1}; !reflect.DeepEqual(counts(got), want) {
		t.Errorf("by tenant %v", counts(got))
	}
	wantService := []report.Count{{Key: "ecs", N: 4}, {Key: "evs", N: 3}, {Key: "obs", N: 1}}
	wantRegion := []report.Count{{Key: "eu-west-0", N: 6}, {Key: "eu-west-1", N: 1}, {Key: "na-east-0", N: 1}}
	if !reflect.DeepEqual(in.ByService, wantService) || !reflect.DeepEqual(in.ByRegion, wantRegion) {
		t.Errorf("by service %v, by region %v", in.ByService, in.ByRegion)
	}
	// Changes made in the period: two pre-approved at once, one approved after 4 hours, one
	// waiting.
	wantChanges := report.Changes{ByState: []report.Count{{Key: "submitted", N: 1}, {Key: "approved", N: 3}}, Total: 4,
		Approval: report.Duration{N: 3, Mean: secs(14400 / 3), Median: 0}}
	if !reflect.DeepEqual(got.Changes, wantChanges) {
		t.Errorf("changes %+v, want %+v", got.Changes, wantChanges)
	}
	wantSales := report.Sales{ByKind: []report.KindCount{{Kind: contract.SupportLevel, Pending: 1, N: 1},
		{Kind: contract.Cancellation, Rejected: 1, N: 1}, {Kind: contract.ReferentChange, Accepted: 1, N: 1}}, Total: 3,
		Decision: report.Duration{N: 2, Mean: 15 * time.Hour, Median: 15 * time.Hour}}
	if !reflect.DeepEqual(got.Sales, wantSales) {
		t.Errorf("sales %+v, want %+v", got.Sales, wantSales)
	}

	// An admin sees the same; the filters narrow it.
	for _, c := range []struct {
		login   string
		q       report.Query
		created int
		tenants map[string]int
	}{
		{"admin", report.Query{}, 8, map[string]int{"OCB0000001": 4, "OCB0000002": 2, "OCB0000003": 1, "OCB0000004": 1}},
		{"Alice.Agent", report.Query{Tenant: "ocb0000002"}, 2, map[string]int{"OCB0000002": 2}},
		{"Alice.Agent", report.Query{Level: "premium"}, 4, map[string]int{"OCB0000001": 4}},
		{"Alice.Agent", report.Query{Service: "evs"}, 3, map[string]int{"OCB0000001": 1, "OCB0000002": 2}},
		{"Alice.Agent", report.Query{Tenant: "OCB0000001", Level: "business"}, 0, map[string]int{}},
		{"Alice.Agent", report.Query{Tenant: "OCB0000003", Service: "obs", Level: "standard"}, 1, map[string]int{"OCB0000003": 1}},
	} {
		got, err := d.dashboard(c.login, c.q)
		if err != nil {
			t.Errorf("%s %+v: %v", c.login, c.q, err)
			continue
		}
		if got.Incidents.Created != c.created || !reflect.DeepEqual(counts(got), c.tenants) {
			t.Errorf("%s %+v: created %d %v, want %d %v", c.login, c.q, got.Incidents.Created, counts(got), c.created, c.tenants)
		}
	}
	one, err := d.dashboard("Alice.Agent", report.Query{Tenant: "OCB0000002"})
	if err != nil {
		t.Fatal(err)
	}
	if one.Changes.Total != 1 || one.Sales.Total != 1 || one.Incidents.BreachCount != 1 || one.Incidents.Backlog != [4][3]int{1: {1: 1}} {
		t.Errorf("OCB0000002 alone: %d changes, %d sales requests, %d breaches, backlog %v", one.Changes.Total, one.Sales.Total,
			one.Incidents.BreachCount, one.Incidents.Backlog)
	}
	// The CSV lists the same breaches as the page.
	all, _, err := d.svc.AllBreaches(t.Context(), d.actor("Alice.Agent"), report.Query{Period: period(t)})
	if err != nil || len(all) != 4 || !reflect.DeepEqual(all, in.Breaches) {
		t.Errorf("all breaches %+v, %v", all, err)
	}

	// A week, a quarter: the series by day; a year, by week.
	for _, c := range []struct {
		kind, from, to string
		points         int
		weekly         bool
		created        int
	}{
		{report.PeriodWeek, "", "", 4, false, 4}, // Monday 2 to Thursday 5 November
		{report.PeriodQuarter, "", "", 36, false, 8},
		{report.Period30Days, "", "", 30, false, 8},
		{report.PeriodCustom, "2025-11-06", "2026-11-05", 53, true, 8},
	} {
		p, err := report.ParsePeriod(c.kind, c.from, c.to, d.svc.Today())
		if err != nil {
			t.Fatal(err)
		}
		got, err := d.dashboard("Alice.Agent", report.Query{Period: p})
		if err != nil || len(got.Incidents.Series) != c.points || got.Incidents.Weekly != c.weekly || got.Incidents.Created != c.created {
			t.Errorf("%s: %d points, weekly %v, created %d (%v)", c.kind, len(got.Incidents.Series), got.Incidents.Weekly, got.Incidents.Created, err)
		}
	}
}

func TestDashboardOfSalesReps(t *testing.T) {
	d := newReportDesk(t)
	scenario(d)
	d.salesRep("Bob.Sales")
	d.salesRep("Carl.Sales")
	d.exec("UPDATE tenants SET sales_rep_id = (SELECT id FROM users WHERE login = ?) WHERE code = ?", "Bob.Sales", "OCB0000004")
	d.now = utc("2026-11-05T12:00:00Z")
	d.change("Paul.Martin", "OCB0000004", "6", "2026-11-02T10:00:00Z")
	d.change("Marie.Dupont", "OCB0000001", "6", "2026-11-02T11:00:00Z")
	d.salesRequest("OCB0000004", contract.Cancellation, contract.Rejected, "2026-11-02T09:00:00Z", "2026-11-03T09:00:00Z")
	d.now = utc("2026-11-05T12:00:00Z")

	sophie, err := d.dashboard("Sophie.Commerciale", report.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var backlog [4][3]int
	backlog[1][1] = 1 // C only: E is Bob's
	if in := sophie.Incidents; in.Created != 7 || in.Resolved != 5 || in.BreachCount != 4 || in.Backlog != backlog ||
		!reflect.DeepEqual(counts(sophie), map[string]int{"OCB0000001": 4, "OCB0000002": 2, "OCB0000003": 1}) ||
		sophie.Changes.Total != 1 || sophie.Sales.Total != 0 || len(sophie.Tenants) != 3 {
		t.Errorf("Sophie: created %d, resolved %d, %d breaches, backlog %v, by tenant %v, %d changes, %d sales, %d tenants", in.Created,
			in.Resolved, in.BreachCount, in.Backlog, counts(sophie), sophie.Changes.Total, sophie.Sales.Total, len(sophie.Tenants))
	}
	if want := []report.Count{{Key: "ecs", N: 3}, {Key: "evs", N: 3}, {Key: "obs", N: 1}}; !reflect.DeepEqual(sophie.Incidents.ByService, want) {
		t.Errorf("Sophie's services %v", sophie.Incidents.ByService)
	}
	bob, err := d.dashboard("Bob.Sales", report.Query{})
	if err != nil {
		t.Fatal(err)
	}
	backlog = [4][3]int{}
	backlog[3][0] = 1
	if in := bob.Incidents; in.Created != 1 || in.Resolved != 0 || in.BreachCount != 0 || in.SLA != nil || in.Backlog != backlog ||
		!reflect.DeepEqual(counts(bob), map[string]int{"OCB0000004": 1}) || bob.Changes.Total != 1 || bob.Sales.Total != 1 {
		t.Errorf("Bob: created %d, resolved %d, %d breaches, SLA %v, backlog %v, by tenant %v, %d changes, %d sales", in.Created, in.Resolved,
			in.BreachCount, in.SLA, in.Backlog, counts(bob), bob.Changes.Total, bob.Sales.Total)
	}
	// A sales rep with no tenant sees nothing, not everything.
	carl, err := d.dashboard("Carl.Sales", report.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if in := carl.Incidents; in.Created != 0 || in.Resolved != 0 || in.BreachCount != 0 || in.Backlog != [4][3]int{} ||
		in.ByTenant != nil || carl.Changes.Total != 0 || carl.Sales.Total != 0 || len(carl.Tenants) != 0 {
		t.Errorf("Carl: created %d, resolved %d, %d breaches, backlog %v, by tenant %v, %d changes, %d sales", in.Created, in.Resolved,
			in.BreachCount, in.Backlog, in.ByTenant, carl.Changes.Total, carl.Sales.Total)
	}
	for login, n := range map[string]int{"Sophie.Commerciale": 4, "Bob.Sales": 0, "Carl.Sales": 0} {
		if all, _, err := d.svc.AllBreaches(t.Context(), d.actor(login), report.Query{Period: period(t)}); err != nil || len(all) != n {
			t.Errorf("%s's CSV: %d breaches, %v; want %d", login, len(all), err, n)
		}
	}
	// Another rep's tenant is not found, as an unknown one.
	for _, c := range []struct{ login, tenant string }{
		{"Bob.Sales", "OCB0000001"}, {"Sophie.Commerciale", "ocb0000004"}, {"Carl.Sales", "OCB0000002"}, {"Alice.Agent", "OCB9999999"},
	} {
		if _, err := d.dashboard(c.login, report.Query{Tenant: c.tenant}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s on %s: %v, want ErrNotFound", c.login, c.tenant, err)
		}
		if _, _, err := d.svc.AllBreaches(t.Context(), d.actor(c.login), report.Query{Period: period(t), Tenant: c.tenant}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s's CSV on %s: %v, want ErrNotFound", c.login, c.tenant, err)
		}
	}
	if got, err := d.dashboard("Sophie.Commerciale", report.Query{Tenant: "OCB0000002"}); err != nil || got.Incidents.Created != 2 {
		t.Errorf("Sophie on OCB0000002: %v", err)
	}
}

func TestDashboardRefusals(t *testing.T) {
	d := newReportDesk(t)
	d.now = utc("2026-11-05T12:00:00Z")
	// Customers have no dashboard, as if it did not exist.
	for _, login := range []string{"Marie.Dupont", "John.Doe", "Paul.Martin"} {
		if _, err := d.dashboard(login, report.Query{}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", login, err)
		}
		if _, _, err := d.svc.AllBreaches(t.Context(), d.actor(login), report.Query{Period: period(t)}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s's CSV: %v, want ErrNotFound", login, err)
		}
	}
	// Unknown filters: a message beside each field.
	_, err := d.dashboard("Alice.Agent", report.Query{Level: "gold", Service: "mainframe"})
	testutil.WantFields(t, err, "level:report.error.level", "service:report.error.service")
	_, err = d.dashboard("Sophie.Commerciale", report.Query{Level: "Premium"})
	testutil.WantFields(t, err, "level:report.error.level")
	_, err = d.dashboard("admin", report.Query{Service: "other"})
	if err != nil {
		t.Errorf("the service other: %v", err)
	}
}

func TestCustomerReport(t *testing.T) {
	d := newReportDesk(t)
	d.change("Marie.Dupont", "OCB0000001", "6", "2026-09-15T10:00:00Z")
	scenario(d)
	d.change("Marie.Dupont", "OCB0000001", "6", "2026-10-30T10:00:00Z")
	d.change("Paul.Martin", "OCB0000004", "6", "2026-11-02T10:00:00Z")
	d.change("Marie.Dupont", "OCB0000002", "20", "2026-11-03T10:00:00Z")
	d.change("Marie.Dupont", "OCB0000003", "20", "2026-11-04T10:00:00Z")
	d.now = utc("2026-11-05T12:00:00Z")
	months, err := report.ParseMonths("2026-10", "2026-11", d.svc.Today())
	if err != nil {
		t.Fatal(err)
	}
	oct, nov := report.MonthOf(day("2026-10-01")), report.MonthOf(day("2026-11-01"))
	report1 := func(login, tenant string) (*report.CustomerReport, error) {
		return d.svc.Customer(t.Context(), d.actor(login), report.CustomerQuery{Tenant: tenant, Months: months})
	}

	// Marie's three tenants together: never Paul's incident E, nor his change request.
	got, err := report1("Marie.Dupont", "")
	if err != nil {
		t.Fatal(err)
	}
	want := []report.SLAMonth{
		// Declared A, B, C (23:00 on 31 October), D; A and D met, B's first response breached;
		// answered A (14m), D (1h); resolved A (2h40m), D (26h).
		{Month: oct, Declared: 4, FRMet: 2, FRBreached: 1, ResMet: 2,
			FirstResponse: report.Duration{N: 2, Mean: secs(2220), Median: secs(2220)},
			Resolved:      report.Duration{N: 2, Mean: secs(51600), Median: secs(51600)}},
		// Declared F, G, H; C and G answered in time, H late; G and H resolved in time, B late,
		// C open past its due instant; answered B (on 1 November), C, G, H; resolved B, G, H.
		{Month: nov, Declared: 3, FRMet: 2, FRBreached: 1, ResMet: 2, ResBreached: 2,
			FirstResponse: report.Duration{N: 4, Mean: secs(5400), Median: secs(4500)},
			Resolved:      report.Duration{N: 3, Mean: secs(14400), Median: 5 * time.Hour}},
	}
	if !reflect.DeepEqual(got.Months, want) {
		t.Errorf("Marie's tenants\n got %+v\nwant %+v", got.Months, want)
	}
	if got.OpenIncidents != 1 || got.OpenChanges != 4 || !reflect.DeepEqual(got.Changes, []int{1, 2}) || got.Tenant != nil || len(got.Tenants) != 3 {
		t.Errorf("Marie: %d open incidents, %d open changes, changes %v, tenant %v, %d tenants", got.OpenIncidents, got.OpenChanges,
			got.Changes, got.Tenant, len(got.Tenants))
	}
	// The sum of the tenants one by one is the report of all three.
	var sum [2]report.SLAMonth
	for _, code := range []string{"OCB0000001", "OCB0000002", "ocb0000003"} {
		one, err := report1("Marie.Dupont", code)
		if err != nil {
			t.Fatal(err)
		}
		if one.Tenant == nil || !strings.EqualFold(one.Tenant.Code, code) {
			t.Errorf("%s: tenant %v", code, one.Tenant)
		}
		for i, m := range one.Months {
			sum[i].Declared += m.Declared
			sum[i].FRMet += m.FRMet
			sum[i].FRBreached += m.FRBreached
			sum[i].ResMet += m.ResMet
			sum[i].ResBreached += m.ResBreached
		}
	}
	for i, m := range got.Months {
		if s := sum[i]; s.Declared != m.Declared || s.FRMet != m.FRMet || s.FRBreached != m.FRBreached || s.ResMet != m.ResMet || s.ResBreached != m.ResBreached {
			t.Errorf("%s: the tenants one by one %+v, together %+v", m.Month, s, m)
		}
	}

	// OCB0000001 alone: A, B, F, H.
	one, err := report1("Marie.Dupont", "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}
	want = []report.SLAMonth{
		{Month: oct, Declared: 2, FRMet: 1, FRBreached: 1, ResMet: 1,
			FirstResponse: report.Duration{N: 1, Mean: 14 * time.Minute, Median: 14 * time.Minute},
			Resolved:      report.Duration{N: 1, Mean: 160 * time.Minute, Median: 160 * time.Minute}},
		{Month: nov, Declared: 2, FRBreached: 1, ResMet: 1, ResBreached: 1,
			FirstResponse: report.Duration{N: 2, Mean: secs(7500), Median: secs(7500)},
			Resolved:      report.Duration{N: 2, Mean: secs(10800), Median: secs(10800)}},
	}
	if !reflect.DeepEqual(one.Months, want) || one.OpenIncidents != 0 || one.OpenChanges != 2 || !reflect.DeepEqual(one.Changes, []int{1, 0}) {
		t.Errorf("OCB0000001\n got %+v (%d open, %d open changes, changes %v)\nwant %+v", one.Months, one.OpenIncidents, one.OpenChanges, one.Changes, want)
	}

	// Paul: OCB0000004 only, E.
	paul, err := report1("Paul.Martin", "")
	if err != nil {
		t.Fatal(err)
	}
	if want := []report.SLAMonth{{Month: oct}, {Month: nov, Declared: 1}}; !reflect.DeepEqual(paul.Months, want) || paul.OpenIncidents != 1 ||
		paul.OpenChanges != 1 || !reflect.DeepEqual(paul.Changes, []int{0, 1}) {
		t.Errorf("Paul: %+v, %d open, %d open changes, changes %v", paul.Months, paul.OpenIncidents, paul.OpenChanges, paul.Changes)
	}

	// Another tenant's report is not found, as an unknown one.
	for _, c := range []struct{ login, tenant string }{
		{"Paul.Martin", "OCB0000001"}, {"Marie.Dupont", "OCB0000004"}, {"Marie.Dupont", "OCB9999999"},
	} {
		if _, err := report1(c.login, c.tenant); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s on %s: %v, want ErrNotFound", c.login, c.tenant, err)
		}
	}
	// John has the incidents right only: no report; with the contract right, OCB0000001's.
	if _, err := report1("John.Doe", ""); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("John: %v, want ErrForbidden", err)
	}
	if _, err := report1("John.Doe", "OCB0000001"); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("John on OCB0000001: %v, want ErrForbidden", err)
	}
	testutil.SetRight(t, d.a.DB, d.tenant("OCB0000001"), d.actor("John.Doe").UserID, "can_contract", true)
	john, err := report1("John.Doe", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(john.Tenants) != 1 || john.Tenants[0].Code != "OCB0000001" || !reflect.DeepEqual(john.Months, one.Months) {
		t.Errorf("John with the contract right: %d tenants, %+v", len(john.Tenants), john.Months)
	}
	if _, err := report1("John.Doe", "OCB0000002"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("John on OCB0000002: %v, want ErrNotFound", err)
	}
	// Staff read no customer report.
	for _, login := range []string{"Alice.Agent", "Sophie.Commerciale", "admin"} {
		if _, err := report1(login, ""); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", login, err)
		}
		if ts, err := d.svc.ReportTenants(t.Context(), d.actor(login)); err != nil || len(ts) != 0 {
			t.Errorf("%s's report tenants: %v, %v", login, ts, err)
		}
	}
}
