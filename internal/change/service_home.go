package change

import (
	"context"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
)

// CustomerHome is what the customer home shows of change requests, across every tenant the
// customer holds the changes right on. Each request carries its TenantCode and TenantName.
type CustomerHome struct {
	// Tenants are the tenants looked at, by code; empty when the customer may order no change
	// anywhere (the home then shows no change block).
	Tenants []tenancy.Tenant
	// Pending are requests still in progress (OpenStates: submitted, approved, scheduled), newest
	// first, at most limit of PendingTotal. No state of the model waits for the customer: these
	// are the ones they may still follow or cancel.
	Pending      []Request
	PendingTotal int
	// Recent are the requests made most recently, in any state, newest first, at most limit of
	// Total; they may include requests of Pending.
	Recent []Request
	Total  int
}

// DefaultHomeLimit is the length of each list of the customer home when the caller asks for none.
const DefaultHomeLimit = 5

// ForCustomerHome returns the change requests the customer home shows: pending ones and the most
// recent ones, limit of each (DefaultHomeLimit when limit ≤ 0, paging.Size at most), across the actor's tenants with
// the changes right. Staff, and customers without the right anywhere, get an empty home.
func (s *Service) ForCustomerHome(ctx context.Context, actor tenancy.Actor, limit int) (CustomerHome, error) {
	var h CustomerHome
	if actor.Kind != identity.Customer {
		return h, nil
	}
	if limit <= 0 {
		limit = DefaultHomeLimit
	}
	limit = min(limit, paging.Size)
	ts, err := changeTenants(ctx, s.DB, actor)
	if err != nil || len(ts) == 0 {
		return h, err
	}
	h.Tenants = ts
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	first := paging.Page{Number: 1, Size: limit}
	if h.Pending, h.PendingTotal, err = List(ctx, s.DB, Filter{TenantIDs: ids, States: OpenStates, Catalogue: CatalogueStandard}, first); err != nil {
		return CustomerHome{}, err
	}
	if h.Recent, h.Total, err = List(ctx, s.DB, Filter{TenantIDs: ids, Catalogue: CatalogueStandard}, first); err != nil {
		return CustomerHome{}, err
	}
	return h, nil
}
