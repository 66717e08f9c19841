package web_test

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// desk is a test desk: the app's parts and its HTTP application.
type desk struct {
	*app.App
	web  *fiber.App
	logs *testutil.SyncBuffer
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	a := testutil.NewApp(t)
	logs := &testutil.SyncBuffer{}
	a.Log = slog.New(slog.NewTextHandler(logs, nil))
	w, err := a.Web(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &desk{App: a, web: w, logs: logs}
}

func (d *desk) client(t *testing.T) *testutil.Client { return testutil.NewClient(t, d.web) }

// as returns a client logged in as login.
func (d *desk) as(t *testing.T, login string) *testutil.Client {
	c := d.client(t)
	c.Login(login)
	return c
}

func (d *desk) user(t *testing.T, login string) *identity.User {
	t.Helper()
	u, err := identity.UserByLogin(context.Background(), d.DB, login)
	if err != nil {
		t.Fatalf("user %s: %v", login, err)
	}
	return u
}

func (d *desk) tenant(t *testing.T, code string) *tenancy.Tenant {
	t.Helper()
	tn, err := tenancy.TenantByCode(context.Background(), d.DB, code)
	if err != nil {
		t.Fatalf("tenant %s: %v", code, err)
	}
	return tn
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func wantStatus(t *testing.T, what string, r testutil.Response, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d; location %q; body %.400s", what, r.Status, status, r.Location, r.Body)
	}
}

func wantBody(t *testing.T, what string, r testutil.Response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(r.Body, p) {
			t.Errorf("%s: body lacks %q", what, p)
		}
	}
}

func wantNoBody(t *testing.T, what string, r testutil.Response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if strings.Contains(r.Body, p) {
			t.Errorf("%s: body has %q", what, p)
		}
	}
}
