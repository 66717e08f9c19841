package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// CustomerQuery is what a customer report asks for: a tenant's code ("": every tenant the
// customer may see the report of) and the months.
type CustomerQuery struct {
	Tenant string
	Months Months
}

// CustomerReport is a tenant's report, or the report of a customer's tenants together.
type CustomerReport struct {
	Query CustomerQuery
	AsOf  time.Time
	// Tenants are the tenants the customer may see the report of; Tenant the one asked for
	// (nil: all of them).
	Tenants []tenancy.Tenant
	Tenant  *tenancy.Tenant
	// Months are the figures of each month; Changes the change requests made in each.
	Months  []SLAMonth
	Changes []int
	// OpenIncidents and OpenChanges are what is open now.
	OpenIncidents, OpenChanges int
}

// ReportTenants lists the tenants whose report actor may read: those they are the referent or
// the domain owner of, and those where they have the `contract` right. Staff read none here.
func (s *Service) ReportTenants(ctx context.Context, actor tenancy.Actor) ([]tenancy.Tenant, error) {
	if actor.Kind != identity.Customer {
		return nil, nil
	}
	return reportTenants(ctx, s.DB, actor.UserID)
}

func reportTenants(ctx context.Context, idb bun.IDB, userID int64) ([]tenancy.Tenant, error) {
	var ts []tenancy.Tenant
	err := idb.NewSelect().Model(&ts).
		Where("tenant.referent_id = ? OR tenant.owner_id = ? OR tenant.id IN (SELECT tenant_id FROM memberships WHERE user_id = ? AND can_contract = ?)",
			userID, userID, userID, true).
		Order("tenant.code").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("report: tenants of user %d: %w", userID, err)
	}
	return ts, nil
}

// Customer computes a customer report for actor. A tenant they may not read the report of is
// apperr.ErrNotFound, as one that does not exist; a customer with no such tenant is
// apperr.ErrForbidden.
func (s *Service) Customer(ctx context.Context, actor tenancy.Actor, q CustomerQuery) (*CustomerReport, error) {
	if actor.Kind != identity.Customer {
		return nil, apperr.ErrNotFound
	}
	ts, err := reportTenants(ctx, s.DB, actor.UserID)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, apperr.ErrForbidden
	}
	r := &CustomerReport{Query: q, Tenants: ts}
	var ids []int64
	for i, t := range ts {
		if q.Tenant == "" || strings.EqualFold(t.Code, q.Tenant) {
			ids = append(ids, t.ID)
			if q.Tenant != "" {
				r.Tenant = &ts[i]
			}
		}
	}
	if len(ids) == 0 {
		return nil, apperr.ErrNotFound
	}
	return r, s.fill(ctx, r, ids)
}

// fill counts the report of tenants ids.
func (s *Service) fill(ctx context.Context, r *CustomerReport, ids []int64) error {
	p := r.Query.Months.Period(s.Today())
	from, to := p.span()
	f := Filter{From: from, To: to, Tenants: ids, Now: s.now()}
	v, err := s.Cache.view(ctx)
	if err != nil {
		return err
	}
	r.Months = v.months(f)
	r.OpenIncidents = v.openCount(f)
	r.AsOf = v.asOf
	v.release()
	var made []time.Time
	if err := s.madeIn("change_requests", ids, p, "created_at").Scan(ctx, &made); err != nil {
		return fmt.Errorf("report: change requests: %w", err)
	}
	r.Changes = make([]int, len(r.Months))
	first := r.Query.Months.From
	for _, t := range made {
		if i := int(MonthOf(calendar.ParisDate(t)) - first); i >= 0 && i < len(r.Changes) {
			r.Changes[i]++
		}
	}
	n, err := s.DB.NewSelect().Table("change_requests").
		Where("tenant_id IN (?) AND state IN (?)", bun.In(ids), bun.In([]change.State{change.Submitted, change.Approved, change.Scheduled})).Count(ctx)
	if err != nil {
		return fmt.Errorf("report: open change requests: %w", err)
	}
	r.OpenChanges = int(n)
	return nil
}
