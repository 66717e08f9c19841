package tenancy_test

import (
	"errors"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
)

// TestStaffMayOn is the staff half of DESIGN.md's table of people and rights.
func TestStaffMayOn(t *testing.T) {
	rep := int64(7)
	tn := &tenancy.Tenant{Code: "OCB0000001", SalesRepID: &rep}
	who := func(k identity.Kind, id int64) tenancy.Actor {
		return tenancy.Of(identity.Actor{UserID: id, Kind: k})
	}
	I, C, K, U := tenancy.RightIncidents, tenancy.RightChanges, tenancy.RightContract, tenancy.RightUsers
	tests := []struct {
		actor tenancy.Actor
		right tenancy.Right
		want  error
	}{
		{who(identity.Agent, 1), I, nil}, {who(identity.Agent, 1), C, nil}, {who(identity.Agent, 1), K, apperr.ErrForbidden},
		{who(identity.Admin, 2), I, nil}, {who(identity.Admin, 2), C, nil}, {who(identity.Admin, 2), K, nil},
		{who(identity.Sales, 7), I, apperr.ErrForbidden}, {who(identity.Sales, 7), C, nil}, {who(identity.Sales, 7), K, nil},
		{who(identity.Sales, 8), C, apperr.ErrNotFound}, {who(identity.Sales, 8), K, apperr.ErrNotFound},
		{who(identity.Admin, 2), U, apperr.ErrForbidden}, {who(identity.Customer, 3), I, apperr.ErrForbidden},
	}
	for _, tt := range tests {
		if err := tenancy.StaffMayOn(tt.actor, tn, tt.right); !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("%s #%d, %s: %v, want %v", tt.actor.Kind, tt.actor.UserID, tt.right, err, tt.want)
		}
	}
}

// TestMayFromTheResolvedActor: a resolved customer is answered from the tenants read once, and a
// tenant that is not theirs is not found, exactly like one that does not exist.
func TestMayFromTheResolvedActor(t *testing.T) {
	d := newDesk(t)
	john := d.user("John.Doe")
	actor, err := tenancy.Resolve(ctx, d.DB, john)
	if err != nil {
		t.Fatal(err)
	}
	if !actor.Resolved() || len(actor.Tenants()) != 1 {
		t.Fatalf("John's tenants: %+v", actor.Tenants())
	}
	t1, t4 := d.tenant("OCB0000001").ID, d.tenant("OCB0000004").ID
	if a, err := tenancy.May(ctx, d.DB, actor, t1, tenancy.RightIncidents); err != nil || a.Tenant.Code != "OCB0000001" {
		t.Errorf("incidents on his tenant: %v, %v", a, err)
	}
	if _, err := tenancy.May(ctx, d.DB, actor, t1, tenancy.RightChanges); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("changes without the right: %v", err)
	}
	for _, id := range []int64{t4, 999999} {
		if _, err := tenancy.May(ctx, d.DB, actor, id, tenancy.RightIncidents); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("tenant %d: %v, want not found", id, err)
		}
	}
}
