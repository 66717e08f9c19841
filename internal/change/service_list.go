package change

import (
	"context"
	"errors"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// List returns page p of a tenant's requests for a customer with the changes right on it, and
// how many f selects in all.
func (s *Service) List(ctx context.Context, actor tenancy.Actor, tenantID int64, f Filter, p paging.Page) ([]Request, int, error) {
	if _, err := customerAccess(ctx, s.DB, actor, tenantID); err != nil {
		return nil, 0, err
	}
	f.TenantID, f.TenantIDs, f.SalesRepID, f.Work, f.Catalogue = tenantID, nil, 0, false, CatalogueStandard
	return List(ctx, s.DB, f, p)
}

// Orders returns page p of a tenant's service orders for a customer with the services right on
// it, newest first, and how many there are in all.
func (s *Service) Orders(ctx context.Context, actor tenancy.Actor, tenantID int64, p paging.Page) ([]Request, int, error) {
	if _, err := customerAccessFor(ctx, s.DB, actor, tenantID, tenancy.RightServices); err != nil {
		return nil, 0, err
	}
	return List(ctx, s.DB, Filter{TenantID: tenantID, Catalogue: CatalogueServices}, p)
}

// Tenants lists the tenants a customer holds the changes right on, by code: where "all my
// tenants" looks. Staff have none.
func (s *Service) Tenants(ctx context.Context, actor tenancy.Actor) ([]tenancy.Tenant, error) {
	return changeTenants(ctx, s.DB, actor)
}

func changeTenants(ctx context.Context, idb bun.IDB, actor tenancy.Actor) ([]tenancy.Tenant, error) {
	if actor.Kind != identity.Customer {
		return nil, nil
	}
	ts := actor.Tenants()
	if !actor.Resolved() {
		var err error
		if ts, err = tenancy.TenantsOf(ctx, idb, actor.UserID); err != nil {
			return nil, err
		}
	}
	mine := make([]tenancy.Tenant, 0, len(ts))
	for _, t := range ts {
		a, err := tenancy.May(ctx, idb, actor, t.ID, tenancy.RightChanges)
		if err == nil {
			mine = append(mine, *a.Tenant)
			continue
		}
		if !errors.Is(err, apperr.ErrForbidden) && !errors.Is(err, apperr.ErrNotFound) {
			return nil, err
		}
	}
	return mine, nil
}

// ListAll returns page p of the requests of every tenant the customer holds the changes right
// on ("all my tenants"), newest first, how many f selects in all, and those tenants. A customer
// without the right anywhere is refused (apperr.ErrForbidden), as on one tenant.
func (s *Service) ListAll(ctx context.Context, actor tenancy.Actor, f Filter, p paging.Page) ([]Request, int, []tenancy.Tenant, error) {
	if actor.Kind != identity.Customer {
		return nil, 0, nil, apperr.ErrNotFound
	}
	ts, err := changeTenants(ctx, s.DB, actor)
	if err != nil {
		return nil, 0, nil, err
	}
	if len(ts) == 0 {
		return nil, 0, nil, apperr.ErrForbidden
	}
	f.TenantID, f.SalesRepID, f.Work, f.Catalogue = 0, 0, false, CatalogueStandard
	f.TenantIDs = make([]int64, len(ts))
	for i, t := range ts {
		f.TenantIDs[i] = t.ID
	}
	rs, n, err := List(ctx, s.DB, f, p)
	return rs, n, ts, err
}

// OpenStates are the states of a request still in progress: the customer may still cancel it.
var OpenStates = []State{Submitted, Quoted, Approved, Scheduled}

// workStates are the states agents and sales reps work on; lists of them read in work order.
var workStates = []State{Submitted, Quoted, Approved, Scheduled, Implemented}

// QueueStates are the states of the agents' queue when no state is chosen: approved requests to
// schedule, scheduled ones to implement, implemented ones to close.
var QueueStates = []State{Approved, Scheduled, Implemented}

// workOrder reports whether a list of these states reads best in work order (every state is
// one of workStates); finished requests read newest first.
func workOrder(states []State) bool {
	if len(states) == 0 {
		return false
	}
	for _, st := range states {
		if !hasState(workStates, st) {
			return false
		}
	}
	return true
}

// Queue is the agents' work on every tenant: by default QueueStates, by work date; with
// f.States, those states (finished ones newest first).
func (s *Service) Queue(ctx context.Context, actor tenancy.Actor, f Filter, p paging.Page) ([]Request, int, error) {
	if actor.Kind != identity.Agent && actor.Kind != identity.Admin {
		return nil, 0, apperr.ErrForbidden
	}
	f.TenantID, f.TenantIDs, f.SalesRepID = 0, nil, 0
	if len(f.States) == 0 {
		f.States = QueueStates
	}
	f.Work = workOrder(f.States)
	return List(ctx, s.DB, f, p)
}

// Approvals is a sales rep's queue: by default the submitted requests of their tenants, oldest
// first (every tenant's for an admin); with f.States, their requests in those states.
func (s *Service) Approvals(ctx context.Context, actor tenancy.Actor, f Filter, p paging.Page) ([]Request, int, error) {
	switch actor.Kind {
	case identity.Sales:
		f.SalesRepID = actor.UserID
	case identity.Admin:
		f.SalesRepID = 0
	default:
		return nil, 0, apperr.ErrForbidden
	}
	f.TenantID, f.TenantIDs = 0, nil
	if len(f.States) == 0 {
		f.States = []State{Submitted}
	}
	f.Work = workOrder(f.States)
	return List(ctx, s.DB, f, p)
}
