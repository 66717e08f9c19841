package audience

import (
	"context"
	"errors"
	"fmt"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// whyNot says why u (asking as who) may not read mail about tenantID that needs right: "" when
// they may, else one of notify's Reason keys. Staff may always; a customer must be active and,
// tenancy says, hold the right on the tenant.
func whyNot(ctx context.Context, idb bun.IDB, u *identity.User, who tenancy.Actor, tenantID int64, right tenancy.Right) (string, error) {
	if u.Kind.Staff() {
		return "", nil
	}
	if !u.Active {
		return notify.ReasonInactive, nil
	}
	_, err := tenancy.May(ctx, idb, who, tenantID, right)
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, apperr.ErrNotFound):
		return notify.ReasonNoAccess, nil
	case errors.Is(err, apperr.ErrForbidden):
		return notify.ReasonNoRight, nil
	}
	return "", fmt.Errorf("audience: access of user %d to tenant %d: %w", u.ID, tenantID, err)
}

// StillReaches returns the outbox worker's check (notify.Worker.StillReaches) on db: why the
// user may no longer read a message about tenantID that needs right ("" when they may). A
// deleted user has no access; a deactivated customer, or one who lost the tenant or the right
// since the message was written, does not get it.
func StillReaches(db bun.IDB) func(ctx context.Context, userID, tenantID int64, right string) (string, error) {
	return func(ctx context.Context, userID, tenantID int64, right string) (string, error) {
		u, err := identity.UserByID(ctx, db, userID)
		if errors.Is(err, apperr.ErrNotFound) {
			return notify.ReasonNoAccess, nil
		}
		if err != nil {
			return "", fmt.Errorf("audience: recipient %d: %w", userID, err)
		}
		return whyNot(ctx, db, u, tenancy.ActorOf(u), tenantID, tenancy.Right(right))
	}
}
