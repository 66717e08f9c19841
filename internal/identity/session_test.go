package identity_test

import (
	"errors"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
)

const (
	idle   = 2 * time.Hour
	maxAge = 12 * time.Hour
)

func TestSessionUser(t *testing.T) {
	d := newDesk(t)
	john := d.user("John.Doe")
	start := d.now
	token, err := d.s.StartSession(ctx, john)
	if err != nil {
		t.Fatal(err)
	}
	if d.count("sessions", "id_hash = ?", token) != 0 {
		t.Error("the session token is stored in clear")
	}

	// Within a minute, no last-seen write.
	d.now = start.Add(30 * time.Second)
	sess, u, err := d.s.SessionUser(ctx, token, idle, maxAge)
	if err != nil || u.ID != john.ID || sess.UserID != john.ID {
		t.Fatalf("SessionUser = %v, %v, %v", sess, u, err)
	}
	stored, _ := identity.SessionByToken(ctx, d.DB, token)
	if !stored.LastSeenAt.Equal(start) {
		t.Errorf("last_seen_at = %v, want %v (untouched within a minute)", stored.LastSeenAt, start)
	}

	// Every 1h50, the session stays alive and is touched...
	for i := 1; i <= 6; i++ {
		d.now = start.Add(time.Duration(i) * 110 * time.Minute)
		if _, _, err := d.s.SessionUser(ctx, token, idle, maxAge); err != nil {
			t.Fatalf("at +%v: %v", d.now.Sub(start), err)
		}
	}
	stored, _ = identity.SessionByToken(ctx, d.DB, token)
	if !stored.LastSeenAt.Equal(start.Add(660 * time.Minute)) {
		t.Errorf("last_seen_at = %v, want %v", stored.LastSeenAt, start.Add(660*time.Minute))
	}
	// ...until its absolute age passes the maximum, however recent the last request.
	d.now = start.Add(maxAge + time.Second)
	if _, _, err := d.s.SessionUser(ctx, token, idle, maxAge); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("past max age: err = %v, want ErrNotFound", err)
	}
	if d.count("sessions", "user_id = ?", john.ID) != 0 {
		t.Error("an expired session was not deleted")
	}
}

func TestSessionIdleExpiry(t *testing.T) {
	d := newDesk(t)
	token, err := d.s.StartSession(ctx, d.user("John.Doe"))
	if err != nil {
		t.Fatal(err)
	}
	start := d.now
	d.now = start.Add(idle) // exactly idle: still alive
	if _, _, err := d.s.SessionUser(ctx, token, idle, maxAge); err != nil {
		t.Fatalf("at exactly idle: %v", err)
	}
	d.now = d.now.Add(idle + time.Second)
	if _, _, err := d.s.SessionUser(ctx, token, idle, maxAge); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("idle too long: err = %v, want ErrNotFound", err)
	}
	d.now = d.now.Add(-idle) // the clock going back does not revive a deleted session
	if _, _, err := d.s.SessionUser(ctx, token, idle, maxAge); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("deleted session: err = %v, want ErrNotFound", err)
	}
}

func TestSessionUserUnknownAndInactive(t *testing.T) {
	d := newDesk(t)
	for _, token := range []string{"", "no-such-token", identity.NewToken()} {
		if _, _, err := d.s.SessionUser(ctx, token, idle, maxAge); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("token %q: err = %v, want ErrNotFound", token, err)
		}
	}
	paul := d.user("Paul.Martin")
	token, err := d.s.StartSession(ctx, paul)
	if err != nil {
		t.Fatal(err)
	}
	paul.Active = false // written behind the service's back: the session survives in the table
	if err := identity.UpdateUser(ctx, d.DB, paul, "active"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.s.SessionUser(ctx, token, idle, maxAge); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("inactive user: err = %v, want ErrNotFound", err)
	}
	if n := d.count("sessions", "user_id = ?", paul.ID); n != 0 {
		t.Errorf("inactive user's sessions = %d, want 0", n)
	}

	token, _ = d.s.StartSession(ctx, d.user("John.Doe"))
	if err := d.s.EndSession(ctx, token); err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.s.SessionUser(ctx, token, idle, maxAge); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("ended session: err = %v, want ErrNotFound", err)
	}
}

func TestStartSessionGivesFreshTokens(t *testing.T) {
	d := newDesk(t)
	john := d.user("John.Doe")
	a, _ := d.s.StartSession(ctx, john)
	b, _ := d.s.StartSession(ctx, john)
	if a == b || len(a) != 43 {
		t.Errorf("tokens %q and %q: want two different 43-character tokens", a, b)
	}
	if n := d.count("sessions", "user_id = ?", john.ID); n != 2 {
		t.Errorf("sessions = %d, want 2", n)
	}
}

func TestDeleteExpiredSessions(t *testing.T) {
	d := newDesk(t)
	john := d.user("John.Doe")
	start := d.now
	fresh, _ := d.s.StartSession(ctx, john)
	d.now = start.Add(-3 * time.Hour) // idle for three hours
	idleTok, _ := d.s.StartSession(ctx, john)
	d.now = start.Add(-13 * time.Hour) // created 13 hours ago, seen a minute ago
	oldTok, _ := d.s.StartSession(ctx, john)
	old, _ := identity.SessionByToken(ctx, d.DB, oldTok)
	old.LastSeenAt = start.Add(-time.Minute)
	if err := identity.UpdateSession(ctx, d.DB, old, "last_seen_at"); err != nil {
		t.Fatal(err)
	}
	n, err := identity.DeleteExpiredSessions(ctx, d.DB, start.Add(-idle), start.Add(-maxAge))
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 2", n, err)
	}
	for tok, alive := range map[string]bool{fresh: true, idleTok: false, oldTok: false} {
		if _, err := identity.SessionByToken(ctx, d.DB, tok); (err == nil) != alive {
			t.Errorf("session alive = %v, want %v", err == nil, alive)
		}
	}
}
