package identity

import (
	"context"
	"time"

	"github.com/guichet/guichet/internal/access"
	"github.com/guichet/guichet/internal/audit"
	"github.com/uptrace/bun"
)

// Hooks let the notification capability react to account events inside the same transaction,
// without this package knowing how mail is made.
type Hooks interface {
	// AccountLocked is called when the fifth failed login locks u.
	AccountLocked(ctx context.Context, tx bun.IDB, u *User) error
	// UserCreated is called when an admin or a referent creates u, who has no password yet
	// unless one was given.
	UserCreated(ctx context.Context, tx bun.IDB, by Actor, u *User) error
	// PasswordResetRequested is called with the single-use token of a "Forgotten password" link.
	PasswordResetRequested(ctx context.Context, tx bun.IDB, u *User, token string) error
}

// Changes of two-factor authentication told to the user.
const (
	TwoFactorEnabled  = "enabled"
	TwoFactorDisabled = "disabled"
	TwoFactorReset    = "reset" // by an administrator
)

// TwoFactorHooks is implemented by Hooks that also tell a user, inside the same transaction,
// that two-factor authentication was turned on or off on their account (the notification
// capability does); Hooks without it are not told.
type TwoFactorHooks interface {
	TwoFactorChanged(ctx context.Context, tx bun.IDB, u *User, change string) error
}

func (s *Service) twoFactorChanged(ctx context.Context, tx bun.IDB, actor Actor, u *User, change string) error {
	action := map[string]string{TwoFactorEnabled: audit.TwoFactorEnabled, TwoFactorDisabled: audit.TwoFactorDisabled,
		TwoFactorReset: audit.TwoFactorReset}[change]
	if err := audit.Write(ctx, tx, audit.Change{Action: action, ActorID: actor.UserID, SubjectID: u.ID, Object: u.Login,
		After: map[string]any{"two_factor": change == TwoFactorEnabled}}); err != nil {
		return err
	}
	if h, ok := s.Hooks.(TwoFactorHooks); ok {
		return h.TwoFactorChanged(ctx, tx, u, change)
	}
	return nil
}

// Service holds the identity use cases.
type Service struct {
	DB    *bun.DB
	Hooks Hooks
	// Now is the clock; tests replace it.
	Now func() time.Time

	// sessions and tokens keep what SessionUser and TokenUser read, by token hash, while the
	// access version the request read (ReadAccess) stays the same.
	sessions access.Cache[sessionEntry]
	tokens   access.Cache[tokenEntry]
}

// ReadAccess reads the access version and returns ctx carrying it: the edge calls it once per
// request, before SessionUser or TokenUser and the access decision, which then read nothing
// when nothing they are made of changed since the last request of that token.
func (s *Service) ReadAccess(ctx context.Context) (context.Context, error) {
	return access.Read(ctx, s.DB)
}

// NewService returns a Service on db with the real clock and no hooks.
func NewService(db *bun.DB) *Service {
	return &Service{DB: db, Hooks: noHooks{}, Now: func() time.Time { return time.Now().UTC() }}
}

// System is the actor of command-line administration.
var System = Actor{Login: "system", Name: "Guichet", Kind: Admin, Lang: "en"}

type noHooks struct{}

func (noHooks) AccountLocked(context.Context, bun.IDB, *User) error      { return nil }
func (noHooks) UserCreated(context.Context, bun.IDB, Actor, *User) error { return nil }
func (noHooks) PasswordResetRequested(context.Context, bun.IDB, *User, string) error {
	return nil
}
