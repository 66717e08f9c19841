package incident

import (
	"context"
	"errors"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
)

// List returns page p of the incidents f selects that actor may read, and whether another page
// follows. Agents and admins list across tenants (f.TenantID or f.TenantCode narrows; a code no
// tenant has is a refusal beside the field "tenant"). A customer lists one tenant, f.TenantID,
// where they hold the `incidents` right: apperr.ErrForbidden without it, apperr.ErrNotFound for
// a tenant that is not theirs. Anyone else is refused. Only staff search internal notes.
func (s *Service) List(ctx context.Context, actor tenancy.Actor, f Filter, p paging.Page) ([]Incident, bool, error) {
	switch actor.Kind {
	case identity.Agent, identity.Admin:
		if f.TenantCode != "" {
			t, err := tenancy.TenantByCode(ctx, s.DB, f.TenantCode)
			if errors.Is(err, apperr.ErrNotFound) {
				return nil, false, i18n.Errors{i18n.FieldError("tenant", "incident.error.tenant_filter", "Code", f.TenantCode)}
			}
			if err != nil {
				return nil, false, err
			}
			f.TenantID = t.ID
		}
	case identity.Customer:
		// A customer's tenants are the service's to say, never the caller's.
		f.TenantIDs = nil
		if f.AllTenants {
			ts, err := s.customerTenants(ctx, actor)
			if err != nil {
				return nil, false, err
			}
			if len(ts) == 0 {
				return nil, false, nil
			}
			f.TenantID = 0
			for _, t := range ts {
				f.TenantIDs = append(f.TenantIDs, t.ID)
			}
			break
		}
		if f.TenantID == 0 {
			return nil, false, apperr.ErrNotFound
		}
		if _, err := tenancy.May(ctx, s.DB, actor, f.TenantID, tenancy.RightIncidents); err != nil {
			return nil, false, err
		}
	default:
		return nil, false, apperr.ErrForbidden
	}
	f.Staff = actor.Staff()
	return List(ctx, s.DB, f, p, s.now())
}

// customerTenants lists the tenants of a customer's scope selector (their memberships) where
// they hold the `incidents` right, by code.
func (s *Service) customerTenants(ctx context.Context, actor tenancy.Actor) ([]tenancy.Tenant, error) {
	if actor.Kind != identity.Customer {
		return nil, apperr.ErrForbidden
	}
	ts := actor.Tenants()
	if !actor.Resolved() {
		var err error
		if ts, err = tenancy.TenantsOf(ctx, s.DB, actor.UserID); err != nil {
			return nil, err
		}
	}
	out := make([]tenancy.Tenant, 0, len(ts))
	for _, t := range ts {
		_, err := tenancy.May(ctx, s.DB, actor, t.ID, tenancy.RightIncidents)
		switch {
		case err == nil:
			out = append(out, t)
		case errors.Is(err, apperr.ErrForbidden), errors.Is(err, apperr.ErrNotFound):
		default:
			return nil, err
		}
	}
	return out, nil
}

// IncidentTenants lists the tenants where a customer may follow incidents (their memberships
// with the `incidents` right), by code: the tenants of their "all my tenants" list.
func (s *Service) IncidentTenants(ctx context.Context, actor tenancy.Actor) ([]tenancy.Tenant, error) {
	return s.customerTenants(ctx, actor)
}

// Agents lists the staff an agent or an admin may assign incidents to: active agents and
// admins, by name.
func (s *Service) Agents(ctx context.Context, actor tenancy.Actor) ([]identity.User, error) {
	if actor.Kind != identity.Agent && actor.Kind != identity.Admin {
		return nil, apperr.ErrForbidden
	}
	return Agents(ctx, s.DB)
}

// CustomerHome is what a customer's home shows of incidents, across the tenants of their scope
// selector where they hold the `incidents` right. Each incident carries its tenant (TenantCode,
// TenantName); the lists are latest update first, at most the limit asked, and the More flags
// say whether a list was cut.
type CustomerHome struct {
	// Tenants are the tenants the lists cover, by code; empty for a customer without the right
	// anywhere (then the lists are empty too).
	Tenants []tenancy.Tenant
	// Waiting are the incidents waiting for the customer's answer (pending_customer).
	Waiting     []Incident
	MoreWaiting bool
	// ToConfirm are the resolved incidents the customer may confirm, or reopen until
	// Incident.ReopenUntil().
	ToConfirm     []Incident
	MoreToConfirm bool
	// Recent are the most recently updated incidents, whatever their state.
	Recent     []Incident
	MoreRecent bool
}

// DefaultHomeLimit is the length of each list of CustomerHome when the caller asks for none.
const DefaultHomeLimit = 5

// ForCustomerHome returns what a customer's home shows of incidents (see CustomerHome), each
// list at most limit long (DefaultHomeLimit when limit <= 0). Anyone but a customer is refused
// with apperr.ErrForbidden.
func (s *Service) ForCustomerHome(ctx context.Context, actor tenancy.Actor, limit int) (CustomerHome, error) {
	var home CustomerHome
	if actor.Kind != identity.Customer {
		return home, apperr.ErrForbidden
	}
	if limit <= 0 {
		limit = DefaultHomeLimit
	}
	ts, err := s.customerTenants(ctx, actor)
	if err != nil || len(ts) == 0 {
		return home, err
	}
	home.Tenants = ts
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	pg := paging.Page{Number: 1, Size: limit}
	now := s.now()
	if home.Waiting, home.MoreWaiting, err = List(ctx, s.DB, Filter{TenantIDs: ids, Status: PendingCustomer}, pg, now); err != nil {
		return home, err
	}
	if home.ToConfirm, home.MoreToConfirm, err = List(ctx, s.DB, Filter{TenantIDs: ids, Status: Resolved}, pg, now); err != nil {
		return home, err
	}
	home.Recent, home.MoreRecent, err = List(ctx, s.DB, Filter{TenantIDs: ids}, pg, now)
	return home, err
}
