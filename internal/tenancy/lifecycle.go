package tenancy

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// A tenant's life: active, then cancellation requested (the customer's form was accepted for a
// later day), then cancelled; or cancelled at once when the day is today. The contract capability
// decides when (a sales rep accepts a cancellation, its day comes); tenancy keeps the rule.
var nextStatus = map[string][]string{
	TenantActive:                {TenantCancellationRequested, TenantCancelled},
	TenantCancellationRequested: {TenantCancelled},
}

// CanMoveTo reports whether a tenant in status from may move to status to.
func CanMoveTo(from, to string) bool {
	for _, s := range nextStatus[from] {
		if s == to {
			return true
		}
	}
	return false
}

// MoveTo moves t to status to, or refuses a step the lifecycle does not have.
func MoveTo(ctx context.Context, idb bun.IDB, t *Tenant, to string) error {
	if !CanMoveTo(t.Status, to) {
		return fmt.Errorf("tenancy: tenant %s cannot go from %s to %s", t.Code, t.Status, to)
	}
	t.Status = to
	return UpdateTenant(ctx, idb, t, "status")
}
