package identity_test

import (
	"errors"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/pquerna/otp/totp"
)

// code is the app's code for secret at the desk's clock.
func (d *desk) code(secret string) string {
	d.t.Helper()
	c, err := totp.GenerateCode(secret, d.now)
	if err != nil {
		d.t.Fatal(err)
	}
	return c
}

// enrol turns two-factor authentication on for login and returns its secret and recovery codes.
// The clock then moves to the next step, so that the next code is a new one.
func (d *desk) enrol(login string) (string, []string) {
	d.t.Helper()
	actor := d.actor(login)
	e, err := d.s.BeginTwoFactor(ctx, actor)
	if err != nil {
		d.t.Fatal(err)
	}
	codes, err := d.s.ConfirmTwoFactor(ctx, actor, d.code(e.Secret))
	if err != nil {
		d.t.Fatal(err)
	}
	d.now = d.now.Add(30 * time.Second)
	return e.Secret, codes
}

// pending logs login in with the password and returns the token of the second step.
func (d *desk) pending(login string) string {
	d.t.Helper()
	u, err := d.s.Authenticate(ctx, login, demo.Password)
	if err != nil {
		d.t.Fatal(err)
	}
	token, err := d.s.StartPendingLogin(ctx, u)
	if err != nil {
		d.t.Fatal(err)
	}
	return token
}

func TestEnrolment(t *testing.T) {
	d := newDesk(t)
	john := d.actor("John.Doe")
	e, err := d.s.BeginTwoFactor(ctx, john)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Secret) != 32 || len(e.QRCode) < 100 || string(e.QRCode[1:4]) != "PNG" ||
		e.URL != "otpauth://totp/Guichet:John.Doe?algorithm=SHA1&digits=6&issuer=Guichet&period=30&secret="+e.Secret {
		t.Fatalf("enrolment = %q %q, %d bytes of QR code", e.Secret, e.URL, len(e.QRCode))
	}
	// Reloading the page shows the same secret until it is confirmed.
	if again, _ := d.s.BeginTwoFactor(ctx, john); again.Secret != e.Secret {
		t.Error("a second visit changed the secret")
	}
	if u := d.user("John.Doe"); u.TwoFactor() {
		t.Fatal("on before confirmation")
	}
	testutil.WantFields(t, func() error { _, err := d.s.ConfirmTwoFactor(ctx, john, "000000x"); return err }(), "code:error.totp.wrong_enrol")
	codes, err := d.s.ConfirmTwoFactor(ctx, john, d.code(e.Secret))
	if err != nil || len(codes) != identity.RecoveryCodeCount {
		t.Fatalf("confirm: %d codes, %v", len(codes), err)
	}
	u := d.user("John.Doe")
	if !u.TwoFactor() || u.TOTPSecret != e.Secret || u.TOTPLastStep != d.now.Unix()/30 {
		t.Fatalf("after confirmation: %+v", u)
	}
	if n := d.count("recovery_codes", "user_id = ? AND used_at IS NULL", u.ID); n != identity.RecoveryCodeCount {
		t.Errorf("%d recovery codes stored", n)
	}
	if n := d.count("recovery_codes", "code_hash = ?", codes[0]); n != 0 {
		t.Error("a recovery code is stored as is")
	}
	if _, err := d.s.BeginTwoFactor(ctx, john); !errors.Is(err, identity.ErrTwoFactorOn) {
		t.Errorf("enrolling again: %v", err)
	}
	if _, err := d.s.ConfirmTwoFactor(ctx, john, d.code(e.Secret)); !errors.Is(err, identity.ErrTwoFactorOn) {
		t.Errorf("confirming again: %v", err)
	}
	if n, err := d.s.RecoveryCodesLeft(ctx, john); n != identity.RecoveryCodeCount || err != nil {
		t.Errorf("RecoveryCodesLeft = %d, %v", n, err)
	}
}

// The second step of a login: the right code, reuse, recovery codes once each, the lifetime of
// the pending login, and that a pending login is no session.
func TestSecondStep(t *testing.T) {
	d := newDesk(t)
	secret, codes := d.enrol("John.Doe")

	token := d.pending("John.Doe")
	if _, _, err := d.s.SessionUser(ctx, token, idle, maxAge); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("a pending login opens a session: %v", err)
	}
	if _, err := d.s.CompleteLogin(ctx, token, "123"); !errors.Is(err, identity.ErrCodeWrong) {
		t.Fatalf("malformed code: %v", err)
	}
	code := d.code(secret)
	u, err := d.s.CompleteLogin(ctx, token, code)
	if err != nil || u.Login != "John.Doe" {
		t.Fatalf("right code: %v, %v", u, err)
	}
	if n, _ := d.failedLogins("John.Doe"); n != 0 {
		t.Errorf("failed_logins = %d after a full login, want 0", n)
	}
	if _, err := d.s.CompleteLogin(ctx, token, code); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("the pending login survived its use: %v", err)
	}
	// The same code, within its 30 seconds, on another login: refused.
	token = d.pending("John.Doe")
	if _, err := d.s.CompleteLogin(ctx, token, code); !errors.Is(err, identity.ErrCodeReused) {
		t.Errorf("reused code: %v", err)
	}
	// A recovery code works once, typed in any case.
	if _, err := d.s.CompleteLogin(ctx, token, codes[3]); err != nil {
		t.Fatalf("recovery code: %v", err)
	}
	token = d.pending("John.Doe")
	if _, err := d.s.CompleteLogin(ctx, token, codes[3]); !errors.Is(err, identity.ErrCodeWrong) {
		t.Errorf("recovery code used twice: %v", err)
	}
	if n, _ := d.s.RecoveryCodesLeft(ctx, d.actor("John.Doe")); n != identity.RecoveryCodeCount-1 {
		t.Errorf("%d recovery codes left, want %d", n, identity.RecoveryCodeCount-1)
	}
	// Another user's recovery code is no use.
	_, marieCodes := d.enrol("Marie.Dupont")
	if _, err := d.s.CompleteLogin(ctx, token, marieCodes[0]); !errors.Is(err, identity.ErrCodeWrong) {
		t.Errorf("another user's recovery code: %v", err)
	}
	// A pending login expires.
	d.now = d.now.Add(identity.PendingLoginLifetime + time.Second)
	if _, err := d.s.CompleteLogin(ctx, token, d.code(secret)); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("an expired pending login: %v", err)
	}
	if _, err := d.s.PendingLogin(ctx, "forged"); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("a forged token: %v", err)
	}
}

// Wrong codes count toward the lockout: the fifth failure (passwords and codes together) locks,
// mails the owner through the hook, and ends the pending login.
func TestWrongCodesLockTheAccount(t *testing.T) {
	d := newDesk(t)
	secret, _ := d.enrol("John.Doe")
	d.s.Authenticate(ctx, "John.Doe", "wrong-password")
	token := d.pending("John.Doe")
	for i := 2; i < identity.MaxFailedLogins; i++ {
		if _, err := d.s.CompleteLogin(ctx, token, "000000"); !errors.Is(err, identity.ErrCodeWrong) && !errors.Is(err, identity.ErrCodeReused) {
			t.Fatalf("wrong code %d: %v", i, err)
		}
	}
	if n, locked := d.failedLogins("John.Doe"); n != identity.MaxFailedLogins-1 || locked {
		t.Fatalf("failed_logins = %d, locked %v", n, locked)
	}
	if _, err := d.s.CompleteLogin(ctx, token, "999999"); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("fifth failure: %v, want the pending login ended", err)
	}
	if _, locked := d.failedLogins("John.Doe"); !locked || len(d.hooks.Locked) != 1 {
		t.Fatalf("not locked after five failures (hook calls %q)", d.hooks.Locked)
	}
	if _, err := d.s.CompleteLogin(ctx, token, d.code(secret)); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("the right code after the lock: %v", err)
	}
	if _, err := d.s.Authenticate(ctx, "John.Doe", demo.Password); !errors.Is(err, identity.ErrLocked) {
		t.Errorf("password after the lock: %v", err)
	}
}

func TestDisableTwoFactor(t *testing.T) {
	d := newDesk(t)
	secret, codes := d.enrol("Alice.Agent")
	alice := d.actor("Alice.Agent")
	if err := d.s.DisableTwoFactor(ctx, alice, demo.Password, d.code(secret), true); !errors.Is(err, identity.ErrTwoFactorRequired) {
		t.Errorf("staff while required: %v", err)
	}
	testutil.WantFields(t, d.s.DisableTwoFactor(ctx, alice, "wrong-password", d.code(secret), false), "password:error.password.current_wrong")
	testutil.WantFields(t, d.s.DisableTwoFactor(ctx, alice, demo.Password, "000000", false), "code:error.totp.wrong")
	if !d.user("Alice.Agent").TwoFactor() {
		t.Fatal("turned off by a refused request")
	}
	if err := d.s.DisableTwoFactor(ctx, alice, demo.Password, codes[0], false); err != nil {
		t.Fatalf("with a recovery code: %v", err)
	}
	u := d.user("Alice.Agent")
	if u.TwoFactor() || u.TOTPSecret != "" || d.count("recovery_codes", "user_id = ?", u.ID) != 0 {
		t.Errorf("after disabling: %+v", u)
	}
	if err := d.s.DisableTwoFactor(ctx, alice, demo.Password, "123456", false); !errors.Is(err, identity.ErrTwoFactorOff) {
		t.Errorf("disabling twice: %v", err)
	}
	// Logging in needs the password only again.
	if u, err := d.s.Authenticate(ctx, "Alice.Agent", demo.Password); err != nil || u.TwoFactor() {
		t.Errorf("login after disabling: %v", err)
	}
}

// Only an admin resets another user's two-factor authentication; the user's sessions end.
func TestResetTwoFactor(t *testing.T) {
	d := newDesk(t)
	d.enrol("John.Doe")
	john := d.user("John.Doe")
	session, _ := d.s.StartSession(ctx, john)
	for _, who := range []string{"Alice.Agent", "Sophie.Commerciale", "Marie.Dupont", "John.Doe"} {
		if err := d.s.ResetTwoFactor(ctx, d.actor(who), john.ID, ""); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("reset by %s: %v", who, err)
		}
	}
	if err := d.s.ResetFailedLogin(ctx, d.actor("admin"), john.ID); err != nil || !d.user("John.Doe").TwoFactor() {
		t.Errorf("reset failed login touched two-factor authentication: %v", err)
	}
	if err := d.s.ResetTwoFactor(ctx, d.actor("admin"), john.ID, ""); err != nil {
		t.Fatal(err)
	}
	if u := d.user("John.Doe"); u.TwoFactor() || u.TOTPSecret != "" || d.count("recovery_codes", "user_id = ?", u.ID) != 0 {
		t.Errorf("after reset: %+v", u)
	}
	if _, _, err := d.s.SessionUser(ctx, session, idle, maxAge); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("a session survived the reset: %v", err)
	}
	if err := d.s.ResetTwoFactor(ctx, d.actor("admin"), john.ID, ""); err != nil {
		t.Errorf("resetting what is off: %v", err)
	}
	if err := d.s.ResetTwoFactor(ctx, d.actor("admin"), 999999, ""); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}
}

func TestMustEnrol(t *testing.T) {
	d := newDesk(t)
	d.enrol("Sophie.Commerciale")
	tests := []struct {
		login    string
		required bool
		want     bool
	}{
		{"Alice.Agent", true, true},
		{"admin", true, true},
		{"Sophie.Commerciale", true, false}, // enrolled
		{"Marie.Dupont", true, false},       // customers choose
		{"Alice.Agent", false, false},
	}
	for _, tt := range tests {
		if got := identity.MustEnrol(d.user(tt.login), tt.required); got != tt.want {
			t.Errorf("MustEnrol(%s, required %v) = %v", tt.login, tt.required, got)
		}
	}
}
