package change

import (
	"context"

	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
)

// staffTenantOpen are the states in which a request still awaits a decision or work;
// staffTenantDone those in which nothing more happens to it.
var (
	staffTenantOpen = []State{Submitted, Approved, Scheduled}
	staffTenantDone = []State{Rejected, Implemented, Closed, Cancelled}
)

// StaffTenantList returns, for the staff page of a tenant, its latest limit requests, those
// still open first (newest first within each group), and how many it has in all. Agents and
// admins see every tenant's, a sales rep their own tenants' (apperr.ErrNotFound for another's);
// customers are refused.
func (s *Service) StaffTenantList(ctx context.Context, actor tenancy.Actor, tenantID int64, limit int) ([]Request, int, error) {
	t, err := tenancy.TenantByID(ctx, s.DB, tenantID)
	if err != nil {
		return nil, 0, err
	}
	if err := tenancy.StaffMayOn(actor, t, tenancy.RightChanges); err != nil {
		return nil, 0, err
	}
	limit = max(limit, 1)
	open, nOpen, err := List(ctx, s.DB, Filter{TenantID: tenantID, States: staffTenantOpen}, paging.Page{Number: 1, Size: limit})
	if err != nil {
		return nil, 0, err
	}
	// A page of size 0 is every row: the rest is read one row at least, for its count.
	rest, nDone, err := List(ctx, s.DB, Filter{TenantID: tenantID, States: staffTenantDone}, paging.Page{Number: 1, Size: max(limit-len(open), 1)})
	if err != nil {
		return nil, 0, err
	}
	if len(open) >= limit {
		rest = nil
	}
	return append(open, rest...), nOpen + nDone, nil
}
