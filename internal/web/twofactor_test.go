package web_test

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/pquerna/otp/totp"
)

// clock makes the desk's account clock a fixed time that the test moves, so that the test
// knows which codes the app would show.
type clock struct{ now time.Time }

func (d *desk) clock(t *testing.T) *clock {
	c := &clock{now: time.Date(2027, time.March, 10, 9, 0, 0, 0, time.UTC)}
	real := d.Identity.Now
	d.Identity.Now = func() time.Time { return c.now }
	t.Cleanup(func() { d.Identity.Now = real })
	return c
}

// next moves to the next 30-second step and returns the app's code for it.
func (k *clock) next(t *testing.T, secret string) string {
	t.Helper()
	k.now = k.now.Add(30 * time.Second)
	code, err := totp.GenerateCode(secret, k.now)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

var recoveryCode = regexp.MustCompile(`<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</code></li>`)

// enrolWeb turns two-factor authentication on from the profile page as the browser would, and
// returns the secret (read from the database, as the phone reads the QR code) and the recovery
// codes shown.
func enrolWeb(t *testing.T, d *desk, c *testutil.Client, k *clock, login string) (string, []string) {
	t.Helper()
	r := c.Get("/profile/2fa")
	wantStatus(t, "enrolment page", r, 200)
	secret := d.user(t, login).TOTPSecret
	if secret == "" {
		t.Fatal("no secret stored by the enrolment page")
	}
	wantBody(t, "enrolment page", r, `<img src="data:image/png;base64,iVBOR`, secret[:4]+" "+secret[4:8])
	r = c.Post("/profile/2fa", url.Values{"code": {k.next(t, secret)}})
	wantStatus(t, "confirm", r, 200)
	var codes []string
	for _, m := range recoveryCode.FindAllStringSubmatch(r.Body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown: %.600s", len(codes), r.Body)
	}
	return secret, codes
}

// loginPassword posts the password of a user with two-factor authentication: the answer is the
// second step, and no session yet.
func loginPassword(t *testing.T, c *testutil.Client, login string) {
	t.Helper()
	c.Get("/login") // the login form's token, as the browser reads it
	r := c.Post("/login", url.Values{"login": {login}, "password": {demo.Password}})
	if r.Status != 303 || r.Location != "/login/code" {
		t.Fatalf("password of %s: %d to %q", login, r.Status, r.Location)
	}
	if c.Cookie("guichet_session") != "" || c.Cookie("guichet_login") == "" {
		t.Fatalf("after the password: session %q, pending %q", c.Cookie("guichet_session"), c.Cookie("guichet_login"))
	}
}

func TestTwoFactorEnrolThenLogInWithCodesAndRecoveryCodes(t *testing.T) {
	d := newDesk(t)
	k := d.clock(t)
	c := d.as(t, "John.Doe")
	c.Lang = "en"
	wantBody(t, "profile", c.Get("/profile"), "Two-factor authentication", `href="/profile/2fa"`, "Turn on two-factor authentication")

	// A wrong code at enrolment: 422, still off.
	c.Get("/profile/2fa")
	r := c.Post("/profile/2fa", url.Values{"code": {"123"}})
	wantStatus(t, "wrong enrolment code", r, 422)
	wantBody(t, "wrong enrolment code", r, "This code is not right.", "data:image/png;base64,")
	if d.user(t, "John.Doe").TwoFactor() {
		t.Fatal("on after a wrong code")
	}
	secret, codes := enrolWeb(t, d, c, k, "John.Doe")
	if m := lastMail(t, d, "john.doe@example.com"); m.Kind != "two_factor_changed" || !strings.Contains(m.BodyText, "is now on") {
		t.Errorf("mail after enrolment: %s %q", m.Kind, m.BodyText)
	}
	wantBody(t, "manage page", c.Get("/profile/2fa"), "10 recovery codes left.", "Turn off two-factor authentication")
	wantStatus(t, "logout", c.Post("/logout", nil), 303)

	// Password, then the second step.
	loginPassword(t, c, "John.Doe")
	if r := c.Get("/"); r.Status != 303 || r.Location != "/login" {
		t.Fatalf("the pending login opened the home page: %d %q", r.Status, r.Location)
	}
	r = c.Get("/login/code")
	wantStatus(t, "second step", r, 200)
	wantBody(t, "second step", r, "type the 6-digit code", `autocomplete="one-time-code"`)
	r = c.Post("/login/code", url.Values{"code": {"000000"}})
	wantStatus(t, "wrong code", r, 422)
	wantBody(t, "wrong code", r, "This code is not right.")
	code := k.next(t, secret)
	r = c.Post("/login/code", url.Values{"code": {code}})
	if r.Status != 303 || r.Location != "/" || c.Cookie("guichet_session") == "" || c.Cookie("guichet_login") != "" {
		t.Fatalf("right code: %d to %q, session %q, pending %q", r.Status, r.Location, c.Cookie("guichet_session"), c.Cookie("guichet_login"))
	}
	wantStatus(t, "home", c.Get("/"), 200)
	c.Post("/logout", nil)

	// The same code again within its step: refused.
	loginPassword(t, c, "John.Doe")
	r = c.Post("/login/code", url.Values{"code": {code}})
	wantStatus(t, "reused code", r, 422)
	wantBody(t, "reused code", r, "This code has already been used.")
	// A recovery code works, once.
	r = c.Post("/login/code", url.Values{"code": {strings.ToUpper(codes[0])}})
	if r.Status != 303 || r.Location != "/" {
		t.Fatalf("recovery code: %d to %q", r.Status, r.Location)
	}
	wantBody(t, "manage page", c.Get("/profile/2fa"), "9 recovery codes left.")
	c.Post("/logout", nil)
	loginPassword(t, c, "John.Doe")
	r = c.Post("/login/code", url.Values{"code": {codes[0]}})
	wantStatus(t, "recovery code used twice", r, 422)

	// Wrong codes count toward the lockout; a full login clears the count.
	if n := d.user(t, "John.Doe").FailedLogins; n != 1 {
		t.Errorf("failed_logins = %d, want 1 (the recovery code used twice, since the last full login)", n)
	}
}

// Five wrong codes lock the account as five wrong passwords would: the owner is told by mail
// and the login starts again.
func TestWrongCodesLockTheAccountAndStartTheLoginAgain(t *testing.T) {
	d := newDesk(t)
	k := d.clock(t)
	c := d.as(t, "Marie.Dupont")
	enrolWeb(t, d, c, k, "Marie.Dupont")
	c.Post("/logout", nil)
	loginPassword(t, c, "Marie.Dupont")
	for i := 1; i < 5; i++ {
		wantStatus(t, "wrong code", c.Post("/login/code", url.Values{"code": {"000000"}}), 422)
	}
	r := c.Post("/login/code", url.Values{"code": {"000000"}})
	if r.Status != 303 || r.Location != "/login" || c.Cookie("guichet_login") != "" {
		t.Fatalf("fifth wrong code: %d to %q", r.Status, r.Location)
	}
	wantBody(t, "login page", c.Get("/login"), "Votre connexion a expiré.")
	if !d.user(t, "Marie.Dupont").Locked() {
		t.Error("not locked after five wrong codes")
	}
	if m := lastMail(t, d, "marie.dupont@example.fr"); m.Kind != "account_locked" {
		t.Errorf("last mail %s, want account_locked", m.Kind)
	}
	// Without a pending login, the second step sends to the login page.
	other := d.client(t)
	if r := other.Get("/login/code"); r.Status != 303 || r.Location != "/login" {
		t.Errorf("second step without a login: %d %q", r.Status, r.Location)
	}
	if r := other.Post("/login/code", url.Values{"code": {"123456"}}); r.Status != 303 || r.Location != "/login" {
		t.Errorf("second step post without a login: %d %q", r.Status, r.Location)
	}
}

func TestTwoFactorPagesInFrench(t *testing.T) {
	d := newDesk(t)
	k := d.clock(t)
	c := d.as(t, "Marie.Dupont")
	r := c.Get("/profile/2fa")
	wantBody(t, "enrolment", r, "Double authentification", "Scannez ce QR code", "Activer la double authentification")
	secret := d.user(t, "Marie.Dupont").TOTPSecret
	r = c.Post("/profile/2fa", url.Values{"code": {k.next(t, secret)}})
	wantBody(t, "codes", r, "Vos codes de secours", "ne sont affichés que cette fois", "Je les ai conservés\u00a0: continuer")
	c.Post("/logout", nil)
	loginPassword(t, c, "Marie.Dupont")
	r = c.Get("/login/code")
	wantBody(t, "second step", r, "saisissez le code à 6 chiffres", "codes de secours")
	r = c.Post("/login/code", url.Values{"code": {"000000"}})
	wantBody(t, "wrong code", r, "Ce code n’est pas le bon.")
}

func TestDisableTwoFactorFromTheProfile(t *testing.T) {
	d := newDesk(t)
	k := d.clock(t)
	c := d.as(t, "John.Doe")
	c.Lang = "en"
	secret, _ := enrolWeb(t, d, c, k, "John.Doe")
	c.Get("/profile/2fa")
	r := c.Post("/profile/2fa/disable", url.Values{"password": {"wrong-password"}, "code": {k.next(t, secret)}})
	wantStatus(t, "wrong password", r, 422)
	wantBody(t, "wrong password", r, "The current password is wrong.")
	wantNoBody(t, "wrong password", r, "wrong-password")
	r = c.Post("/profile/2fa/disable", url.Values{"password": {demo.Password}, "code": {k.next(t, secret)}})
	if r.Status != 303 || r.Location != "/profile" {
		t.Fatalf("disable: %d %q", r.Status, r.Location)
	}
	wantBody(t, "profile", c.Get("/profile"), "Two-factor authentication is off.")
	if d.user(t, "John.Doe").TwoFactor() {
		t.Fatal("still on")
	}
	if m := lastMail(t, d, "john.doe@example.com"); m.Kind != "two_factor_changed" || !strings.Contains(m.BodyText, "is now off") {
		t.Errorf("mail after disabling: %s %q", m.Kind, m.BodyText)
	}
	c.Post("/logout", nil)
	c.Get("/login")
	c.Login("John.Doe") // the password alone again
}

// With GUICHET_STAFF_2FA=required, a staff user without two-factor authentication reaches
// nothing but the enrolment page (and logout) until enrolled, and cannot turn it off; customers
// still choose.
func TestStaffMustEnrolWhenRequired(t *testing.T) {
	d := newDeskRequiring2FA(t)
	k := d.clock(t)
	c := d.client(t)
	c.Lang = "en"
	c.Login("Alice.Agent")
	for _, path := range []string{"/", "/staff/incidents", "/profile", "/staff/tenants", "/STAFF/incidents/"} {
		if r := c.Get(path); r.Status != 303 || r.Location != "/profile/2fa" {
			t.Errorf("GET %s before enrolment: %d to %q", path, r.Status, r.Location)
		}
	}
	if r := c.Post("/profile/password", url.Values{"current": {demo.Password}, "password": {"new-password-1"}, "confirm": {"new-password-1"}}); r.Status != 303 || r.Location != "/profile/2fa" {
		t.Errorf("POST before enrolment: %d to %q", r.Status, r.Location)
	}
	r := c.Get("/profile/2fa")
	wantStatus(t, "enrolment page", r, 200)
	wantBody(t, "enrolment page", r, "Staff accounts must use two-factor authentication.")
	secret, _ := enrolWeb(t, d, c, k, "Alice.Agent")
	wantStatus(t, "queue after enrolment", c.Get("/staff/incidents"), 200)
	r = c.Get("/profile/2fa")
	wantBody(t, "manage page", r, "it cannot be turned off here")
	wantNoBody(t, "manage page", r, `action="/profile/2fa/disable"`)
	r = c.Post("/profile/2fa/disable", url.Values{"password": {demo.Password}, "code": {k.next(t, secret)}})
	wantStatus(t, "disable while required", r, 422)
	if !d.user(t, "Alice.Agent").TwoFactor() {
		t.Fatal("turned off while required")
	}

	// Logging out works before enrolment too, and a customer is not forced.
	admin := d.client(t)
	admin.Login("admin")
	if r := admin.Post("/logout", nil); r.Status != 303 || r.Location != "/login" {
		t.Errorf("logout before enrolment: %d %q", r.Status, r.Location)
	}
	marie := d.as(t, "Marie.Dupont")
	wantStatus(t, "customer home", marie.Get("/"), 200)
}

// An admin's reset turns two-factor authentication off for a user who lost their phone: their
// sessions end, they are told by mail, and the password alone logs them in again.
func TestAdminResetsTwoFactor(t *testing.T) {
	d := newDesk(t)
	k := d.clock(t)
	john := d.as(t, "John.Doe")
	enrolWeb(t, d, john, k, "John.Doe")
	u := d.user(t, "John.Doe")
	admin := d.as(t, "admin")
	admin.Lang = "en"
	r := admin.Get("/admin/users/" + id(u.ID))
	wantBody(t, "user page", r, "Reset two-factor authentication", `action="/admin/users/`+id(u.ID)+`/2fa/reset"`)
	r = admin.Post("/admin/users/"+id(u.ID)+"/2fa/reset", nil)
	wantStatus(t, "reset", r, 303)
	wantBody(t, "user page after reset", admin.Get(r.Location), "their sessions have ended", "Off.")
	if d.user(t, "John.Doe").TwoFactor() {
		t.Fatal("still on after the reset")
	}
	if r := john.Get("/"); r.Location != "/login" {
		t.Errorf("John's session survived the reset: %d %q", r.Status, r.Location)
	}
	if m := lastMail(t, d, "john.doe@example.com"); m.Kind != "two_factor_changed" || !strings.Contains(m.BodyText, "administrator has reset") {
		t.Errorf("mail after the reset: %s %q", m.Kind, m.BodyText)
	}
	d.client(t).Login("John.Doe")
	wantStatus(t, "admin still logged in", admin.Get("/admin/users"), 200)
}

// Wrong current passwords on the profile are limited per user: the sixth check within fifteen
// minutes is refused with 429 and a message, the right password included.
func TestProfilePasswordChecksAreRateLimited(t *testing.T) {
	d := newDesk(t)
	c := d.as(t, "John.Doe")
	c.Lang = "en"
	c.Get("/profile")
	for i := 0; i < 5; i++ {
		r := c.Post("/profile/password", url.Values{"current": {"guess-number-" + id(int64(i))}, "password": {"new-password-1"}, "confirm": {"new-password-1"}})
		wantStatus(t, "wrong current password", r, 422)
	}
	r := c.Post("/profile/password", url.Values{"current": {demo.Password}, "password": {"new-password-1"}, "confirm": {"new-password-1"}})
	wantStatus(t, "sixth check", r, 429)
	wantBody(t, "sixth check", r, "Too many wrong attempts. Wait 15 minutes and try again.", `action="/profile/password"`)
	wantNoBody(t, "sixth check", r, demo.Password, "new-password-1")
	fr := d.as(t, "Marie.Dupont")
	for i := 0; i < 6; i++ {
		r = fr.Post("/profile/password", url.Values{"current": {"x"}, "password": {"new-password-1"}, "confirm": {"new-password-1"}})
	}
	wantStatus(t, "French", r, 429)
	wantBody(t, "French", r, "Trop d’essais erronés. Attendez 15\u00a0minutes et réessayez.")
}

// A display name with a direction override (which lets a name pass for another in lists and
// mail) is refused beside its field, the input kept; the edge refuses CR/LF and NUL before.
func TestAdminUserFormRefusesControlCharactersInNames(t *testing.T) {
	d := newDesk(t)
	admin := d.as(t, "admin")
	admin.Lang = "en"
	name := "Zoé \u202egnp.exe"
	r := admin.Post("/admin/users", url.Values{"login": {"Zoe.Client"}, "email": {"zoe@example.fr"}, "display_name": {name}, "lang": {"fr"}, "kind": {"customer"}})
	wantStatus(t, "create", r, 422)
	wantBody(t, "create", r, "Remove the line breaks and invisible characters", `value="Zoe.Client"`, `value="zoe@example.fr"`, `value="`+name+`"`)
	if _, err := identity.UserByLogin(context.Background(), d.DB, "Zoe.Client"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("the refused user was created: %v", err)
	}
	john := d.user(t, "John.Doe")
	r = admin.Post("/admin/users/"+id(john.ID), url.Values{"email": {"john@example.org\u2067"}, "display_name": {"John\u2028Doe"}, "lang": {"en"}, "kind": {"customer"}, "active": {"on"}})
	wantStatus(t, "edit", r, 422)
	wantBody(t, "edit", r, "Remove the line breaks and invisible characters")
	if got := d.user(t, "John.Doe"); got.DisplayName != john.DisplayName || got.Email != john.Email {
		t.Errorf("a refused edit was written: %q %q", got.DisplayName, got.Email)
	}
}

// newDeskRequiring2FA is a desk where staff must use two-factor authentication
// (GUICHET_STAFF_2FA=required).
func newDeskRequiring2FA(t *testing.T) *desk {
	t.Helper()
	d := newDesk(t)
	d.Config.Staff2FA = "required"
	w, err := d.Web(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d.web = w
	return d
}
