package contract

import (
	"context"

	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
)

// Onboard creates a tenant with its referent, domain owner and first support level (admin
// only); see Onboard.
func (s *Service) Onboard(ctx context.Context, actor tenancy.Actor, in NewTenant) (*tenancy.Tenant, error) {
	return Onboard(ctx, s.DB, s.Tenancy, actor, in)
}

// Overview returns the Contract tab of tenantID for a customer with the `contract` right on it
// (apperr.ErrForbidden without it, apperr.ErrNotFound for a tenant that is not theirs): the
// support level and its history, the reader's access, and the tenant's latest requests.
func (s *Service) Overview(ctx context.Context, actor tenancy.Actor, tenantID int64) (*Overview, error) {
	a, err := contractAccess(ctx, s.DB, actor, tenantID)
	if err != nil {
		return nil, err
	}
	o, err := TenantOverview(ctx, s.DB, a.Tenant, s.now())
	if err != nil {
		return nil, err
	}
	o.Access = a
	if o.Requests, err = Requests(ctx, s.DB, RequestFilter{TenantID: tenantID, Newest: true, Limit: 20}); err != nil {
		return nil, err
	}
	for i := range o.Requests {
		if r := &o.Requests[i]; r.Kind == SupportLevel && r.State == Pending {
			o.PendingLevel = r
		}
	}
	return o, nil
}

// TenantLine is a tenant of the staff's list with its support level in force today ("" when
// it has none yet).
type TenantLine struct {
	tenancy.Tenant
	Level Level
}

// Tenants returns page p of the tenants whose code or name contains query, for the staff's
// list, and how many match in all: a sales rep's own, every tenant for agents and admins;
// anyone else is refused.
func (s *Service) Tenants(ctx context.Context, actor tenancy.Actor, query string, p paging.Page) ([]TenantLine, int, error) {
	ts, total, err := s.Tenancy.ListTenants(ctx, actor, tenancy.TenantFilter{Query: query, Limit: p.Limit(), Offset: p.Offset()})
	if err != nil {
		return nil, 0, err
	}
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	levels, err := CurrentLevels(ctx, s.DB, ids, today(s.now()))
	if err != nil {
		return nil, 0, err
	}
	lines := make([]TenantLine, len(ts))
	for i, t := range ts {
		lines[i] = TenantLine{Tenant: t, Level: levels[t.ID]}
	}
	return lines, total, nil
}

// TenantCard is the staff's page of a tenant: its roles, members and support-level history.
type TenantCard struct {
	Tenant   *tenancy.Tenant
	Members  []tenancy.Membership
	Contract *Overview
}

// StaffTenant returns a tenant's card to staff who may see the tenant: a sales rep their own
// (apperr.ErrNotFound for another's), agents and admins every tenant; customers are refused.
func (s *Service) StaffTenant(ctx context.Context, actor tenancy.Actor, id int64) (*TenantCard, error) {
	t, err := s.Tenancy.StaffTenant(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	members, err := tenancy.Members(ctx, s.DB, t.ID)
	if err != nil {
		return nil, err
	}
	o, err := TenantOverview(ctx, s.DB, t, s.now())
	if err != nil {
		return nil, err
	}
	return &TenantCard{Tenant: t, Members: members, Contract: o}, nil
}
