package incident_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/tenancy"
)

// multiTenant makes a customer who is a member of OCB0000001 and OCB0000002 with the incidents
// right and of OCB0000003 without it, and declares, as each tenant's referent, one incident on
// each of the four demo tenants: OCB0000004 is none of the customer's.
func multiTenant(t *testing.T, f *fixture) (tenancy.Actor, map[string]*incident.Incident) {
	t.Helper()
	ctx := t.Context()
	u := &identity.User{Login: "Nina.Multi", Email: "nina.multi@example.com", DisplayName: "Nina Multi", Lang: "en",
		Kind: identity.Customer, Active: true}
	if err := identity.InsertUser(ctx, f.svc.DB, u); err != nil {
		t.Fatal(err)
	}
	for code, r := range map[string]tenancy.Rights{"OCB0000001": {Incidents: true}, "OCB0000002": {Incidents: true, Changes: true},
		"OCB0000003": {Changes: true, Contract: true}} {
		if err := tenancy.InsertMembership(ctx, f.svc.DB, &tenancy.Membership{TenantID: f.tenant(code), UserID: u.ID, Rights: r}); err != nil {
			t.Fatal(err)
		}
	}
	incs := map[string]*incident.Incident{}
	for _, code := range []string{"OCB0000001", "OCB0000002", "OCB0000003", "OCB0000004"} {
		who := "Marie.Dupont"
		if code == "OCB0000004" {
			who = "Paul.Martin"
		}
		d := draft()
		d.Title = "Panne sur " + code
		inc, err := f.svc.Declare(ctx, f.actor(who), f.tenant(code), d)
		if err != nil {
			t.Fatal(err)
		}
		incs[code] = inc
		f.now = f.now.Add(1e9)
	}
	return f.actor("Nina.Multi"), incs
}

func codes(list []incident.Incident) []string {
	var out []string
	for _, inc := range list {
		out = append(out, inc.TenantCode)
	}
	slices.Sort(out)
	return out
}

// TestCustomerListsAcrossTheirTenants: "all my tenants" covers the customer's tenants with the
// incidents right and nothing else, whatever tenants the caller slips into the filter, for a
// plain list and for a search alike.
func TestCustomerListsAcrossTheirTenants(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	nina, incs := multiTenant(t, f)

	for _, text := range []string{"", "panne"} {
		list, more, err := f.svc.List(ctx, nina, incident.Filter{AllTenants: true, Text: text,
			TenantIDs: []int64{f.tenant("OCB0000003"), f.tenant("OCB0000004")}}, paging.Page{Number: 1, Size: 50})
		if err != nil || more {
			t.Fatalf("all tenants %q: %v, more %v", text, err, more)
		}
		if got := codes(list); !slices.Equal(got, []string{"OCB0000001", "OCB0000002"}) {
			t.Errorf("all tenants %q lists %q", text, got)
		}
		for _, inc := range list {
			if inc.TenantName == "" {
				t.Errorf("%s without its tenant's name", inc.Number())
			}
		}
	}
	// The tenants slipped into one tenant's list are ignored too.
	list, _, err := f.svc.List(ctx, nina, incident.Filter{TenantID: f.tenant("OCB0000001"),
		TenantIDs: []int64{f.tenant("OCB0000004")}}, paging.Page{Number: 1, Size: 50})
	if err != nil || !slices.Equal(codes(list), []string{"OCB0000001"}) {
		t.Errorf("one tenant: %q, %v", codes(list), err)
	}
	// Paging across tenants: latest update first, one at a time.
	var seen []string
	for n := 1; n <= 3; n++ {
		page, more, err := f.svc.List(ctx, nina, incident.Filter{AllTenants: true}, paging.Page{Number: n, Size: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, inc := range page {
			seen = append(seen, inc.TenantCode)
		}
		if more != (n == 1) {
			t.Errorf("page %d: more = %v", n, more)
		}
	}
	if !slices.Equal(seen, []string{"OCB0000002", "OCB0000001"}) {
		t.Errorf("pages read %q, want the latest first", seen)
	}
	// Reading another tenant's incident stays a 404.
	if _, err := f.svc.Get(ctx, nina, incs["OCB0000004"].ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("OCB0000004's incident: %v", err)
	}
	if _, err := f.svc.Get(ctx, nina, incs["OCB0000003"].ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("OCB0000003's incident without the right: %v", err)
	}
}

// TestForCustomerHome: what waits for the customer, what they may confirm and what moved last,
// across their tenants with the incidents right, each incident with its tenant.
func TestForCustomerHome(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	nina, incs := multiTenant(t, f)
	alice := f.actor("Alice.Agent")
	step := func(inc *incident.Incident, act incident.Act) *incident.Incident {
		t.Helper()
		f.now = f.now.Add(60e9)
		act.Version = inc.Version
		out, err := f.svc.Do(ctx, alice, inc.ID, act)
		if err != nil {
			t.Fatalf("%s %s: %v", inc.Number(), act.Action, err)
		}
		return out
	}
	// OCB0000001's waits for the customer; OCB0000002's is resolved; the others wait too, but
	// are not Nina's to see.
	w := step(step(incs["OCB0000001"], incident.Act{Action: incident.Take}), incident.Act{Action: incident.Wait})
	r := step(step(incs["OCB0000002"], incident.Act{Action: incident.Take}), incident.Act{Action: incident.Resolve, Body: "Redémarré."})
	for _, code := range []string{"OCB0000003", "OCB0000004"} {
		step(step(incs[code], incident.Act{Action: incident.Take}), incident.Act{Action: incident.Wait})
	}

	home, err := f.svc.ForCustomerHome(ctx, nina, 0)
	if err != nil {
		t.Fatal(err)
	}
	var tcodes []string
	for _, tn := range home.Tenants {
		tcodes = append(tcodes, tn.Code)
	}
	if !slices.Equal(tcodes, []string{"OCB0000001", "OCB0000002"}) {
		t.Errorf("tenants %q", tcodes)
	}
	if len(home.Waiting) != 1 || home.Waiting[0].ID != w.ID || home.Waiting[0].TenantCode != "OCB0000001" ||
		home.Waiting[0].TenantName != "Dupont Industrie — Production" || home.Waiting[0].Status != incident.PendingCustomer || home.MoreWaiting {
		t.Errorf("waiting %+v (more %v)", home.Waiting, home.MoreWaiting)
	}
	if len(home.ToConfirm) != 1 || home.ToConfirm[0].ID != r.ID || home.ToConfirm[0].TenantCode != "OCB0000002" ||
		home.ToConfirm[0].ReopenUntil().IsZero() {
		t.Errorf("to confirm %+v", home.ToConfirm)
	}
	if len(home.Recent) != 2 || home.Recent[0].ID != r.ID || home.Recent[1].ID != w.ID || home.MoreRecent {
		t.Errorf("recent %+v (more %v)", home.Recent, home.MoreRecent)
	}
	// The limit cuts each list and says so.
	home, err = f.svc.ForCustomerHome(ctx, nina, 1)
	if err != nil || len(home.Recent) != 1 || !home.MoreRecent || home.Recent[0].ID != r.ID {
		t.Errorf("limit 1: %+v, %v", home.Recent, err)
	}
	// John has the right on OCB0000001 only.
	home, err = f.svc.ForCustomerHome(ctx, f.actor("John.Doe"), 5)
	if err != nil || len(home.Waiting) != 1 || len(home.ToConfirm) != 0 || len(home.Recent) != 1 {
		t.Errorf("John: %+v, %v", home, err)
	}
	// Staff have no customer home.
	if _, err := f.svc.ForCustomerHome(ctx, alice, 5); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("agent: %v", err)
	}
}

// TestTakeIsNotOfferedToItsHolder: the agent who holds an incident cannot take it again; another
// agent still can.
func TestTakeIsNotOfferedToItsHolder(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice, admin := f.actor("Alice.Agent"), f.actor("admin")
	inc, err := f.svc.Declare(ctx, f.actor("John.Doe"), f.tenant("OCB0000001"), draft())
	if err != nil {
		t.Fatal(err)
	}
	if inc, err = f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Take, Version: inc.Version}); err != nil {
		t.Fatal(err)
	}
	if can := incident.Allowed(incident.StaffActions, inc, incident.Who(alice, inc), f.now); can[incident.Take] || !can[incident.Resolve] {
		t.Errorf("Alice, holder: %v", can)
	}
	if can := incident.Allowed(incident.StaffActions, inc, incident.Who(admin, inc), f.now); !can[incident.Take] {
		t.Errorf("admin: %v", can)
	}
	_, err = f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Take, Version: inc.Version})
	var e *i18n.Error
	if !errors.As(err, &e) || e.Key != "incident.error.take_yours" {
		t.Fatalf("take again: %v", err)
	}
}

// TestDeclareTermsTellABasicTenant: Basic commits to no target, Premium does.
func TestDeclareTermsTellABasicTenant(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	terms, err := f.svc.DeclareTerms(ctx, f.actor("Paul.Martin"), f.tenant("OCB0000004"))
	if err != nil || terms.Level != sla.Basic || terms.Targets {
		t.Errorf("OCB0000004: %+v, %v", terms, err)
	}
	terms, err = f.svc.DeclareTerms(ctx, f.actor("John.Doe"), f.tenant("OCB0000001"))
	if err != nil || terms.Level != sla.Premium || !terms.Targets {
		t.Errorf("OCB0000001: %+v, %v", terms, err)
	}
	if _, err := f.svc.DeclareTerms(ctx, f.actor("John.Doe"), f.tenant("OCB0000004")); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("John on OCB0000004: %v", err)
	}
}

// TestStaffReadTheirOwnWordsForAWaitingIncident: one state, two readers.
func TestStaffReadTheirOwnWordsForAWaitingIncident(t *testing.T) {
	if got := incident.StatusKeyFor(incident.PendingCustomer, true); got != "incident.staff_status.pending_customer" {
		t.Errorf("staff: %q", got)
	}
	if got := incident.StatusKeyFor(incident.PendingCustomer, false); got != "incident.status.pending_customer" {
		t.Errorf("customer: %q", got)
	}
	if got := incident.StatusKeyFor(incident.InProgress, true); got != "incident.status.in_progress" {
		t.Errorf("staff, in progress: %q", got)
	}
}
