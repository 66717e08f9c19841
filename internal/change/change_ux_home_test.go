package change_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
)

func numbers(rs []change.Request) []string {
	var ns []string
	for _, r := range rs {
		ns = append(ns, r.Number()+"@"+r.TenantCode)
	}
	return ns
}

// "All my tenants" and the customer home read every tenant the customer holds the changes right
// on, each request with its tenant, and never another's: not a tenant of someone else, not one
// of theirs where they lack the right.
func TestAllMyTenantsAndTheCustomerHome(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	db := f.svc.DB
	t2, err := tenancy.TenantByCode(ctx, db, "OCB0000002")
	if err != nil {
		t.Fatal(err)
	}
	paulUser, err := identity.UserByLogin(ctx, db, "Paul.Martin")
	if err != nil {
		t.Fatal(err)
	}
	paul := tenancy.ActorOf(paulUser)
	// Marie joins Paul's tenant with the incidents right only.
	if err := tenancy.InsertMembership(ctx, db, &tenancy.Membership{TenantID: f.t4.ID, UserID: f.marie.UserID,
		Rights: tenancy.Rights{Incidents: true}, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	on1, err := f.svc.Submit(ctx, f.marie, f.t1.ID, "vpcs", quota("5", "6"))
	if err != nil {
		t.Fatal(err)
	}
	on2, err := f.svc.Submit(ctx, f.marie, t2.ID, "vpcs", quota("5", "40")) // beyond twice the current: a sales rep decides
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := f.svc.Submit(ctx, paul, f.t4.ID, "vpcs", quota("5", "6"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Act(ctx, f.marie, on1.ID, change.StepInput{Action: change.Cancel, Version: on1.Version}); err != nil {
		t.Fatal(err)
	}

	rs, n, ts, err := f.svc.ListAll(ctx, f.marie, change.Filter{}, paging.Number(1))
	if err != nil || n != 2 {
		t.Fatalf("Marie's tenants: %v of %d, %v", numbers(rs), n, err)
	}
	want := []string{on2.Number() + "@OCB0000002", on1.Number() + "@OCB0000001"}
	if !slices.Equal(numbers(rs), want) {
		t.Errorf("Marie's tenants: %v, want %v (newest first, with the tenant)", numbers(rs), want)
	}
	var codes []string
	for _, tn := range ts {
		codes = append(codes, tn.Code)
	}
	if !slices.Equal(codes, []string{"OCB0000001", "OCB0000002", "OCB0000003"}) {
		t.Errorf("tenants with the changes right: %v", codes)
	}
	rs, n, _, err = f.svc.ListAll(ctx, f.marie, change.Filter{States: []change.State{change.Cancelled}}, paging.Number(1))
	if err != nil || n != 1 || rs[0].ID != on1.ID {
		t.Errorf("Marie's cancelled ones: %v of %d, %v", numbers(rs), n, err)
	}
	rs, _, _, err = f.svc.ListAll(ctx, f.marie, change.Filter{Query: foreign.Number()}, paging.Number(1))
	if err != nil || len(rs) != 0 {
		t.Errorf("Marie finds Paul's request by its number: %v, %v", numbers(rs), err)
	}

	home, err := f.svc.ForCustomerHome(ctx, f.marie, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(home.Tenants) != 3 || home.PendingTotal != 1 || !slices.Equal(numbers(home.Pending), want[:1]) ||
		home.Total != 2 || !slices.Equal(numbers(home.Recent), want) {
		t.Errorf("Marie's home: tenants %d, pending %v of %d, recent %v of %d", len(home.Tenants), numbers(home.Pending),
			home.PendingTotal, numbers(home.Recent), home.Total)
	}
	if home, err = f.svc.ForCustomerHome(ctx, f.marie, 1); err != nil || len(home.Recent) != 1 || home.Total != 2 {
		t.Errorf("a home of one: %v of %d, %v", numbers(home.Recent), home.Total, err)
	}

	home, err = f.svc.ForCustomerHome(ctx, paul, 5)
	if err != nil || !slices.Equal(numbers(home.Pending), []string{foreign.Number() + "@OCB0000004"}) {
		t.Errorf("Paul's home: %v, %v", numbers(home.Pending), err)
	}
	for who, actor := range map[string]tenancy.Actor{"John (no changes right)": f.john, "an agent": f.alice} {
		home, err := f.svc.ForCustomerHome(ctx, actor, 5)
		if err != nil || len(home.Tenants)+len(home.Pending)+len(home.Recent) != 0 {
			t.Errorf("%s's home: %+v, %v", who, home, err)
		}
	}
	if _, _, _, err := f.svc.ListAll(ctx, f.john, change.Filter{}, paging.Number(1)); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("John lists all his tenants' changes: %v, want forbidden", err)
	}
	if _, _, _, err := f.svc.ListAll(ctx, f.alice, change.Filter{}, paging.Number(1)); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("an agent lists a customer's tenants: %v, want not found", err)
	}
}

// The agents' queue shows the work in progress by default, implemented requests to close
// included, in work order; a state filter picks one state; finished ones read newest first.
func TestQueueStateFilter(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	var rs []*change.Request
	for _, v := range []string{"6", "7", "8", "9"} {
		r, err := f.svc.Submit(ctx, f.marie, f.t1.ID, "vpcs", quota("5", v)) // approved at once
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	step := func(r *change.Request, in change.StepInput) {
		t.Helper()
		in.Version = r.Version
		got, err := f.svc.Act(ctx, f.alice, r.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		*r = *got
	}
	step(rs[1], change.StepInput{Action: change.Schedule, Date: "2099-02-01"})
	step(rs[2], change.StepInput{Action: change.Schedule, Date: "2099-01-01"})
	step(rs[3], change.StepInput{Action: change.Schedule, Date: "2099-01-01"})
	step(rs[3], change.StepInput{Action: change.Implement, Value: "9"})

	ids := func(f change.Filter, who tenancy.Actor, list func(context.Context, tenancy.Actor, change.Filter, paging.Page) ([]change.Request, int, error)) []int64 {
		t.Helper()
		got, _, err := list(ctx, who, f, paging.Number(1))
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range got {
			ids = append(ids, r.ID)
		}
		return ids
	}
	if got, want := ids(change.Filter{}, f.alice, f.svc.Queue), []int64{rs[0].ID, rs[2].ID, rs[1].ID, rs[3].ID}; !slices.Equal(got, want) {
		t.Errorf("work in progress: %v, want %v (to schedule, scheduled by date, to close)", got, want)
	}
	if got, want := ids(change.Filter{States: []change.State{change.Scheduled}}, f.alice, f.svc.Queue), []int64{rs[2].ID, rs[1].ID}; !slices.Equal(got, want) {
		t.Errorf("scheduled: %v, want %v", got, want)
	}
	if got, want := ids(change.Filter{States: change.States}, f.alice, f.svc.Queue), []int64{rs[3].ID, rs[2].ID, rs[1].ID, rs[0].ID}; !slices.Equal(got, want) {
		t.Errorf("every state: %v, want %v (newest first)", got, want)
	}
	if got := ids(change.Filter{}, f.sophie, f.svc.Approvals); len(got) != 0 {
		t.Errorf("nothing to decide: %v", got)
	}
	if got := ids(change.Filter{States: []change.State{change.Implemented}}, f.sophie, f.svc.Approvals); !slices.Equal(got, []int64{rs[3].ID}) {
		t.Errorf("the sales rep's implemented ones: %v", got)
	}
}

// A request's next due date: the scheduled day, or for an approved one not yet scheduled the
// day of its approval in Paris plus the item's lead time in business days; none otherwise.
func TestDue(t *testing.T) {
	d := func(s string) calendar.Date {
		x, err := calendar.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-30", 0, "2026-11-30"},
		{"2026-11-30", 2, "2026-12-02"}, // Monday → Wednesday
		{"2026-12-03", 2, "2026-12-07"}, // Thursday → Monday
		{"2026-12-24", 1, "2026-12-28"}, // Christmas is a Friday
		{"2026-12-31", 1, "2027-01-04"}, // New Year's Day, then the weekend
		{"2026-12-05", 1, "2026-12-07"}, // from a Saturday
		{"2026-07-13", 1, "2026-07-15"}, // 14 July
		{"2026-04-30", 3, "2026-05-06"}, // 1 May (Friday), then 4, 5, 6 May
	} {
		if got := change.AddBusinessDays(d(c.from), c.n); got != d(c.want) {
			t.Errorf("%s + %d business days = %s, want %s", c.from, c.n, got, c.want)
		}
	}

	// Approved on Friday 4 December at 23:30 UTC: already Saturday 5 December in Paris.
	at := time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC)
	r := &change.Request{ItemCode: "vpcs", State: change.Approved, ApprovedAt: &at,
		SnapshotRaw: `{"item":{"code":"vpcs","lead_time_days":2}}`}
	if due := r.Due(); due.Kind != change.DueExpected || due.Date != d("2026-12-08") || due.Key() != "change.due.expected" {
		t.Errorf("approved: %+v", due)
	}
	if !r.Due().Late(d("2026-12-09")) || r.Due().Late(d("2026-12-08")) {
		t.Error("late only after the day")
	}
	r.State, r.ScheduledOn = change.Scheduled, d("2026-12-20")
	if due := r.Due(); due.Kind != change.DueScheduled || due.Date != d("2026-12-20") {
		t.Errorf("scheduled: %+v", due)
	}
	for _, st := range []change.State{change.Submitted, change.Rejected, change.Implemented, change.Closed, change.Cancelled} {
		r.State = st
		if due := r.Due(); !due.IsZero() || due.Late(d("2099-01-01")) {
			t.Errorf("%s: due %+v", st, due)
		}
	}
}
