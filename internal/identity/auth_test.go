package identity_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
)

func (d *desk) failedLogins(login string) (int, bool) {
	u := d.user(login)
	return u.FailedLogins, u.Locked()
}

func TestAuthenticateSuccessResetsCounter(t *testing.T) {
	d := newDesk(t)
	for range 3 {
		if _, err := d.s.Authenticate(ctx, "John.Doe", "wrong-password"); !errors.Is(err, identity.ErrBadCredentials) {
			t.Fatalf("wrong password: err = %v, want ErrBadCredentials", err)
		}
	}
	if n, locked := d.failedLogins("John.Doe"); n != 3 || locked {
		t.Fatalf("after 3 failures: failed_logins = %d, locked = %v; want 3, false", n, locked)
	}
	u, err := d.s.Authenticate(ctx, "  john.DOE ", demo.Password)
	if err != nil || u.Login != "John.Doe" {
		t.Fatalf("Authenticate = %v, %v; want John.Doe", u, err)
	}
	if n, locked := d.failedLogins("John.Doe"); n != 0 || locked {
		t.Errorf("after success: failed_logins = %d, locked = %v; want 0, false", n, locked)
	}
}

func TestAuthenticateSameErrorForEveryRefusal(t *testing.T) {
	d := newDesk(t)
	paul := d.user("Paul.Martin")
	paul.Active = false
	if err := identity.UpdateUser(ctx, d.DB, paul, "active"); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, login, password string }{
		{"unknown login", "Nobody.Here", demo.Password},
		{"wrong password", "John.Doe", "not-the-password"},
		{"empty password", "John.Doe", ""},
		{"inactive account, right password", "Paul.Martin", demo.Password},
		{"empty login", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := d.s.Authenticate(ctx, tt.login, tt.password)
			if err != identity.ErrBadCredentials || u != nil {
				t.Errorf("Authenticate(%q) = %v, %v; want nil, ErrBadCredentials", tt.login, u, err)
			}
		})
	}
	if n, _ := d.failedLogins("Paul.Martin"); n != 0 {
		t.Errorf("an inactive account counted failures: %d", n)
	}
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	d := newDesk(t)
	for i := 1; i <= identity.MaxFailedLogins; i++ {
		_, err := d.s.Authenticate(ctx, "John.Doe", "wrong-password")
		want := identity.ErrBadCredentials
		if i == identity.MaxFailedLogins {
			want = identity.ErrLocked
		}
		if err != want {
			t.Fatalf("failure %d: err = %v, want %v", i, err, want)
		}
	}
	if n, locked := d.failedLogins("John.Doe"); n != 5 || !locked {
		t.Fatalf("failed_logins = %d, locked = %v; want 5, true", n, locked)
	}
	if got := d.hooks.Locked; len(got) != 1 || got[0] != "John.Doe" {
		t.Errorf("AccountLocked hook calls = %q, want [John.Doe]", got)
	}
	for _, pw := range []string{demo.Password, "wrong-password"} {
		if _, err := d.s.Authenticate(ctx, "John.Doe", pw); err != identity.ErrLocked {
			t.Errorf("locked account with %q: err = %v, want ErrLocked", pw, err)
		}
	}
	if len(d.hooks.Locked) != 1 {
		t.Errorf("AccountLocked called %d times, want once", len(d.hooks.Locked))
	}

	john := d.user("John.Doe")
	for _, who := range []string{"Alice.Agent", "Sophie.Commerciale", "Marie.Dupont", "John.Doe"} {
		if err := d.s.ResetFailedLogin(ctx, d.actor(who), john.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("ResetFailedLogin by %s: err = %v, want ErrForbidden", who, err)
		}
	}
	if _, locked := d.failedLogins("John.Doe"); !locked {
		t.Fatal("a refused reset unlocked the account")
	}
	if err := d.s.ResetFailedLogin(ctx, d.actor("admin"), john.ID); err != nil {
		t.Fatalf("ResetFailedLogin by admin: %v", err)
	}
	if n, locked := d.failedLogins("John.Doe"); n != 0 || locked {
		t.Errorf("after reset: failed_logins = %d, locked = %v", n, locked)
	}
	if _, err := d.s.Authenticate(ctx, "John.Doe", demo.Password); err != nil {
		t.Errorf("login after reset: %v", err)
	}
	if err := d.s.ResetFailedLogin(ctx, d.actor("admin"), 999999); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("reset of an unknown user: err = %v, want ErrNotFound", err)
	}
}

// Concurrent attempts must each count: every failure number 1..4 is handed out exactly once and
// exactly one attempt locks the identity.
func TestConcurrentFailuresNeverLoseACount(t *testing.T) {
	d := newDesk(t)
	const n = 10
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = d.s.Authenticate(ctx, "John.Doe", "wrong-password")
		}()
	}
	wg.Wait()
	var bad, locked int
	for i, err := range errs {
		switch err {
		case identity.ErrBadCredentials:
			bad++
		case identity.ErrLocked:
			locked++
		default:
			t.Errorf("attempt %d: unexpected error %v", i, err)
		}
	}
	if bad != identity.MaxFailedLogins-1 || locked != n-bad {
		t.Errorf("bad credentials = %d, locked = %d; want %d and %d", bad, locked, identity.MaxFailedLogins-1, n-identity.MaxFailedLogins+1)
	}
	count, isLocked := d.failedLogins("John.Doe")
	if count < identity.MaxFailedLogins || count > n || !isLocked {
		t.Errorf("failed_logins = %d, locked = %v; want 5..10, true", count, isLocked)
	}
	if len(d.hooks.Locked) != 1 {
		t.Errorf("AccountLocked called %d times, want once", len(d.hooks.Locked))
	}
}

// Below the limit, every concurrent failure is in the count.
func TestConcurrentFailuresBelowLimitCountExactly(t *testing.T) {
	d := newDesk(t)
	const n = identity.MaxFailedLogins - 1
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := d.s.Authenticate(ctx, "Paul.Martin", "wrong-password"); err != identity.ErrBadCredentials {
				t.Errorf("err = %v, want ErrBadCredentials", err)
			}
		}()
	}
	wg.Wait()
	if count, locked := d.failedLogins("Paul.Martin"); count != n || locked {
		t.Errorf("failed_logins = %d, locked = %v; want %d, false", count, locked, n)
	}
}

// Every refusal, locked accounts included, does the hashing work of a wrong password, and says
// the same: the login page cannot tell an unknown, inactive or locked account from a wrong
// password, by its words or by its time.
func TestEveryLoginHashesOnceAndRefusalsSayTheSame(t *testing.T) {
	d := newDesk(t)
	paul := d.user("Paul.Martin")
	paul.Active = false
	if err := identity.UpdateUser(ctx, d.DB, paul, "active"); err != nil {
		t.Fatal(err)
	}
	for range identity.MaxFailedLogins {
		d.s.Authenticate(ctx, "Marie.Dupont", "wrong-password")
	}
	if _, locked := d.failedLogins("Marie.Dupont"); !locked {
		t.Fatal("Marie is not locked")
	}
	if _, err := d.s.CreateUser(ctx, d.actor("admin"), identity.UserInput{Login: "No.Password", Email: "np@example.com",
		DisplayName: "No Password", Lang: "en", Kind: identity.Customer, Active: true}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, login, password string
		ok                    bool
	}{
		{"right password", "John.Doe", demo.Password, true},
		{"wrong password", "John.Doe", "wrong-password", false},
		{"unknown login", "Nobody.Here", demo.Password, false},
		{"inactive account", "Paul.Martin", demo.Password, false},
		{"locked account, right password", "Marie.Dupont", demo.Password, false},
		{"locked account, wrong password", "Marie.Dupont", "wrong-password", false},
		{"account without a password", "No.Password", "", false},
		{"login with NUL", "John\x00Doe", demo.Password, false},
		{"login with CR/LF", "John.Doe\r\n", demo.Password, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := identity.CountHashes(func() { _, err = d.s.Authenticate(ctx, tt.login, tt.password) })
			if n != 1 {
				t.Errorf("%d password hashes checked, want 1", n)
			}
			if tt.ok {
				if err != nil {
					t.Errorf("err = %v", err)
				}
				return
			}
			var e *i18n.Error
			if !errors.As(err, &e) || e.Key != identity.ErrBadCredentials.Key || e.Field != "" {
				t.Errorf("err = %v, want the message of ErrBadCredentials", err)
			}
		})
	}
}

// A user with two-factor authentication keeps the failure count through a right password: it is
// cleared only once the code is right, so the password cannot be used to clear code guesses.
func TestRightPasswordKeepsTheCountOfATwoFactorUser(t *testing.T) {
	d := newDesk(t)
	d.enrol("John.Doe")
	for range 3 {
		d.s.Authenticate(ctx, "John.Doe", "wrong-password")
	}
	if _, err := d.s.Authenticate(ctx, "John.Doe", demo.Password); err != nil {
		t.Fatal(err)
	}
	if n, _ := d.failedLogins("John.Doe"); n != 3 {
		t.Errorf("failed_logins = %d after the right password, want 3 (kept until the code)", n)
	}
}

func TestStoreErrorsSayWhatWasDone(t *testing.T) {
	d := newDesk(t)
	_, err := identity.UserByID(ctx, d.DB, 424242)
	if !errors.Is(err, apperr.ErrNotFound) || !strings.Contains(err.Error(), "identity: read user 424242") {
		t.Errorf("UserByID: %v", err)
	}
	_, err = identity.SessionByToken(ctx, d.DB, "unknown")
	if !errors.Is(err, apperr.ErrNotFound) || !strings.Contains(err.Error(), "identity: read session") {
		t.Errorf("SessionByToken: %v", err)
	}
	if _, err := identity.UserByID(ctx, d.DB, d.user("John.Doe").ID); err != nil {
		t.Errorf("a found user comes with an error: %v", err)
	}
	d.DB.Close()
	_, err = identity.UserByLogin(ctx, d.DB, "John.Doe")
	if err == nil || errors.Is(err, apperr.ErrNotFound) || !strings.Contains(err.Error(), "identity: read user by login") {
		t.Errorf("UserByLogin on a closed database: %v", err)
	}
}
