package change

import (
	"context"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
)

// List returns page p of a tenant's requests for a customer with the changes right on it, and
// how many f selects in all.
func (s *Service) List(ctx context.Context, actor tenancy.Actor, tenantID int64, f Filter, p paging.Page) ([]Request, int, error) {
	if _, err := customerAccess(ctx, s.DB, actor, tenantID); err != nil {
		return nil, 0, err
	}
	f.TenantID, f.SalesRepID, f.Work = tenantID, 0, false
	return List(ctx, s.DB, f, p)
}

// Queue is the agents' work: approved and scheduled requests of every tenant, by work date.
func (s *Service) Queue(ctx context.Context, actor tenancy.Actor, f Filter, p paging.Page) ([]Request, int, error) {
	if actor.Kind != identity.Agent && actor.Kind != identity.Admin {
		return nil, 0, apperr.ErrForbidden
	}
	f.TenantID, f.SalesRepID, f.Work = 0, 0, true
	f.States = []State{Approved, Scheduled}
	return List(ctx, s.DB, f, p)
}

// Approvals is a sales rep's queue: the submitted requests of their tenants, oldest first
// (every tenant's for an admin).
func (s *Service) Approvals(ctx context.Context, actor tenancy.Actor, f Filter, p paging.Page) ([]Request, int, error) {
	switch actor.Kind {
	case identity.Sales:
		f.SalesRepID = actor.UserID
	case identity.Admin:
		f.SalesRepID = 0
	default:
		return nil, 0, apperr.ErrForbidden
	}
	f.TenantID, f.Work = 0, true
	f.States = []State{Submitted}
	return List(ctx, s.DB, f, p)
}
