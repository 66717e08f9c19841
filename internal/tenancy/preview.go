package tenancy

import (
	"context"
	"errors"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
)

// Preview is what removing a member or handing a role over would do, read with the checks the
// action itself makes: the Users tab names it in the confirmation it asks for, and asks nothing
// for an action the rules refuse (the preview answers that refusal instead). The action checks
// again, in its transaction, when it runs.
type Preview struct {
	Tenant *Tenant
	// Member is the member removed or handed the role, with their user.
	Member *Membership
	// Kept is, for a hand-over, the rights of the actor's own membership, which they keep once
	// the role is gone; nil when the actor is not a member of the tenant otherwise.
	Kept *Rights
	// OtherRole says the actor holds the tenant's other role (referent or domain owner) too.
	OtherRole bool
}

// PreviewRemoval is RemoveMember's preview: the member, or the refusal RemoveMember would give
// (a member of another tenant, an actor without the users right, the referent or the domain
// owner).
func (s *Service) PreviewRemoval(ctx context.Context, actor Actor, tenantID, userID int64) (*Preview, error) {
	if _, _, err := s.Member(ctx, actor, tenantID, userID); err != nil {
		return nil, err
	}
	t, err := TenantByID(ctx, s.DB, tenantID)
	if err != nil {
		return nil, err
	}
	if err := holdsNoRole(t, userID); err != nil {
		return nil, err
	}
	return s.preview(ctx, t, userID)
}

// PreviewReferentChange is ChangeReferent's preview.
func (s *Service) PreviewReferentChange(ctx context.Context, actor Actor, tenantID, userID int64) (*Preview, error) {
	return s.previewHandOver(ctx, actor, tenantID, userID, func(t *Tenant) (int64, int64) { return t.ReferentID, t.OwnerID })
}

// PreviewOwnerChange is ChangeOwner's preview.
func (s *Service) PreviewOwnerChange(ctx context.Context, actor Actor, tenantID, userID int64) (*Preview, error) {
	return s.previewHandOver(ctx, actor, tenantID, userID, func(t *Tenant) (int64, int64) { return t.OwnerID, t.ReferentID })
}

// previewHandOver makes handOver's checks; roles gives the holder of the role handed over and
// of the other one.
func (s *Service) previewHandOver(ctx context.Context, actor Actor, tenantID, userID int64, roles func(*Tenant) (int64, int64)) (*Preview, error) {
	if _, err := AccessTo(ctx, s.DB, actor, tenantID); err != nil {
		return nil, err
	}
	t, err := TenantByID(ctx, s.DB, tenantID)
	if err != nil {
		return nil, err
	}
	holder, other := roles(t)
	if holder != actor.UserID {
		return nil, apperr.ErrForbidden
	}
	if userID == actor.UserID {
		return nil, i18n.FieldError("user", "error.member.same_holder")
	}
	p, err := s.preview(ctx, t, userID)
	if err != nil {
		return nil, err
	}
	p.OtherRole = other == actor.UserID
	own, err := MembershipOf(ctx, s.DB, tenantID, actor.UserID)
	switch {
	case err == nil:
		p.Kept = &own.Rights
	case !errors.Is(err, apperr.ErrNotFound):
		return nil, err
	}
	return p, nil
}

// preview reads the member the action is about, with their user.
func (s *Service) preview(ctx context.Context, t *Tenant, userID int64) (*Preview, error) {
	m, err := MembershipOf(ctx, s.DB, t.ID, userID)
	if err != nil {
		return nil, err
	}
	if m.User, err = identity.UserByID(ctx, s.DB, userID); err != nil {
		return nil, err
	}
	return &Preview{Tenant: t, Member: m}, nil
}
