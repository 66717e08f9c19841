package contract

import (
	"context"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/uptrace/bun"
)

// periodRow is a Period as stored in support_levels.
type periodRow struct {
	bun.BaseModel `bun:"table:support_levels"`

	ID             int64 `bun:",pk,autoincrement"`
	TenantID       int64
	Level          Level
	EffectiveFrom  calendar.Date
	CommittedUntil calendar.Date `bun:",nullzero"`
	CreatedAt      time.Time
}

// InsertPeriod appends p to the tenant's support-level history.
func InsertPeriod(ctx context.Context, idb bun.IDB, tenantID int64, p Period) error {
	row := &periodRow{TenantID: tenantID, Level: p.Level, EffectiveFrom: p.EffectiveFrom,
		CommittedUntil: p.CommittedUntil, CreatedAt: time.Now().UTC()}
	if _, err := idb.NewInsert().Model(row).Exec(ctx); err != nil {
		return fmt.Errorf("contract: insert support level of tenant %d: %w", tenantID, err)
	}
	return nil
}

// History returns the tenant's support-level history, oldest first.
func History(ctx context.Context, idb bun.IDB, tenantID int64) ([]Period, error) {
	var rows []periodRow
	if err := idb.NewSelect().Model(&rows).Where("tenant_id = ?", tenantID).
		Order("effective_from", "id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("contract: read support-level history of tenant %d: %w", tenantID, err)
	}
	ps := make([]Period, len(rows))
	for i, r := range rows {
		ps[i] = Period{Level: r.Level, EffectiveFrom: r.EffectiveFrom, CommittedUntil: r.CommittedUntil}
	}
	return ps, nil
}

// CurrentLevels returns the level in force on today for each tenant in ids, in one query.
func CurrentLevels(ctx context.Context, idb bun.IDB, ids []int64, today calendar.Date) (map[int64]Level, error) {
	out := make(map[int64]Level, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []periodRow
	if err := idb.NewSelect().Model(&rows).Where("tenant_id IN (?)", bun.In(ids)).
		Where("effective_from <= ?", today).Order("tenant_id", "effective_from", "id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("contract: read current support levels: %w", err)
	}
	for _, r := range rows { // ordered, so the last one seen per tenant is in force
		out[r.TenantID] = r.Level
	}
	return out, nil
}
