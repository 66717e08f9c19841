package contract

import (
	"context"
	"time"

	"github.com/guichet/guichet/internal/account"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/uptrace/bun"
)

// Overview is what the Contract tab shows of a tenant on a day.
type Overview struct {
	Tenant    *account.Tenant
	Today     calendar.Date
	Current   Period
	HasLevel  bool
	Committed bool // Today falls within Current's commitment
	Scheduled *Period
	History   []Period // newest first
}

// ContractOverview returns the Contract tab of tenant for a customer with the `contract` right.
func ContractOverview(ctx context.Context, idb bun.IDB, actor account.Actor, tenantID int64, now time.Time) (*Overview, error) {
	a, err := account.AccessTo(ctx, idb, actor, tenantID)
	if err != nil {
		return nil, err
	}
	if !a.Rights.Contract {
		return nil, apperr.ErrForbidden
	}
	return TenantOverview(ctx, idb, a.Tenant, now)
}

// TenantOverview reads a tenant's support-level history and says where it stands on the Paris
// date of now. It does not authorize: callers have already found the tenant for their actor.
func TenantOverview(ctx context.Context, idb bun.IDB, t *account.Tenant, now time.Time) (*Overview, error) {
	history, err := History(ctx, idb, t.ID)
	if err != nil {
		return nil, err
	}
	o := &Overview{Tenant: t, Today: calendar.ParisDate(now)}
	o.Current, o.HasLevel = Current(history, o.Today)
	o.Committed = o.HasLevel && o.Current.Committed(o.Today)
	if next, ok := Scheduled(history, o.Today); ok {
		o.Scheduled = &next
	}
	for i := len(history) - 1; i >= 0; i-- {
		o.History = append(o.History, history[i])
	}
	return o, nil
}
