package notify

import (
	"context"

	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// TwoFactorChanged tells the user that two-factor authentication was turned on, turned off, or
// reset by an administrator on their account: a change they did not make means someone else
// holds their password or session.
func (h AccountHooks) TwoFactorChanged(ctx context.Context, tx bun.IDB, u *identity.User, change string) error {
	return h.N.Enqueue(ctx, tx, Notice{Kind: "two_factor_changed", Thread: accountThread(u),
		Data: map[string]any{"Login": u.Login, "Change": change, "Link": h.N.Link("/profile")}}, RecipientOf(u))
}

var _ identity.TwoFactorHooks = AccountHooks{}
