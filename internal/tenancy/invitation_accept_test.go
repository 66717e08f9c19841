package tenancy_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

func TestAcceptInvitationFromTheLink(t *testing.T) {
	d := newInviteDesk(t)
	r := tenancy.Rights{Changes: true, Contract: true}
	d.invite("Marie.Dupont", "OCB0000002", "Paul.Martin@example.fr", r)
	token := d.mails.last(t).Token

	// What each reader of the link can do.
	for _, tt := range []struct {
		actor tenancy.Actor
		mode  string
	}{
		{d.actor("Paul.Martin"), tenancy.LinkAccept},
		{d.actor("John.Doe"), tenancy.LinkOtherAddress},
		{d.actor("Alice.Agent"), tenancy.LinkStaff},
		{tenancy.Actor{}, tenancy.LinkLogIn},
	} {
		l, err := d.s.OpenInvitation(ctx, tt.actor, token)
		if err != nil || l.Mode != tt.mode || l.Invitation.Tenant.Code != "OCB0000002" || l.Invitation.Inviter.Login != "Marie.Dupont" {
			t.Errorf("OpenInvitation as %q: %+v, %v; want %s", tt.actor.Login, l, err, tt.mode)
		}
	}

	// Someone else, logged in, is refused: the invitation is for the address.
	if _, err := d.s.AcceptInvitation(ctx, d.actor("John.Doe"), token); !errors.Is(err, tenancy.ErrInvitationOtherAddress) {
		t.Errorf("John accepts Paul's invitation: %v", err)
	}
	// Staff never become members.
	if _, err := d.s.AcceptInvitation(ctx, d.actor("Alice.Agent"), token); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("staff accepts: %v", err)
	}
	if _, err := d.membership("OCB0000002", "Paul.Martin"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("Paul is a member before accepting: %v", err)
	}

	inv, err := d.s.AcceptInvitation(ctx, d.actor("Paul.Martin"), token)
	if err != nil || inv.Tenant.Code != "OCB0000002" {
		t.Fatalf("Paul accepts: %+v, %v", inv, err)
	}
	m, err := d.membership("OCB0000002", "Paul.Martin")
	if err != nil || m.Rights != r {
		t.Errorf("Paul's membership = %+v, %v", m, err)
	}
	got, _ := tenancy.InvitationByID(ctx, d.DB, inv.ID)
	if got.Status != tenancy.InvitationAccepted || got.UserID == nil || *got.UserID != d.user("Paul.Martin").ID || got.ClosedAt == nil {
		t.Errorf("accepted invitation = %+v", got)
	}
	// The link works once.
	if _, err := d.s.AcceptInvitation(ctx, d.actor("Paul.Martin"), token); !errors.Is(err, tenancy.ErrBadInvitation) {
		t.Errorf("accepting twice: %v", err)
	}
	if _, err := d.s.OpenInvitation(ctx, tenancy.Actor{}, token); !errors.Is(err, tenancy.ErrBadInvitation) {
		t.Errorf("opening a used link: %v", err)
	}
	// Once accepted, the member is listed like any member.
	_, ms, _ := d.s.Members(ctx, d.actor("Marie.Dupont"), d.tenant("OCB0000002").ID)
	if got := memberLogins(ms); !reflect.DeepEqual(got, []string{"Marie.Dupont", "Paul.Martin"}) {
		t.Errorf("members = %q", got)
	}
	if invs, _ := d.s.Invitations(ctx, d.actor("Marie.Dupont"), d.tenant("OCB0000002").ID); len(invs) != 0 {
		t.Errorf("an accepted invitation is still pending: %+v", invs)
	}
}

func TestUnknownTokensAllGetTheSameAnswer(t *testing.T) {
	d := newInviteDesk(t)
	for _, token := range []string{"", "not-a-token", strings.Repeat("x", 5000), "\x00"} {
		if _, err := d.s.OpenInvitation(ctx, tenancy.Actor{}, token); !errors.Is(err, tenancy.ErrBadInvitation) {
			t.Errorf("OpenInvitation(%.10q): %v", token, err)
		}
		if _, err := d.s.AcceptInvitation(ctx, d.actor("Paul.Martin"), token); !errors.Is(err, tenancy.ErrBadInvitation) {
			t.Errorf("AcceptInvitation(%.10q): %v", token, err)
		}
		if err := d.s.DeclineInvitation(ctx, token); !errors.Is(err, tenancy.ErrBadInvitation) {
			t.Errorf("DeclineInvitation(%.10q): %v", token, err)
		}
	}
}

func TestAcceptAndDeclineFromTheHomePage(t *testing.T) {
	d := newInviteDesk(t)
	d.invite("Marie.Dupont", "OCB0000002", "paul.martin@example.fr", tenancy.Rights{Incidents: true})
	d.invite("Marie.Dupont", "OCB0000003", "paul.martin@example.fr", tenancy.Rights{Changes: true})
	d.invite("Marie.Dupont", "OCB0000003", "someone.else@example.org", tenancy.Rights{Changes: true})
	paul := d.actor("Paul.Martin")

	invs, err := d.s.MyInvitations(ctx, paul)
	if err != nil || len(invs) != 2 || invs[0].Tenant.Code != "OCB0000002" || invs[1].Tenant.Code != "OCB0000003" || invs[0].Inviter.DisplayName != "Marie Dupont" {
		t.Fatalf("Paul's invitations = %+v, %v", invs, err)
	}
	for _, login := range []string{"John.Doe", "Marie.Dupont", "Alice.Agent"} {
		if mine, err := d.s.MyInvitations(ctx, d.actor(login)); err != nil || len(mine) != 0 {
			t.Errorf("%s sees %d invitations, %v", login, len(mine), err)
		}
	}
	// Another address's invitation does not exist for John, nor for staff.
	for _, login := range []string{"John.Doe", "Alice.Agent"} {
		if _, err := d.s.AcceptInvitationByID(ctx, d.actor(login), invs[0].ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s accepts Paul's invitation: %v", login, err)
		}
		if err := d.s.DeclineInvitationByID(ctx, d.actor(login), invs[0].ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s declines Paul's invitation: %v", login, err)
		}
	}
	if _, err := d.s.AcceptInvitationByID(ctx, paul, 999999); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}

	if _, err := d.s.AcceptInvitationByID(ctx, paul, invs[0].ID); err != nil {
		t.Fatal(err)
	}
	if m, err := d.membership("OCB0000002", "Paul.Martin"); err != nil || m.Rights != (tenancy.Rights{Incidents: true}) {
		t.Errorf("membership = %+v, %v", m, err)
	}
	if err := d.s.DeclineInvitationByID(ctx, paul, invs[1].ID); err != nil {
		t.Fatal(err)
	}
	if got := d.status(invs[1].ID); got != tenancy.InvitationDeclined {
		t.Errorf("declined invitation is %s", got)
	}
	if _, err := d.membership("OCB0000003", "Paul.Martin"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("a declined invitation made a membership: %v", err)
	}
	// Answered invitations are gone from the home page and their buttons.
	if mine, _ := d.s.MyInvitations(ctx, paul); len(mine) != 0 {
		t.Errorf("answered invitations still listed: %+v", mine)
	}
	if _, err := d.s.AcceptInvitationByID(ctx, paul, invs[1].ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("accepting a declined invitation: %v", err)
	}
}

func TestDeclineFromTheLink(t *testing.T) {
	d := newInviteDesk(t)
	inv := d.invite("Marie.Dupont", "OCB0000002", "lea@example.fr", tenancy.Rights{Incidents: true})
	token := d.mails.last(t).Token
	if err := d.s.DeclineInvitation(ctx, token); err != nil {
		t.Fatal(err)
	}
	if got := d.status(inv.ID); got != tenancy.InvitationDeclined {
		t.Errorf("status %s", got)
	}
	if _, err := d.s.CreateInvitedAccount(ctx, token, tenancy.InvitedAccount{Login: "Lea", DisplayName: "Léa", Lang: "fr", Password: "un-mot-de-passe", Confirm: "un-mot-de-passe"}); !errors.Is(err, tenancy.ErrBadInvitation) {
		t.Errorf("account from a declined invitation: %v", err)
	}
}

func TestCreateAnAccountFromTheLink(t *testing.T) {
	d := newInviteDesk(t)
	r := tenancy.Rights{Incidents: true, Changes: true}
	inv := d.invite("Marie.Dupont", "OCB0000002", "Lea.Nouvelle@Example.fr", r)
	token := d.mails.last(t).Token
	good := tenancy.InvitedAccount{Login: " Lea.Nouvelle ", DisplayName: " Léa Nouvelle ", Lang: "fr", Password: "le-mot-de-lea", Confirm: "le-mot-de-lea"}

	long := func(n int) string { return strings.Repeat("a", n) }
	with := func(f func(*tenancy.InvitedAccount)) tenancy.InvitedAccount { in := good; f(&in); return in }
	tests := []struct {
		name string
		in   tenancy.InvitedAccount
		want []string
	}{
		{"empty", tenancy.InvitedAccount{}, []string{"login:error.field.required", "display_name:error.field.required", "lang:error.field.choice", "password:error.password.too_short"}},
		{"login taken", with(func(in *tenancy.InvitedAccount) { in.Login = "john.doe" }), []string{"login:error.user.login_taken"}},
		{"login malformed", with(func(in *tenancy.InvitedAccount) { in.Login = "bad login" }), []string{"login:error.user.login_format"}},
		{"login too long", with(func(in *tenancy.InvitedAccount) { in.Login = long(identity.MaxLogin + 1) }), []string{"login:error.field.too_long"}},
		{"name too long", with(func(in *tenancy.InvitedAccount) { in.DisplayName = long(identity.MaxName + 1) }), []string{"display_name:error.field.too_long"}},
		{"name with a line break", with(func(in *tenancy.InvitedAccount) { in.DisplayName = "Léa\r\nBcc: x@example.org" }), []string{"display_name:error.field.control"}},
		{"bad lang", with(func(in *tenancy.InvitedAccount) { in.Lang = "de" }), []string{"lang:error.field.choice"}},
		{"short password", with(func(in *tenancy.InvitedAccount) { in.Password, in.Confirm = "court", "court" }), []string{"password:error.password.too_short"}},
		{"passwords differ", with(func(in *tenancy.InvitedAccount) { in.Confirm = "autre-chose-encore" }), []string{"confirm:error.password.mismatch"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := d.rows()
			_, err := d.s.CreateInvitedAccount(ctx, token, tt.in)
			testutil.WantFields(t, err, tt.want...)
			if after := d.rows(); after != before {
				t.Errorf("rows %v → %v: a refused form wrote", before, after)
			}
			if got := d.status(inv.ID); got != tenancy.InvitationPending {
				t.Errorf("invitation is %s", got)
			}
		})
	}

	u, err := d.s.CreateInvitedAccount(ctx, token, good)
	if err != nil {
		t.Fatal(err)
	}
	got := d.user("lea.nouvelle")
	if got.ID != u.ID || got.Login != "Lea.Nouvelle" || got.Email != "Lea.Nouvelle@Example.fr" || got.DisplayName != "Léa Nouvelle" ||
		got.Lang != "fr" || got.Kind != identity.Customer || !got.Active || !identity.CheckPassword(got.PasswordHash, "le-mot-de-lea") {
		t.Errorf("new user = %+v", got)
	}
	if m, err := d.membership("OCB0000002", "Lea.Nouvelle"); err != nil || m.Rights != r {
		t.Errorf("membership = %+v, %v", m, err)
	}
	if st := d.status(inv.ID); st != tenancy.InvitationAccepted {
		t.Errorf("invitation is %s", st)
	}
	if len(d.hooks.Created) != 0 {
		t.Errorf("a welcome mail for an account whose password was just chosen: %q", d.hooks.Created)
	}
	if _, err := d.ids.Authenticate(ctx, "Lea.Nouvelle", "le-mot-de-lea"); err != nil {
		t.Errorf("the new account cannot log in: %v", err)
	}
	// The link has served.
	if _, err := d.s.CreateInvitedAccount(ctx, token, with(func(in *tenancy.InvitedAccount) { in.Login = "Lea.Bis" })); !errors.Is(err, tenancy.ErrBadInvitation) {
		t.Errorf("second account from one link: %v", err)
	}

	// An address with an account: its owner logs in instead.
	d.invite("Marie.Dupont", "OCB0000003", "lea.nouvelle@example.fr", r)
	before := d.rows()
	if _, err := d.s.CreateInvitedAccount(ctx, d.mails.last(t).Token, with(func(in *tenancy.InvitedAccount) { in.Login = "Lea.Bis" })); !errors.Is(err, tenancy.ErrInvitationHasAccount) {
		t.Errorf("second account for one address: %v", err)
	}
	if after := d.rows(); after != before {
		t.Errorf("rows %v → %v", before, after)
	}
	if l, err := d.s.OpenInvitation(ctx, tenancy.Actor{}, d.mails.last(t).Token); err != nil || l.Mode != tenancy.LinkLogIn {
		t.Errorf("link of an address with an account: %+v, %v", l, err)
	}
}
