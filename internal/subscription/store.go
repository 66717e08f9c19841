package subscription

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/uptrace/bun"
)

// Insert writes a new subscription.
func Insert(ctx context.Context, idb bun.IDB, s *Subscription) error {
	if s.Version == 0 {
		s.Version = 1
	}
	if _, err := idb.NewInsert().Model(s).Exec(ctx); err != nil {
		return fmt.Errorf("subscription: insert: %w", err)
	}
	return nil
}

// ByID reads a subscription with its pending cancellations. It does not authorize.
func ByID(ctx context.Context, idb bun.IDB, id int64) (*Subscription, error) {
	s := new(Subscription)
	err := idb.NewSelect().Model(s).Where("sub.id = ?", id).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, apperr.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("subscription: read %d: %w", id, err)
	}
	if err := withPending(ctx, idb, []*Subscription{s}); err != nil {
		return nil, err
	}
	return s, nil
}

// OfTenant lists a tenant's subscriptions, those with instances left first, newest first, each
// with its pending cancellations.
func OfTenant(ctx context.Context, idb bun.IDB, tenantID int64) ([]*Subscription, error) {
	var ss []*Subscription
	err := idb.NewSelect().Model(&ss).Where("sub.tenant_id = ?", tenantID).
		OrderExpr("CASE WHEN sub.instances > 0 THEN 0 ELSE 1 END, sub.started_on DESC, sub.id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("subscription: list of tenant %d: %w", tenantID, err)
	}
	return ss, withPending(ctx, idb, ss)
}

func withPending(ctx context.Context, idb bun.IDB, ss []*Subscription) error {
	if len(ss) == 0 {
		return nil
	}
	ids := make([]int64, len(ss))
	byID := make(map[int64]*Subscription, len(ss))
	for i, s := range ss {
		ids[i], byID[s.ID] = s.ID, s
		s.Pending = nil
	}
	var cs []Cancellation
	err := idb.NewSelect().Model(&cs).Where("sc.subscription_id IN (?) AND sc.applied_at IS NULL", bun.In(ids)).
		Order("sc.effective_on", "sc.id").Scan(ctx)
	if err != nil {
		return fmt.Errorf("subscription: pending cancellations: %w", err)
	}
	for _, c := range cs {
		byID[c.SubscriptionID].Pending = append(byID[c.SubscriptionID].Pending, c)
	}
	return nil
}

// bump moves the subscription's version on if it is still read, the row lock of a writer:
// apperr.ErrStale when someone moved it since.
func bump(ctx context.Context, idb bun.IDB, s *Subscription, now time.Time) error {
	res, err := idb.NewUpdate().Model((*Subscription)(nil)).
		Set("version = version + 1").Set("updated_at = ?", now).
		Where("id = ? AND version = ?", s.ID, s.Version).Exec(ctx)
	if err != nil {
		return fmt.Errorf("subscription: lock %d: %w", s.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return apperr.ErrStale
	}
	s.Version++
	return nil
}

// due lists the cancellations not yet applied whose day has come.
func due(ctx context.Context, idb bun.IDB, today calendar.Date, limit int64) ([]Cancellation, error) {
	var cs []Cancellation
	err := idb.NewSelect().Model(&cs).Where("sc.applied_at IS NULL AND sc.effective_on <= ?", today).
		Order("sc.id").Limit(limit).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("subscription: due cancellations: %w", err)
	}
	return cs, nil
}
