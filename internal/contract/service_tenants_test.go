package contract_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/testutil"
)

// The Contract tab is for a customer with the `contract` right on the tenant.
func TestOverviewIsForCustomersWithTheContractRight(t *testing.T) {
	a := testutil.NewApp(t)
	s := service(a, time.Now())
	ctx := context.Background()
	t1 := tenant(t, a, "OCB0000001")
	o, err := s.Overview(ctx, actor(t, a, "Marie.Dupont"), t1.ID)
	if err != nil || o.Tenant.ID != t1.ID || !o.HasLevel || o.Access == nil || !o.Access.Referent {
		t.Fatalf("referent: %+v, %v", o, err)
	}
	for login, want := range map[string]error{
		"Paul.Martin":        apperr.ErrNotFound,  // another tenant's customer
		"John.Doe":           apperr.ErrForbidden, // a member without the right
		"Alice.Agent":        apperr.ErrNotFound,  // staff have no Contract tab
		"Sophie.Commerciale": apperr.ErrNotFound,
	} {
		if _, err := s.Overview(ctx, actor(t, a, login), t1.ID); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", login, err, want)
		}
	}
}

// The staff's tenant list and tenant page: a sales rep sees their own tenants, agents and admins
// every one, customers none.
func TestStaffTenantsAreForStaffInTheirRemit(t *testing.T) {
	a := testutil.NewApp(t)
	s := service(a, time.Now())
	ctx := context.Background()
	admin := actor(t, a, "admin")
	other, err := s.Onboard(ctx, admin, contract.NewTenant{Code: "OCB0000009", Name: "Sans commercial",
		ReferentLogin: "Paul.Martin", OwnerLogin: "Paul.Martin", Level: "standard", EffectiveFrom: "2026-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	for login, want := range map[string]int{"Alice.Agent": 5, "admin": 5, "Sophie.Commerciale": 4} {
		ts, total, err := s.Tenants(ctx, actor(t, a, login), "", paging.Number(1))
		if err != nil || total != want || len(ts) != want || ts[0].Level == "" {
			t.Errorf("%s: %d tenants of %d, %v; want %d with their levels", login, len(ts), total, err, want)
		}
	}
	if ts, total, err := s.Tenants(ctx, admin, "", paging.Page{Number: 2, Size: 2}); err != nil || total != 5 || len(ts) != 2 {
		t.Errorf("second page of two: %d of %d, %v", len(ts), total, err)
	}
	if _, _, err := s.Tenants(ctx, actor(t, a, "Marie.Dupont"), "", paging.Number(1)); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("a customer lists tenants: %v, want forbidden", err)
	}

	card, err := s.StaffTenant(ctx, actor(t, a, "Alice.Agent"), other.ID)
	if err != nil || card.Tenant.Code != "OCB0000009" || len(card.Members) != 1 || !card.Contract.HasLevel {
		t.Fatalf("agent's card: %+v, %v", card, err)
	}
	for login, want := range map[string]error{"Sophie.Commerciale": apperr.ErrNotFound, "Paul.Martin": apperr.ErrForbidden} {
		if _, err := s.StaffTenant(ctx, actor(t, a, login), other.ID); !errors.Is(err, want) {
			t.Errorf("%s: %v, want %v", login, err, want)
		}
	}
	if _, err := s.Onboard(ctx, actor(t, a, "Alice.Agent"), contract.NewTenant{Code: "OCB0000010"}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("an agent onboards: %v, want forbidden", err)
	}
}
