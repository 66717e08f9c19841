package help_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// fixture is a demo desk (SQLite, or PostgreSQL on that pass) and its help center, whose index
// looks for new articles at every read and whose clock the test sets.
type fixture struct {
	t   *testing.T
	a   *app.App
	svc *help.Service
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	a := testutil.NewApp(t)
	f := &fixture{t: t, a: a, svc: a.Help, now: time.Date(2026, 12, 18, 9, 0, 0, 0, time.UTC)}
	f.svc.Fresh = 0
	f.svc.Now = func() time.Time { return f.now }
	if n := f.count("help_articles"); n != 0 {
		t.Fatalf("the demo desk has %d help articles: the tests expect none", n)
	}
	return f
}

// anonymous is a visitor without an account.
var anonymous = tenancy.Actor{}

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

func (f *fixture) tenant(code string) int64 {
	f.t.Helper()
	tn, err := tenancy.TenantByCode(f.t.Context(), f.a.DB, code)
	if err != nil {
		f.t.Fatal(err)
	}
	return tn.ID
}

// create writes an article as login.
func (f *fixture) create(login string, in help.Input) *help.Article {
	f.t.Helper()
	a, err := f.svc.Create(f.t.Context(), f.actor(login), in, 0)
	if err != nil {
		f.t.Fatalf("create %q: %v", in.TitleFR+in.TitleEN, err)
	}
	return a
}

// publish writes a published article of category c and visibility v, in French and English when
// both titles are given.
func (f *fixture) publish(c help.Category, v help.Visibility, titleFR, bodyFR, titleEN, bodyEN string) *help.Article {
	f.t.Helper()
	return f.create("Alice.Agent", help.Input{Category: c, Visibility: v, State: help.Published, TitleFR: titleFR, BodyFR: bodyFR,
		TitleEN: titleEN, BodyEN: bodyEN})
}

// read is an article as the database holds it, with its figures.
func (f *fixture) read(id int64) *help.Article {
	f.t.Helper()
	a, err := f.svc.Get(f.t.Context(), f.actor("admin"), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return a
}

// count is how many rows table has.
func (f *fixture) count(table string) int {
	f.t.Helper()
	var n int
	if err := f.a.DB.NewRaw("SELECT count(*) FROM "+table).Scan(f.t.Context(), &n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// seq is the number of the desk's last write of an article.
func (f *fixture) seq() int64 {
	f.t.Helper()
	var n int64
	if err := f.a.DB.NewRaw("SELECT COALESCE((SELECT seq FROM help_state WHERE id = 1), 0)").Scan(f.t.Context(), &n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// eventRow is one row of help_events.
type eventRow struct {
	Kind     string `bun:"kind"`
	Source   string `bun:"source"`
	UserID   *int64 `bun:"user_id"`
	TenantID *int64 `bun:"tenant_id"`
}

// events are an article's events, in the order they were recorded.
func (f *fixture) events(id int64) []eventRow {
	f.t.Helper()
	var es []eventRow
	if err := f.a.DB.NewSelect().TableExpr("help_events").Column("kind", "source", "user_id", "tenant_id").
		Where("article_id = ?", id).OrderExpr("id").Scan(f.t.Context(), &es); err != nil {
		f.t.Fatal(err)
	}
	return es
}

// declare declares an incident on tenant code as login.
func (f *fixture) declare(login, code, title string) *incident.Incident {
	f.t.Helper()
	inc, err := f.a.Incidents.Declare(f.t.Context(), f.actor(login), f.tenant(code), incident.Draft{Title: title,
		Description: "Depuis 9 h, l’instance ne répond plus.", Service: "ecs", Region: "eu-west-0", Impact: "high", Urgency: "medium"})
	if err != nil {
		f.t.Fatal(err)
	}
	return inc
}

// resolve takes the incident as the agent and resolves it with note.
func (f *fixture) resolve(inc *incident.Incident, note string) *incident.Incident {
	f.t.Helper()
	alice := f.actor("Alice.Agent")
	inc, err := f.a.Incidents.Do(f.t.Context(), alice, inc.ID, incident.Act{Action: incident.Take, Version: inc.Version})
	if err != nil {
		f.t.Fatal(err)
	}
	inc, err = f.a.Incidents.Do(f.t.Context(), alice, inc.ID, incident.Act{Action: incident.Resolve, Body: note, Version: inc.Version})
	if err != nil {
		f.t.Fatal(err)
	}
	return inc
}

// hitIDs are the ids of hits, sorted.
func hitIDs(hits []help.Hit) []int64 {
	out := make([]int64, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	slices.Sort(out)
	return out
}

// wantField fails unless err refuses field with key.
func wantField(t *testing.T, err error, field, key string) {
	t.Helper()
	e := fieldKeys(t, err)[field]
	if e == nil || e.Key != key {
		t.Fatalf("error %v, want %s beside %s", err, key, field)
	}
}

// wantKey fails unless err is the message key.
func wantKey(t *testing.T, err error, key string) *i18n.Error {
	t.Helper()
	var e *i18n.Error
	if !errors.As(err, &e) || e.Key != key {
		t.Fatalf("error %v, want %s", err, key)
	}
	return e
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("%s: %v, want not found", what, err)
	}
}
