package tenancy_test

import (
	"context"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

var ctx = context.Background()

// desk is a demo desk with a clock the test moves and hooks that record what they see.
type desk struct {
	*app.App
	t     *testing.T
	s     *tenancy.Service
	ids   *identity.Service
	now   time.Time
	hooks *testutil.RecordHooks
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	a := testutil.NewApp(t)
	d := &desk{App: a, t: t, s: a.Tenancy, ids: a.Identity, now: time.Date(2027, time.March, 10, 9, 0, 0, 0, time.UTC), hooks: &testutil.RecordHooks{}}
	d.s.Now = func() time.Time { return d.now }
	d.ids.Now = func() time.Time { return d.now }
	d.ids.Hooks = d.hooks
	return d
}

func (d *desk) user(login string) *identity.User {
	d.t.Helper()
	u, err := identity.UserByLogin(ctx, d.DB, login)
	if err != nil {
		d.t.Fatalf("user %s: %v", login, err)
	}
	return u
}

func (d *desk) actor(login string) tenancy.Actor { return tenancy.ActorOf(d.user(login)) }

func (d *desk) tenant(code string) *tenancy.Tenant {
	d.t.Helper()
	t, err := tenancy.TenantByCode(ctx, d.DB, code)
	if err != nil {
		d.t.Fatalf("tenant %s: %v", code, err)
	}
	return t
}

// count returns the number of rows of table matching where.
func (d *desk) count(table, where string, args ...any) int {
	return testutil.Count(d.t, d.DB, table, where, args...)
}

// rows counts users, tenants, memberships and sessions, to prove a refused form wrote nothing.
func (d *desk) rows() [4]int {
	var r [4]int
	for i, table := range []string{"users", "tenants", "memberships", "sessions"} {
		r[i] = d.count(table, "1 = 1")
	}
	return r
}
