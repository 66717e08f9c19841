package demo_test

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

var ctx = context.Background()

func counts(t *testing.T, db *bun.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, table := range []string{"users", "tenants", "memberships", "support_levels", "sessions"} {
		n, err := db.NewSelect().Table(table).Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out[table] = int(n)
	}
	return out
}

// Loading on a fresh database at a fixed instant gives exactly the documented data.
func TestLoadOnFreshDatabase(t *testing.T) {
	a, err := app.Open(ctx, testutil.Config(filepath.Join(t.TempDir(), "demo.db")), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	// 31 January 23:30 UTC is already 1 February in Paris.
	now := time.Date(2027, time.January, 31, 23, 30, 0, 0, time.UTC)
	if err := demo.Load(ctx, a.DB, a.Identity, a.Tenancy, now); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"users": 6, "tenants": 4, "memberships": 5, "support_levels": 4, "sessions": 0}
	if got := counts(t, a.DB); !maps.Equal(got, want) {
		t.Errorf("counts = %v, want %v", got, want)
	}

	for _, u := range demo.Users {
		got, err := identity.UserByLogin(ctx, a.DB, u.Login)
		if err != nil {
			t.Fatalf("%s: %v", u.Login, err)
		}
		if got.Email != u.Email || got.DisplayName != u.Name || got.Lang != u.Lang || got.Kind != u.Kind || !got.Active {
			t.Errorf("%s = %+v", u.Login, got)
		}
		if !identity.CheckPassword(got.PasswordHash, demo.Password) {
			t.Errorf("%s: the demo password does not check", u.Login)
		}
	}

	levels := []struct {
		code, referent string
		level          contract.Level
		from, until    string
	}{
		{"OCB0000001", "Marie.Dupont", contract.Premium, "2026-12-01", "2027-05-31"},
		{"OCB0000002", "Marie.Dupont", contract.Business, "2026-09-01", "2027-02-28"},
		{"OCB0000003", "Marie.Dupont", contract.Standard, "2026-06-01", "2026-11-30"},
		{"OCB0000004", "Paul.Martin", contract.Basic, "2026-11-01", ""},
	}
	for _, l := range levels {
		tn, err := tenancy.TenantByCode(ctx, a.DB, l.code)
		if err != nil {
			t.Fatalf("%s: %v", l.code, err)
		}
		if tn.Referent.Login != l.referent || tn.Owner.Login != l.referent || tn.SalesRep == nil ||
			tn.SalesRep.Login != "Sophie.Commerciale" || tn.Status != tenancy.TenantActive {
			t.Errorf("%s: referent %s, owner %s, sales rep %v, status %s", l.code, tn.Referent.Login, tn.Owner.Login, tn.SalesRep, tn.Status)
		}
		h, err := contract.History(ctx, a.DB, tn.ID)
		if err != nil || len(h) != 1 {
			t.Fatalf("%s history = %v, %v", l.code, h, err)
		}
		if h[0].Level != l.level || h[0].EffectiveFrom.String() != l.from || h[0].CommittedUntil.String() != l.until {
			t.Errorf("%s period = %s from %v until %v; want %s from %s until %q", l.code, h[0].Level, h[0].EffectiveFrom, h[0].CommittedUntil, l.level, l.from, l.until)
		}
		m, err := tenancy.MembershipOf(ctx, a.DB, tn.ID, tn.ReferentID)
		if err != nil || m.Rights != tenancy.AllRights {
			t.Errorf("%s referent membership = %+v, %v", l.code, m, err)
		}
	}

	t1, _ := tenancy.TenantByCode(ctx, a.DB, "OCB0000001")
	john, _ := identity.UserByLogin(ctx, a.DB, "John.Doe")
	if m, err := tenancy.MembershipOf(ctx, a.DB, t1.ID, john.ID); err != nil || m.Rights != (tenancy.Rights{Incidents: true}) {
		t.Errorf("John's membership = %+v, %v; want incidents only", m, err)
	}
	marie, _ := identity.UserByLogin(ctx, a.DB, "Marie.Dupont")
	if ts, err := tenancy.TenantsOf(ctx, a.DB, marie.ID); err != nil || len(ts) != 3 {
		t.Errorf("Marie's tenants = %d, %v; want 3", len(ts), err)
	}
}

func TestLoadTwiceChangesNothing(t *testing.T) {
	a := testutil.NewApp(t)
	before := counts(t, a.DB)
	t1, _ := tenancy.TenantByCode(ctx, a.DB, "OCB0000001")
	h1, _ := contract.History(ctx, a.DB, t1.ID)
	for _, now := range []time.Time{time.Now(), time.Now().AddDate(1, 0, 0)} {
		if err := demo.Load(ctx, a.DB, a.Identity, a.Tenancy, now); err != nil {
			t.Fatal(err)
		}
	}
	if after := counts(t, a.DB); !maps.Equal(after, before) {
		t.Errorf("counts %v → %v", before, after)
	}
	if h2, _ := contract.History(ctx, a.DB, t1.ID); len(h2) != len(h1) || h2[0] != h1[0] {
		t.Errorf("history %v → %v", h1, h2)
	}
	// A demo user removed from a tenant comes back; one whose password changed keeps it.
	john, _ := identity.UserByLogin(ctx, a.DB, "John.Doe")
	if err := tenancy.DeleteMembership(ctx, a.DB, t1.ID, john.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.Identity.SetPassword(ctx, a.DB, john, "my-own-password", ""); err != nil {
		t.Fatal(err)
	}
	if err := demo.Load(ctx, a.DB, a.Identity, a.Tenancy, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := tenancy.MembershipOf(ctx, a.DB, t1.ID, john.ID); err != nil {
		t.Errorf("John's membership was not restored: %v", err)
	}
	john, _ = identity.UserByLogin(ctx, a.DB, "John.Doe")
	if !identity.CheckPassword(john.PasswordHash, "my-own-password") {
		t.Error("demo.Load overwrote a changed password")
	}
}
