package change_test

import (
	"context"
	"errors"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

type fixture struct {
	svc                 *change.Service
	marie, john, sophie tenancy.Actor
	alice, admin        tenancy.Actor
	t1, t4              *tenancy.Tenant
}

func setup(t *testing.T) *fixture {
	a := testutil.NewApp(t)
	ctx := context.Background()
	f := &fixture{svc: &change.Service{DB: a.DB, Catalogue: a.Catalogue, Notifier: a.Notifier, Audience: &audience.Roster{DefaultLang: "fr"}}}
	for login, dst := range map[string]*tenancy.Actor{"Marie.Dupont": &f.marie, "John.Doe": &f.john,
		"Sophie.Commerciale": &f.sophie, "Alice.Agent": &f.alice, "admin": &f.admin} {
		u, err := identity.UserByLogin(ctx, a.DB, login)
		if err != nil {
			t.Fatal(err)
		}
		*dst = tenancy.ActorOf(u)
	}
	var err error
	if f.t1, err = tenancy.TenantByCode(ctx, a.DB, "OCB0000001"); err != nil {
		t.Fatal(err)
	}
	if f.t4, err = tenancy.TenantByCode(ctx, a.DB, "OCB0000004"); err != nil {
		t.Fatal(err)
	}
	return f
}

func quota(current, requested string) map[string]string {
	return map[string]string{"region": "eu-west-1", "current": current, "requested": requested, "justification": "Croissance"}
}

func TestSubmitAuthorizesAndApprovesWithinTheRule(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	if _, err := f.svc.Submit(ctx, f.john, f.t1.ID, "ecs_instances", quota("1", "2")); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("member without the changes right: %v, want forbidden", err)
	}
	if _, err := f.svc.Submit(ctx, f.marie, f.t4.ID, "ecs_instances", quota("1", "2")); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("foreign tenant: %v, want not found", err)
	}
	if _, err := f.svc.Submit(ctx, f.marie, f.t1.ID, "no_such_item", quota("1", "2")); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown item: %v, want not found", err)
	}
	_, err := f.svc.Submit(ctx, f.marie, f.t1.ID, "ecs_instances", quota("10", "9"))
	if es, ok := i18n.AsErrors(err); !ok || es[0].Field != "requested" {
		t.Errorf("requested below current: %v", err)
	}
	if _, n, _ := change.List(ctx, f.svc.DB, change.Filter{}, paging.Page{}); n != 0 {
		t.Fatalf("%d requests written by refusals", n)
	}

	pre, err := f.svc.Submit(ctx, f.marie, f.t1.ID, "ecs_instances", quota("10", "20"))
	if err != nil || pre.State != change.Approved || pre.ApprovedAt == nil || pre.Number() != "CHG0000001" {
		t.Fatalf("within the rule: %+v, %v; want approved CHG0000001", pre, err)
	}
	big, err := f.svc.Submit(ctx, f.marie, f.t1.ID, "ecs_instances", quota("10", "21"))
	if err != nil || big.State != change.Submitted {
		t.Fatalf("factor exceeded: %+v, %v; want submitted", big, err)
	}
	_, _, es, err := f.svc.Get(ctx, f.marie, pre.ID)
	if err != nil || len(es) != 2 || es[0].Event != change.EventSubmitted || es[1].Event != change.EventPreApproved || es[1].ActorID != nil {
		t.Fatalf("timeline of a pre-approved request: %+v, %v", es, err)
	}
}

func TestQueuesAndVisibility(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a, _ := f.svc.Submit(ctx, f.marie, f.t1.ID, "vpcs", quota("5", "6"))
	b, _ := f.svc.Submit(ctx, f.marie, f.t1.ID, "vpcs", quota("5", "40"))
	c, _ := f.svc.Submit(ctx, f.marie, f.t1.ID, "subnets", quota("5", "6"))
	for _, x := range []*change.Request{a, c} {
		if x == nil || x.State != change.Approved {
			t.Fatalf("fixture not pre-approved: %+v", x)
		}
	}
	if _, err := f.svc.Act(ctx, f.alice, c.ID, change.StepInput{Action: change.Schedule, Date: "2099-01-05", Version: c.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Act(ctx, f.alice, a.ID, change.StepInput{Action: change.Schedule, Date: "2099-01-09", Version: a.Version}); err != nil {
		t.Fatal(err)
	}
	rs, n, err := f.svc.Queue(ctx, f.alice, change.Filter{}, paging.Page{})
	if err != nil || n != 2 || rs[0].ID != c.ID || rs[1].ID != a.ID {
		t.Fatalf("agent queue: %d, %v; want %s then %s by date", n, err, c.Number(), a.Number())
	}
	if _, _, err := f.svc.Queue(ctx, f.sophie, change.Filter{}, paging.Page{}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("sales rep reads the agents' queue: %v", err)
	}
	rs, n, err = f.svc.Approvals(ctx, f.sophie, change.Filter{}, paging.Page{})
	if err != nil || n != 1 || rs[0].ID != b.ID {
		t.Fatalf("Sophie's approvals: %d, %v", n, err)
	}
	if _, _, err := f.svc.Approvals(ctx, f.alice, change.Filter{}, paging.Page{}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("agent reads approvals: %v", err)
	}
	if _, n, _ := f.svc.Approvals(ctx, f.admin, change.Filter{}, paging.Page{}); n != 1 {
		t.Errorf("admin's approvals: %d", n)
	}
	if _, _, err := f.svc.List(ctx, f.john, f.t1.ID, change.Filter{}, paging.Page{}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("John lists: %v", err)
	}
	if _, _, _, err := f.svc.Get(ctx, f.john, a.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("John reads: %v", err)
	}
	if _, n, _ := f.svc.List(ctx, f.marie, f.t1.ID, change.Filter{Query: "sous-réseaux"}, paging.Page{}); n != 1 {
		t.Errorf("text filter on the French label: %d", n)
	}
	if _, n, _ := f.svc.List(ctx, f.marie, f.t1.ID, change.Filter{Query: b.Number()}, paging.Page{}); n != 1 {
		t.Errorf("filter by number: %d", n)
	}
	if _, n, _ := f.svc.List(ctx, f.marie, f.t1.ID, change.Filter{States: []change.State{change.Scheduled}}, paging.Page{}); n != 2 {
		t.Errorf("state filter: %d", n)
	}
}

func TestStepsCheckVersionRoleAndInput(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	r, _ := f.svc.Submit(ctx, f.marie, f.t1.ID, "rds_instances", quota("2", "40"))
	if r.State != change.Submitted {
		t.Fatalf("state %s", r.State)
	}
	if _, err := f.svc.Act(ctx, f.alice, r.ID, change.StepInput{Action: change.Approve}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("agent approves: %v", err)
	}
	_, err := f.svc.Act(ctx, f.sophie, r.ID, change.StepInput{Action: change.Reject, Reason: " ", Version: 1})
	if es, ok := i18n.AsErrors(err); !ok || es[0].Field != "reason" {
		t.Errorf("reject without reason: %v", err)
	}
	_, err = f.svc.Act(ctx, f.sophie, r.ID, change.StepInput{Action: change.Approve, Version: 7})
	if !errors.Is(err, apperr.ErrStale) {
		t.Errorf("stale version: %v", err)
	}
	if _, err := f.svc.Act(ctx, f.sophie, r.ID, change.StepInput{Action: change.Approve, Version: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Act(ctx, f.john, r.ID, change.StepInput{Action: change.Cancel}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("John cancels: %v", err)
	}
	got, err := f.svc.Act(ctx, f.marie, r.ID, change.StepInput{Action: change.Cancel, Version: 2})
	if err != nil || got.State != change.Cancelled || got.Version != 3 {
		t.Fatalf("cancel: %+v, %v", got, err)
	}
	_, _, es, _ := f.svc.Get(ctx, f.marie, r.ID)
	last := es[len(es)-1]
	if last.Event != change.EventState || last.From != change.Approved.Key() || last.To != change.Cancelled.Key() {
		t.Errorf("last event %+v", last)
	}
	if err := f.svc.Reply(ctx, f.alice, r.ID, "note", true, nil); err != nil {
		t.Fatal(err)
	}
	_, _, es, _ = f.svc.Get(ctx, f.marie, r.ID)
	for _, e := range es {
		if e.Kind == timeline.Note {
			t.Error("a customer reads an internal note")
		}
	}
}
