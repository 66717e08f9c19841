package contract

import (
	"context"

	"github.com/guichet/guichet/internal/tenancy"
)

// StaffTenantRequests returns, for the staff page of a tenant, its latest limit contract
// requests, the pending ones first, newest first within each group. Admins see every
// tenant's, a sales rep their own tenants' (apperr.ErrNotFound for another's); agents and
// customers are refused (apperr.ErrForbidden).
func (s *Service) StaffTenantRequests(ctx context.Context, actor tenancy.Actor, tenantID int64, limit int) ([]Request, error) {
	t, err := tenancy.TenantByID(ctx, s.DB, tenantID)
	if err != nil {
		return nil, err
	}
	if err := tenancy.StaffMayOn(actor, t, tenancy.RightContract); err != nil {
		return nil, err
	}
	limit = max(limit, 1)
	pending, err := Requests(ctx, s.DB, RequestFilter{TenantID: tenantID, State: Pending, Newest: true, Limit: limit})
	if err != nil || len(pending) >= limit {
		return pending, err
	}
	decided, err := Requests(ctx, s.DB, RequestFilter{TenantID: tenantID, Decided: true, Newest: true, Limit: limit - len(pending)})
	if err != nil {
		return nil, err
	}
	return append(pending, decided...), nil
}
