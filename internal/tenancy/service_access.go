package tenancy

import (
	"context"
	"errors"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// AccessTo returns what a customer actor may do on tenant, whatever the right: from the tenants
// resolved for the request, or read now for an unresolved actor. A tenant the actor is not a
// member of answers apperr.ErrNotFound, exactly like one that does not exist. The referent holds
// every right. To ask for a right, ask May.
func AccessTo(ctx context.Context, idb bun.IDB, actor Actor, tenantID int64) (*Access, error) {
	if actor.Kind != identity.Customer {
		return nil, apperr.ErrNotFound
	}
	return actor.access(ctx, idb, tenantID)
}

// readAccess reads a customer's access to tenant.
func readAccess(ctx context.Context, idb bun.IDB, actor Actor, tenantID int64) (*Access, error) {
	t, err := TenantByID(ctx, idb, tenantID)
	if err != nil {
		return nil, err
	}
	a := &Access{Tenant: t, Referent: t.ReferentID == actor.UserID, Owner: t.OwnerID == actor.UserID}
	m, err := MembershipOf(ctx, idb, tenantID, actor.UserID)
	switch {
	case err == nil:
		a.Member, a.Rights = true, m.Rights
	case !errors.Is(err, apperr.ErrNotFound):
		return nil, err
	case !a.Referent && !a.Owner:
		return nil, apperr.ErrNotFound
	}
	if a.Referent {
		a.Rights = AllRights
	}
	if a.Owner {
		a.Rights.Services = true // as accessOf decides
	}
	return a, nil
}

// Access returns what actor may do on tenant; see AccessTo.
func (s *Service) Access(ctx context.Context, actor Actor, tenantID int64) (*Access, error) {
	return AccessTo(ctx, s.DB, actor, tenantID)
}

// MyTenants lists the tenants a customer actor belongs to, for the scope selector.
func (s *Service) MyTenants(ctx context.Context, actor Actor) ([]Tenant, error) {
	if actor.Kind != identity.Customer {
		return nil, nil
	}
	if actor.Resolved() {
		return actor.Tenants(), nil
	}
	return TenantsOf(ctx, s.DB, actor.UserID)
}

// SetScope records the tenant chosen with the scope selector in the session.
func (s *Service) SetScope(ctx context.Context, actor Actor, sess *identity.Session, tenantID int64) error {
	if _, err := s.Access(ctx, actor, tenantID); err != nil {
		return err
	}
	sess.ScopeTenantID = &tenantID
	return identity.UpdateSession(ctx, s.DB, sess, "scope_tenant_id")
}

// Scope returns the tenant the session has chosen, falling back to the actor's first tenant
// when none is chosen or the chosen one is no longer reachable. It answers apperr.ErrNotFound
// for a customer without any tenant.
func (s *Service) Scope(ctx context.Context, actor Actor, sess *identity.Session) (*Access, error) {
	if sess.ScopeTenantID != nil {
		a, err := s.Access(ctx, actor, *sess.ScopeTenantID)
		if err == nil {
			return a, nil
		}
		if !errors.Is(err, apperr.ErrNotFound) {
			return nil, err
		}
	}
	ts, err := s.MyTenants(ctx, actor)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, apperr.ErrNotFound
	}
	if err := s.SetScope(ctx, actor, sess, ts[0].ID); err != nil {
		return nil, err
	}
	return s.Access(ctx, actor, ts[0].ID)
}
