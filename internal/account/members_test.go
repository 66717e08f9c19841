package account_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/account"
	"github.com/guichet/guichet/internal/apperr"
)

func memberLogins(ms []account.Membership) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.User.Login
	}
	return out
}

func TestUsersTabNeedsUsersRightOrReferent(t *testing.T) {
	d := newDesk(t)
	t1 := d.tenant("OCB0000001")
	john, paul := d.user("John.Doe"), d.user("Paul.Martin")
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
			before := d.rows()
			a := d.actor(tt.actor)
			if _, _, err := d.s.Members(ctx, a, t1.ID); !errors.Is(err, tt.want) {
				t.Errorf("Members: err = %v, want %v", err, tt.want)
			}
			_, err := d.s.AddMember(ctx, a, t1.ID, account.NewMember{Login: "Paul.Martin", Rights: account.Rights{Incidents: true}})
			if !errors.Is(err, tt.want) {
				t.Errorf("AddMember: err = %v, want %v", err, tt.want)
			}
			if err := d.s.SetRights(ctx, a, t1.ID, john.ID, account.AllRights); !errors.Is(err, tt.want) {
				t.Errorf("SetRights: err = %v, want %v", err, tt.want)
			}
			if err := d.s.RemoveMember(ctx, a, t1.ID, john.ID); !errors.Is(err, tt.want) {
				t.Errorf("RemoveMember: err = %v, want %v", err, tt.want)
			}
			if after := d.rows(); after != before {
				t.Errorf("rows %v → %v: a refused action wrote", before, after)
			}
		})
	}
	m, _ := account.MembershipOf(ctx, d.DB, t1.ID, john.ID)
	if m.Rights != (account.Rights{Incidents: true}) {
		t.Errorf("John's rights changed to %+v", m.Rights)
	}
	if _, err := account.MembershipOf(ctx, d.DB, t1.ID, paul.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Paul became a member: %v", err)
	}

	// The referent lists the members, ordered by display name.
	a, ms, err := d.s.Members(ctx, d.actor("Marie.Dupont"), t1.ID)
	if err != nil || !a.Referent || a.Rights != account.AllRights {
		t.Fatalf("Members by referent: access %+v, err %v", a, err)
	}
	if got := memberLogins(ms); !reflect.DeepEqual(got, []string{"John.Doe", "Marie.Dupont"}) {
		t.Errorf("members = %q", got)
	}

	// A member granted the users right manages the tab too.
	if err := d.s.SetRights(ctx, d.actor("Marie.Dupont"), t1.ID, john.ID, account.Rights{Incidents: true, Users: true}); err != nil {
		t.Fatal(err)
	}
	if _, ms, err := d.s.Members(ctx, d.actor("John.Doe"), t1.ID); err != nil || len(ms) != 2 {
		t.Errorf("Members by a users-right member: %d members, err %v", len(ms), err)
	}
	if _, err := d.s.AddMember(ctx, d.actor("John.Doe"), t1.ID, account.NewMember{Login: "Paul.Martin", Rights: account.Rights{Changes: true}}); err != nil {
		t.Errorf("AddMember by a users-right member: %v", err)
	}
	// Rights on one tenant say nothing about another.
	if _, _, err := d.s.Members(ctx, d.actor("John.Doe"), d.tenant("OCB0000002").ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("John on OCB0000002: err = %v, want ErrNotFound", err)
	}
}

func TestAddMember(t *testing.T) {
	d := newDesk(t)
	marie := d.actor("Marie.Dupont")
	t1 := d.tenant("OCB0000001")

	// An existing customer, by a login in another case; the details are ignored.
	u, err := d.s.AddMember(ctx, marie, t1.ID, account.NewMember{Login: " paul.martin ", Email: "ignored@example.com", Rights: account.Rights{Changes: true, Contract: true}})
	if err != nil || u.Login != "Paul.Martin" {
		t.Fatalf("AddMember existing = %v, %v", u, err)
	}
	m, err := account.MembershipOf(ctx, d.DB, t1.ID, u.ID)
	if err != nil || m.Rights != (account.Rights{Changes: true, Contract: true}) {
		t.Errorf("Paul's membership = %+v, %v", m, err)
	}
	if got := d.user("Paul.Martin").Email; got != "paul.martin@example.fr" {
		t.Errorf("Paul's email changed to %q", got)
	}
	if len(d.hooks.created) != 0 {
		t.Errorf("UserCreated called for an existing user: %q", d.hooks.created)
	}

	// A new user, created with the details given.
	u, err = d.s.AddMember(ctx, marie, t1.ID, account.NewMember{Login: "Lea.Nouvelle", Email: " lea@example.fr ", DisplayName: " Léa Nouvelle ", Lang: "en", Rights: account.Rights{Incidents: true}})
	if err != nil {
		t.Fatalf("AddMember new: %v", err)
	}
	got := d.user("lea.nouvelle")
	if got.ID != u.ID || got.Login != "Lea.Nouvelle" || got.Email != "lea@example.fr" || got.DisplayName != "Léa Nouvelle" ||
		got.Lang != "en" || got.Kind != account.Customer || !got.Active || got.PasswordHash != "" || got.Locked() {
		t.Errorf("new user = %+v", got)
	}
	if m, err := account.MembershipOf(ctx, d.DB, t1.ID, u.ID); err != nil || m.Rights != (account.Rights{Incidents: true}) {
		t.Errorf("new membership = %+v, %v", m, err)
	}
	if want := []string{"Marie.Dupont>Lea.Nouvelle"}; !reflect.DeepEqual(d.hooks.created, want) {
		t.Errorf("UserCreated calls = %q, want %q", d.hooks.created, want)
	}
}

func TestAddMemberRefused(t *testing.T) {
	d := newDesk(t)
	marie := d.actor("Marie.Dupont")
	t1 := d.tenant("OCB0000001")
	one := account.Rights{Incidents: true}
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name string
		in   account.NewMember
		want []string
	}{
		{"staff login", account.NewMember{Login: "Alice.Agent", Rights: one}, []string{"login:error.member.not_customer"}},
		{"admin login", account.NewMember{Login: "ADMIN", Rights: one}, []string{"login:error.member.not_customer"}},
		{"already a member", account.NewMember{Login: "john.doe", Rights: one}, []string{"login:error.member.already"}},
		{"referent herself", account.NewMember{Login: "Marie.Dupont", Rights: one}, []string{"login:error.member.already"}},
		{"no rights", account.NewMember{Login: "Paul.Martin"}, []string{"rights:error.member.no_rights"}},
		{"empty form", account.NewMember{}, []string{"login:error.field.required", "rights:error.member.no_rights", "email:error.field.required", "display_name:error.field.required", "lang:error.field.choice"}},
		{"login too long", account.NewMember{Login: long(account.MaxLogin + 1), Email: "a@example.com", DisplayName: "A", Lang: "fr", Rights: one}, []string{"login:error.field.too_long"}},
		{"login malformed", account.NewMember{Login: "bad login", Email: "a@example.com", DisplayName: "A", Lang: "fr", Rights: one}, []string{"login:error.user.login_format"}},
		{"login starting with a dot", account.NewMember{Login: ".hidden", Email: "a@example.com", DisplayName: "A", Lang: "fr", Rights: one}, []string{"login:error.user.login_format"}},
		{"bad email", account.NewMember{Login: "New.One", Email: "new.one@", DisplayName: "A", Lang: "fr", Rights: one}, []string{"email:error.field.email"}},
		{"email with a name", account.NewMember{Login: "New.One", Email: "New <new@example.com>", DisplayName: "A", Lang: "fr", Rights: one}, []string{"email:error.field.email"}},
		{"email without a dot in the domain", account.NewMember{Login: "New.One", Email: "new@localhost", DisplayName: "A", Lang: "fr", Rights: one}, []string{"email:error.field.email"}},
		{"email too long", account.NewMember{Login: "New.One", Email: long(account.MaxEmail) + "@example.com", DisplayName: "A", Lang: "fr", Rights: one}, []string{"email:error.field.too_long"}},
		{"name too long", account.NewMember{Login: "New.One", Email: "a@example.com", DisplayName: long(account.MaxName + 1), Lang: "fr", Rights: one}, []string{"display_name:error.field.too_long"}},
		{"blank name", account.NewMember{Login: "New.One", Email: "a@example.com", DisplayName: "   ", Lang: "fr", Rights: one}, []string{"display_name:error.field.required"}},
		{"bad lang", account.NewMember{Login: "New.One", Email: "a@example.com", DisplayName: "A", Lang: "de", Rights: one}, []string{"lang:error.field.choice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := d.rows()
			_, err := d.s.AddMember(ctx, marie, t1.ID, tt.in)
			wantFields(t, err, tt.want...)
			if after := d.rows(); after != before {
				t.Errorf("rows %v → %v: a refused form wrote", before, after)
			}
		})
	}
	if len(d.hooks.created) != 0 {
		t.Errorf("UserCreated called: %q", d.hooks.created)
	}
	// The limits are inclusive.
	if _, err := d.s.AddMember(ctx, marie, t1.ID, account.NewMember{Login: "L" + long(account.MaxLogin-1), Email: "a@example.com", DisplayName: long(account.MaxName), Lang: "fr", Rights: one}); err != nil {
		t.Errorf("login of %d and name of %d characters: %v", account.MaxLogin, account.MaxName, err)
	}
}

func TestSetRights(t *testing.T) {
	d := newDesk(t)
	marie := d.actor("Marie.Dupont")
	t1, t4 := d.tenant("OCB0000001"), d.tenant("OCB0000004")
	john, paul := d.user("John.Doe"), d.user("Paul.Martin")
	wantFields(t, d.s.SetRights(ctx, marie, t1.ID, john.ID, account.Rights{}), "rights:error.member.no_rights")
	if err := d.s.SetRights(ctx, marie, t1.ID, paul.ID, account.AllRights); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("SetRights of a non-member: err = %v, want ErrNotFound", err)
	}
	if err := d.s.SetRights(ctx, marie, t4.ID, paul.ID, account.AllRights); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("SetRights on another customer's tenant: err = %v, want ErrNotFound", err)
	}
	r := account.Rights{Changes: true, Contract: true}
	if err := d.s.SetRights(ctx, marie, t1.ID, john.ID, r); err != nil {
		t.Fatal(err)
	}
	if m, _ := account.MembershipOf(ctx, d.DB, t1.ID, john.ID); m.Rights != r {
		t.Errorf("rights = %+v, want %+v", m.Rights, r)
	}
	a, err := d.s.Access(ctx, d.actor("John.Doe"), t1.ID)
	if err != nil || a.Rights != r || !a.Member || a.Referent || a.Owner {
		t.Errorf("John's access = %+v, %v", a, err)
	}
}
