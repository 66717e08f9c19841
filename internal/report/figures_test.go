package report

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/sla"
)

func ptr(s string) *time.Time {
	t := instant(s)
	return &t
}

// rowsOf places each fact's row at its incident id, as the cache does.
func rowsOf(fs ...Fact) []row {
	top := int64(0)
	for _, f := range fs {
		top = max(top, f.IncidentID)
	}
	rows := make([]row, top+1)
	for i := range fs {
		rows[fs[i].IncidentID] = rowOf(&fs[i])
	}
	return rows
}

func dayOfDate(s string) Day { return DayOfDate(date(s)) }

func month(s string) Month { return MonthOf(date(s + "-01")) }

func secs2(n int) time.Duration { return time.Duration(n) * time.Second }

// The facts of the engine's tests; times are UTC, their Paris days in the comments. The period
// counted is 20 October to 5 November 2026, across the end of summer time (25 October) and a
// month end; now is 5 November 12:00 UTC.
var (
	engineNow   = instant("2026-11-05T12:00:00Z")
	engineFacts = []Fact{
		// 1: created 25 Oct 01:50 CEST, answered 02:55 CEST, resolved 03:30 CET (2h40m later
		// across the repeated hour): both met on 25 October.
		{IncidentID: 1, TenantID: 10, Level: sla.Premium, Priority: sla.P1, Service: "ecs", Region: "eu-west-0", Status: "resolved",
			CreatedAt: instant("2026-10-24T23:50:00Z"), AnsweredAt: ptr("2026-10-25T00:55:00Z"), ResolvedAt: ptr("2026-10-25T02:30:00Z"),
			FRState: TargetMet, ResState: TargetMet},
		// 2: created 31 Oct 21:00 CET; first response breached 31 Oct 21:15 (October), answered
		// 1 Nov 00:10; resolution breached 1 Nov 01:00 (November), resolved 1 Nov 02:00.
		{IncidentID: 2, TenantID: 10, Level: sla.Premium, Priority: sla.P1, Service: "ecs", Region: "eu-west-0", Status: "closed",
			CreatedAt: instant("2026-10-31T20:00:00Z"), AnsweredAt: ptr("2026-10-31T23:10:00Z"), ResolvedAt: ptr("2026-11-01T01:00:00Z"),
			FRState: TargetBreached, FRDue: ptr("2026-10-31T20:15:00Z"), ResState: TargetBreached, ResDue: ptr("2026-11-01T00:00:00Z")},
		// 3: created 31 Oct 23:00 CET, answered 1 Nov 00:30 (met in November); the resolution
		// is still open, due 1 Nov 23:00 and past now: breached on 1 November.
		{IncidentID: 3, TenantID: 20, Level: sla.Business, Priority: sla.P2, Service: "evs", Region: "eu-west-0", Status: "in_progress",
			CreatedAt: instant("2026-10-31T22:00:00Z"), AnsweredAt: ptr("2026-10-31T23:30:00Z"),
			FRState: TargetMet, ResState: TargetOpen, ResDue: ptr("2026-11-01T22:00:00Z")},
		// 4: created 25 Oct 02:30 CEST (the first of the two 02:30), both targets open and due
		// after now.
		{IncidentID: 4, TenantID: 20, Level: sla.Business, Priority: sla.P3, Service: "obs", Region: "eu-west-1", Status: "new",
			CreatedAt: instant("2026-10-25T00:30:00Z"),
			FRState:   TargetOpen, FRDue: ptr("2026-11-10T09:00:00Z"), ResState: TargetOpen, ResDue: ptr("2026-11-20T09:00:00Z")},
		// 5: created and answered 19 Oct (before the period), resolved 21 Oct: 48 hours.
		{IncidentID: 5, TenantID: 30, Level: sla.Standard, Priority: sla.P4, Service: "ecs", Region: "alliance", Status: "resolved",
			CreatedAt: instant("2026-10-19T10:00:00Z"), AnsweredAt: ptr("2026-10-19T12:00:00Z"), ResolvedAt: ptr("2026-10-21T10:00:00Z"),
			FRState: TargetMet, ResState: TargetMet},
		// 6: Basic, no target, waiting for the customer.
		{IncidentID: 6, TenantID: 30, Level: sla.Basic, Priority: sla.P3, Service: "ecs", Region: "na-east-0", Status: "pending_customer",
			CreatedAt: instant("2026-11-02T08:00:00Z"), FRState: TargetNone, ResState: TargetNone},
		// 7: created 19 Oct 23:30 CEST, cancelled after its first response was breached at
		// 20 Oct 00:00 CEST, the first instant of the period.
		{IncidentID: 7, TenantID: 10, Level: sla.Premium, Priority: sla.P2, Service: "evs", Region: "eu-west-0", Status: "cancelled",
			CreatedAt: instant("2026-10-19T21:30:00Z"), FRState: TargetBreached, FRDue: ptr("2026-10-19T22:00:00Z"), ResState: TargetNone},
		// 8: created 5 Nov; its first response open but due at 11:15, before now: breached;
		// its resolution due after now.
		{IncidentID: 8, TenantID: 20, Level: sla.Premium, Priority: sla.P1, Service: "ecs", Region: "eu-west-0", Status: "new",
			CreatedAt: instant("2026-11-05T11:00:00Z"),
			FRState:   TargetOpen, FRDue: ptr("2026-11-05T11:15:00Z"), ResState: TargetOpen, ResDue: ptr("2026-11-05T15:00:00Z")},
		// 9: all of it on 1 and 2 October, before the period.
		{IncidentID: 9, TenantID: 10, Level: sla.Premium, Priority: sla.P4, Service: "ecs", Region: "eu-west-0", Status: "closed",
			CreatedAt: instant("2026-10-01T08:00:00Z"), AnsweredAt: ptr("2026-10-01T08:10:00Z"), ResolvedAt: ptr("2026-10-02T08:00:00Z"),
			FRState: TargetMet, ResState: TargetMet},
		// 10: answered 10 minutes after; its resolution open and due at now exactly: breached.
		{IncidentID: 10, TenantID: 10, Level: sla.Premium, Priority: sla.P2, Service: "evs", Region: "eu-west-1", Status: "in_progress",
			CreatedAt: instant("2026-11-05T04:00:00Z"), AnsweredAt: ptr("2026-11-05T04:10:00Z"),
			FRState: TargetMet, ResState: TargetOpen, ResDue: ptr("2026-11-05T12:00:00Z")},
	}
)

func engineFilter() Filter {
	return Filter{From: dayOfDate("2026-10-20"), To: dayOfDate("2026-11-05"), Now: engineNow}
}

func TestComputeIncidents(t *testing.T) {
	rows := rowsOf(engineFacts...)
	got := computeIncidents(rows, engineFilter())

	if got.Weekly || len(got.Series) != 17 {
		t.Fatalf("weekly %v, %d points; want 17 days", got.Weekly, len(got.Series))
	}
	created := map[string]int{"2026-10-25": 2, "2026-10-31": 2, "2026-11-02": 1, "2026-11-05": 2}
	resolved := map[string]int{"2026-10-21": 1, "2026-10-25": 1, "2026-11-01": 1}
	for i, p := range got.Series {
		day := dayOfDate("2026-10-20") + Day(i)
		if d := p.From.Date().String(); p.From != day || p.Created != created[d] || p.Resolved != resolved[d] {
			t.Errorf("point %d: %s created %d resolved %d; want %s created %d resolved %d", i, p.From.Date(), p.Created, p.Resolved,
				day.Date(), created[d], resolved[d])
		}
	}
	if got.Created != 7 || got.Resolved != 3 {
		t.Errorf("created %d, resolved %d; want 7, 3", got.Created, got.Resolved)
	}

	var backlog [4][3]int
	backlog[0][0] = 1 // 8: P1 new
	backlog[1][1] = 2 // 3 and 10: P2 in progress
	backlog[2][0] = 1 // 4: P3 new
	backlog[2][2] = 1 // 6: P3 waiting for the customer
	if got.Backlog != backlog {
		t.Errorf("backlog %v, want %v", got.Backlog, backlog)
	}

	wantSLA := []SLAMonth{
		{Month: month("2026-10"), Level: sla.Standard, ResMet: 1},                              // 5
		{Month: month("2026-10"), Level: sla.Premium, FRMet: 1, FRBreached: 2, ResMet: 1},      // 1; 2 and 7; 1
		{Month: month("2026-11"), Level: sla.Business, FRMet: 1, ResBreached: 1},               // 3; 3 open past due
		{Month: month("2026-11"), Level: sla.Premium, FRMet: 1, FRBreached: 1, ResBreached: 2}, // 10; 8 open; 2, 10 due now
	}
	if !reflect.DeepEqual(got.SLA, wantSLA) {
		t.Errorf("SLA\n got %+v\nwant %+v", got.SLA, wantSLA)
	}

	wantBreaches := []Breach{
		{IncidentID: 10, TenantID: 10, Level: sla.Premium, Priority: sla.P2, Target: Resolution, Due: instant("2026-11-05T12:00:00Z")},
		{IncidentID: 8, TenantID: 20, Level: sla.Premium, Priority: sla.P1, Target: FirstResponse, Due: instant("2026-11-05T11:15:00Z")},
		{IncidentID: 3, TenantID: 20, Level: sla.Business, Priority: sla.P2, Target: Resolution, Due: instant("2026-11-01T22:00:00Z")},
		{IncidentID: 2, TenantID: 10, Level: sla.Premium, Priority: sla.P1, Target: Resolution, Due: instant("2026-11-01T00:00:00Z")},
		{IncidentID: 2, TenantID: 10, Level: sla.Premium, Priority: sla.P1, Target: FirstResponse, Due: instant("2026-10-31T20:15:00Z")},
		{IncidentID: 7, TenantID: 10, Level: sla.Premium, Priority: sla.P2, Target: FirstResponse, Due: instant("2026-10-19T22:00:00Z")},
	}
	if !reflect.DeepEqual(got.Breaches, wantBreaches) || got.BreachCount != 6 {
		t.Errorf("%d breaches\n got %+v\nwant %+v", got.BreachCount, got.Breaches, wantBreaches)
	}
	if all := allBreaches(rows, engineFilter()); !reflect.DeepEqual(all, wantBreaches) {
		t.Errorf("all breaches\n got %+v\nwant %+v", all, wantBreaches)
	}

	// Resolved in the period: 1 (2h40m), 2 (5h), both P1; 5 (48h), P4.
	wantTTR := [4]Duration{{N: 2, Mean: secs2(13800), Median: secs2(13800)}, {}, {}, {N: 1, Mean: 48 * time.Hour, Median: 48 * time.Hour}}
	if got.TTR != wantTTR {
		t.Errorf("TTR %+v, want %+v", got.TTR, wantTTR)
	}
	if want := (Duration{N: 3, Mean: secs2((9600 + 18000 + 172800) / 3), Median: 5 * time.Hour}); got.Resolve != want {
		t.Errorf("resolve %+v, want %+v", got.Resolve, want)
	}
	// Answered in the period: 10 (10m), 1 (65m), 3 (90m), 2 (3h10m).
	if want := (Duration{N: 4, Mean: secs2((600 + 3900 + 5400 + 11400) / 4), Median: secs2((3900 + 5400) / 2)}); got.FirstResponse != want {
		t.Errorf("first response %+v, want %+v", got.FirstResponse, want)
	}

	wantService := []Count{{Key: "ecs", N: 4}, {Key: "evs", N: 2}, {Key: "obs", N: 1}}
	wantRegion := []Count{{Key: "eu-west-0", N: 4}, {Key: "eu-west-1", N: 2}, {Key: "na-east-0", N: 1}}
	wantTenant := []Count{{TenantID: 10, N: 3}, {TenantID: 20, N: 3}, {TenantID: 30, N: 1}}
	if !reflect.DeepEqual(got.ByService, wantService) || !reflect.DeepEqual(got.ByRegion, wantRegion) || !reflect.DeepEqual(got.ByTenant, wantTenant) {
		t.Errorf("by service %v, region %v, tenant %v", got.ByService, got.ByRegion, got.ByTenant)
	}
}

// ids lists the incidents of breaches.
func ids(bs []Breach) []int64 {
	var out []int64
	for _, b := range bs {
		out = append(out, b.IncidentID)
	}
	return out
}

func TestComputeIncidentsFilters(t *testing.T) {
	rows := rowsOf(engineFacts...)
	tests := []struct {
		name     string
		tenants  []int64
		level    sla.Level
		service  string
		created  int
		resolved int
		breaches []int64
		backlog  int
		tenantsN []Count
	}{
		{name: "tenant 20", tenants: []int64{20}, created: 3, resolved: 0, breaches: []int64{8, 3}, backlog: 3,
			tenantsN: []Count{{TenantID: 20, N: 3}}},
		{name: "tenants 10 and 30", tenants: []int64{30, 10}, created: 4, resolved: 3, breaches: []int64{10, 2, 2, 7}, backlog: 2,
			tenantsN: []Count{{TenantID: 10, N: 3}, {TenantID: 30, N: 1}}},
		{name: "no tenant", tenants: []int64{}, tenantsN: nil},
		{name: "an unknown tenant", tenants: []int64{99}, tenantsN: nil},
		{name: "premium", level: sla.Premium, created: 4, resolved: 2, breaches: []int64{10, 8, 2, 2, 7}, backlog: 2,
			tenantsN: []Count{{TenantID: 10, N: 3}, {TenantID: 20, N: 1}}},
		{name: "basic", level: sla.Basic, created: 1, backlog: 1, tenantsN: []Count{{TenantID: 30, N: 1}}},
		{name: "evs", service: "evs", created: 2, breaches: []int64{10, 3, 7}, backlog: 2,
			tenantsN: []Count{{TenantID: 10, N: 1}, {TenantID: 20, N: 1}}},
		{name: "premium ecs of tenant 10", tenants: []int64{10}, level: sla.Premium, service: "ecs", created: 2, resolved: 2,
			breaches: []int64{2, 2}, tenantsN: []Count{{TenantID: 10, N: 2}}},
		{name: "a service nobody declared on", service: "billing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := engineFilter()
			f.Tenants, f.Level, f.Service = tt.tenants, tt.level, tt.service
			got := computeIncidents(rows, f)
			backlog := 0
			for _, p := range got.Backlog {
				for _, n := range p {
					backlog += n
				}
			}
			if got.Created != tt.created || got.Resolved != tt.resolved || backlog != tt.backlog || got.BreachCount != len(tt.breaches) {
				t.Errorf("created %d, resolved %d, backlog %d, %d breaches; want %d, %d, %d, %d", got.Created, got.Resolved, backlog,
					got.BreachCount, tt.created, tt.resolved, tt.backlog, len(tt.breaches))
			}
			if !slices.Equal(ids(got.Breaches), tt.breaches) || !slices.Equal(ids(allBreaches(rows, f)), tt.breaches) {
				t.Errorf("breaches of %v (all: %v), want %v", ids(got.Breaches), ids(allBreaches(rows, f)), tt.breaches)
			}
			if !reflect.DeepEqual(got.ByTenant, tt.tenantsN) {
				t.Errorf("by tenant %v, want %v", got.ByTenant, tt.tenantsN)
			}
			// Whatever the filter, every figure comes from the incidents it keeps.
			for _, b := range got.Breaches {
				r := rows[b.IncidentID]
				if (tt.tenants != nil && !slices.Contains(tt.tenants, int64(r.tenant))) || (tt.level != "" && b.Level != tt.level) {
					t.Errorf("breach of incident %d outside the filter", b.IncidentID)
				}
			}
			n := 0
			for _, c := range got.ByService {
				n += c.N
				if tt.service != "" && c.Key != tt.service {
					t.Errorf("service %s outside the filter", c.Key)
				}
			}
			if n != got.Created {
				t.Errorf("services count %d incidents, %d created", n, got.Created)
			}
		})
	}
}

func TestComputeIncidentsNow(t *testing.T) {
	rows := rowsOf(engineFacts...)
	// An hour before 3's resolution was due, it is not breached yet; 8 and 10 were not even
	// declared: their targets are open and not due.
	f := engineFilter()
	f.Now = instant("2026-11-01T21:00:00Z")
	got := computeIncidents(rows, f)
	if !slices.Equal(ids(got.Breaches), []int64{2, 2, 7}) {
		t.Errorf("breaches before 3's due: %v", ids(got.Breaches))
	}
	f.Now = instant("2026-11-01T22:00:00Z") // due at now: breached
	if got := computeIncidents(rows, f); !slices.Equal(ids(got.Breaches), []int64{3, 2, 2, 7}) {
		t.Errorf("breaches at 3's due: %v", ids(got.Breaches))
	}
	// A period that ends before a breach's day does not count it, whatever now is.
	f = engineFilter()
	f.To = dayOfDate("2026-10-31")
	got = computeIncidents(rows, f)
	if !slices.Equal(ids(got.Breaches), []int64{2, 7}) || got.Created != 4 || len(got.SLA) != 2 {
		t.Errorf("to 31 October: breaches %v, created %d, SLA %+v", ids(got.Breaches), got.Created, got.SLA)
	}
	// The first of November alone: 2's resolution breached at 01:00, 3's at 23:00; 2 resolved.
	f = engineFilter()
	f.From, f.To = dayOfDate("2026-11-01"), dayOfDate("2026-11-01")
	got = computeIncidents(rows, f)
	wantSLA := []SLAMonth{{Month: month("2026-11"), Level: sla.Business, FRMet: 1, ResBreached: 1},
		{Month: month("2026-11"), Level: sla.Premium, ResBreached: 1}}
	if !slices.Equal(ids(got.Breaches), []int64{3, 2}) || got.Created != 0 || got.Resolved != 1 || !reflect.DeepEqual(got.SLA, wantSLA) {
		t.Errorf("1 November: breaches %v, created %d, resolved %d, SLA %+v", ids(got.Breaches), got.Created, got.Resolved, got.SLA)
	}
	// The 25 hours of 25 October.
	f.From, f.To = dayOfDate("2026-10-25"), dayOfDate("2026-10-25")
	got = computeIncidents(rows, f)
	wantSLA = []SLAMonth{{Month: month("2026-10"), Level: sla.Premium, FRMet: 1, ResMet: 1}}
	if got.Created != 2 || got.Resolved != 1 || got.BreachCount != 0 || !reflect.DeepEqual(got.SLA, wantSLA) ||
		got.TTR[0] != (Duration{N: 1, Mean: 160 * time.Minute, Median: 160 * time.Minute}) {
		t.Errorf("25 October: created %d, resolved %d, %d breaches, SLA %+v, TTR P1 %+v", got.Created, got.Resolved, got.BreachCount, got.SLA, got.TTR[0])
	}
}

func TestComputeIncidentsWeekly(t *testing.T) {
	rows := rowsOf(engineFacts...)
	f := Filter{From: dayOfDate("2026-09-01"), To: dayOfDate("2026-11-30"), Now: engineNow} // 91 days, from a Tuesday
	got := computeIncidents(rows, f)
	if !got.Weekly || len(got.Series) != 14 {
		t.Fatalf("weekly %v, %d points; want 14 weeks", got.Weekly, len(got.Series))
	}
	// Weeks from Monday 31 August; the first begins on the period's first day.
	created := map[int]int{4: 1, 7: 4, 8: 2, 9: 3} // 9; 1, 4, 5, 7; 2, 3; 6, 8, 10
	resolved := map[int]int{4: 1, 7: 2, 8: 1}      // 9; 1, 5; 2
	for i, p := range got.Series {
		from := dayOfDate("2026-08-31") + Day(7*i)
		if i == 0 {
			from = dayOfDate("2026-09-01")
		}
		if p.From != from || p.Created != created[i] || p.Resolved != resolved[i] {
			t.Errorf("week %d: from %s created %d resolved %d; want from %s created %d resolved %d", i, p.From.Date(), p.Created,
				p.Resolved, from.Date(), created[i], resolved[i])
		}
	}
	if got.Created != 10 || got.Resolved != 4 {
		t.Errorf("created %d, resolved %d", got.Created, got.Resolved)
	}
	// 62 days still count days; 63 count weeks.
	f = Filter{From: dayOfDate("2026-09-01"), To: dayOfDate("2026-11-01"), Now: engineNow}
	if got := computeIncidents(rows, f); got.Weekly || len(got.Series) != 62 {
		t.Errorf("62 days: weekly %v, %d points", got.Weekly, len(got.Series))
	}
	f.To = dayOfDate("2026-11-02") // a Monday: a week of its own, of one day
	got = computeIncidents(rows, f)
	if last := got.Series[len(got.Series)-1]; !got.Weekly || len(got.Series) != 10 || last.From != f.To || last.Created != 1 {
		t.Errorf("63 days: weekly %v, %d points, last %+v", got.Weekly, len(got.Series), last)
	}
	// A year's period, as long as allowed.
	f = Filter{From: dayOfDate("2025-11-06"), To: dayOfDate("2026-11-06"), Now: engineNow}
	got = computeIncidents(rows, f)
	sum := 0
	for _, p := range got.Series {
		sum += p.Created
	}
	if len(got.Series) != 53 || sum != 10 || got.Created != 10 {
		t.Errorf("a year: %d weeks, %d created in the series, %d in all", len(got.Series), sum, got.Created)
	}
}

func TestComputeMonths(t *testing.T) {
	rows := rowsOf(engineFacts...)
	f := Filter{From: dayOfDate("2026-10-01"), To: dayOfDate("2026-11-30"), Tenants: []int64{10}, Now: engineNow}
	got := computeMonths(rows, f)
	want := []SLAMonth{
		// Declared 1, 2, 7, 9; first responses 9, 1 met, 7, 2 breached; resolutions 9, 1 met.
		{Month: month("2026-10"), Declared: 4, FRMet: 2, FRBreached: 2, ResMet: 2,
			FirstResponse: Duration{N: 2, Mean: secs2(2250), Median: secs2(2250)},
			Resolved:      Duration{N: 2, Mean: secs2(48000), Median: secs2(48000)}},
		// Declared 10; answered 2 (on 1 November) and 10; resolution of 2 breached on
		// 1 November, of 10 open and due at now.
		{Month: month("2026-11"), Declared: 1, FRMet: 1, ResBreached: 2,
			FirstResponse: Duration{N: 2, Mean: secs2(6000), Median: secs2(6000)},
			Resolved:      Duration{N: 1, Mean: 5 * time.Hour, Median: 5 * time.Hour}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tenant 10\n got %+v\nwant %+v", got, want)
	}
	if n := openCount(rows, f); n != 1 { // 10
		t.Errorf("open of tenant 10: %d", n)
	}

	// Another tenant's incidents are never counted in a tenant's report.
	f.Tenants = []int64{20}
	got = computeMonths(rows, f)
	want = []SLAMonth{
		{Month: month("2026-10"), Declared: 2}, // 3 and 4, declared 31 and 25 October
		{Month: month("2026-11"), Declared: 1, FRMet: 1, FRBreached: 1, ResBreached: 1,
			FirstResponse: Duration{N: 1, Mean: 90 * time.Minute, Median: 90 * time.Minute}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tenant 20\n got %+v\nwant %+v", got, want)
	}
	if n := openCount(rows, f); n != 3 {
		t.Errorf("open of tenant 20: %d", n)
	}
	// Each incident at its own level: a Premium and a Business incident of the same tenant
	// count together, each against its own target.
	f.Tenants = []int64{10, 20, 30}
	all := computeMonths(rows, f)
	sum := func(ms []SLAMonth) (n int) {
		for _, m := range ms {
			n += m.Declared + m.FRMet + m.FRBreached + m.ResMet + m.ResBreached
		}
		return n
	}
	var parts int
	for _, tn := range []int64{10, 20, 30} {
		f.Tenants = []int64{tn}
		parts += sum(computeMonths(rows, f))
	}
	if sum(all) != parts {
		t.Errorf("all tenants count %d, the tenants one by one %d", sum(all), parts)
	}
	// A span of one month, today in the middle of it.
	f = Filter{From: dayOfDate("2026-11-01"), To: dayOfDate("2026-11-05"), Tenants: []int64{10}, Now: engineNow}
	if got := computeMonths(rows, f); len(got) != 1 || got[0].Month != month("2026-11") || got[0].Declared != 1 {
		t.Errorf("November to the 5th: %+v", got)
	}
	// Twelve months, most of them empty.
	f = Filter{From: dayOfDate("2025-12-01"), To: dayOfDate("2026-11-05"), Tenants: []int64{10}, Now: engineNow}
	if got := computeMonths(rows, f); len(got) != 12 || got[0].Month != month("2025-12") || got[10].Declared != 4 {
		t.Errorf("twelve months: %d, first %s, October %+v", len(got), got[0].Month, got[10])
	}
}

// TestSLASplitAcrossDSTAndMonthEnd follows targets that end on either side of the end of
// summer time and of a month end: each counts in the Paris day (and month) its outcome
// happened, met at the answer or resolution, breached at its due instant.
func TestSLASplitAcrossDSTAndMonthEnd(t *testing.T) {
	fs := []Fact{
		// Met at 02:59 CEST (00:59 UTC) and at 02:01 CET (01:01 UTC) on 25 October, an hour
		// of wall clock apart but the same Paris day.
		{IncidentID: 1, TenantID: 1, Level: sla.Premium, Priority: sla.P1, Service: "ecs", Region: "eu-west-0", Status: "resolved",
			CreatedAt: instant("2026-10-24T22:30:00Z"), AnsweredAt: ptr("2026-10-25T00:59:00Z"), ResolvedAt: ptr("2026-10-25T01:01:00Z"),
			FRState: TargetMet, ResState: TargetMet},
		// Breached at 23:59 CET on 25 October (22:59 UTC): 25 October; answered 26 October.
		{IncidentID: 2, TenantID: 1, Level: sla.Premium, Priority: sla.P1, Service: "ecs", Region: "eu-west-0", Status: "in_progress",
			CreatedAt: instant("2026-10-25T22:44:00Z"), AnsweredAt: ptr("2026-10-25T23:10:00Z"),
			FRState: TargetBreached, FRDue: ptr("2026-10-25T22:59:00Z"), ResState: TargetOpen, ResDue: ptr("2026-10-26T02:44:00Z")},
		// Breached at 00:00 CET on 1 November (23:00 UTC on 31 October): November.
		{IncidentID: 3, TenantID: 1, Level: sla.Business, Priority: sla.P1, Service: "ecs", Region: "eu-west-0", Status: "in_progress",
			CreatedAt: instant("2026-10-31T22:00:00Z"), AnsweredAt: ptr("2026-10-31T23:30:00Z"),
			FRState: TargetBreached, FRDue: ptr("2026-10-31T23:00:00Z"), ResState: TargetOpen, ResDue: ptr("2026-11-01T06:00:00Z")},
		// Met at 23:59 CET on 31 October (22:59 UTC): October; resolved 00:30 CET 1 November:
		// November.
		{IncidentID: 4, TenantID: 1, Level: sla.Business, Priority: sla.P1, Service: "ecs", Region: "eu-west-0", Status: "resolved",
			CreatedAt: instant("2026-10-31T22:30:00Z"), AnsweredAt: ptr("2026-10-31T22:59:00Z"), ResolvedAt: ptr("2026-10-31T23:30:00Z"),
			FRState: TargetMet, ResState: TargetMet},
		// An open target due 00:30 CET on 1 November, not recomputed since: breached in November.
		{IncidentID: 5, TenantID: 1, Level: sla.Premium, Priority: sla.P1, Service: "ecs", Region: "eu-west-0", Status: "new",
			CreatedAt: instant("2026-10-31T23:15:00Z"),
			FRState:   TargetOpen, FRDue: ptr("2026-10-31T23:30:00Z"), ResState: TargetOpen, ResDue: ptr("2026-11-01T03:15:00Z")},
		// Breached on the last hour of summer time's last Saturday (23:30 CEST, 21:30 UTC on
		// 24 October): 24 October, outside a period that begins on the 25th.
		{IncidentID: 6, TenantID: 1, Level: sla.Premium, Priority: sla.P2, Service: "ecs", Region: "eu-west-0", Status: "in_progress",
			CreatedAt: instant("2026-10-24T21:00:00Z"), AnsweredAt: ptr("2026-10-24T22:10:00Z"),
			FRState: TargetBreached, FRDue: ptr("2026-10-24T21:30:00Z"), ResState: TargetOpen, ResDue: ptr("2026-10-26T05:00:00Z")},
	}
	rows := rowsOf(fs...)
	now := instant("2026-11-01T12:00:00Z") // every open target above is past due
	f := Filter{From: dayOfDate("2026-10-25"), To: dayOfDate("2026-11-01"), Now: now}
	got := computeIncidents(rows, f)
	want := []SLAMonth{
		{Month: month("2026-10"), Level: sla.Business, FRMet: 1},                                          // 4
		{Month: month("2026-10"), Level: sla.Premium, FRMet: 1, FRBreached: 1, ResMet: 1, ResBreached: 2}, // 1; 2; 1; 2, 6
		{Month: month("2026-11"), Level: sla.Business, FRBreached: 1, ResMet: 1, ResBreached: 1},          // 3; 4; 3
		{Month: month("2026-11"), Level: sla.Premium, FRBreached: 1, ResBreached: 1},                      // 5; 5
	}
	if !reflect.DeepEqual(got.SLA, want) {
		t.Errorf("SLA\n got %+v\nwant %+v", got.SLA, want)
	}
	byDay := map[string][]int64{}
	for _, b := range allBreaches(rows, f) {
		d := DayOf(b.Due).Date().String()
		byDay[d] = append(byDay[d], b.IncidentID)
	}
	wantDays := map[string][]int64{"2026-10-25": {2}, "2026-10-26": {6, 2}, "2026-11-01": {3, 5, 5, 3}}
	if !reflect.DeepEqual(byDay, wantDays) {
		t.Errorf("breaches by day %v, want %v", byDay, wantDays)
	}
	// By month, each incident at its own level (the customer report).
	months := computeMonths(rows, f)
	wantMonths := []SLAMonth{
		// Declared 1 to 4 (3 at 23:00 CET on 31 October); answered 1, 2, 4 and 6 (00:10 CEST on
		// 25 October, declared the day before).
		{Month: month("2026-10"), Declared: 4, FRMet: 2, FRBreached: 1, ResMet: 1, ResBreached: 2,
			FirstResponse: Duration{N: 4, Mean: secs2((1560 + 1740 + 4200 + 8940) / 4), Median: secs2((1740 + 4200) / 2)},
			Resolved:      Duration{N: 1, Mean: secs2(9060), Median: secs2(9060)}},
		{Month: month("2026-11"), Declared: 1, FRBreached: 2, ResMet: 1, ResBreached: 2,
			FirstResponse: Duration{N: 1, Mean: 90 * time.Minute, Median: 90 * time.Minute},
			Resolved:      Duration{N: 1, Mean: time.Hour, Median: time.Hour}},
	}
	if !reflect.DeepEqual(months, wantMonths) {
		t.Errorf("months\n got %+v\nwant %+v", months, wantMonths)
	}
	// Before any target was due, only what was met counts.
	f.Now = instant("2026-10-24T22:00:00Z")
	if got := computeIncidents(rows, f); got.BreachCount != 2 { // 2 and 3 breached for good (6 before the period)
		t.Errorf("%d breaches before the due instants", got.BreachCount)
	}
}

func TestMaxBreaches(t *testing.T) {
	var fs []Fact
	base := instant("2026-03-02T08:00:00Z")
	for i := range MaxBreaches + 12 {
		due := base.Add(time.Duration((i*37)%(MaxBreaches+12)) * time.Hour) // every due instant once, out of order
		fs = append(fs, Fact{IncidentID: int64(i + 1), TenantID: 1, Level: sla.Premium, Priority: sla.P1, Service: "ecs",
			Region: "eu-west-0", Status: "in_progress", CreatedAt: base.Add(-time.Hour),
			FRState: TargetBreached, FRDue: &due, ResState: TargetOpen, ResDue: ptr("2026-06-01T00:00:00Z")})
	}
	// Two breaches due at the same instant: the later incident first.
	tie := base.Add(60 * time.Hour)
	fs = append(fs, Fact{IncidentID: 100, TenantID: 1, Level: sla.Premium, Priority: sla.P1, Service: "ecs", Region: "eu-west-0",
		Status: "new", CreatedAt: base, FRState: TargetBreached, FRDue: &tie, ResState: TargetNone})
	rows := rowsOf(fs...)
	f := Filter{From: dayOfDate("2026-03-01"), To: dayOfDate("2026-03-31"), Now: instant("2026-03-31T12:00:00Z")}
	got := computeIncidents(rows, f)
	all := allBreaches(rows, f)
	if got.BreachCount != MaxBreaches+13 || len(got.Breaches) != MaxBreaches || len(all) != MaxBreaches+13 {
		t.Fatalf("%d breaches counted, %d listed, %d in all", got.BreachCount, len(got.Breaches), len(all))
	}
	if !reflect.DeepEqual(got.Breaches, all[:MaxBreaches]) {
		t.Errorf("the dashboard's breaches are not the newest of all:\n%v\n%v", ids(got.Breaches), ids(all[:MaxBreaches]))
	}
	for i := 1; i < len(all); i++ {
		if all[i].Due.After(all[i-1].Due) || (all[i].Due.Equal(all[i-1].Due) && all[i].IncidentID > all[i-1].IncidentID) {
			t.Fatalf("breach %d (%d, %s) after %d (%d, %s)", i, all[i].IncidentID, all[i].Due, i-1, all[i-1].IncidentID, all[i-1].Due)
		}
	}
	if !all[0].Due.Equal(base.Add(time.Duration(MaxBreaches+11)*time.Hour)) || !all[len(all)-1].Due.Equal(base) {
		t.Errorf("newest %s, oldest %s", all[0].Due, all[len(all)-1].Due)
	}
}

func TestRowOf(t *testing.T) {
	f := engineFacts[1]
	r := rowOf(&f)
	if r.tenant != 10 || r.level != 3 || r.prio != 0 || r.service != 0 || r.region != 0 || r.stat != 4 || r.fr != tBreached ||
		r.res != tBreached || !r.live {
		t.Errorf("codes of %+v", r)
	}
	if r.created != uint32(f.CreatedAt.Unix()-epochUnix) || r.frDue != uint32(f.FRDue.Unix()-epochUnix) {
		t.Errorf("instants of %+v", r)
	}
	if Day(r.cDay) != dayOfDate("2026-10-31") || Day(r.aDay) != dayOfDate("2026-11-01") || Day(r.rDay) != dayOfDate("2026-11-01") ||
		Day(r.frDay) != dayOfDate("2026-10-31") || Day(r.resDay) != dayOfDate("2026-11-01") {
		t.Errorf("days of %+v", r)
	}
	open := engineFacts[3]
	r = rowOf(&open)
	if r.answered != 0 || r.resolved != 0 || r.aDay != noDay || r.rDay != noDay || r.fr != tOpen {
		t.Errorf("an unanswered row %+v", r)
	}
	// Values the lists do not know get a code of their own, counted in no list.
	odd := Fact{IncidentID: 1, TenantID: 1, Level: "gold", Priority: "P9", Service: "mainframe", Region: "mars-1", Status: "lost",
		CreatedAt: instant("2026-10-01T08:00:00Z"), FRState: "weird", ResState: TargetNone}
	r = rowOf(&odd)
	if int(r.level) != len(Levels) || int(r.prio) != len(Priorities) || int(r.service) != len(services) ||
		int(r.region) != len(regions) || int(r.stat) != len(statuses) || int(r.fr) != len(targets) {
		t.Errorf("unknown values coded %+v", r)
	}
	got := computeIncidents([]row{{}, r}, Filter{From: dayOfDate("2026-10-01"), To: dayOfDate("2026-10-01"), Now: engineNow})
	if got.Created != 1 || got.ByService != nil || got.ByRegion != nil || got.SLA != nil || got.Backlog != [4][3]int{} {
		t.Errorf("an incident of unknown values: %+v", got)
	}
}
