package tenancy_test

import (
	"errors"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

func (d *desk) roles(code string) (referent, owner string) {
	t := d.tenant(code)
	return t.Referent.Login, t.Owner.Login
}

func TestChangeReferentKeepsOwner(t *testing.T) {
	d := newDesk(t)
	t1 := d.tenant("OCB0000001")
	marie, john, paul := d.actor("Marie.Dupont"), d.user("John.Doe"), d.user("Paul.Martin")

	if err := d.s.ChangeReferent(ctx, d.actor("John.Doe"), t1.ID, john.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("by a member who is not the referent: err = %v, want ErrForbidden", err)
	}
	if err := d.s.ChangeReferent(ctx, d.actor("Paul.Martin"), t1.ID, paul.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("by a stranger: err = %v, want ErrNotFound", err)
	}
	// Someone who is not a member does not exist for this customer.
	for _, id := range []int64{paul.ID, 999999} {
		if err := d.s.ChangeReferent(ctx, marie, t1.ID, id); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("to non-member %d: err = %v, want ErrNotFound", id, err)
		}
	}
	testutil.WantFields(t, d.s.ChangeReferent(ctx, marie, t1.ID, marie.UserID), "user:error.member.same_holder")
	if r, o := d.roles("OCB0000001"); r != "Marie.Dupont" || o != "Marie.Dupont" {
		t.Fatalf("a refused change wrote: referent %s, owner %s", r, o)
	}

	if err := d.s.ChangeReferent(ctx, marie, t1.ID, john.ID); err != nil {
		t.Fatal(err)
	}
	if r, o := d.roles("OCB0000001"); r != "John.Doe" || o != "Marie.Dupont" {
		t.Errorf("after ChangeReferent: referent %s, owner %s; want John.Doe, Marie.Dupont", r, o)
	}
	// The former referent no longer may; the new one holds every right.
	if err := d.s.ChangeReferent(ctx, marie, t1.ID, marie.UserID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("former referent: err = %v, want ErrForbidden", err)
	}
	if a, err := d.s.Access(ctx, d.actor("John.Doe"), t1.ID); err != nil || !a.Referent || a.Rights != tenancy.AllRights {
		t.Errorf("new referent's access = %+v, %v", a, err)
	}
	// Only the owner moves the owner role, and it leaves the referent alone.
	if err := d.s.ChangeOwner(ctx, d.actor("John.Doe"), t1.ID, john.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("ChangeOwner by the referent: err = %v, want ErrForbidden", err)
	}
}

func TestChangeOwnerKeepsReferent(t *testing.T) {
	d := newDesk(t)
	t2 := d.tenant("OCB0000002")
	marie, paul := d.actor("Marie.Dupont"), d.user("Paul.Martin")
	if err := d.s.ChangeOwner(ctx, marie, t2.ID, paul.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("to a non-member: err = %v, want ErrNotFound", err)
	}
	d.join("OCB0000002", "Paul.Martin", tenancy.Rights{Contract: true})
	if err := d.s.ChangeOwner(ctx, marie, t2.ID, paul.ID); err != nil {
		t.Fatal(err)
	}
	if r, o := d.roles("OCB0000002"); r != "Marie.Dupont" || o != "Paul.Martin" {
		t.Errorf("after ChangeOwner: referent %s, owner %s; want Marie.Dupont, Paul.Martin", r, o)
	}
	a, err := d.s.Access(ctx, d.actor("Paul.Martin"), t2.ID)
	if err != nil || !a.Owner || a.Referent || a.Rights != (tenancy.Rights{Contract: true, Services: true}) {
		t.Errorf("owner's access = %+v, %v", a, err)
	}
	if r, o := d.roles("OCB0000001"); r != "Marie.Dupont" || o != "Marie.Dupont" {
		t.Errorf("another tenant changed: referent %s, owner %s", r, o)
	}
}

func TestRemoveMemberAndWithdrawKeepRoles(t *testing.T) {
	d := newDesk(t)
	t1 := d.tenant("OCB0000001")
	marie, john := d.user("Marie.Dupont"), d.user("John.Doe")

	// Marie is referent and owner.
	testutil.WantFields(t, d.s.RemoveMember(ctx, tenancy.ActorOf(marie), t1.ID, marie.ID), ":error.member.is_referent")
	testutil.WantFields(t, d.s.Withdraw(ctx, tenancy.ActorOf(marie), t1.ID), ":error.member.is_referent")

	// John becomes referent: Marie is now only the owner.
	if err := d.s.ChangeReferent(ctx, tenancy.ActorOf(marie), t1.ID, john.ID); err != nil {
		t.Fatal(err)
	}
	testutil.WantFields(t, d.s.RemoveMember(ctx, tenancy.ActorOf(john), t1.ID, marie.ID), ":error.member.is_owner")
	testutil.WantFields(t, d.s.Withdraw(ctx, tenancy.ActorOf(marie), t1.ID), ":error.member.is_owner")
	testutil.WantFields(t, d.s.Withdraw(ctx, tenancy.ActorOf(john), t1.ID), ":error.member.is_referent")
	if n := d.count("memberships", "tenant_id = ?", t1.ID); n != 2 {
		t.Fatalf("memberships = %d, want 2", n)
	}
}

func TestRemoveMemberAndWithdraw(t *testing.T) {
	d := newDesk(t)
	t1 := d.tenant("OCB0000001")
	marie, john, paul := d.actor("Marie.Dupont"), d.user("John.Doe"), d.user("Paul.Martin")
	d.join("OCB0000001", "Paul.Martin", tenancy.Rights{Incidents: true})
	if err := d.s.RemoveMember(ctx, marie, t1.ID, paul.ID); err != nil {
		t.Fatal(err)
	}
	if err := d.s.RemoveMember(ctx, marie, t1.ID, paul.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("removing twice: err = %v, want ErrNotFound", err)
	}
	if err := d.s.Withdraw(ctx, tenancy.ActorOf(john), t1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.s.Access(ctx, tenancy.ActorOf(john), t1.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("after Withdraw: err = %v, want ErrNotFound", err)
	}
	if err := d.s.Withdraw(ctx, tenancy.ActorOf(john), t1.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("withdrawing twice: err = %v, want ErrNotFound", err)
	}
	if n := d.count("memberships", "tenant_id = ?", t1.ID); n != 1 {
		t.Errorf("memberships = %d, want 1", n)
	}
}

func TestAccessTo(t *testing.T) {
	d := newDesk(t)
	t1 := d.tenant("OCB0000001")
	tests := []struct {
		actor  string
		tenant int64
		want   *tenancy.Access // nil: ErrNotFound
	}{
		{"Marie.Dupont", t1.ID, &tenancy.Access{Rights: tenancy.AllRights, Member: true, Referent: true, Owner: true}},
		{"John.Doe", t1.ID, &tenancy.Access{Rights: tenancy.Rights{Incidents: true}, Member: true}},
		{"Paul.Martin", t1.ID, nil},
		{"Paul.Martin", d.tenant("OCB0000004").ID, &tenancy.Access{Rights: tenancy.AllRights, Member: true, Referent: true, Owner: true}},
		{"Marie.Dupont", d.tenant("OCB0000004").ID, nil},
		{"Marie.Dupont", 999999, nil},
		{"Alice.Agent", t1.ID, nil},
		{"admin", t1.ID, nil},
	}
	for _, tt := range tests {
		a, err := tenancy.AccessTo(ctx, d.DB, d.actor(tt.actor), tt.tenant)
		if tt.want == nil {
			if !errors.Is(err, apperr.ErrNotFound) || a != nil {
				t.Errorf("%s on %d: %+v, %v; want ErrNotFound", tt.actor, tt.tenant, a, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s on %d: %v", tt.actor, tt.tenant, err)
			continue
		}
		if a.Tenant == nil || a.Tenant.ID != tt.tenant {
			t.Errorf("%s on %d: tenant %+v", tt.actor, tt.tenant, a.Tenant)
		}
		a.Tenant = nil
		if *a != *tt.want {
			t.Errorf("%s on %d: access %+v, want %+v", tt.actor, tt.tenant, *a, *tt.want)
		}
	}

	// The referent holds every right even when the membership row says less.
	marie := d.user("Marie.Dupont")
	if _, err := d.DB.NewUpdate().Table("memberships").Set("can_users = FALSE, can_contract = FALSE").
		Where("tenant_id = ? AND user_id = ?", t1.ID, marie.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if a, err := tenancy.AccessTo(ctx, d.DB, tenancy.ActorOf(marie), t1.ID); err != nil || a.Rights != tenancy.AllRights {
		t.Errorf("referent with a reduced row: %+v, %v", a, err)
	}
}

func TestScope(t *testing.T) {
	d := newDesk(t)
	marie, john := d.actor("Marie.Dupont"), d.actor("John.Doe")
	t1, t3, t4 := d.tenant("OCB0000001"), d.tenant("OCB0000003"), d.tenant("OCB0000004")
	token, _ := d.ids.StartSession(ctx, d.user("Marie.Dupont"))
	sess, _ := identity.SessionByToken(ctx, d.DB, token)

	// No choice yet: the first tenant by code, remembered in the session.
	a, err := d.s.Scope(ctx, marie, sess)
	if err != nil || a.Tenant.Code != "OCB0000001" {
		t.Fatalf("Scope = %+v, %v; want OCB0000001", a, err)
	}
	stored, _ := identity.SessionByToken(ctx, d.DB, token)
	if stored.ScopeTenantID == nil || *stored.ScopeTenantID != t1.ID {
		t.Errorf("stored scope = %v, want %d", stored.ScopeTenantID, t1.ID)
	}

	if err := d.s.SetScope(ctx, marie, sess, t3.ID); err != nil {
		t.Fatal(err)
	}
	if a, err := d.s.Scope(ctx, marie, sess); err != nil || a.Tenant.ID != t3.ID {
		t.Errorf("Scope after SetScope = %+v, %v; want OCB0000003", a, err)
	}
	if err := d.s.SetScope(ctx, marie, sess, t4.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("SetScope on another customer's tenant: err = %v, want ErrNotFound", err)
	}
	if *sess.ScopeTenantID != t3.ID {
		t.Errorf("a refused SetScope changed the session to %d", *sess.ScopeTenantID)
	}

	// A scope that is no longer reachable falls back to the first tenant.
	sess.ScopeTenantID = &t4.ID
	if a, err := d.s.Scope(ctx, marie, sess); err != nil || a.Tenant.ID != t1.ID {
		t.Errorf("unreachable scope: %+v, %v; want OCB0000001", a, err)
	}

	// John loses his only tenant: no scope at all.
	jt, _ := d.ids.StartSession(ctx, d.user("John.Doe"))
	jsess, _ := identity.SessionByToken(ctx, d.DB, jt)
	if a, err := d.s.Scope(ctx, john, jsess); err != nil || a.Tenant.ID != t1.ID {
		t.Fatalf("John's scope = %+v, %v", a, err)
	}
	if err := d.s.RemoveMember(ctx, marie, t1.ID, john.UserID); err != nil {
		t.Fatal(err)
	}
	if _, err := d.s.Scope(ctx, john, jsess); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("John without tenant: err = %v, want ErrNotFound", err)
	}
	if ts, err := d.s.MyTenants(ctx, d.actor("Alice.Agent")); err != nil || ts != nil {
		t.Errorf("MyTenants of staff = %v, %v", ts, err)
	}
}
