package account

import (
	"context"
	"errors"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/uptrace/bun"
)

// MaxFailedLogins consecutive failures lock an account.
const MaxFailedLogins = 5

var (
	// ErrBadCredentials is the one answer for an unknown login, an inactive account and a wrong
	// password, so that the form does not tell which logins exist.
	ErrBadCredentials = i18n.NewError("error.login.invalid")
	// ErrLocked says to use "Forgotten password" or ask an administrator.
	ErrLocked = i18n.NewError("error.login.locked")
)

// Authenticate checks login and password and counts failures; it returns the user on success.
func (s *Service) Authenticate(ctx context.Context, login, password string) (*User, error) {
	u, err := UserByLogin(ctx, s.DB, login)
	if errors.Is(err, apperr.ErrNotFound) {
		CheckPassword(dummyHash, password)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	if !u.Active {
		CheckPassword(dummyHash, password)
		return nil, ErrBadCredentials
	}
	if u.Locked() {
		return nil, ErrLocked
	}
	// The hash is checked outside any transaction: it takes tens of milliseconds and SQLite
	// would hold its write lock all that time.
	if u.PasswordHash != "" && CheckPassword(u.PasswordHash, password) {
		if u.FailedLogins > 0 {
			u.FailedLogins = 0
			if err := UpdateUser(ctx, s.DB, u, "failed_logins"); err != nil {
				return nil, err
			}
		}
		return u, nil
	}
	if u.PasswordHash == "" {
		CheckPassword(dummyHash, password)
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
			return err
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
	u.FailedLogins, u.LockedAt = 0, nil
	return UpdateUser(ctx, s.DB, u, "failed_logins", "locked_at")
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
	sess, err := SessionByToken(ctx, s.DB, token)
	if err != nil {
		return nil, nil, err
	}
	now := s.Now()
	if now.Sub(sess.LastSeenAt) > idle || now.Sub(sess.CreatedAt) > max {
		return nil, nil, errors.Join(apperr.ErrNotFound, DeleteSession(ctx, s.DB, token))
	}
	u, err := UserByID(ctx, s.DB, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	if !u.Active {
		return nil, nil, errors.Join(apperr.ErrNotFound, DeleteSession(ctx, s.DB, token))
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		sess.LastSeenAt = now
		if err := UpdateSession(ctx, s.DB, sess, "last_seen_at"); err != nil {
			return nil, nil, err
		}
	}
	return sess, u, nil
}

// EndSession logs the session of token out.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return DeleteSession(ctx, s.DB, token)
}
