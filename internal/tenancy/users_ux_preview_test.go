package tenancy_test

import (
	"errors"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/tenancy"
)

// TestUsersUXPreviewsRefuseAsTheActionsDo: the preview of removing a member or handing a role
// over answers what the action would do, or the very refusal the action gives, and changes
// nothing, so that the Users tab never asks to confirm what the rules refuse.
func TestUsersUXPreviewsRefuseAsTheActionsDo(t *testing.T) {
	d := newDesk(t)
	t1 := d.tenant("OCB0000001")
	marie, john, paul := d.user("Marie.Dupont"), d.user("John.Doe"), d.user("Paul.Martin")
	same := func(what string, previewErr, actErr error) {
		t.Helper()
		if previewErr == nil || actErr == nil || previewErr.Error() != actErr.Error() {
			t.Errorf("%s: preview says %v, the action %v", what, previewErr, actErr)
		}
	}
	type call func(a tenancy.Actor, tenantID, userID int64) error
	preview := func(f func(tenancy.Actor, int64, int64) (*tenancy.Preview, error)) call {
		return func(a tenancy.Actor, tenantID, userID int64) error { _, err := f(a, tenantID, userID); return err }
	}
	removal := [2]call{preview(func(a tenancy.Actor, tn, u int64) (*tenancy.Preview, error) { return d.s.PreviewRemoval(ctx, a, tn, u) }),
		func(a tenancy.Actor, tn, u int64) error { return d.s.RemoveMember(ctx, a, tn, u) }}
	referent := [2]call{preview(func(a tenancy.Actor, tn, u int64) (*tenancy.Preview, error) {
		return d.s.PreviewReferentChange(ctx, a, tn, u)
	}), func(a tenancy.Actor, tn, u int64) error { return d.s.ChangeReferent(ctx, a, tn, u) }}
	owner := [2]call{preview(func(a tenancy.Actor, tn, u int64) (*tenancy.Preview, error) {
		return d.s.PreviewOwnerChange(ctx, a, tn, u)
	}),
		func(a tenancy.Actor, tn, u int64) error { return d.s.ChangeOwner(ctx, a, tn, u) }}

	for _, c := range []struct {
		what   string
		action [2]call
		actor  string
		userID int64
		want   error // nil: any refusal, compared with the action's
	}{
		{"remove the referent", removal, "Marie.Dupont", marie.ID, nil},
		{"remove without the users right", removal, "John.Doe", marie.ID, apperr.ErrForbidden},
		{"remove from another's tenant", removal, "Paul.Martin", john.ID, apperr.ErrNotFound},
		{"remove a non-member", removal, "Marie.Dupont", paul.ID, apperr.ErrNotFound},
		{"referent to oneself", referent, "Marie.Dupont", marie.ID, nil},
		{"referent to a non-member", referent, "Marie.Dupont", paul.ID, apperr.ErrNotFound},
		{"referent by a member", referent, "John.Doe", john.ID, apperr.ErrForbidden},
		{"owner by a member", owner, "John.Doe", marie.ID, apperr.ErrForbidden},
		{"owner to a non-member", owner, "Marie.Dupont", paul.ID, apperr.ErrNotFound},
	} {
		before := d.rows()
		a := d.actor(c.actor)
		pErr := c.action[0](a, t1.ID, c.userID)
		if d.rows() != before {
			t.Errorf("%s: the preview changed something", c.what)
		}
		aErr := c.action[1](a, t1.ID, c.userID)
		if c.want != nil && (!errors.Is(pErr, c.want) || !errors.Is(aErr, c.want)) {
			t.Errorf("%s: preview %v, action %v, want %v", c.what, pErr, aErr, c.want)
		}
		same(c.what, pErr, aErr)
		if ref, own := d.roles("OCB0000001"); ref != "Marie.Dupont" || own != "Marie.Dupont" {
			t.Fatalf("%s: a refused action changed the roles: %s, %s", c.what, ref, own)
		}
	}

	// What the previews say of allowed actions, without doing them.
	pv, err := d.s.PreviewRemoval(ctx, d.actor("Marie.Dupont"), t1.ID, john.ID)
	if err != nil || pv.Member.User.Login != "John.Doe" || pv.Tenant.Code != "OCB0000001" {
		t.Fatalf("removal preview: %+v, %v", pv, err)
	}
	pv, err = d.s.PreviewReferentChange(ctx, d.actor("Marie.Dupont"), t1.ID, john.ID)
	if err != nil || pv.Member.User.Login != "John.Doe" || !pv.OtherRole || pv.Kept == nil || !pv.Kept.Any() {
		t.Fatalf("referent preview: %+v, %v", pv, err)
	}
	pv, err = d.s.PreviewOwnerChange(ctx, d.actor("Marie.Dupont"), t1.ID, john.ID)
	if err != nil || !pv.OtherRole || pv.Kept == nil {
		t.Fatalf("owner preview: %+v, %v", pv, err)
	}
	if ref, own := d.roles("OCB0000001"); ref != "Marie.Dupont" || own != "Marie.Dupont" {
		t.Fatalf("previews changed the roles: %s, %s", ref, own)
	}
	if _, err := tenancy.MembershipOf(ctx, d.DB, t1.ID, john.ID); err != nil {
		t.Fatalf("the removal preview removed John: %v", err)
	}
}
