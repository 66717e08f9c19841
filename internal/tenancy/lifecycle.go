package tenancy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
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
	// Conditional: a tenant another transaction moved meanwhile is not moved from a state it
	// has left (PostgreSQL's transactions do not wait for each other's reads).
	from := t.Status
	now := time.Now().UTC()
	res, err := idb.NewUpdate().Model((*Tenant)(nil)).Set("status = ?", to).Set("updated_at = ?", now).
		Where("id = ? AND status = ?", t.ID, from).Exec(ctx)
	if err != nil {
		return fmt.Errorf("tenancy: move tenant %s to %s: %w", t.Code, to, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, apperr.ErrStale)
	}
	if err := audit.Write(ctx, idb, audit.Change{Action: audit.TenantState, TenantID: t.ID, Object: t.Code,
		Before: map[string]any{"status": from}, After: map[string]any{"status": to}}); err != nil {
		return err
	}
	t.Status, t.UpdatedAt = to, now
	return nil
}
