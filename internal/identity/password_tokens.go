package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/uptrace/bun"
)

// Purposes of a password link.
const (
	PurposeReset   = "reset"   // "Forgotten password": valid one hour
	PurposeWelcome = "welcome" // the welcome mail's "set your password": valid a week
)

// Lifetimes of password links.
const (
	ResetLinkLifetime   = time.Hour
	WelcomeLinkLifetime = 7 * 24 * time.Hour
)

// passwordToken is a single-use link to set a password; only its hash is stored.
type passwordToken struct {
	bun.BaseModel `bun:"table:password_tokens"`

	IDHash    string `bun:",pk"`
	UserID    int64
	Purpose   string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// ErrBadLink is the answer for an unknown, forged, expired or used password link.
var ErrBadLink = i18n.NewError("error.password.bad_link")

// NewPasswordLink records a single-use token for u and returns it. Earlier unused links of the
// same purpose stop working: only the latest mail's link is valid.
func NewPasswordLink(ctx context.Context, idb bun.IDB, u *User, purpose string, now time.Time) (string, error) {
	life := ResetLinkLifetime
	if purpose == PurposeWelcome {
		life = WelcomeLinkLifetime
	}
	// Two requests at once must not both leave their link valid (PostgreSQL runs them side by side).
	if err := db.Serialize(ctx, idb, fmt.Sprintf("password-link:%d:%s", u.ID, purpose)); err != nil {
		return "", wrap(err, "lock %s links of user %d", purpose, u.ID)
	}
	if _, err := idb.NewDelete().Model((*passwordToken)(nil)).
		Where("user_id = ? AND purpose = ? AND used_at IS NULL", u.ID, purpose).Exec(ctx); err != nil {
		return "", wrap(err, "delete earlier %s links of user %d", purpose, u.ID)
	}
	token := NewToken()
	_, err := idb.NewInsert().Model(&passwordToken{IDHash: HashToken(token), UserID: u.ID, Purpose: purpose,
		CreatedAt: now, ExpiresAt: now.Add(life)}).Exec(ctx)
	return token, wrap(err, "insert %s link of user %d", purpose, u.ID)
}

// RequestPasswordReset mails a reset link to the user whose login or email is given. It answers
// nil whether or not such a user exists, so the form tells nobody which accounts exist.
func (s *Service) RequestPasswordReset(ctx context.Context, loginOrEmail string) error {
	loginOrEmail = strings.TrimSpace(loginOrEmail)
	if loginOrEmail == "" {
		return i18n.FieldError("login", "error.field.required")
	}
	if HasControl(loginOrEmail) {
		return i18n.FieldError("login", "error.field.control")
	}
	if len(loginOrEmail) > MaxEmail {
		return i18n.FieldError("login", "error.field.too_long", "Max", MaxEmail)
	}
	find := UserByLogin
	if strings.Contains(loginOrEmail, "@") {
		find = UserByEmail
	}
	u, err := find(ctx, s.DB, loginOrEmail)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && !u.Active) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		token, err := NewPasswordLink(ctx, tx, u, PurposeReset, s.Now())
		if err != nil {
			return err
		}
		return s.Hooks.PasswordResetRequested(ctx, tx, u, token)
	})
}

// PasswordLinkUser returns the user a valid link is for, and the link's purpose.
func (s *Service) PasswordLinkUser(ctx context.Context, token string) (*User, string, error) {
	pt := new(passwordToken)
	err := s.DB.NewSelect().Model(pt).Where("id_hash = ?", HashToken(token)).Scan(ctx)
	if err != nil {
		if errors.Is(notFound(err), apperr.ErrNotFound) {
			return nil, "", ErrBadLink
		}
		return nil, "", wrap(err, "read password link")
	}
	if pt.UsedAt != nil || !s.Now().Before(pt.ExpiresAt) {
		return nil, "", ErrBadLink
	}
	u, err := UserByID(ctx, s.DB, pt.UserID)
	if err != nil || !u.Active {
		return nil, "", ErrBadLink
	}
	return u, pt.Purpose, nil
}

// UsePasswordLink sets the password through a link, once: the account is unlocked and every
// session of the user ends. The link's user and purpose come back with a validation failure too,
// so that the form can be shown again.
func (s *Service) UsePasswordLink(ctx context.Context, token, password, confirm string) (*User, string, error) {
	u, purpose, err := s.PasswordLinkUser(ctx, token)
	if err != nil {
		return nil, "", err
	}
	if password != confirm {
		var es i18n.Errors
		CheckNewPassword(&es, "password", password)
		es.Add(i18n.FieldError("confirm", "error.password.mismatch"))
		return u, purpose, es
	}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		now := s.Now()
		// The update claims the link: a second use finds no unused row and fails.
		res, err := tx.NewUpdate().Model((*passwordToken)(nil)).Set("used_at = ?", now).
			Where("id_hash = ? AND used_at IS NULL", HashToken(token)).Exec(ctx)
		if err != nil {
			return wrap(err, "claim password link of user %d", u.ID)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrBadLink
		}
		activating, locked := u.PasswordHash == "", u.LockedAt != nil
		if err := s.SetPassword(ctx, tx, u, password, ""); err != nil {
			return err
		}
		// The account's first password (the welcome link) activates it; a forgotten password's
		// link also unlocks an account locked by failures. The person acts: no admin did.
		switch {
		case activating:
			return audit.Write(ctx, tx, audit.Change{Action: audit.UserActivated, ActorID: u.ID, SubjectID: u.ID, Object: u.Login,
				After: map[string]any{"active": true}})
		case locked:
			return audit.Write(ctx, tx, audit.Change{Action: audit.UserLockoutReset, ActorID: u.ID, SubjectID: u.ID, Object: u.Login,
				Before: map[string]any{"locked": true}, After: map[string]any{"locked": false}})
		}
		return nil
	})
	return u, purpose, err
}
