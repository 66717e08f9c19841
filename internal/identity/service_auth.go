package identity

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/uptrace/bun"
)

// MaxFailedLogins consecutive failures lock an account.
const MaxFailedLogins = 5

var (
	// ErrBadCredentials is the one answer for an unknown login, an inactive account and a wrong
	// password, so that the form does not tell which logins exist.
	ErrBadCredentials = i18n.NewError("error.login.invalid")
	// ErrLocked is the answer for a locked account. It carries the same message as
	// ErrBadCredentials, and costs the same hashing work, so that the login page tells nobody
	// whether an account exists or is locked; callers may tell it apart for their logs and tests.
	// The owner learns of the lock by mail (Hooks.AccountLocked).
	ErrLocked = i18n.NewError("error.login.invalid")
)

// Authenticate checks login and password and counts failures; it returns the user on success.
// Every path hashes the password once (against a dummy hash when there is nothing else to
// check), so that the time taken does not tell an unknown, inactive or locked account apart
// from a wrong password.
func (s *Service) Authenticate(ctx context.Context, login, password string) (*User, error) {
	u, err := s.userForLogin(ctx, login)
	if err != nil {
		return nil, err
	}
	usable := u != nil && u.Active && !u.Locked() && u.PasswordHash != ""
	hash := dummyHash
	if usable {
		hash = u.PasswordHash
	}
	// The hash is checked outside any transaction: it takes tens of milliseconds and SQLite
	// would hold its write lock all that time.
	match := verifyPassword(hash, password)
	switch {
	case u == nil || !u.Active:
		return nil, ErrBadCredentials
	case u.Locked():
		return nil, ErrLocked
	case usable && match:
		// With two-factor authentication the count is cleared only once the code is right, so
		// that someone who knows the password cannot clear it between guesses of the code.
		if u.FailedLogins > 0 && !u.TwoFactor() {
			// Conditional: a failure that locked the account meanwhile keeps it locked.
			res, err := s.DB.NewUpdate().Model((*User)(nil)).Set("failed_logins = 0").
				Where("id = ? AND locked_at IS NULL", u.ID).Exec(ctx)
			if err != nil {
				return nil, wrap(err, "clear failed logins of user %d", u.ID)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return nil, errors.Join(err, ErrLocked)
			}
			u.FailedLogins = 0
		}
		return u, nil
	}
	locked, err := s.countFailure(ctx, u)
	if err != nil {
		return nil, err
	}
	if locked {
		return nil, ErrLocked
	}
	return nil, ErrBadCredentials
}

// userForLogin returns the user of login, or nil when there is none. A login no account can
// have (control characters, far too long) is not even looked up.
func (s *Service) userForLogin(ctx context.Context, login string) (*User, error) {
	if HasControl(login) || len(login) > 4*MaxLogin {
		return nil, nil
	}
	u, err := UserByLogin(ctx, s.DB, login)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, nil
	}
	return u, err
}

// countFailure adds one failed login in one statement, so concurrent attempts cannot lose a count,
// and locks the account at the fifth.
func (s *Service) countFailure(ctx context.Context, u *User) (locked bool, err error) {
	now := s.Now()
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var n int
		err := tx.NewUpdate().Model((*User)(nil)).
			Set("failed_logins = failed_logins + 1").
			Set("locked_at = CASE WHEN failed_logins + 1 >= ? AND locked_at IS NULL THEN ? ELSE locked_at END", MaxFailedLogins, now).
			Set("updated_at = ?", now).
			Where("id = ?", u.ID).Returning("failed_logins").Scan(ctx, &n)
		if err != nil {
			return wrap(err, "count a failed login of user %d", u.ID)
		}
		u.FailedLogins = n
		if n != MaxFailedLogins {
			locked = n > MaxFailedLogins
			return nil
		}
		locked, u.LockedAt = true, &now
		return s.Hooks.AccountLocked(ctx, tx, u)
	})
	return locked, err
}

// ResetFailedLogin unlocks u and clears its failure count (admin: "Reset failed login").
func (s *Service) ResetFailedLogin(ctx context.Context, actor Actor, userID int64) error {
	if actor.Kind != Admin {
		return apperr.ErrForbidden
	}
	u, err := UserByID(ctx, s.DB, userID)
	if err != nil {
		return err
	}
	before := map[string]any{"failed_logins": u.FailedLogins, "locked": u.LockedAt != nil}
	u.FailedLogins, u.LockedAt = 0, nil
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := UpdateUser(ctx, tx, u, "failed_logins", "locked_at"); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Change{Action: audit.UserLockoutReset, ActorID: actor.UserID, SubjectID: u.ID,
			Object: u.Login, Before: before, After: map[string]any{"failed_logins": 0, "locked": false}})
	})
}

// StartSession opens a new session for u and returns its token. A fresh token at every login
// means a token planted before login is worthless after it.
func (s *Service) StartSession(ctx context.Context, u *User) (string, error) {
	token := NewToken()
	_, err := InsertSession(ctx, s.DB, token, u.ID, s.Now())
	return token, err
}

// touchEvery limits last-seen writes to one a minute per session.
const touchEvery = time.Minute

// SessionUser returns the live session of token and its user, or apperr.ErrNotFound when the
// token is unknown, expired or its user inactive. Expired sessions are deleted on sight.
func (s *Service) SessionUser(ctx context.Context, token string, idle, max time.Duration) (*Session, *User, error) {
	if token == "" {
		return nil, nil, apperr.ErrNotFound
	}
	key := HashToken(token)
	var sess *Session
	var u *User
	if e, ok := s.sessions.Get(ctx, key); ok {
		// Copies: the cached values are shared by the requests of the token.
		sc, uc := e.sess, e.user
		sess, u = &sc, &uc
	} else {
		var err error
		if sess, err = SessionByToken(ctx, s.DB, token); err != nil {
			return nil, nil, err
		}
		if sess.Pending { // a login waiting for its second factor opens nothing
			return nil, nil, apperr.ErrNotFound
		}
		if u, err = UserByID(ctx, s.DB, sess.UserID); err != nil {
			return nil, nil, err
		}
		s.sessions.Put(ctx, key, sessionEntry{*sess, *u})
	}
	now := s.Now()
	if now.Sub(sess.LastSeenAt) > idle || now.Sub(sess.CreatedAt) > max {
		return nil, nil, errors.Join(apperr.ErrNotFound, DeleteSession(ctx, s.DB, token))
	}
	if !u.Active {
		return nil, nil, errors.Join(apperr.ErrNotFound, DeleteSession(ctx, s.DB, token))
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		sess.LastSeenAt = now
		if err := UpdateSession(ctx, s.DB, sess, "last_seen_at"); err != nil {
			return nil, nil, err
		}
		// The last-seen time moves no access version: the cached session learns it here.
		s.sessions.Put(ctx, key, sessionEntry{*sess, *u})
	}
	return sess, u, nil
}

// sessionEntry is a session and its user as SessionUser read them.
type sessionEntry struct {
	sess Session
	user User
}

// EndSession logs the session of token out.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return DeleteSession(ctx, s.DB, token)
}

// Limits of re-authentication on the profile: wrong current passwords and wrong codes of a user,
// counted in the database so that every process shares them.
const (
	ReauthMaxFailures = 5
	ReauthWindow      = 15 * time.Minute
)

// ErrTooManyAttempts refuses a check of the current password or of a code after
// ReauthMaxFailures failures within ReauthWindow.
var ErrTooManyAttempts = i18n.NewError("error.reauth.too_many", "Minutes", int(ReauthWindow/time.Minute))

// attempt is one counted request of a limited form, or one check of a secret.
type attempt struct {
	bun.BaseModel `bun:"table:auth_attempts"`

	ID      int64 `bun:",pk,autoincrement"`
	Bucket  string
	Subject string
	At      time.Time
}

// attemptsKept is how long attempt rows stay, longer than any window.
const attemptsKept = 24 * time.Hour

// claimAttempt records an attempt of subject in bucket and reports whether it is within max over
// the last window. The row is written before counting, in one transaction, so that concurrent
// attempts from any process cannot all slip under the limit; a refused attempt is not kept, so
// that knocking on a closed door does not keep it closed longer.
func (s *Service) claimAttempt(ctx context.Context, bucket, subject string, max int, window time.Duration) (int64, bool, error) {
	now := s.Now()
	a := &attempt{Bucket: bucket, Subject: subject, At: now}
	ok := false
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := db.Serialize(ctx, tx, "attempts:"+bucket+":"+subject); err != nil {
			return err
		}
		if _, err := tx.NewDelete().Model((*attempt)(nil)).Where("at < ?", now.Add(-attemptsKept)).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return err
		}
		n, err := tx.NewSelect().Model((*attempt)(nil)).
			Where("bucket = ? AND subject = ? AND at > ?", bucket, subject, now.Add(-window)).Count(ctx)
		if err != nil {
			return err
		}
		if ok = n <= int64(max); !ok {
			_, err = tx.NewDelete().Model(a).WherePK().Exec(ctx)
		}
		return err
	})
	return a.ID, ok, wrap(err, "count attempts of %s", bucket)
}

// forgetAttempt takes back an attempt that succeeded: only failures count.
func (s *Service) forgetAttempt(ctx context.Context, id int64) error {
	_, err := s.DB.NewDelete().Model((*attempt)(nil)).Where("id = ?", id).Exec(ctx)
	return wrap(err, "forget attempt %d", id)
}

// Throttle counts a request of subject (a client address) in bucket (a form) and reports
// whether it is within max over the last window. The web edge limits the login forms with it.
func (s *Service) Throttle(ctx context.Context, bucket, subject string, max int, window time.Duration) (bool, error) {
	_, ok, err := s.claimAttempt(ctx, bucket, subject, max, window)
	return ok, err
}

// claimReauth counts one check of a secret the logged-in user must know (current password,
// code) before it is made; it refuses beyond the limit.
func (s *Service) claimReauth(ctx context.Context, userID int64) (int64, error) {
	id, ok, err := s.claimAttempt(ctx, "reauth", strconv.FormatInt(userID, 10), ReauthMaxFailures, ReauthWindow)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, ErrTooManyAttempts
	}
	return id, nil
}
