package web_test

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/api"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// persona is one kind of visitor the matrix tries every route as.
type persona struct {
	login string // "" for a visitor who is not logged in
	kind  identity.Kind
}

// name is the persona's login, or "visitor".
func (p persona) name() string {
	if p.login == "" {
		return "visitor"
	}
	return p.login
}

var personas = []persona{
	{"", ""},
	{"Marie.Dupont", identity.Customer}, // organisation A, referent: every right
	{"John.Doe", identity.Customer},     // organisation A, incidents only
	{"Paul.Martin", identity.Customer},  // organisation B
	{"Alice.Agent", identity.Agent},
	{"Sophie.Commerciale", identity.Sales},
	{"admin", identity.Admin},
}

// foreignIDs gives, for each path parameter, an object the persona must not reach: a user or a
// tenant of another customer organisation, or of another sales rep. A route with a parameter
// missing here fails the test, so a new capability must say what "foreign" means for its ids.
func foreignIDs(t *testing.T, d *desk, p persona, otherRepTenant int64) map[string]string {
	other := "Paul.Martin"
	if p.login == "Paul.Martin" {
		other = "Marie.Dupont"
	}
	ids := map[string]string{
		"user":    id(d.user(t, other).ID),
		"tenant":  id(otherRepTenant),
		"message": "1", // only admins reach the outbox
		"token":   "not-a-real-token",
	}
	f := foreignFixture{OtherRepTenant: otherRepTenant, ForeignTenant: otherRepTenant}
	if p.login == "Paul.Martin" { // Paul is the referent of the other rep's tenant
		f.ForeignTenant = d.tenant(t, "OCB0000001").ID
	}
	for name, make := range foreignParams {
		ids[name] = make(t, d, p, f)
	}
	return ids
}

// foreignFixture is where a capability's test puts the objects the persona must not reach.
type foreignFixture struct {
	// ForeignTenant belongs to neither the persona's organisation nor the persona's sales rep.
	ForeignTenant int64
	// OtherRepTenant is a tenant of another sales rep (Bob.Vendeur).
	OtherRepTenant int64
}

// foreignParams lets each capability's test file say, in an init function, what "foreign" means
// for its path parameters: it returns an id the persona must not reach (for a customer, an
// object of f.ForeignTenant).
var foreignParams = map[string]func(t *testing.T, d *desk, p persona, f foreignFixture) string{}

// salesScoped names the parameters whose objects belong to a sales rep's tenants: another rep's
// object answers 404 to a sales rep.
var salesScoped = map[string]bool{"tenant": true}

// TestEveryRouteAnswersAsDesignedForEveryKindOfUser walks the router's own route list: a
// visitor is sent to the login page, a user of the wrong kind gets 403, a customer reaching
// another organisation's object gets 404 exactly as for a missing one, a sales rep reaching
// another rep's tenant gets 404, and nothing answers 5xx.
func TestEveryRouteAnswersAsDesignedForEveryKindOfUser(t *testing.T) {
	for _, p := range personas {
		name := p.name()
		t.Run(name, func(t *testing.T) {
			d := newDesk(t)
			mustCreateUser(t, d, "Bob.Vendeur", identity.Sales)
			otherRep, err := contract.Onboard(t.Context(), d.DB, d.Tenancy, tenancy.System, contract.NewTenant{
				Code: "OCB0000099", Name: "Client de Bob", ReferentLogin: "Paul.Martin", OwnerLogin: "Paul.Martin",
				SalesRepLogin: "Bob.Vendeur", Level: "basic", EffectiveFrom: "2026-01-01"})
			if err != nil {
				t.Fatal(err)
			}
			c := d.client(t)
			if p.login != "" {
				c.Login(p.login)
			}
			ids := foreignIDs(t, d, p, otherRep.ID)
			routes := d.web.GetRoutes(true)
			// Logging out ends the walk's session: it goes last.
			key := func(r fiber.Route) string {
				if r.Path == "/logout" {
					return "~"
				}
				return r.Path + " " + r.Method
			}
			sort.Slice(routes, func(i, j int) bool { return key(routes[i]) < key(routes[j]) })
			checked := 0
			for _, rt := range routes {
				if rt.Method != http.MethodGet && rt.Method != http.MethodPost {
					continue
				}
				// The JSON API's routes answer tokens, not sessions: internal/api walks them for
				// every persona.
				if rt.Path == "/healthz" || strings.HasPrefix(rt.Path, "/static") || api.IsAPI(rt.Path) {
					continue
				}
				checked++
				path, hasParam := fillParams(t, rt.Path, ids)
				var r testutil.Response
				if rt.Method == http.MethodGet {
					r = c.Get(path)
				} else {
					// Confirmed, as a destructive action is once its consequence is accepted.
					r = c.Post(path, url.Values{"confirm": {"1"}})
				}
				what := rt.Method + " " + path + " as " + name
				want := expected(p, rt.Name, hasParam, rt.Path)
				switch {
				case r.Status >= 500:
					t.Errorf("%s: status %d", what, r.Status)
				case want == "login":
					if r.Status != http.StatusSeeOther || r.Location != "/login" {
						t.Errorf("%s: status %d to %q, want the login page", what, r.Status, r.Location)
					}
				case want != "" && want != http.StatusText(r.Status):
					t.Errorf("%s: status %d, want %s", what, r.Status, want)
				}
			}
			if checked < 20 {
				t.Fatalf("only %d routes walked: the route list is not being read", checked)
			}
		})
	}
}

// fillParams puts a foreign id in every :param of path.
func fillParams(t *testing.T, path string, ids map[string]string) (string, bool) {
	parts := strings.Split(path, "/")
	has := false
	for i, part := range parts {
		if !strings.HasPrefix(part, ":") {
			continue
		}
		v, ok := ids[strings.TrimPrefix(part, ":")]
		if !ok {
			t.Fatalf("route %s: no foreign id for %s in the matrix", path, part)
		}
		parts[i], has = v, true
	}
	return strings.Join(parts, "/"), has
}

// expected is the designed answer: "login", a status text, or "" when any non-5xx answer is
// right (the route's own tests check those).
func expected(p persona, access string, hasParam bool, path string) string {
	switch access {
	case "public":
		return ""
	case "logged_in", "customer", "staff", "admin", "agent", "sales":
	default:
		return "route declares no access (name it with its access in routes.go)"
	}
	if p.login == "" {
		return "login"
	}
	allowed := access == "logged_in" ||
		(access == "customer" && p.kind == identity.Customer) ||
		(access == "staff" && p.kind.Staff()) ||
		(access == "admin" && p.kind == identity.Admin) ||
		(access == "agent" && (p.kind == identity.Agent || p.kind == identity.Admin)) ||
		(access == "sales" && (p.kind == identity.Sales || p.kind == identity.Admin))
	if !allowed {
		return http.StatusText(http.StatusForbidden)
	}
	if !hasParam {
		return ""
	}
	switch {
	case p.kind == identity.Customer:
		return http.StatusText(http.StatusNotFound)
	case p.kind == identity.Sales:
		for name := range salesScoped {
			if strings.Contains(path, ":"+name) {
				return http.StatusText(http.StatusNotFound)
			}
		}
	}
	return ""
}
