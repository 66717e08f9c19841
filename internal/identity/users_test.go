package identity_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/testutil"
)

func validInput() identity.UserInput {
	return identity.UserInput{Login: "Zoe.Admin", Email: "zoe@example.com", DisplayName: "Zoé", Lang: "fr", Kind: identity.Agent, Active: true}
}

func TestCreateUser(t *testing.T) {
	d := newDesk(t)
	admin := d.actor("admin")
	in := validInput()
	in.Login, in.Email, in.DisplayName = " Zoe.Admin ", " zoe@example.com ", " Zoé "
	in.Password = "a-long-password"
	u, err := d.s.CreateUser(ctx, admin, in)
	if err != nil {
		t.Fatal(err)
	}
	got := d.user("ZOE.ADMIN")
	if got.ID != u.ID || got.Login != "Zoe.Admin" || got.LoginKey != "zoe.admin" || got.Email != "zoe@example.com" ||
		got.DisplayName != "Zoé" || got.Kind != identity.Agent || !got.Active {
		t.Errorf("created user = %+v", got)
	}
	if !identity.CheckPassword(got.PasswordHash, "a-long-password") {
		t.Error("the password given does not check")
	}
	if _, err := d.s.Authenticate(ctx, "zoe.admin", "a-long-password"); err != nil {
		t.Errorf("login with the new password: %v", err)
	}
	if want := "admin>Zoe.Admin"; len(d.hooks.Created) != 1 || d.hooks.Created[0] != want {
		t.Errorf("UserCreated calls = %q, want [%s]", d.hooks.Created, want)
	}

	// Without a password, the account waits for one and cannot log in.
	in = validInput()
	in.Login = "No.Password"
	if _, err := d.s.CreateUser(ctx, admin, in); err != nil {
		t.Fatal(err)
	}
	if _, err := d.s.Authenticate(ctx, "No.Password", ""); err != identity.ErrBadCredentials {
		t.Errorf("empty password on an account without one: err = %v", err)
	}
}

func TestCreateUserRefused(t *testing.T) {
	d := newDesk(t)
	admin := d.actor("admin")
	with := func(f func(*identity.UserInput)) identity.UserInput {
		in := validInput()
		f(&in)
		return in
	}
	tests := []struct {
		name string
		in   identity.UserInput
		want []string
	}{
		{"duplicate login, other case", with(func(in *identity.UserInput) { in.Login = "john.doe" }), []string{"login:error.user.login_taken"}},
		{"duplicate login, spaces", with(func(in *identity.UserInput) { in.Login = " JOHN.DOE " }), []string{"login:error.user.login_taken"}},
		{"bad email", with(func(in *identity.UserInput) { in.Email = "zoe@@example.com" }), []string{"email:error.field.email"}},
		{"email without domain", with(func(in *identity.UserInput) { in.Email = "zoe" }), []string{"email:error.field.email"}},
		{"bad kind", with(func(in *identity.UserInput) { in.Kind = "root" }), []string{"kind:error.field.choice"}},
		{"empty kind", with(func(in *identity.UserInput) { in.Kind = "" }), []string{"kind:error.field.choice"}},
		{"bad lang", with(func(in *identity.UserInput) { in.Lang = "de" }), []string{"lang:error.field.choice"}},
		{"upper-case lang", with(func(in *identity.UserInput) { in.Lang = "FR" }), []string{"lang:error.field.choice"}},
		{"short password", with(func(in *identity.UserInput) { in.Password = "short" }), []string{"password:error.password.too_short"}},
		{"long password", with(func(in *identity.UserInput) { in.Password = strings.Repeat("p", identity.MaxPasswd+1) }), []string{"password:error.field.too_long"}},
		{"login with a space", with(func(in *identity.UserInput) { in.Login = "Zoe Admin" }), []string{"login:error.user.login_format"}},
		{"login too long", with(func(in *identity.UserInput) { in.Login = strings.Repeat("z", identity.MaxLogin+1) }), []string{"login:error.field.too_long"}},
		{"everything missing", identity.UserInput{}, []string{"login:error.field.required", "email:error.field.required", "display_name:error.field.required", "lang:error.field.choice", "kind:error.field.choice"}},
		// A display name goes into mail headers and pages: no line breaks, NUL or direction marks.
		{"name with CR/LF", with(func(in *identity.UserInput) { in.DisplayName = "Zoé\r\nBcc: x@example.com" }), []string{"display_name:error.field.control"}},
		{"name with NUL", with(func(in *identity.UserInput) { in.DisplayName = "Zo\x00é" }), []string{"display_name:error.field.control"}},
		{"name with a C1 control", with(func(in *identity.UserInput) { in.DisplayName = "Zo\u0085é" }), []string{"display_name:error.field.control"}},
		{"name with a bidi override", with(func(in *identity.UserInput) { in.DisplayName = "Zoé \u202Egnp.exe" }), []string{"display_name:error.field.control"}},
		{"name with a bidi isolate", with(func(in *identity.UserInput) { in.DisplayName = "Zoé \u2067x" }), []string{"display_name:error.field.control"}},
		{"name not UTF-8", with(func(in *identity.UserInput) { in.DisplayName = "Zo\xffé" }), []string{"display_name:error.field.control"}},
		{"email with LF", with(func(in *identity.UserInput) { in.Email = "zoe@example.com\nBcc: x@example.com" }), []string{"email:error.field.control"}},
		{"email with a bidi mark", with(func(in *identity.UserInput) { in.Email = "zoe\u200f@example.com" }), []string{"email:error.field.control"}},
		{"login with NUL", with(func(in *identity.UserInput) { in.Login = "Zoe\x00Admin" }), []string{"login:error.field.control"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := d.rows()
			_, err := d.s.CreateUser(ctx, admin, tt.in)
			testutil.WantFields(t, err, tt.want...)
			if after := d.rows(); after != before {
				t.Errorf("rows %v → %v", before, after)
			}
		})
	}
	for _, who := range []string{"Alice.Agent", "Sophie.Commerciale", "Marie.Dupont"} {
		if _, err := d.s.CreateUser(ctx, d.actor(who), validInput()); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("CreateUser by %s: err = %v, want ErrForbidden", who, err)
		}
	}
	if len(d.hooks.Created) != 0 {
		t.Errorf("UserCreated called: %q", d.hooks.Created)
	}
}

func TestUpdateUser(t *testing.T) {
	d := newDesk(t)
	admin := d.actor("admin")
	john := d.user("John.Doe")
	edit := identity.UserInput{Login: "Hacked.Login", Email: "john@example.org", DisplayName: "Johnny", Lang: "fr", Kind: identity.Customer, Active: true}

	if _, err := d.s.UpdateUser(ctx, d.actor("Marie.Dupont"), john.ID, edit); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("by a customer: err = %v, want ErrForbidden", err)
	}
	if _, err := d.s.UpdateUser(ctx, admin, 999999, edit); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown user: err = %v, want ErrNotFound", err)
	}
	bad := edit
	bad.Email, bad.Lang, bad.Kind = "nope", "es", "boss"
	_, err := d.s.UpdateUser(ctx, admin, john.ID, bad)
	testutil.WantFields(t, err, "email:error.field.email", "lang:error.field.choice", "kind:error.field.choice")
	bad = edit
	bad.DisplayName = "Johnny\r\nX-Injected: 1"
	_, err = d.s.UpdateUser(ctx, admin, john.ID, bad)
	testutil.WantFields(t, err, "display_name:error.field.control")
	if got := d.user("John.Doe").DisplayName; got != john.DisplayName {
		t.Errorf("a refused name was written: %q", got)
	}

	if _, err := d.s.UpdateUser(ctx, admin, john.ID, edit); err != nil {
		t.Fatal(err)
	}
	got := d.user("John.Doe")
	if got.Login != "John.Doe" || got.Email != "john@example.org" || got.DisplayName != "Johnny" || got.Lang != "fr" {
		t.Errorf("updated user = %+v (the login must not change)", got)
	}

	// An admin cannot deactivate themself nor drop their own role.
	self := d.user("admin")
	for _, in := range []identity.UserInput{
		{Email: self.Email, DisplayName: self.DisplayName, Lang: "en", Kind: identity.Admin, Active: false},
		{Email: self.Email, DisplayName: self.DisplayName, Lang: "en", Kind: identity.Agent, Active: true},
	} {
		_, err := d.s.UpdateUser(ctx, admin, self.ID, in)
		testutil.WantFields(t, err, "active:error.user.not_yourself")
	}
	if u := d.user("admin"); !u.Active || u.Kind != identity.Admin {
		t.Errorf("admin after refused edits: active %v, kind %s", u.Active, u.Kind)
	}
	if _, err := d.s.UpdateUser(ctx, admin, self.ID, identity.UserInput{Email: self.Email, DisplayName: "Root", Lang: "fr", Kind: identity.Admin, Active: true}); err != nil {
		t.Errorf("an admin editing their own name: %v", err)
	}
}

func TestDeactivationEndsSessions(t *testing.T) {
	d := newDesk(t)
	john := d.user("John.Doe")
	tok1, _ := d.s.StartSession(ctx, john)
	tok2, _ := d.s.StartSession(ctx, john)
	other, _ := d.s.StartSession(ctx, d.user("Paul.Martin"))
	in := identity.UserInput{Email: john.Email, DisplayName: john.DisplayName, Lang: john.Lang, Kind: john.Kind, Active: false}
	if _, err := d.s.UpdateUser(ctx, d.actor("admin"), john.ID, in); err != nil {
		t.Fatal(err)
	}
	if n := d.count("sessions", "user_id = ?", john.ID); n != 0 {
		t.Errorf("John's sessions = %d, want 0", n)
	}
	for _, tok := range []string{tok1, tok2} {
		if _, _, err := d.s.SessionUser(ctx, tok, idle, maxAge); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("session of a deactivated user: err = %v", err)
		}
	}
	if _, _, err := d.s.SessionUser(ctx, other, idle, maxAge); err != nil {
		t.Errorf("another user's session ended: %v", err)
	}
	if _, err := d.s.Authenticate(ctx, "John.Doe", demo.Password); err != identity.ErrBadCredentials {
		t.Errorf("login of a deactivated user: err = %v, want ErrBadCredentials", err)
	}
}

func TestChangePassword(t *testing.T) {
	d := newDesk(t)
	john := d.actor("John.Doe")
	tests := []struct {
		name, current, next, confirm string
		want                         []string
	}{
		{"wrong current", "wrong", "new-password-1", "new-password-1", []string{"current:error.password.current_wrong"}},
		{"mismatch", demo.Password, "new-password-1", "new-password-2", []string{"confirm:error.password.mismatch"}},
		{"too short", demo.Password, "short", "short", []string{"password:error.password.too_short"}},
		{"too long", demo.Password, strings.Repeat("x", identity.MaxPasswd+1), strings.Repeat("x", identity.MaxPasswd+1), []string{"password:error.field.too_long"}},
		{"all wrong", "", "a", "b", []string{"current:error.password.current_wrong", "confirm:error.password.mismatch", "password:error.password.too_short"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testutil.WantFields(t, d.s.ChangePassword(ctx, john, tt.current, tt.next, tt.confirm, ""), tt.want...)
		})
	}
	if _, err := d.s.Authenticate(ctx, "John.Doe", demo.Password); err != nil {
		t.Fatalf("a refused change changed the password: %v", err)
	}

	u := d.user("John.Doe")
	keep, _ := d.s.StartSession(ctx, u)
	other, _ := d.s.StartSession(ctx, u)
	paul, _ := d.s.StartSession(ctx, d.user("Paul.Martin"))
	if err := d.s.ChangePassword(ctx, john, demo.Password, "new-password-1", "new-password-1", keep); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.s.SessionUser(ctx, keep, idle, maxAge); err != nil {
		t.Errorf("the session kept was ended: %v", err)
	}
	if _, _, err := d.s.SessionUser(ctx, other, idle, maxAge); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another session survived: err = %v", err)
	}
	if _, _, err := d.s.SessionUser(ctx, paul, idle, maxAge); err != nil {
		t.Errorf("another user's session ended: %v", err)
	}
	if _, err := d.s.Authenticate(ctx, "John.Doe", demo.Password); err != identity.ErrBadCredentials {
		t.Errorf("old password: err = %v", err)
	}
	if _, err := d.s.Authenticate(ctx, "John.Doe", "new-password-1"); err != nil {
		t.Errorf("new password: %v", err)
	}
}

func TestSetPasswordUnlocks(t *testing.T) {
	d := newDesk(t)
	for range identity.MaxFailedLogins {
		d.s.Authenticate(ctx, "John.Doe", "wrong-password")
	}
	u := d.user("John.Doe")
	if !u.Locked() {
		t.Fatal("not locked")
	}
	testutil.WantFields(t, d.s.SetPassword(ctx, d.DB, u, "short", ""), "password:error.password.too_short")
	if err := d.s.SetPassword(ctx, d.DB, u, "brand-new-password", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := d.s.Authenticate(ctx, "John.Doe", "brand-new-password"); err != nil {
		t.Errorf("after SetPassword: %v", err)
	}
}

func TestSetLanguage(t *testing.T) {
	d := newDesk(t)
	john := d.actor("John.Doe")
	testutil.WantFields(t, d.s.SetLanguage(ctx, john, "de"), "lang:error.field.choice")
	if err := d.s.SetLanguage(ctx, john, "fr"); err != nil {
		t.Fatal(err)
	}
	if got := d.user("John.Doe").Lang; got != "fr" {
		t.Errorf("lang = %q, want fr", got)
	}
}

func TestListUsers(t *testing.T) {
	d := newDesk(t)
	admin := d.actor("admin")
	for range identity.MaxFailedLogins {
		d.s.Authenticate(ctx, "Paul.Martin", "wrong-password")
	}
	tests := []struct {
		f     identity.UserFilter
		want  []string
		total int
	}{
		{identity.UserFilter{}, []string{"admin", "Alice.Agent", "John.Doe", "Marie.Dupont", "Paul.Martin", "Sophie.Commerciale"}, 6},
		{identity.UserFilter{Kind: identity.Customer}, []string{"John.Doe", "Marie.Dupont", "Paul.Martin"}, 3},
		{identity.UserFilter{Locked: true}, []string{"Paul.Martin"}, 1},
		{identity.UserFilter{Query: "EXAMPLE.FR"}, []string{"Marie.Dupont", "Paul.Martin", "Sophie.Commerciale"}, 3},
		{identity.UserFilter{Query: "_"}, []string{}, 0},
		{identity.UserFilter{Limit: 2, Offset: 1}, []string{"Alice.Agent", "John.Doe"}, 6},
	}
	for _, tt := range tests {
		us, total, err := d.s.ListUsers(ctx, admin, tt.f)
		got := make([]string, len(us))
		for i, u := range us {
			got[i] = u.Login
		}
		if err != nil || total != tt.total || strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("ListUsers(%+v) = %q (total %d), %v; want %q (total %d)", tt.f, got, total, err, tt.want, tt.total)
		}
	}
	for _, who := range []string{"Alice.Agent", "Sophie.Commerciale", "Marie.Dupont"} {
		if _, _, err := d.s.ListUsers(ctx, d.actor(who), identity.UserFilter{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("ListUsers by %s: err = %v, want ErrForbidden", who, err)
		}
		if _, err := d.s.User(ctx, d.actor(who), admin.UserID); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("User by %s: err = %v, want ErrForbidden", who, err)
		}
	}
}
