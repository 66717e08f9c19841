package tenancy

import (
	"context"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// MembershipOf returns the membership of user in tenant, or apperr.ErrNotFound.
func MembershipOf(ctx context.Context, idb bun.IDB, tenantID, userID int64) (*Membership, error) {
	m := new(Membership)
	err := idb.NewSelect().Model(m).Where("tenant_id = ? AND user_id = ?", tenantID, userID).Scan(ctx)
	if err = notFound(err); err != nil {
		return m, fmt.Errorf("tenancy: membership of user %d in tenant %d: %w", userID, tenantID, err)
	}
	return m, nil
}

// Members lists a tenant's memberships with their users, ordered by display name.
func Members(ctx context.Context, idb bun.IDB, tenantID int64) ([]Membership, error) {
	var ms []Membership
	err := idb.NewSelect().Model(&ms).Relation("User").
		Where("membership.tenant_id = ?", tenantID).Order("user.display_name").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("tenancy: list members of tenant %d: %w", tenantID, err)
	}
	return ms, nil
}

// InsertMembership writes a new membership; an existing one answers errAlreadyMember.
func InsertMembership(ctx context.Context, idb bun.IDB, m *Membership) error {
	m.CreatedAt = time.Now().UTC()
	_, err := idb.NewInsert().Model(m).Exec(ctx)
	switch {
	case db.IsUniqueViolation(err):
		return errAlreadyMember
	case err != nil:
		return fmt.Errorf("tenancy: insert membership of user %d in tenant %d: %w", m.UserID, m.TenantID, err)
	}
	return nil
}

// UpdateRights writes a membership's rights.
func UpdateRights(ctx context.Context, idb bun.IDB, m *Membership) error {
	_, err := idb.NewUpdate().Model(m).Column("can_incidents", "can_changes", "can_contract", "can_users", "can_services").
		WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("tenancy: update rights of user %d in tenant %d: %w", m.UserID, m.TenantID, err)
	}
	return nil
}

// DeleteMembership removes user from tenant.
func DeleteMembership(ctx context.Context, idb bun.IDB, tenantID, userID int64) error {
	_, err := idb.NewDelete().Model((*Membership)(nil)).Where("tenant_id = ? AND user_id = ?", tenantID, userID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("tenancy: delete membership of user %d in tenant %d: %w", userID, tenantID, err)
	}
	return nil
}
