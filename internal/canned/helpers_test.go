package canned_test

import (
	"testing"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/canned"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// fixture is a demo desk and its canned responses.
type fixture struct {
	t   *testing.T
	a   *app.App
	svc *canned.Service
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	a := testutil.NewApp(t)
	return &fixture{t: t, a: a, svc: a.Canned}
}

func (f *fixture) actor(login string) tenancy.Actor {
	f.t.Helper()
	u, err := identity.UserByLogin(f.t.Context(), f.a.DB, login)
	if err != nil {
		f.t.Fatal(err)
	}
	actor, err := tenancy.Resolve(f.t.Context(), f.a.DB, u)
	if err != nil {
		f.t.Fatal(err)
	}
	return actor
}

// create writes a canned response as login.
func (f *fixture) create(login string, d canned.Draft) *canned.Response {
	f.t.Helper()
	r, err := f.svc.Create(f.t.Context(), f.actor(login), d)
	if err != nil {
		f.t.Fatalf("create %q: %v", d.Name, err)
	}
	return r
}

// count is how many canned responses the desk has.
func (f *fixture) count() int {
	f.t.Helper()
	n, err := f.a.DB.NewSelect().Model((*canned.Response)(nil)).Count(f.t.Context())
	if err != nil {
		f.t.Fatal(err)
	}
	return int(n)
}

// declare declares an incident on tenant code as login.
func (f *fixture) declare(login, code, title string) *incident.Incident {
	f.t.Helper()
	tn, err := tenancy.TenantByCode(f.t.Context(), f.a.DB, code)
	if err != nil {
		f.t.Fatal(err)
	}
	inc, err := f.a.Incidents.Declare(f.t.Context(), f.actor(login), tn.ID, incident.Draft{Title: title,
		Description: "La passerelle répond 502 depuis 9 h.", Service: "ecs", Region: "eu-west-0", Impact: "high", Urgency: "medium"})
	if err != nil {
		f.t.Fatal(err)
	}
	return inc
}

// wantField fails unless err refuses field with key.
func wantField(t *testing.T, err error, field, key string) {
	t.Helper()
	e := fieldKeys(t, err)[field]
	if e == nil || e.Key != key {
		t.Fatalf("error %v, want %s beside %s", err, key, field)
	}
}

var acknowledge = canned.Draft{Name: "Accusé de réception",
	TextFR: "Bonjour {customer_name},\n\nNous avons bien reçu {incident_number} ({title}). {agent_name} s’en occupe, réponse avant le {due_time}.\n{link}",
	TextEN: "Hello {customer_name},\n\nWe received {incident_number} ({title}). {agent_name} is on it, answer by {due_time}.\n{link}"}
