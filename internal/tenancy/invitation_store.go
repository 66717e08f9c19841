package tenancy

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// InsertInvitation writes a new invitation.
func InsertInvitation(ctx context.Context, idb bun.IDB, inv *Invitation) error {
	if _, err := idb.NewInsert().Model(inv).Exec(ctx); err != nil {
		return fmt.Errorf("tenancy: insert invitation: %w", err)
	}
	return nil
}

// invitationWith selects one invitation with its tenant and inviter.
func invitationWith(ctx context.Context, idb bun.IDB, what, where string, args ...any) (*Invitation, error) {
	inv := new(Invitation)
	err := idb.NewSelect().Model(inv).Relation("Tenant").Relation("Inviter").Where(where, args...).Scan(ctx)
	if err = notFound(err); err != nil {
		return nil, fmt.Errorf("tenancy: %s: %w", what, err)
	}
	return inv, nil
}

// InvitationByToken returns the invitation whose link carries token, or apperr.ErrNotFound.
func InvitationByToken(ctx context.Context, idb bun.IDB, token string) (*Invitation, error) {
	return invitationWith(ctx, idb, "invitation by token", "invitation.token_hash = ?", identity.HashToken(token))
}

// InvitationByID returns the invitation with id, or apperr.ErrNotFound.
func InvitationByID(ctx context.Context, idb bun.IDB, id int64) (*Invitation, error) {
	return invitationWith(ctx, idb, fmt.Sprintf("invitation %d", id), "invitation.id = ?", id)
}

// PendingInvitations lists a tenant's pending invitations, expired ones included, newest first.
func PendingInvitations(ctx context.Context, idb bun.IDB, tenantID int64) ([]Invitation, error) {
	var invs []Invitation
	err := idb.NewSelect().Model(&invs).Relation("Inviter").
		Where("invitation.tenant_id = ? AND invitation.status = ?", tenantID, InvitationPending).
		Order("invitation.created_at DESC", "invitation.id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("tenancy: list invitations of tenant %d: %w", tenantID, err)
	}
	return invs, nil
}

// OpenInvitationsTo lists the invitations to an address that can still be accepted at now,
// with their tenants and inviters, oldest first.
func OpenInvitationsTo(ctx context.Context, idb bun.IDB, email string, now time.Time) ([]Invitation, error) {
	var invs []Invitation
	err := idb.NewSelect().Model(&invs).Relation("Tenant").Relation("Inviter").
		Where("invitation.email_key = ? AND invitation.status = ? AND invitation.expires_at > ?", emailKey(email), InvitationPending, now.UTC()).
		Order("invitation.created_at", "invitation.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("tenancy: list invitations to an address: %w", err)
	}
	return invs, nil
}

// CountInvitationsSince counts the invitations a tenant has written since since, whatever
// became of them.
func CountInvitationsSince(ctx context.Context, idb bun.IDB, tenantID int64, since time.Time) (int, error) {
	n, err := idb.NewSelect().Model((*Invitation)(nil)).
		Where("tenant_id = ? AND created_at > ?", tenantID, since.UTC()).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("tenancy: count invitations of tenant %d: %w", tenantID, err)
	}
	return int(n), nil
}

// CloseInvitation moves a pending invitation to status, recording who accepted it (0 for
// nobody). It reports false when the invitation was no longer pending: the update is the claim,
// so two clicks cannot both accept.
func CloseInvitation(ctx context.Context, idb bun.IDB, id int64, status string, userID int64, now time.Time) (bool, error) {
	q := idb.NewUpdate().Model((*Invitation)(nil)).Set("status = ?", status).Set("closed_at = ?", now.UTC()).
		Where("id = ? AND status = ?", id, InvitationPending)
	if userID != 0 {
		q = q.Set("user_id = ?", userID)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("tenancy: close invitation %d as %s: %w", id, status, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("tenancy: close invitation %d as %s: %w", id, status, err)
	}
	return n == 1, nil
}

// renewInvitations closes the pending invitations of a tenant to an address, expired or not,
// before a new one is written for it.
func renewInvitations(ctx context.Context, idb bun.IDB, tenantID int64, email string, now time.Time) error {
	_, err := idb.NewUpdate().Model((*Invitation)(nil)).Set("status = ?", InvitationRenewed).Set("closed_at = ?", now.UTC()).
		Where("tenant_id = ? AND email_key = ? AND status = ?", tenantID, emailKey(email), InvitationPending).Exec(ctx)
	if err != nil {
		return fmt.Errorf("tenancy: renew invitations of tenant %d: %w", tenantID, err)
	}
	return nil
}

// usersWithEmail lists every user with an address, case-insensitively, oldest first.
func usersWithEmail(ctx context.Context, idb bun.IDB, email string) ([]identity.User, error) {
	var us []identity.User
	err := idb.NewSelect().Model(&us).Where(db.LowerEquals("email", strings.TrimSpace(email))).Order("id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("tenancy: users with an address: %w", err)
	}
	return us, nil
}
