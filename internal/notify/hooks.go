package notify

import (
	"context"
	"fmt"
	"strconv"

	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// AccountHooks sends the account mails: welcome, forgotten password, account locked.
type AccountHooks struct{ N *Notifier }

func accountThread(u *identity.User) string { return "account-" + strconv.FormatInt(u.ID, 10) }

// UserCreated sends the welcome mail with a link to choose a password. Accounts made from the
// command line with a password (the demo, scripted onboarding) get none: nobody is waiting for it.
func (h AccountHooks) UserCreated(ctx context.Context, tx bun.IDB, by identity.Actor, u *identity.User) error {
	if by == identity.System && u.PasswordHash != "" {
		return nil
	}
	token, err := identity.NewPasswordLink(ctx, tx, u, identity.PurposeWelcome, h.N.Now())
	if err != nil {
		return fmt.Errorf("notify: welcome link for user %d: %w", u.ID, err)
	}
	return h.N.Enqueue(ctx, tx, Notice{Kind: "welcome", Thread: accountThread(u),
		Data: map[string]any{"Login": u.Login, "Link": h.N.Link("/password/reset/" + token)}}, RecipientOf(u))
}

// PasswordResetRequested sends the "Forgotten password" link.
func (h AccountHooks) PasswordResetRequested(ctx context.Context, tx bun.IDB, u *identity.User, token string) error {
	return h.N.Enqueue(ctx, tx, Notice{Kind: "password_reset", Thread: accountThread(u),
		Data: map[string]any{"Login": u.Login, "Link": h.N.Link("/password/reset/" + token)}}, RecipientOf(u))
}

// AccountLocked tells the user their account is locked and how to unlock it.
func (h AccountHooks) AccountLocked(ctx context.Context, tx bun.IDB, u *identity.User) error {
	return h.N.Enqueue(ctx, tx, Notice{Kind: "account_locked", Thread: accountThread(u),
		Data: map[string]any{"Login": u.Login, "Failures": identity.MaxFailedLogins, "Link": h.N.Link("/password/forgot")}}, RecipientOf(u))
}
