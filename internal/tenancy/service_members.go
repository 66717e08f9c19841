package tenancy

import (
	"context"
	"fmt"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// Members lists the tenant's members for the Users tab: the referent or a member with the
// `users` right. Members join by invitation (see Invite).
func (s *Service) Members(ctx context.Context, actor Actor, tenantID int64) (*Access, []Membership, error) {
	a, err := s.usersManager(ctx, actor, tenantID)
	if err != nil {
		return nil, nil, err
	}
	ms, err := Members(ctx, s.DB, tenantID)
	return a, ms, err
}

func (s *Service) usersManager(ctx context.Context, actor Actor, tenantID int64) (*Access, error) {
	a, err := AccessTo(ctx, s.DB, actor, tenantID)
	if err != nil {
		return nil, err
	}
	if !a.Rights.Users {
		return nil, apperr.ErrForbidden
	}
	return a, nil
}

// Member returns one membership of tenant for editing.
func (s *Service) Member(ctx context.Context, actor Actor, tenantID, userID int64) (*Access, *Membership, error) {
	a, err := s.usersManager(ctx, actor, tenantID)
	if err != nil {
		return nil, nil, err
	}
	m, err := MembershipOf(ctx, s.DB, tenantID, userID)
	if err != nil {
		return nil, nil, err
	}
	m.User, err = identity.UserByID(ctx, s.DB, userID)
	return a, m, err
}

// SetRights replaces a member's rights.
func (s *Service) SetRights(ctx context.Context, actor Actor, tenantID, userID int64, r Rights) error {
	_, m, err := s.Member(ctx, actor, tenantID, userID)
	if err != nil {
		return err
	}
	if !r.Any() {
		return i18n.FieldError("rights", "error.member.no_rights")
	}
	before := m.Rights
	m.Rights = r
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := UpdateRights(ctx, tx, m); err != nil {
			return err
		}
		if before == r {
			return nil
		}
		return audit.Write(ctx, tx, audit.Change{Action: audit.MembershipRights, ActorID: actor.UserID, TenantID: tenantID,
			SubjectID: userID, Before: before.Facts(), After: r.Facts()})
	})
}

// RemoveMember takes a member off the tenant. The referent and the domain owner hand their role
// over first, so that a tenant always has both.
func (s *Service) RemoveMember(ctx context.Context, actor Actor, tenantID, userID int64) error {
	if _, _, err := s.Member(ctx, actor, tenantID, userID); err != nil {
		return err
	}
	return s.withRoles(ctx, tenantID, func(tx bun.Tx, t *Tenant) error {
		if err := holdsNoRole(t, userID); err != nil {
			return err
		}
		return s.deleteMembership(ctx, tx, actor, audit.MembershipRemoved, tenantID, userID)
	})
}

// Withdraw removes the actor's own membership ("withdraw his rights himself").
func (s *Service) Withdraw(ctx context.Context, actor Actor, tenantID int64) error {
	if _, err := AccessTo(ctx, s.DB, actor, tenantID); err != nil {
		return err
	}
	return s.withRoles(ctx, tenantID, func(tx bun.Tx, t *Tenant) error {
		if err := holdsNoRole(t, actor.UserID); err != nil {
			return err
		}
		return s.deleteMembership(ctx, tx, actor, audit.MembershipWithdrawn, tenantID, actor.UserID)
	})
}

// deleteMembership removes a membership and records it, with the rights it held, in tx.
func (s *Service) deleteMembership(ctx context.Context, tx bun.IDB, actor Actor, action string, tenantID, userID int64) error {
	m, err := MembershipOf(ctx, tx, tenantID, userID)
	if err != nil {
		return err
	}
	if err := DeleteMembership(ctx, tx, tenantID, userID); err != nil {
		return err
	}
	return audit.Write(ctx, tx, audit.Change{Action: action, ActorID: actor.UserID, TenantID: tenantID, SubjectID: userID,
		Before: m.Rights.Facts()})
}

// LockRoles makes the transactions that change who holds a tenant's roles or who its members
// are take turns (see db.Serialize), so that a member handed a role is never removed at the
// same moment: a tenant always has its referent and owner among its members.
func LockRoles(ctx context.Context, tx bun.IDB, tenantID int64) error {
	return db.Serialize(ctx, tx, fmt.Sprintf("tenant-roles:%d", tenantID))
}

// withRoles runs f in a transaction holding the tenant's roles lock, on the tenant as it is now.
func (s *Service) withRoles(ctx context.Context, tenantID int64, f func(tx bun.Tx, t *Tenant) error) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := LockRoles(ctx, tx, tenantID); err != nil {
			return err
		}
		t, err := TenantByID(ctx, tx, tenantID)
		if err != nil {
			return err
		}
		return f(tx, t)
	})
}

func holdsNoRole(t *Tenant, userID int64) error {
	switch userID {
	case t.ReferentID:
		return i18n.NewError("error.member.is_referent")
	case t.OwnerID:
		return i18n.NewError("error.member.is_owner")
	}
	return nil
}

// ChangeReferent hands the referent role to another member. Only the current referent may; the
// domain owner does not change.
func (s *Service) ChangeReferent(ctx context.Context, actor Actor, tenantID, userID int64) error {
	return s.handOver(ctx, actor, tenantID, userID, func(t *Tenant) *int64 { return &t.ReferentID }, "referent_id")
}

// ChangeOwner hands the domain-owner role to another member. Only the current domain owner may;
// the referent does not change.
func (s *Service) ChangeOwner(ctx context.Context, actor Actor, tenantID, userID int64) error {
	return s.handOver(ctx, actor, tenantID, userID, func(t *Tenant) *int64 { return &t.OwnerID }, "owner_id")
}

func (s *Service) handOver(ctx context.Context, actor Actor, tenantID, userID int64, role func(*Tenant) *int64, column string) error {
	if _, err := AccessTo(ctx, s.DB, actor, tenantID); err != nil {
		return err
	}
	return s.withRoles(ctx, tenantID, func(tx bun.Tx, t *Tenant) error {
		if *role(t) != actor.UserID {
			return apperr.ErrForbidden
		}
		if userID == actor.UserID {
			return i18n.FieldError("user", "error.member.same_holder")
		}
		// Someone who is not a member is, to this customer, someone who does not exist: 404.
		if _, err := MembershipOf(ctx, tx, tenantID, userID); err != nil {
			return err
		}
		// t is read afresh: the tenant resolved for the request stays what it was when it began.
		was := *role(t)
		*role(t) = userID
		if err := UpdateTenant(ctx, tx, t, column); err != nil {
			return err
		}
		action, key := audit.RoleReferent, "referent"
		if column == "owner_id" {
			action, key = audit.RoleOwner, "owner"
		}
		return audit.Write(ctx, tx, audit.Change{Action: action, ActorID: actor.UserID, TenantID: tenantID, SubjectID: userID,
			Before: map[string]any{key: loginOf(ctx, tx, was)}, After: map[string]any{key: loginOf(ctx, tx, userID)}})
	})
}

// SetBackupConsole grants or withdraws a member's « Backup console » right (role Cust_Admin).
// Only the tenant's domain owner may, and only once File and Applicative Backup is active on the
// tenant; the owner holds the console by that role and is not granted it.
func (s *Service) SetBackupConsole(ctx context.Context, actor Actor, tenantID, userID int64, on bool) error {
	a, err := AccessTo(ctx, s.DB, actor, tenantID)
	if err != nil {
		return err
	}
	if !a.Owner {
		return apperr.ErrForbidden
	}
	return s.withRoles(ctx, tenantID, func(tx bun.Tx, t *Tenant) error {
		if t.FABActivatedAt == nil {
			return i18n.FieldError("backup_console", "error.member.fab_inactive")
		}
		if t.OwnerID == userID {
			return i18n.FieldError("backup_console", "error.member.owner_console")
		}
		m, err := MembershipOf(ctx, tx, tenantID, userID)
		if err != nil {
			return err
		}
		was := m.BackupConsole
		m.BackupConsole = on
		if _, err := tx.NewUpdate().Model(m).Column("can_backup_console").WherePK().Exec(ctx); err != nil {
			return fmt.Errorf("tenancy: backup console of user %d in tenant %d: %w", userID, tenantID, err)
		}
		if was == on {
			return nil
		}
		return audit.Write(ctx, tx, audit.Change{Action: audit.BackupConsole, ActorID: actor.UserID, TenantID: tenantID,
			SubjectID: userID, Before: map[string]any{"backup_console": was}, After: map[string]any{"backup_console": on}})
	})
}

// AllianceRegions lists the Cloud Alliance regions granted to the tenant, by code.
func AllianceRegions(ctx context.Context, idb bun.IDB, tenantID int64) ([]string, error) {
	var rs []string
	err := idb.NewSelect().Table("tenant_alliance_regions").Column("region").
		Where("tenant_id = ?", tenantID).Order("region").Scan(ctx, &rs)
	if err != nil {
		return nil, fmt.Errorf("tenancy: alliance regions of tenant %d: %w", tenantID, err)
	}
	return rs, nil
}

// loginOf is the login of user id for the audit log ("" when it cannot be read: the entry is
// still written, with the person's id beside it).
func loginOf(ctx context.Context, idb bun.IDB, id int64) string {
	var login string
	if err := idb.NewSelect().Table("users").Column("login").Where("id = ?", id).Scan(ctx, &login); err != nil {
		return fmt.Sprintf("#%d", id)
	}
	return login
}
