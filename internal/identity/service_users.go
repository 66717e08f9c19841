package identity

import (
	"context"
	"strings"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/uptrace/bun"
)

// UserInput is the admin's user form (and `guichet user create`).
type UserInput struct {
	Login       string
	Email       string
	DisplayName string
	Lang        string
	Kind        Kind
	Active      bool
	Password    string // optional: empty leaves the account waiting for a password set by link
}

func (in *UserInput) check(creating bool) error {
	in.Login, in.Email, in.DisplayName = strings.TrimSpace(in.Login), strings.TrimSpace(in.Email), strings.TrimSpace(in.DisplayName)
	var es i18n.Errors
	if creating {
		CheckLogin(&es, in.Login)
	}
	CheckEmail(&es, "email", in.Email)
	CheckDisplayName(&es, "display_name", in.DisplayName)
	if !ValidLang(in.Lang) {
		es.Add(i18n.FieldError("lang", "error.field.choice"))
	}
	if !in.Kind.Valid() {
		es.Add(i18n.FieldError("kind", "error.field.choice"))
	}
	if in.Password != "" {
		CheckNewPassword(&es, "password", in.Password)
	}
	return es.Err()
}

// CreateUser creates a user (admin only).
func (s *Service) CreateUser(ctx context.Context, actor Actor, in UserInput) (*User, error) {
	if actor.Kind != Admin {
		return nil, apperr.ErrForbidden
	}
	if err := in.check(true); err != nil {
		return nil, err
	}
	u := &User{Login: in.Login, Email: in.Email, DisplayName: in.DisplayName, Lang: in.Lang, Kind: in.Kind, Active: true}
	if in.Password != "" {
		var err error
		if u.PasswordHash, err = HashPassword(in.Password); err != nil {
			return nil, err
		}
	}
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := InsertUser(ctx, tx, u); err != nil {
			return err
		}
		if err := audit.Write(ctx, tx, audit.Change{Action: audit.UserCreated, ActorID: actor.UserID, SubjectID: u.ID,
			Object: u.Login, After: userFacts(u)}); err != nil {
			return err
		}
		return s.Hooks.UserCreated(ctx, tx, actor, u)
	})
	return u, err
}

// userFacts are the account's details the audit log records: never its password or keys.
func userFacts(u *User) map[string]any {
	return map[string]any{"login": u.Login, "email": u.Email, "name": u.DisplayName, "lang": u.Lang,
		"kind": string(u.Kind), "active": u.Active}
}

// UpdateUser edits a user's details, kind and active flag (admin only). Deactivating ends the
// user's sessions. The login never changes: it is how people and mail refer to the account.
func (s *Service) UpdateUser(ctx context.Context, actor Actor, id int64, in UserInput) (*User, error) {
	if actor.Kind != Admin {
		return nil, apperr.ErrForbidden
	}
	u, err := UserByID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if u.ErasedAt != nil {
		return nil, i18n.NewError("error.user.erased")
	}
	in.Login = u.Login
	if err := in.check(false); err != nil {
		return nil, err
	}
	if id == actor.UserID && (!in.Active || in.Kind != Admin) {
		return nil, i18n.FieldError("active", "error.user.not_yourself")
	}
	was := userFacts(u)
	u.Email, u.DisplayName, u.Lang, u.Kind, u.Active = in.Email, in.DisplayName, in.Lang, in.Kind, in.Active
	before, after := audit.Diff(was, userFacts(u))
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := UpdateUser(ctx, tx, u, "email", "display_name", "lang", "kind", "active"); err != nil {
			return err
		}
		if len(after) > 0 {
			if err := audit.Write(ctx, tx, audit.Change{Action: audit.UserUpdated, ActorID: actor.UserID, SubjectID: u.ID,
				Object: u.Login, Before: before, After: after}); err != nil {
				return err
			}
		}
		if !u.Active {
			return DeleteSessionsOf(ctx, tx, u.ID, "")
		}
		return nil
	})
	return u, err
}

// ListUsers lists users for the admin pages.
func (s *Service) ListUsers(ctx context.Context, actor Actor, f UserFilter) ([]User, int, error) {
	if actor.Kind != Admin {
		return nil, 0, apperr.ErrForbidden
	}
	return Users(ctx, s.DB, f)
}

// User returns one user for the admin pages.
func (s *Service) User(ctx context.Context, actor Actor, id int64) (*User, error) {
	if actor.Kind != Admin {
		return nil, apperr.ErrForbidden
	}
	return UserByID(ctx, s.DB, id)
}

// SetPassword sets u's password and ends every other session of u but keepToken's.
// It also unlocks the account: whoever sets a password has proved who they are.
func (s *Service) SetPassword(ctx context.Context, idb bun.IDB, u *User, password, keepToken string) error {
	var es i18n.Errors
	CheckNewPassword(&es, "password", password)
	if err := es.Err(); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	u.PasswordHash, u.FailedLogins, u.LockedAt = hash, 0, nil
	if err := UpdateUser(ctx, idb, u, "password_hash", "failed_logins", "locked_at"); err != nil {
		return err
	}
	return DeleteSessionsOf(ctx, idb, u.ID, keepToken)
}

// ChangePassword is the profile's form: the current password, then the new one twice. Wrong
// current passwords are counted per user (ReauthMaxFailures per ReauthWindow, shared by every
// process), so that a session left open does not allow guessing the password behind it.
func (s *Service) ChangePassword(ctx context.Context, actor Actor, current, next, confirm, keepToken string) error {
	u, err := UserByID(ctx, s.DB, actor.UserID)
	if err != nil {
		return err
	}
	attempt, err := s.claimReauth(ctx, u.ID)
	if err != nil {
		return err
	}
	var es i18n.Errors
	if u.PasswordHash == "" || !verifyPassword(u.PasswordHash, current) {
		es.Add(i18n.FieldError("current", "error.password.current_wrong"))
	} else if err := s.forgetAttempt(ctx, attempt); err != nil {
		return err
	}
	if next != confirm {
		es.Add(i18n.FieldError("confirm", "error.password.mismatch"))
	}
	CheckNewPassword(&es, "password", next)
	if err := es.Err(); err != nil {
		return err
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return s.SetPassword(ctx, tx, u, next, keepToken)
	})
}

// SetLanguage records the actor's language preference.
func (s *Service) SetLanguage(ctx context.Context, actor Actor, lang string) error {
	if !ValidLang(lang) {
		return i18n.FieldError("lang", "error.field.choice")
	}
	u, err := UserByID(ctx, s.DB, actor.UserID)
	if err != nil {
		return err
	}
	u.Lang = lang
	return UpdateUser(ctx, s.DB, u, "lang")
}
