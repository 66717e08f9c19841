package web_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/uptrace/bun"
)

// statementCounter counts the statements the database runs, and keeps them for a failure
// message.
type statementCounter struct {
	mu    sync.Mutex
	on    bool
	stmts []string
}

func (s *statementCounter) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (s *statementCounter) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.on {
		q := e.Query
		if len(q) > 140 {
			q = q[:140] + "…"
		}
		s.stmts = append(s.stmts, q)
	}
}

// count runs f and returns the statements it ran.
func (s *statementCounter) count(f func()) []string {
	s.mu.Lock()
	s.on, s.stmts = true, nil
	s.mu.Unlock()
	f()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.on = false
	return s.stmts
}

// TestStatementsPerRequest measures the statements the hot pages run (session, user, access,
// the page's own reads and writes): one access decision per request, no statement run twice.
// The bounds are today's counts (they were 6, 10, 17 and 3 before the access decision was made
// once per request, and declaring ran 15 before its mail's audience reused the tenant and the
// access already resolved; 5, 7, 13 and 3 before the session, user and access were kept
// between requests under the access version); a change that adds statements to these pages
// must say why. Declaring went from 10 to 11 with the report mark (report_dirty), the one
// append that keeps the dashboards' derived row in step with the incident.
func TestStatementsPerRequest(t *testing.T) {
	d := newDesk(t)
	counter := &statementCounter{}
	d.DB.AddQueryHook(counter)
	t1 := d.tenant(t, "OCB0000001").ID
	inc := d.declare(t, "Marie.Dupont", t1, "Volume vol-42 inaccessible")
	marie := d.as(t, "Marie.Dupont")
	marie.Get("/incidents")
	alice := d.as(t, "Alice.Agent")

	pages := []struct {
		name string
		max  int
		do   func() int
	}{
		{"customer list", 2, func() int { return marie.Get("/incidents").Status }},
		{"incident page", 4, func() int { return marie.Get("/incidents/" + inc.Number()).Status }},
		// Declaring also looks up the webhooks told of it, in its transaction (the outbox pattern),
		// and, sent without script, the help articles its title suggests: their index looks for
		// articles written elsewhere at most once a second (help_state).
		{"declare", 12, func() int { return marie.PostFiles("/incidents", validIncidentForm()).Status }},
		{"agent queue", 2, func() int { return alice.Get("/staff/incidents").Status }},
	}
	for _, p := range pages {
		var status int
		stmts := counter.count(func() { status = p.do() })
		if status >= http.StatusBadRequest {
			t.Fatalf("%s: status %d", p.name, status)
		}
		t.Logf("%s: %d statements", p.name, len(stmts))
		if len(stmts) > p.max {
			t.Errorf("%s: %d statements, at most %d:\n%s", p.name, len(stmts), p.max, strings.Join(stmts, "\n"))
		}
	}
}
