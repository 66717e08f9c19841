package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
)

// TestStaffTenantListWithSearch: staff find a tenant by code or contract name (they land on
// their own queue, see the home's tests).
func TestStaffTenantListWithSearch(t *testing.T) {
	d := newDesk(t)
	agent := d.as(t, "Alice.Agent")
	list := agent.Get("/staff/tenants")
	wantBody(t, "agent's list", list, "OCB0000001", "OCB0000004", "4 tenants", "Premium", "Basic")
	found := agent.Get("/staff/tenants?q=martin")
	wantBody(t, "search", found, "OCB0000004", "1 tenant")
	wantNoBody(t, "search", found, "OCB0000001")
	wantStatus(t, "tenant page", agent.Get("/staff/tenants/"+id(d.tenant(t, "OCB0000001").ID)), 200)
	wantStatus(t, "admin pages", agent.Get("/admin/users"), 403)
	wantStatus(t, "customer pages", agent.Get("/users"), 403)
}

func TestASalesRepSeesOnlyTheirTenants(t *testing.T) {
	d := newDesk(t)
	other := mustCreateUser(t, d, "Bob.Vendeur", identity.Sales)
	_ = other
	tn, err := contract.Onboard(t.Context(), d.DB, d.Tenancy, tenancy.System, contract.NewTenant{
		Code: "OCB0000099", Name: "Autre Client", ReferentLogin: "Paul.Martin", OwnerLogin: "Paul.Martin",
		SalesRepLogin: "Bob.Vendeur", Level: "standard", EffectiveFrom: "2026-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	sophie := d.as(t, "Sophie.Commerciale")
	list := sophie.Get("/staff/tenants")
	wantBody(t, "Sophie's list", list, "4 tenants", "OCB0000001")
	wantNoBody(t, "Sophie's list", list, "OCB0000099")
	wantStatus(t, "another rep's tenant", sophie.Get("/staff/tenants/"+id(tn.ID)), 404)
}

func mustCreateUser(t *testing.T, d *desk, login string, kind identity.Kind) *identity.User {
	t.Helper()
	u, err := d.Identity.CreateUser(t.Context(), tenancy.System.Actor, identity.UserInput{Login: login, Email: strings.ToLower(login) + "@example.com",
		DisplayName: login, Lang: "fr", Kind: kind, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAdminManagesUsers(t *testing.T) {
	d := newDesk(t)
	admin := d.as(t, "admin")
	wantBody(t, "users list", admin.Get("/admin/users"), "Marie.Dupont", "Sophie.Commerciale", "6 users")
	wantStatus(t, "new user form", admin.Get("/admin/users/new"), 200)

	long := strings.Repeat("x", 121)
	r := admin.Post("/admin/users", url.Values{"login": {"bad login!"}, "email": {"nope@"}, "display_name": {long}, "lang": {"de"}, "kind": {"boss"}, "password": {"short"}})
	wantStatus(t, "invalid user", r, 422)
	wantBody(t, "invalid user", r, "Use letters, digits", "Enter an email address", "At most 120 characters.",
		"Choose one of the values offered.", "At least 10 characters.", `value="bad login!"`, `value="nope@"`)
	if n, _ := d.DB.NewSelect().Model((*identity.User)(nil)).Count(t.Context()); n != 6 {
		t.Fatalf("an invalid form wrote a user: %d users", n)
	}
	r = admin.Post("/admin/users", url.Values{"login": {"MARIE.DUPONT"}, "email": {"m@example.fr"}, "display_name": {"M"}, "lang": {"fr"}, "kind": {"customer"}})
	wantBody(t, "duplicate login", r, "This login is already taken.")

	r = admin.Post("/admin/users", url.Values{"login": {"Nina.Agent"}, "email": {"nina@example.com"}, "display_name": {"Nina Agent"}, "lang": {"en"}, "kind": {"agent"}})
	wantStatus(t, "create user", r, 303)
	nina := d.user(t, "Nina.Agent")
	wantBody(t, "edit page", admin.Get(r.Location), "Nina Agent")

	r = admin.Post("/admin/users/"+id(nina.ID), url.Values{"email": {"nina@example.com"}, "display_name": {"Nina A."}, "lang": {"fr"}, "kind": {"agent"}})
	wantStatus(t, "deactivate", r, 303)
	if u := d.user(t, "Nina.Agent"); u.Active || u.Lang != "fr" || u.DisplayName != "Nina A." {
		t.Fatalf("after edit: %+v", u)
	}
	self := d.user(t, "admin")
	r = admin.Post("/admin/users/"+id(self.ID), url.Values{"email": {"admin@example.com"}, "display_name": {"Admin"}, "lang": {"en"}, "kind": {"admin"}})
	wantStatus(t, "deactivate myself", r, 422)
	wantStatus(t, "unknown user", admin.Get("/admin/users/99999"), 404)
	wantStatus(t, "malformed id", admin.Get("/admin/users/abc"), 404)
}

func TestAdminOnboardsAndEditsTenants(t *testing.T) {
	d := newDesk(t)
	admin := d.as(t, "admin")
	form := url.Values{"code": {"OCB12"}, "name": {""}, "referent": {"Nobody"}, "owner": {"Alice.Agent"}, "sales_rep": {"Marie.Dupont"},
		"level": {"gold"}, "effective_from": {"2026-13-01"}}
	r := admin.Post("/admin/tenants", form)
	wantStatus(t, "invalid tenant", r, 422)
	wantBody(t, "invalid tenant", r, "OCB followed by seven digits", "This field is required.", "No user has the login Nobody.",
		"Alice.Agent is not an active customer user.", "Marie.Dupont is not an active sales rep.", "Choose a support level", `value="OCB12"`)

	form = url.Values{"code": {"OCB0000001"}, "name": {"Doublon"}, "referent": {"Paul.Martin"}, "owner": {"Paul.Martin"},
		"level": {"business"}, "effective_from": {"2026-09-01"}}
	wantBody(t, "duplicate code", admin.Post("/admin/tenants", form), "A tenant already has this code.")

	form.Set("code", "OCB0000042")
	form.Set("committed_until", "2026-08-31")
	wantBody(t, "commitment before start", admin.Post("/admin/tenants", form), "The commitment cannot end before")
	form.Set("committed_until", "2027-06-30")
	r = admin.Post("/admin/tenants", form)
	wantStatus(t, "onboard", r, 303)
	page := admin.Get(r.Location)
	wantBody(t, "new tenant", page, "OCB0000042", "Business", "30 June 2027")

	tn := d.tenant(t, "OCB0000042")
	r = admin.Post("/admin/tenants/"+id(tn.ID), url.Values{"name": {"Martin Conseil 2"}, "status": {"cancelled"}, "sales_rep": {"Sophie.Commerciale"}})
	wantStatus(t, "edit tenant", r, 303)
	if tn = d.tenant(t, "OCB0000042"); tn.Status != "cancelled" || tn.SalesRep == nil || tn.SalesRep.Login != "Sophie.Commerciale" {
		t.Fatalf("after edit: %+v", tn)
	}
	r = admin.Post("/admin/tenants/"+id(tn.ID), url.Values{"name": {""}, "status": {"asleep"}})
	wantStatus(t, "invalid edit", r, 422)
	wantBody(t, "invalid edit", r, "This field is required.", "Choose one of the values offered.")
}
