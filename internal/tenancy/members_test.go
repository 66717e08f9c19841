package tenancy_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

func memberLogins(ms []tenancy.Membership) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.User.Login
	}
	return out
}

func TestUsersTabNeedsUsersRightOrReferent(t *testing.T) {
	d := newInviteDesk(t)
	t1 := d.tenant("OCB0000001")
	john, paul := d.user("John.Doe"), d.user("Paul.Martin")
	inv := d.invite("Marie.Dupont", "OCB0000001", "someone@example.org", tenancy.Rights{Incidents: true})
	tests := []struct {
		actor string
		want  error
	}{
		{"John.Doe", apperr.ErrForbidden},   // member without the users right
		{"Paul.Martin", apperr.ErrNotFound}, // not a member
		{"Alice.Agent", apperr.ErrNotFound}, // staff have no Users tab
		{"admin", apperr.ErrNotFound},       // nor does the admin
		{"Sophie.Commerciale", apperr.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.actor, func(t *testing.T) {
			before, invsBefore := d.rows(), d.count("invitations", "1 = 1")
			a := d.actor(tt.actor)
			if _, _, err := d.s.Members(ctx, a, t1.ID); !errors.Is(err, tt.want) {
				t.Errorf("Members: err = %v, want %v", err, tt.want)
			}
			if _, err := d.s.Invitations(ctx, a, t1.ID); !errors.Is(err, tt.want) {
				t.Errorf("Invitations: err = %v, want %v", err, tt.want)
			}
			err := d.s.Invite(ctx, a, t1.ID, tenancy.NewInvitation{Email: "paul.martin@example.fr", Lang: "fr", Rights: tenancy.Rights{Incidents: true}})
			if !errors.Is(err, tt.want) {
				t.Errorf("Invite: err = %v, want %v", err, tt.want)
			}
			if err := d.s.CancelInvitation(ctx, a, t1.ID, inv.ID); !errors.Is(err, tt.want) {
				t.Errorf("CancelInvitation: err = %v, want %v", err, tt.want)
			}
			if err := d.s.SetRights(ctx, a, t1.ID, john.ID, tenancy.AllRights); !errors.Is(err, tt.want) {
				t.Errorf("SetRights: err = %v, want %v", err, tt.want)
			}
			if err := d.s.RemoveMember(ctx, a, t1.ID, john.ID); !errors.Is(err, tt.want) {
				t.Errorf("RemoveMember: err = %v, want %v", err, tt.want)
			}
			if after, invsAfter := d.rows(), d.count("invitations", "1 = 1"); after != before || invsAfter != invsBefore {
				t.Errorf("rows %v, %d invitations → %v, %d: a refused action wrote", before, invsBefore, after, invsAfter)
			}
		})
	}
	if got := d.status(inv.ID); got != tenancy.InvitationPending {
		t.Errorf("refused cancels left the invitation %s", got)
	}
	m, _ := tenancy.MembershipOf(ctx, d.DB, t1.ID, john.ID)
	if m.Rights != (tenancy.Rights{Incidents: true}) {
		t.Errorf("John's rights changed to %+v", m.Rights)
	}
	if _, err := tenancy.MembershipOf(ctx, d.DB, t1.ID, paul.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Paul became a member: %v", err)
	}

	// The referent lists the members, ordered by display name.
	a, ms, err := d.s.Members(ctx, d.actor("Marie.Dupont"), t1.ID)
	if err != nil || !a.Referent || a.Rights != tenancy.AllRights {
		t.Fatalf("Members by referent: access %+v, err %v", a, err)
	}
	if got := memberLogins(ms); !reflect.DeepEqual(got, []string{"John.Doe", "Marie.Dupont"}) {
		t.Errorf("members = %q", got)
	}

	// A member granted the users right manages the tab too.
	if err := d.s.SetRights(ctx, d.actor("Marie.Dupont"), t1.ID, john.ID, tenancy.Rights{Incidents: true, Users: true}); err != nil {
		t.Fatal(err)
	}
	if _, ms, err := d.s.Members(ctx, d.actor("John.Doe"), t1.ID); err != nil || len(ms) != 2 {
		t.Errorf("Members by a users-right member: %d members, err %v", len(ms), err)
	}
	if err := d.s.Invite(ctx, d.actor("John.Doe"), t1.ID, tenancy.NewInvitation{Email: "paul.martin@example.fr", Lang: "fr", Rights: tenancy.Rights{Changes: true}}); err != nil {
		t.Errorf("Invite by a users-right member: %v", err)
	}
	if invs, err := d.s.Invitations(ctx, d.actor("John.Doe"), t1.ID); err != nil || len(invs) != 2 {
		t.Errorf("Invitations by a users-right member: %d, err %v", len(invs), err)
	}
	// Rights on one tenant say nothing about another.
	if _, _, err := d.s.Members(ctx, d.actor("John.Doe"), d.tenant("OCB0000002").ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("John on OCB0000002: err = %v, want ErrNotFound", err)
	}
}

func TestSetRights(t *testing.T) {
	d := newDesk(t)
	marie := d.actor("Marie.Dupont")
	t1, t4 := d.tenant("OCB0000001"), d.tenant("OCB0000004")
	john, paul := d.user("John.Doe"), d.user("Paul.Martin")
	testutil.WantFields(t, d.s.SetRights(ctx, marie, t1.ID, john.ID, tenancy.Rights{}), "rights:error.member.no_rights")
	if err := d.s.SetRights(ctx, marie, t1.ID, paul.ID, tenancy.AllRights); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("SetRights of a non-member: err = %v, want ErrNotFound", err)
	}
	if err := d.s.SetRights(ctx, marie, t4.ID, paul.ID, tenancy.AllRights); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("SetRights on another customer's tenant: err = %v, want ErrNotFound", err)
	}
	r := tenancy.Rights{Changes: true, Contract: true}
	if err := d.s.SetRights(ctx, marie, t1.ID, john.ID, r); err != nil {
		t.Fatal(err)
	}
	if m, _ := tenancy.MembershipOf(ctx, d.DB, t1.ID, john.ID); m.Rights != r {
		t.Errorf("rights = %+v, want %+v", m.Rights, r)
	}
	a, err := d.s.Access(ctx, d.actor("John.Doe"), t1.ID)
	if err != nil || a.Rights != r || !a.Member || a.Referent || a.Owner {
		t.Errorf("John's access = %+v, %v", a, err)
	}
}

func TestStoreErrorsSayWhatWasBeingDone(t *testing.T) {
	d := newDesk(t)
	_, err := tenancy.TenantByID(ctx, d.DB, 999999)
	if !errors.Is(err, apperr.ErrNotFound) || err.Error() != "tenancy: tenant 999999: not found" {
		t.Errorf("TenantByID: %v", err)
	}
	_, err = tenancy.MembershipOf(ctx, d.DB, 999999, 1)
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("MembershipOf: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = tenancy.Members(cancelled, d.DB, 1)
	if err == nil || !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "tenancy: list members of tenant 1: ") {
		t.Errorf("Members on a cancelled context: %v", err)
	}
	if err := tenancy.UpdateTenant(cancelled, d.DB, d.tenant("OCB0000001"), "name"); err == nil || !errors.Is(err, context.Canceled) {
		t.Errorf("UpdateTenant on a cancelled context: %v", err)
	}
}
