package tenancy_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// sentInvitation is an invitation mail as the hooks saw it.
type sentInvitation struct {
	ID      int64
	To      string // the invited address
	Invitee string // login of the account mailed, "" for a bare address
	Lang    string // the form's language
	Token   string
}

// inviteHooks records invitation mails besides what recordHooks records.
type inviteHooks struct {
	*testutil.RecordHooks
	mu   sync.Mutex
	sent []sentInvitation
}

func (h *inviteHooks) InvitationSent(_ context.Context, _ bun.IDB, inv *tenancy.Invitation, invitee *identity.User, token string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if inv.Tenant == nil || inv.Inviter == nil {
		return errors.New("invitation without its tenant or inviter")
	}
	s := sentInvitation{ID: inv.ID, To: inv.Email, Lang: inv.Lang, Token: token}
	if invitee != nil {
		s.Invitee = invitee.Login
	}
	h.sent = append(h.sent, s)
	return nil
}

func (h *inviteHooks) last(t *testing.T) sentInvitation {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.sent) == 0 {
		t.Fatal("no invitation mail")
	}
	return h.sent[len(h.sent)-1]
}

func (h *inviteHooks) count() int { h.mu.Lock(); defer h.mu.Unlock(); return len(h.sent) }

type inviteDesk struct {
	*desk
	mails *inviteHooks
}

func newInviteDesk(t *testing.T) *inviteDesk {
	d := newDesk(t)
	h := &inviteHooks{RecordHooks: d.hooks}
	d.s.Hooks = h
	return &inviteDesk{desk: d, mails: h}
}

// invite has login invite email to tenant code and returns the pending invitation.
func (d *inviteDesk) invite(login, code, email string, r tenancy.Rights) *tenancy.Invitation {
	d.t.Helper()
	tn := d.tenant(code)
	if err := d.s.Invite(ctx, d.actor(login), tn.ID, tenancy.NewInvitation{Email: email, Lang: "en", Rights: r}); err != nil {
		d.t.Fatalf("invite %s to %s: %v", email, code, err)
	}
	var inv tenancy.Invitation
	err := d.DB.NewSelect().Model(&inv).Where("tenant_id = ? AND status = 'pending' AND email_key = ?", tn.ID, strings.ToLower(strings.TrimSpace(email))).Scan(ctx)
	if err != nil {
		d.t.Fatal(err)
	}
	return &inv
}

func (d *inviteDesk) status(id int64) string {
	d.t.Helper()
	inv, err := tenancy.InvitationByID(ctx, d.DB, id)
	if err != nil {
		d.t.Fatal(err)
	}
	return inv.Status
}

func (d *inviteDesk) membership(code, login string) (*tenancy.Membership, error) {
	return tenancy.MembershipOf(ctx, d.DB, d.tenant(code).ID, d.user(login).ID)
}

func TestInviteWritesAnInvitationAndMailsTheAddress(t *testing.T) {
	d := newInviteDesk(t)
	marie := d.actor("Marie.Dupont")
	t1 := d.tenant("OCB0000001")
	before := d.rows()
	one := tenancy.Rights{Incidents: true}

	// An address without an account: mailed as is, in the language chosen on the form.
	if err := d.s.Invite(ctx, marie, t1.ID, tenancy.NewInvitation{Email: " Lea@Example.fr ", Lang: "en", Rights: tenancy.Rights{Incidents: true, Users: true}}); err != nil {
		t.Fatal(err)
	}
	if got := d.mails.last(t); got.To != "Lea@Example.fr" || got.Invitee != "" || got.Lang != "en" || got.Token == "" {
		t.Errorf("mail to an unknown address = %+v", got)
	}
	// A customer's address, typed in another case: mailed to the customer, in their language.
	if err := d.s.Invite(ctx, marie, t1.ID, tenancy.NewInvitation{Email: "PAUL.MARTIN@example.fr", Lang: "en", Rights: one}); err != nil {
		t.Fatal(err)
	}
	if got := d.mails.last(t); got.To != "PAUL.MARTIN@example.fr" || got.Invitee != "Paul.Martin" {
		t.Errorf("mail to a customer's address = %+v", got)
	}
	// A staff address: the same answer, the same row, but no mail.
	if err := d.s.Invite(ctx, marie, t1.ID, tenancy.NewInvitation{Email: "alice.agent@example.com", Lang: "fr", Rights: one}); err != nil {
		t.Fatal(err)
	}
	if n := d.mails.count(); n != 2 {
		t.Errorf("%d mails, want 2: a staff address was mailed", n)
	}
	if after := d.rows(); after != before {
		t.Errorf("rows %v → %v: inviting created a user, membership or session", before, after)
	}
	if len(d.hooks.Created) != 0 {
		t.Errorf("UserCreated called: %q", d.hooks.Created)
	}

	invs, err := d.s.Invitations(ctx, marie, t1.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, inv := range invs {
		got = append(got, inv.Email)
		if inv.Status != tenancy.InvitationPending || inv.InvitedBy != marie.UserID || inv.Inviter.Login != "Marie.Dupont" ||
			!inv.CreatedAt.Equal(d.now) || !inv.ExpiresAt.Equal(d.now.Add(tenancy.InvitationLifetime)) || inv.UserID != nil {
			t.Errorf("invitation = %+v", inv)
		}
		if inv.TokenHash == "" || strings.Contains(inv.TokenHash, d.mails.sent[0].Token) {
			t.Errorf("token stored as %q", inv.TokenHash)
		}
	}
	// Newest first; the addresses exactly as typed (trimmed).
	if want := []string{"alice.agent@example.com", "PAUL.MARTIN@example.fr", "Lea@Example.fr"}; !reflect.DeepEqual(got, want) {
		t.Errorf("invitations = %q, want %q", got, want)
	}
}

func TestInviteRefusesBadInput(t *testing.T) {
	d := newInviteDesk(t)
	marie := d.actor("Marie.Dupont")
	t1 := d.tenant("OCB0000001")
	one := tenancy.Rights{Incidents: true}
	long := strings.Repeat("a", identity.MaxEmail)
	tests := []struct {
		name string
		in   tenancy.NewInvitation
		want []string
	}{
		{"empty form", tenancy.NewInvitation{}, []string{"email:error.field.required", "lang:error.field.choice", "rights:error.member.no_rights"}},
		{"no rights", tenancy.NewInvitation{Email: "a@example.com", Lang: "fr"}, []string{"rights:error.member.no_rights"}},
		{"bad lang", tenancy.NewInvitation{Email: "a@example.com", Lang: "de", Rights: one}, []string{"lang:error.field.choice"}},
		{"bad email", tenancy.NewInvitation{Email: "new.one@", Lang: "fr", Rights: one}, []string{"email:error.field.email"}},
		{"email with a name", tenancy.NewInvitation{Email: "New <new@example.com>", Lang: "fr", Rights: one}, []string{"email:error.field.email"}},
		{"email without a dot in the domain", tenancy.NewInvitation{Email: "new@localhost", Lang: "fr", Rights: one}, []string{"email:error.field.email"}},
		{"email too long", tenancy.NewInvitation{Email: long + "@example.com", Lang: "fr", Rights: one}, []string{"email:error.field.too_long"}},
		{"two addresses", tenancy.NewInvitation{Email: "a@example.com, b@example.com", Lang: "fr", Rights: one}, []string{"email:error.field.email"}},
		{"a member's address", tenancy.NewInvitation{Email: "John.Doe@Example.com", Lang: "fr", Rights: one}, []string{"email:error.invitation.already_member"}},
		{"the referent's address", tenancy.NewInvitation{Email: "marie.dupont@example.fr", Lang: "fr", Rights: one}, []string{"email:error.invitation.already_member"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := d.rows()
			testutil.WantFields(t, d.s.Invite(ctx, marie, t1.ID, tt.in), tt.want...)
			if after := d.rows(); after != before {
				t.Errorf("rows %v → %v: a refused form wrote", before, after)
			}
			if n := d.count("invitations", "1 = 1"); n != 0 {
				t.Errorf("%d invitations written", n)
			}
		})
	}
	if n := d.mails.count(); n != 0 {
		t.Errorf("%d mails sent by refused forms", n)
	}
	// Another customer's tenant does not exist for Marie.
	err := d.s.Invite(ctx, marie, d.tenant("OCB0000004").ID, tenancy.NewInvitation{Email: "a@example.com", Lang: "fr", Rights: one})
	if !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Invite on a foreign tenant: %v, want ErrNotFound", err)
	}
	if _, err := d.s.Invitations(ctx, marie, d.tenant("OCB0000004").ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Invitations of a foreign tenant: %v, want ErrNotFound", err)
	}
}

func TestCancelInvitation(t *testing.T) {
	d := newInviteDesk(t)
	marie := d.actor("Marie.Dupont")
	t1 := d.tenant("OCB0000001")
	inv := d.invite("Marie.Dupont", "OCB0000001", "paul.martin@example.fr", tenancy.Rights{Incidents: true})
	token := d.mails.last(t).Token
	foreign := d.invite("Paul.Martin", "OCB0000004", "someone@example.org", tenancy.Rights{Incidents: true})

	// Another tenant's invitation is not found, whichever tenant it is asked through.
	if err := d.s.CancelInvitation(ctx, marie, t1.ID, foreign.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("cancel a foreign invitation through OCB0000001: %v", err)
	}
	if err := d.s.CancelInvitation(ctx, marie, foreign.TenantID, foreign.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("cancel a foreign invitation through its tenant: %v", err)
	}
	if err := d.s.CancelInvitation(ctx, marie, t1.ID, 999999); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("cancel an unknown invitation: %v", err)
	}
	if got := d.status(foreign.ID); got != tenancy.InvitationPending {
		t.Errorf("foreign invitation is %s", got)
	}

	if err := d.s.CancelInvitation(ctx, marie, t1.ID, inv.ID); err != nil {
		t.Fatal(err)
	}
	if got := d.status(inv.ID); got != tenancy.InvitationCancelled {
		t.Errorf("status %s", got)
	}
	if _, err := d.s.AcceptInvitation(ctx, d.actor("Paul.Martin"), token); !errors.Is(err, tenancy.ErrBadInvitation) {
		t.Errorf("accepting a cancelled invitation: %v", err)
	}
	if mine, _ := d.s.MyInvitations(ctx, d.actor("Paul.Martin")); len(mine) != 0 {
		t.Errorf("a cancelled invitation is on Paul's home page")
	}
	if err := d.s.CancelInvitation(ctx, marie, t1.ID, inv.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("cancelling twice: %v", err)
	}
}

func TestInvitingAgainRenewsThePendingInvitation(t *testing.T) {
	d := newInviteDesk(t)
	first := d.invite("Marie.Dupont", "OCB0000001", "lea@example.fr", tenancy.Rights{Incidents: true})
	oldToken := d.mails.last(t).Token
	d.now = d.now.Add(time.Hour)
	second := d.invite("Marie.Dupont", "OCB0000001", "LEA@example.fr", tenancy.Rights{Changes: true})
	newToken := d.mails.last(t).Token

	invs, err := d.s.Invitations(ctx, d.actor("Marie.Dupont"), first.TenantID)
	if err != nil || len(invs) != 1 || invs[0].ID != second.ID || invs[0].Email != "LEA@example.fr" || invs[0].Rights != (tenancy.Rights{Changes: true}) ||
		!invs[0].ExpiresAt.Equal(d.now.Add(tenancy.InvitationLifetime)) {
		t.Fatalf("after renewal: %+v, %v", invs, err)
	}
	if got := d.status(first.ID); got != tenancy.InvitationRenewed {
		t.Errorf("first invitation is %s", got)
	}
	if _, err := d.s.OpenInvitation(ctx, tenancy.Actor{}, oldToken); !errors.Is(err, tenancy.ErrBadInvitation) {
		t.Errorf("the first link still works: %v", err)
	}
	if _, err := d.s.OpenInvitation(ctx, tenancy.Actor{}, newToken); err != nil {
		t.Errorf("the new link: %v", err)
	}
	// Another tenant's invitation to the same address is a different invitation.
	d.invite("Marie.Dupont", "OCB0000002", "lea@example.fr", tenancy.Rights{Incidents: true})
	if got := d.status(second.ID); got != tenancy.InvitationPending {
		t.Errorf("inviting to another tenant renewed this one: %s", got)
	}
}

func TestInvitationsExpire(t *testing.T) {
	d := newInviteDesk(t)
	inv := d.invite("Marie.Dupont", "OCB0000001", "paul.martin@example.fr", tenancy.Rights{Incidents: true})
	token := d.mails.last(t).Token
	paul := d.actor("Paul.Martin")

	d.now = inv.ExpiresAt.Add(-time.Second)
	if _, err := d.s.OpenInvitation(ctx, paul, token); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	d.now = inv.ExpiresAt
	if _, err := d.s.OpenInvitation(ctx, paul, token); !errors.Is(err, tenancy.ErrBadInvitation) {
		t.Errorf("at expiry: %v", err)
	}
	if _, err := d.s.AcceptInvitation(ctx, paul, token); !errors.Is(err, tenancy.ErrBadInvitation) {
		t.Errorf("accept at expiry: %v", err)
	}
	if _, err := d.s.AcceptInvitationByID(ctx, paul, inv.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("accept from home at expiry: %v", err)
	}
	if mine, _ := d.s.MyInvitations(ctx, paul); len(mine) != 0 {
		t.Errorf("an expired invitation is on the home page")
	}
	if _, err := d.membership("OCB0000001", "Paul.Martin"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("an expired invitation made a membership: %v", err)
	}
	// The inviter still sees it (as expired), and can cancel or renew it.
	invs, _ := d.s.Invitations(ctx, d.actor("Marie.Dupont"), inv.TenantID)
	if len(invs) != 1 || !invs[0].Expired(d.now) {
		t.Errorf("expired invitation in the list: %+v", invs)
	}
	d.invite("Marie.Dupont", "OCB0000001", "paul.martin@example.fr", tenancy.Rights{Incidents: true})
	if _, err := d.s.AcceptInvitation(ctx, paul, d.mails.last(t).Token); err != nil {
		t.Errorf("accepting the renewed invitation: %v", err)
	}
}

func TestInvitationsAreLimitedPerTenantPerDay(t *testing.T) {
	d := newInviteDesk(t)
	marie := d.actor("Marie.Dupont")
	t1, t2 := d.tenant("OCB0000001"), d.tenant("OCB0000002")
	in := func(i int) tenancy.NewInvitation {
		return tenancy.NewInvitation{Email: "person" + string(rune('a'+i)) + "@example.org", Lang: "fr", Rights: tenancy.Rights{Incidents: true}}
	}
	// Renewals count: each sends a mail.
	for i := 0; i < tenancy.InvitationsPerDay; i++ {
		if err := d.s.Invite(ctx, marie, t1.ID, in(i%5)); err != nil {
			t.Fatalf("invitation %d: %v", i+1, err)
		}
		d.now = d.now.Add(time.Minute)
	}
	before, mails := d.count("invitations", "1 = 1"), d.mails.count()
	testutil.WantFields(t, d.s.Invite(ctx, marie, t1.ID, in(20)), "email:error.invitation.rate_limited")
	if d.count("invitations", "1 = 1") != before || d.count("invitations", "status = 'pending'") != 5 || d.mails.count() != mails {
		t.Error("a refused invitation wrote or renewed something")
	}
	// Another tenant has its own count.
	if err := d.s.Invite(ctx, marie, t2.ID, in(20)); err != nil {
		t.Errorf("another tenant: %v", err)
	}
	// A day after the first ones, room again.
	d.now = d.now.Add(tenancy.InvitationWindow - time.Duration(tenancy.InvitationsPerDay)*time.Minute + time.Second)
	if err := d.s.Invite(ctx, marie, t1.ID, in(20)); err != nil {
		t.Errorf("a day later: %v", err)
	}
}

func TestStaffAddressesNeverBecomeMembers(t *testing.T) {
	d := newInviteDesk(t)
	inv := d.invite("Marie.Dupont", "OCB0000001", "Alice.Agent@example.com", tenancy.Rights{Incidents: true})
	if n := d.mails.count(); n != 0 {
		t.Fatalf("a staff address was mailed")
	}
	// Whoever guessed the id or got a link: staff cannot accept, nor make an tenancy.
	alice := d.actor("Alice.Agent")
	if _, err := d.s.AcceptInvitationByID(ctx, alice, inv.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("staff accepts from home: %v", err)
	}
	if mine, _ := d.s.MyInvitations(ctx, alice); len(mine) != 0 {
		t.Errorf("staff sees invitations")
	}
	// The token is never mailed; a forged one for the test proves the account form refuses too.
	token := "forged-for-the-test"
	if _, err := d.DB.NewUpdate().Model((*tenancy.Invitation)(nil)).Set("token_hash = ?", identity.HashToken(token)).Where("id = ?", inv.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.s.AcceptInvitation(ctx, alice, token); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("staff accepts from the link: %v", err)
	}
	before := d.rows()
	_, err := d.s.CreateInvitedAccount(ctx, token, tenancy.InvitedAccount{Login: "Alice.Client", DisplayName: "Alice", Lang: "en", Password: "a-long-password", Confirm: "a-long-password"})
	if !errors.Is(err, tenancy.ErrInvitationHasAccount) {
		t.Errorf("a customer account for a staff address: %v", err)
	}
	if after := d.rows(); after != before {
		t.Errorf("rows %v → %v", before, after)
	}
	if n := d.count("memberships", "user_id = ?", alice.UserID); n != 0 {
		t.Errorf("staff has %d memberships", n)
	}
}

// join makes login a member of tenant code with rights r the way members join: invited by the
// referent, accepted from the link.
func (d *desk) join(code, login string, r tenancy.Rights) {
	d.t.Helper()
	h := &inviteHooks{RecordHooks: d.hooks}
	saved := d.s.Hooks
	d.s.Hooks = h
	defer func() { d.s.Hooks = saved }()
	tn, u := d.tenant(code), d.user(login)
	referent, err := identity.UserByID(ctx, d.DB, tn.ReferentID)
	if err != nil {
		d.t.Fatal(err)
	}
	if err := d.s.Invite(ctx, tenancy.ActorOf(referent), tn.ID, tenancy.NewInvitation{Email: u.Email, Lang: u.Lang, Rights: r}); err != nil {
		d.t.Fatalf("invite %s to %s: %v", login, code, err)
	}
	if _, err := d.s.AcceptInvitation(ctx, tenancy.ActorOf(u), h.last(d.t).Token); err != nil {
		d.t.Fatalf("%s accepts: %v", login, err)
	}
}
