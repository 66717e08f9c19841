package contract

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/uptrace/bun"
)

// InsertRequest writes a new pending request. A second pending request of the same kind for the
// tenant, even one written by a concurrent transaction, answers a field error.
func InsertRequest(ctx context.Context, idb bun.IDB, r *Request, now time.Time) error {
	r.State, r.Version, r.CreatedAt, r.UpdatedAt = Pending, 1, now.UTC(), now.UTC()
	_, err := idb.NewInsert().Model(r).Exec(ctx)
	switch {
	case db.IsUniqueViolation(err):
		return pendingError(r.Kind)
	case err != nil:
		return fmt.Errorf("contract: insert %s request: %w", r.Kind, err)
	}
	return nil
}

func pendingError(k Kind) *i18n.Error {
	if k == SupportLevel {
		return i18n.FieldError("level", "contract.error.request_pending")
	}
	return i18n.FieldError("", "contract.error.form_pending")
}

// RequestByID returns a request with its tenant (and the tenant's people), requester and decider.
func RequestByID(ctx context.Context, idb bun.IDB, id int64) (*Request, error) {
	r := new(Request)
	err := idb.NewSelect().Model(r).
		Relation("Tenant").Relation("Tenant.Referent").Relation("Tenant.Owner").Relation("Tenant.SalesRep").
		Relation("Requester").Relation("Decider").
		Where("r.id = ?", id).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, apperr.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("contract: read request %d: %w", id, err)
	}
	return r, nil
}

// UpdateDecision writes the decision columns of r if nobody changed r since version; a stale
// version answers apperr.ErrStale and writes nothing.
func UpdateDecision(ctx context.Context, idb bun.IDB, r *Request, version int, now time.Time) error {
	r.UpdatedAt = now.UTC()
	res, err := idb.NewUpdate().Model(r).
		Column("state", "decision_reason", "decided_by", "decided_at", "effective_on", "committed_until",
			"new_tenant_code", "applied_at", "updated_at").
		Set("version = version + 1").
		Where("id = ? AND version = ? AND state = ?", r.ID, version, Pending).Exec(ctx)
	if err != nil {
		return fmt.Errorf("contract: record decision on request %d: %w", r.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("contract: record decision on request %d: rows affected: %w", r.ID, err)
	}
	if n != 1 {
		return apperr.ErrStale
	}
	r.Version = version + 1
	return nil
}

// RequestFilter selects requests for a list.
type RequestFilter struct {
	TenantID   int64 // 0: any
	SalesRepID int64 // 0: any; else only that rep's tenants
	State      State // "": any
	Kind       Kind  // "": any
	Decided    bool  // only accepted or rejected requests
	Limit      int
	// Newest lists the newest first; otherwise the oldest first (the sales desk's queue).
	Newest bool
}

// Requests lists requests matching f, with their tenant and requester.
func Requests(ctx context.Context, idb bun.IDB, f RequestFilter) ([]Request, error) {
	var rs []Request
	q := idb.NewSelect().Model(&rs).Relation("Tenant").Relation("Requester")
	if f.TenantID != 0 {
		q = q.Where("r.tenant_id = ?", f.TenantID)
	}
	if f.SalesRepID != 0 {
		q = q.Where("tenant.sales_rep_id = ?", f.SalesRepID)
	}
	if f.State != "" {
		q = q.Where("r.state = ?", f.State)
	}
	if f.Decided {
		q = q.Where("r.state <> ?", Pending)
	}
	if f.Kind != "" {
		q = q.Where("r.kind = ?", f.Kind)
	}
	if f.Newest {
		q = q.Order("r.created_at DESC", "r.id DESC")
	} else {
		q = q.Order("r.created_at", "r.id")
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("contract: list requests: %w", err)
	}
	return rs, nil
}

// PendingRequest returns the tenant's pending request of kind, or nil.
func PendingRequest(ctx context.Context, idb bun.IDB, tenantID int64, kind Kind) (*Request, error) {
	rs, err := Requests(ctx, idb, RequestFilter{TenantID: tenantID, Kind: kind, State: Pending, Limit: 1})
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	return &rs[0], nil
}

// DueRequests lists the accepted requests of kind whose effect is due on today and not yet
// carried out, oldest first.
func DueRequests(ctx context.Context, idb bun.IDB, kind Kind, today calendar.Date) ([]Request, error) {
	var rs []Request
	err := idb.NewSelect().Model(&rs).
		Where("r.kind = ? AND r.state = ? AND r.applied_at IS NULL AND r.effective_on <= ?", kind, Accepted, today).
		Order("r.effective_on", "r.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("contract: list %s requests due on %s: %w", kind, today, err)
	}
	return rs, nil
}

// ClaimApplied marks r's due effect as carried out at now, unless another run did it first:
// false means someone else claimed it, and the caller does nothing.
func ClaimApplied(ctx context.Context, idb bun.IDB, id int64, now time.Time) (bool, error) {
	res, err := idb.NewUpdate().Model((*Request)(nil)).
		Set("applied_at = ?", now.UTC()).Set("updated_at = ?", now.UTC()).
		Where("id = ? AND applied_at IS NULL", id).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("contract: claim the effect of request %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("contract: claim the effect of request %d: rows affected: %w", id, err)
	}
	return n == 1, nil
}
