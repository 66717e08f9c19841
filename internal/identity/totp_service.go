package identity

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/uptrace/bun"
)

// PendingLoginLifetime is how long the second step of a login waits for its code.
const PendingLoginLifetime = 10 * time.Minute

var (
	// ErrTwoFactorOn refuses to enrol a user whose two-factor authentication is on already.
	ErrTwoFactorOn = i18n.NewError("error.totp.already_on")
	// ErrTwoFactorOff refuses to turn off what is not on.
	ErrTwoFactorOff = i18n.NewError("error.totp.already_off")
	// ErrTwoFactorRequired refuses to turn it off for staff when the desk requires it.
	ErrTwoFactorRequired = i18n.NewError("error.totp.required")
	// errEnrolCodeWrong refuses the code that should confirm the enrolment.
	errEnrolCodeWrong = i18n.FieldError("code", "error.totp.wrong_enrol")
	// errEnrolNotStarted: the confirmation came without an enrolment page opened first.
	errEnrolNotStarted = i18n.NewError("error.totp.not_started")
)

// MustEnrol reports whether u may use nothing but the enrolment page: staff without two-factor
// authentication while the desk requires it of staff (GUICHET_STAFF_2FA=required).
func MustEnrol(u *User, staffRequired bool) bool {
	return staffRequired && u.Kind.Staff() && !u.TwoFactor()
}

// BeginTwoFactor starts the actor's enrolment, or resumes it: the secret made by the first visit
// stays until it is confirmed, so that reloading the page does not undo a scan.
func (s *Service) BeginTwoFactor(ctx context.Context, actor Actor) (*Enrolment, error) {
	u, err := UserByID(ctx, s.DB, actor.UserID)
	if err != nil {
		return nil, err
	}
	if u.TwoFactor() {
		return nil, ErrTwoFactorOn
	}
	if u.TOTPSecret == "" {
		if err := setTOTPSecretOnce(ctx, s.DB, u.ID, newTOTPSecret(), s.Now()); err != nil {
			return nil, err
		}
		if u, err = UserByID(ctx, s.DB, actor.UserID); err != nil {
			return nil, err
		}
	}
	return enrolmentOf(u)
}

// ConfirmTwoFactor turns two-factor authentication on once the actor types the app's current
// code, and returns the recovery codes, shown this once: only their hashes are kept.
func (s *Service) ConfirmTwoFactor(ctx context.Context, actor Actor, code string) ([]string, error) {
	u, err := UserByID(ctx, s.DB, actor.UserID)
	if err != nil {
		return nil, err
	}
	switch {
	case u.TwoFactor():
		return nil, ErrTwoFactorOn
	case u.TOTPSecret == "":
		return nil, errEnrolNotStarted
	}
	attempt, err := s.claimReauth(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	step, err := matchTOTP(u.TOTPSecret, code, now, 0)
	if errors.Is(err, ErrCodeWrong) {
		return nil, errEnrolCodeWrong // no recovery code exists yet: the message does not offer one
	}
	if err != nil {
		return nil, err
	}
	if err := s.forgetAttempt(ctx, attempt); err != nil {
		return nil, err
	}
	codes := newRecoveryCodes()
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		ok, err := enableTOTP(ctx, tx, u.ID, u.TOTPSecret, step, now)
		if err != nil {
			return err
		}
		if !ok {
			return ErrTwoFactorOn
		}
		if err := replaceRecoveryCodes(ctx, tx, u.ID, codes, now); err != nil {
			return err
		}
		return s.twoFactorChanged(ctx, tx, actor, u, TwoFactorEnabled)
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTwoFactor turns the actor's two-factor authentication off, with the password and a
// code (of the app, or a recovery code). Failures count like those of the current password.
func (s *Service) DisableTwoFactor(ctx context.Context, actor Actor, password, code string, staffRequired bool) error {
	u, err := UserByID(ctx, s.DB, actor.UserID)
	if err != nil {
		return err
	}
	switch {
	case !u.TwoFactor():
		return ErrTwoFactorOff
	case staffRequired && u.Kind.Staff():
		return ErrTwoFactorRequired
	}
	attempt, err := s.claimReauth(ctx, u.ID)
	if err != nil {
		return err
	}
	// The code is checked only after the password, so that a wrong password spends no code.
	if u.PasswordHash == "" || !verifyPassword(u.PasswordHash, password) {
		return i18n.FieldError("password", "error.password.current_wrong")
	}
	if err := s.checkSecondFactor(ctx, u, code); err != nil {
		return err
	}
	if err := s.forgetAttempt(ctx, attempt); err != nil {
		return err
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := clearTOTP(ctx, tx, u); err != nil {
			return err
		}
		return s.twoFactorChanged(ctx, tx, actor, u, TwoFactorDisabled)
	})
}

// ResetTwoFactor is the administrator's answer to a lost phone: two-factor authentication is off,
// its secret and recovery codes forgotten, and every session and pending login of the user ends
// (keepToken's, the administrator's own, excepted). "Reset failed login" does not do it: unlocking
// an account must not strip its second factor. Staff enrol again at their next login when the
// desk requires it.
func (s *Service) ResetTwoFactor(ctx context.Context, actor Actor, userID int64, keepToken string) error {
	if actor.Kind != Admin {
		return apperr.ErrForbidden
	}
	u, err := UserByID(ctx, s.DB, userID)
	if err != nil {
		return err
	}
	if !u.TwoFactor() && u.TOTPSecret == "" {
		return nil // nothing to reset: the answer is the same, it is off
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := clearTOTP(ctx, tx, u); err != nil {
			return err
		}
		if err := DeleteSessionsOf(ctx, tx, u.ID, keepToken); err != nil {
			return err
		}
		return s.twoFactorChanged(ctx, tx, actor, u, TwoFactorReset)
	})
}

// NewRecoveryCodes replaces the actor's recovery codes, with the password and a code (of the
// app, or one of the old recovery codes): for whoever lost theirs, or used most of them.
func (s *Service) NewRecoveryCodes(ctx context.Context, actor Actor, password, code string) ([]string, error) {
	u, err := UserByID(ctx, s.DB, actor.UserID)
	if err != nil {
		return nil, err
	}
	if !u.TwoFactor() {
		return nil, ErrTwoFactorOff
	}
	attempt, err := s.claimReauth(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if u.PasswordHash == "" || !verifyPassword(u.PasswordHash, password) {
		return nil, i18n.FieldError("password", "error.password.current_wrong")
	}
	if err := s.checkSecondFactor(ctx, u, code); err != nil {
		return nil, err
	}
	if err := s.forgetAttempt(ctx, attempt); err != nil {
		return nil, err
	}
	codes := newRecoveryCodes()
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// One set of codes at a time, even from two renewals at once.
		if err := db.Serialize(ctx, tx, fmt.Sprintf("recovery-codes:%d", u.ID)); err != nil {
			return err
		}
		if err := replaceRecoveryCodes(ctx, tx, u.ID, codes, s.Now()); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Change{Action: audit.RecoveryCodes, ActorID: actor.UserID, SubjectID: u.ID,
			Object: u.Login, After: map[string]any{"recovery_codes": len(codes)}})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// RecoveryCodesLeft counts the actor's unused recovery codes, for the profile.
func (s *Service) RecoveryCodesLeft(ctx context.Context, actor Actor) (int, error) {
	return unusedRecoveryCodes(ctx, s.DB, actor.UserID)
}

// checkSecondFactor accepts an app's code newer than the last one accepted, or an unused
// recovery code, and spends it.
func (s *Service) checkSecondFactor(ctx context.Context, u *User, code string) error {
	now := s.Now()
	if isTOTPCode(code) {
		step, err := matchTOTP(u.TOTPSecret, code, now, u.TOTPLastStep)
		if err != nil {
			return err
		}
		ok, err := claimTOTPStep(ctx, s.DB, u.ID, step)
		if err != nil {
			return err
		}
		if !ok {
			return ErrCodeReused
		}
		u.TOTPLastStep = step
		return nil
	}
	ok, err := useRecoveryCode(ctx, s.DB, u.ID, code, now)
	if err != nil {
		return err
	}
	if !ok {
		return ErrCodeWrong
	}
	return nil
}

// StartPendingLogin records that u passed the password and must now give a code; the token goes
// in its own cookie, and opens nothing but the second step.
func (s *Service) StartPendingLogin(ctx context.Context, u *User) (string, error) {
	token := NewToken()
	_, err := InsertPendingLogin(ctx, s.DB, token, u.ID, s.Now())
	return token, err
}

// PendingLogin returns the user of a login waiting for its code, or apperr.ErrNotFound when the
// token is unknown, older than PendingLoginLifetime, or its user can no longer log in.
func (s *Service) PendingLogin(ctx context.Context, token string) (*User, error) {
	if token == "" {
		return nil, apperr.ErrNotFound
	}
	sess, err := SessionByToken(ctx, s.DB, token)
	if err != nil {
		return nil, err
	}
	if !sess.Pending {
		return nil, apperr.ErrNotFound
	}
	u, err := UserByID(ctx, s.DB, sess.UserID)
	if err != nil {
		return nil, err
	}
	if s.Now().Sub(sess.CreatedAt) > PendingLoginLifetime || !u.Active || u.Locked() || !u.TwoFactor() {
		return nil, errors.Join(apperr.ErrNotFound, DeleteSession(ctx, s.DB, token))
	}
	return u, nil
}

// CompleteLogin checks the second step's code. A right code ends the pending login and clears
// the failure count: the caller then starts the session. A wrong or reused code counts as a
// failed login, so that the fifth locks the account as a wrong password would (and mails its
// owner); the pending login then ends, and apperr.ErrNotFound says to start again.
func (s *Service) CompleteLogin(ctx context.Context, token, code string) (*User, error) {
	u, err := s.PendingLogin(ctx, token)
	if err != nil {
		return nil, err
	}
	// The attempt is claimed before the code is checked, so that codes sent in parallel cannot
	// all be checked before the failures that lock the account are counted.
	attempt, ok, err := s.claimAttempt(ctx, "second_step", strconv.FormatInt(u.ID, 10), MaxFailedLogins, ReauthWindow)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrTooManyAttempts
	}
	err = s.checkSecondFactor(ctx, u, code)
	if err == nil {
		if err := s.forgetAttempt(ctx, attempt); err != nil {
			return nil, err
		}
		return u, s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if u.FailedLogins > 0 {
				u.FailedLogins = 0
				if err := UpdateUser(ctx, tx, u, "failed_logins"); err != nil {
					return err
				}
			}
			return DeleteSession(ctx, tx, token)
		})
	}
	if _, ok := i18n.AsErrors(err); !ok {
		return nil, err
	}
	locked, cerr := s.countFailure(ctx, u)
	if cerr != nil {
		return nil, cerr
	}
	if locked {
		return nil, errors.Join(apperr.ErrNotFound, DeleteSession(ctx, s.DB, token))
	}
	return nil, err
}
