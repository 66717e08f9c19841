package audience_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// aud is an event and the roles it concerns, as the tables of these tests write them.
type aud struct {
	TenantID    int64
	Right       tenancy.Right
	Actor       tenancy.Actor
	Confirm     bool
	RequesterID int64
	AssigneeID  int64
	Roles       []audience.Role
}

// recipients asks a roster with leads and the default language def for a's recipients.
func recipients(ctx context.Context, idb bun.IDB, leads []string, def string, a aud) ([]notify.Recipient, error) {
	ro := &audience.Roster{Leads: leads, DefaultLang: def}
	return ro.To(ctx, idb, audience.Event{TenantID: a.TenantID, Right: a.Right, Actor: a.Actor, Confirm: a.Confirm,
		RequesterID: a.RequesterID, AssigneeID: a.AssigneeID}, a.Roles...)
}

func describe(rs []notify.Recipient) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprintf("%s/%s/%d", r.Email, r.Lang, r.UserID)
	}
	return out
}

// newDesk returns a desk on a private demo database.
func newDesk(t testing.TB) *app.App {
	t.Helper()
	return testutil.NewApp(t)
}

func user(t testing.TB, a *app.App, login string) *identity.User {
	t.Helper()
	u, err := identity.UserByLogin(context.Background(), a.DB, login)
	if err != nil {
		t.Fatalf("%s: %v", login, err)
	}
	return u
}

func tenant(t *testing.T, idb bun.IDB, code string) *tenancy.Tenant {
	t.Helper()
	tn, err := tenancy.TenantByCode(context.Background(), idb, code)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}
