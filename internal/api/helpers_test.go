package api_test

import (
	"context"
	"log/slog"
	"strconv"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// desk is a test desk with its HTTP application and what it logged.
type desk struct {
	*app.App
	web  *fiber.App
	logs *testutil.SyncBuffer
}

func newDesk(t *testing.T) *desk { return newDeskWith(t, nil) }

// newDeskWith opens a desk on a copy of the demo database with the configuration changed by
// change (nil: as is).
func newDeskWith(t *testing.T, change func(*config.Config)) *desk {
	t.Helper()
	cfg := testutil.Config(testutil.NewDemoDatabase(t))
	if change != nil {
		change(&cfg)
	}
	logs := &testutil.SyncBuffer{}
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	w, err := a.Web(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &desk{App: a, web: w, logs: logs}
}

// as returns an API client with a read-write token of login.
func (d *desk) as(t *testing.T, login string) *testutil.APIClient {
	return testutil.NewAPIClient(t, d.web, testutil.APIToken(t, d.App, login, identity.ScopeWrite))
}

// readOnly returns an API client with a read-only token of login.
func (d *desk) readOnly(t *testing.T, login string) *testutil.APIClient {
	return testutil.NewAPIClient(t, d.web, testutil.APIToken(t, d.App, login, identity.ScopeRead))
}

// actor is login's actor, for calling the services directly.
func (d *desk) actor(t *testing.T, login string) tenancy.Actor {
	t.Helper()
	u, err := identity.UserByLogin(context.Background(), d.DB, login)
	if err != nil {
		t.Fatal(err)
	}
	return tenancy.ActorOf(u)
}

// anonymous returns an API client without a token.
func (d *desk) anonymous(t *testing.T) *testutil.APIClient {
	return testutil.NewAPIClient(t, d.web, "")
}

// declaration is a valid incident declaration on tenant.
func declaration(tenant, title string) map[string]any {
	return map[string]any{"tenant": tenant, "title": title, "description": "Monitoring says the API answers 502.",
		"service": "ecs", "region": "eu-west-0", "impact": "high", "urgency": "medium"}
}

// problem is a decoded problem+json.
type problem struct {
	Type, Title, Detail, Instance string
	Status                        int
	Errors                        []struct{ Field, Message string }
}

func problemOf(t *testing.T, r testutil.APIResponse) problem {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("answer %d is %q, not a problem: %.300s", r.Status, ct, r.Body)
	}
	var p problem
	r.JSON(t, &p)
	if p.Status != r.Status || p.Title == "" {
		t.Fatalf("problem %+v for status %d", p, r.Status)
	}
	return p
}

// fieldsOf are the refused fields of a problem, with their messages.
func (p problem) fields() map[string]string {
	m := map[string]string{}
	for _, e := range p.Errors {
		m[e.Field] = e.Message
	}
	return m
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
