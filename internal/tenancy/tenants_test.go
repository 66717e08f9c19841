package tenancy_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

func tenantCodes(ts []tenancy.Tenant) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Code
	}
	return out
}

func TestListTenants(t *testing.T) {
	d := newDesk(t)
	admin := d.actor("admin")
	if _, err := d.ids.CreateUser(ctx, admin.Actor, identity.UserInput{Login: "Bob.Sales", Email: "bob@example.com", DisplayName: "Bob", Lang: "en", Kind: identity.Sales, Active: true}); err != nil {
		t.Fatal(err)
	}
	t5, err := contract.Onboard(ctx, d.DB, d.s, admin, contract.NewTenant{Code: "OCB0000005", Name: "Bob's customer",
		ReferentLogin: "Paul.Martin", OwnerLogin: "Paul.Martin", SalesRepLogin: "Bob.Sales", Level: "basic", EffectiveFrom: "2027-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"OCB0000001", "OCB0000002", "OCB0000003", "OCB0000004", "OCB0000005"}
	tests := []struct {
		actor string
		f     tenancy.TenantFilter
		want  []string
		total int
	}{
		{"Sophie.Commerciale", tenancy.TenantFilter{}, all[:4], 4},
		{"Bob.Sales", tenancy.TenantFilter{}, all[4:], 1},
		{"Bob.Sales", tenancy.TenantFilter{SalesRepID: d.user("Sophie.Commerciale").ID}, all[4:], 1}, // cannot widen
		{"Alice.Agent", tenancy.TenantFilter{}, all, 5},
		{"admin", tenancy.TenantFilter{}, all, 5},
		{"admin", tenancy.TenantFilter{Query: "dupont"}, all[:3], 3},
		{"admin", tenancy.TenantFilter{Query: "ocb0000004"}, all[3:4], 1},
		{"admin", tenancy.TenantFilter{Query: "%"}, []string{}, 0},
		{"admin", tenancy.TenantFilter{Limit: 2, Offset: 2}, all[2:4], 5},
		{"admin", tenancy.TenantFilter{SalesRepID: d.user("Bob.Sales").ID}, all[4:], 1},
	}
	for _, tt := range tests {
		ts, total, err := d.s.ListTenants(ctx, d.actor(tt.actor), tt.f)
		if err != nil {
			t.Errorf("%s %+v: %v", tt.actor, tt.f, err)
			continue
		}
		if got := tenantCodes(ts); !reflect.DeepEqual(got, tt.want) || total != tt.total {
			t.Errorf("%s %+v: %q (total %d), want %q (total %d)", tt.actor, tt.f, got, total, tt.want, tt.total)
		}
	}
	for _, who := range []string{"Marie.Dupont", "John.Doe"} {
		if _, _, err := d.s.ListTenants(ctx, d.actor(who), tenancy.TenantFilter{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("ListTenants by %s: err = %v, want ErrForbidden", who, err)
		}
	}

	// StaffTenant follows the same visibility.
	t1 := d.tenant("OCB0000001")
	if _, err := d.s.StaffTenant(ctx, d.actor("Bob.Sales"), t1.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Bob on OCB0000001: err = %v, want ErrNotFound", err)
	}
	if tt, err := d.s.StaffTenant(ctx, d.actor("Bob.Sales"), t5.ID); err != nil || tt.Code != "OCB0000005" {
		t.Errorf("Bob on OCB0000005: %v, %v", tt, err)
	}
	if _, err := d.s.StaffTenant(ctx, d.actor("Marie.Dupont"), t1.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("customer on StaffTenant: err = %v, want ErrForbidden", err)
	}
	if _, err := d.s.StaffTenant(ctx, d.actor("Alice.Agent"), 999999); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown tenant: err = %v, want ErrNotFound", err)
	}
}

func TestUpdateTenantDetails(t *testing.T) {
	d := newDesk(t)
	admin := d.actor("admin")
	t1 := d.tenant("OCB0000001")
	paul := d.user("Paul.Martin")
	paul.Active = false
	if err := identity.UpdateUser(ctx, d.DB, paul, "active"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   tenancy.TenantEdit
		want []string
	}{
		{"empty name", tenancy.TenantEdit{Name: "  ", Status: "active"}, []string{"name:error.field.required"}},
		{"name too long", tenancy.TenantEdit{Name: strings.Repeat("n", identity.MaxName+1), Status: "active"}, []string{"name:error.field.too_long"}},
		{"bad status", tenancy.TenantEdit{Name: "N", Status: "closed"}, []string{"status:error.field.choice"}},
		{"unknown sales rep", tenancy.TenantEdit{Name: "N", Status: "active", SalesRepLogin: "Nobody"}, []string{"sales_rep:error.user.unknown_login"}},
		{"customer as sales rep", tenancy.TenantEdit{Name: "N", Status: "active", SalesRepLogin: "Marie.Dupont"}, []string{"sales_rep:error.tenant.not_sales"}},
		{"agent as sales rep", tenancy.TenantEdit{Name: "N", Status: "active", SalesRepLogin: "Alice.Agent"}, []string{"sales_rep:error.tenant.not_sales"}},
		{"all wrong", tenancy.TenantEdit{Status: "x", SalesRepLogin: "Nobody"}, []string{"name:error.field.required", "status:error.field.choice", "sales_rep:error.user.unknown_login"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.s.UpdateTenantDetails(ctx, admin, t1.ID, tt.in)
			testutil.WantFields(t, err, tt.want...)
			if got := d.tenant("OCB0000001"); got.Name != t1.Name || got.Status != t1.Status || *got.SalesRepID != *t1.SalesRepID {
				t.Errorf("a refused edit wrote: %+v", got)
			}
		})
	}
	for _, who := range []string{"Alice.Agent", "Sophie.Commerciale", "Marie.Dupont"} {
		if _, err := d.s.UpdateTenantDetails(ctx, d.actor(who), t1.ID, tenancy.TenantEdit{Name: "N", Status: "active"}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("by %s: err = %v, want ErrForbidden", who, err)
		}
	}
	if _, err := d.s.UpdateTenantDetails(ctx, admin, 999999, tenancy.TenantEdit{Name: "N", Status: "active"}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown tenant: err = %v", err)
	}

	if _, err := d.s.UpdateTenantDetails(ctx, admin, t1.ID, tenancy.TenantEdit{Name: "  Renamed  ", Status: tenancy.TenantCancellationRequested}); err != nil {
		t.Fatal(err)
	}
	got := d.tenant("OCB0000001")
	if got.Name != "Renamed" || got.Status != tenancy.TenantCancellationRequested || got.SalesRepID != nil {
		t.Errorf("after edit: name %q, status %q, sales rep %v", got.Name, got.Status, got.SalesRepID)
	}
	if got.ReferentID != t1.ReferentID || got.OwnerID != t1.OwnerID {
		t.Error("the edit moved the referent or the owner")
	}
	if _, err := d.s.UpdateTenantDetails(ctx, admin, t1.ID, tenancy.TenantEdit{Name: "Renamed", Status: "active", SalesRepLogin: "sophie.commerciale"}); err != nil {
		t.Fatal(err)
	}
	if got := d.tenant("OCB0000001"); got.SalesRep == nil || got.SalesRep.Login != "Sophie.Commerciale" {
		t.Errorf("sales rep = %+v", got.SalesRep)
	}
}
