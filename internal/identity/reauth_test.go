package identity_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/testutil"
)

// Wrong current passwords on the profile are counted per user: after five within fifteen minutes
// even the right one is refused, until the window has passed. Right ones do not count.
func TestCurrentPasswordChecksAreLimited(t *testing.T) {
	d := newDesk(t)
	john, marie := d.actor("John.Doe"), d.actor("Marie.Dupont")
	// A right current password with a bad new one is no failure.
	for range 10 {
		testutil.WantFields(t, d.s.ChangePassword(ctx, john, demo.Password, "short", "short", ""), "password:error.password.too_short")
	}
	for i := range identity.ReauthMaxFailures {
		testutil.WantFields(t, d.s.ChangePassword(ctx, john, "guess-"+string(rune('a'+i)), "new-password-1", "new-password-1", ""),
			"current:error.password.current_wrong")
		d.now = d.now.Add(time.Minute)
	}
	err := d.s.ChangePassword(ctx, john, demo.Password, "new-password-1", "new-password-1", "")
	if !errors.Is(err, identity.ErrTooManyAttempts) {
		t.Fatalf("sixth check: %v, want ErrTooManyAttempts", err)
	}
	// Another user is not concerned.
	if err := d.s.ChangePassword(ctx, marie, demo.Password, "new-password-2", "new-password-2", ""); err != nil {
		t.Errorf("Marie: %v", err)
	}
	// The first failure leaves the window 15 minutes after it.
	d.now = d.now.Add(identity.ReauthWindow - 4*time.Minute)
	if err := d.s.ChangePassword(ctx, john, demo.Password, "new-password-1", "new-password-1", ""); err != nil {
		t.Errorf("after the window: %v", err)
	}
}

// Concurrent wrong guesses, from any number of requests at once, get five checks in all.
func TestConcurrentGuessesGetFiveChecks(t *testing.T) {
	d := newDesk(t)
	john := d.actor("John.Doe")
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = d.s.ChangePassword(ctx, john, "a-wrong-guess", "new-password-1", "new-password-1", "")
		}()
	}
	wg.Wait()
	limited := 0
	for _, err := range errs {
		if errors.Is(err, identity.ErrTooManyAttempts) {
			limited++
		}
	}
	if limited != n-identity.ReauthMaxFailures {
		t.Errorf("%d of %d guesses refused unchecked, want %d", limited, n, n-identity.ReauthMaxFailures)
	}
}

// Throttle is the login forms' limit per address: max requests a window, per bucket and subject.
func TestThrottle(t *testing.T) {
	d := newDesk(t)
	for i := 1; i <= 4; i++ {
		ok, err := d.s.Throttle(ctx, "form:/login", "192.0.2.1", 3, time.Minute)
		if err != nil || ok != (i <= 3) {
			t.Fatalf("request %d: %v, %v", i, ok, err)
		}
	}
	if ok, _ := d.s.Throttle(ctx, "form:/login", "192.0.2.2", 3, time.Minute); !ok {
		t.Error("another address was limited")
	}
	if ok, _ := d.s.Throttle(ctx, "form:/password/forgot", "192.0.2.1", 3, time.Minute); !ok {
		t.Error("another form was limited")
	}
	d.now = d.now.Add(time.Minute)
	if ok, _ := d.s.Throttle(ctx, "form:/login", "192.0.2.1", 3, time.Minute); !ok {
		t.Error("still limited a minute later")
	}
	// Old rows are pruned as new ones come.
	d.now = d.now.Add(25 * time.Hour)
	d.s.Throttle(ctx, "form:/login", "192.0.2.9", 3, time.Minute)
	if n := d.count("auth_attempts", "1 = 1"); n != 1 {
		t.Errorf("%d attempt rows after a day, want 1", n)
	}
}
