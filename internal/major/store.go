package major

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/paging"
	"github.com/uptrace/bun"
)

// byID reads a major incident with the tenants it concerns. It does not authorize.
func byID(ctx context.Context, idb bun.IDB, id int64) (*Major, error) {
	m := new(Major)
	err := idb.NewSelect().Model(m).Where("m.id = ?", id).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, apperr.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("major: read major incident %d: %w", id, err)
	}
	if err := withTenants(ctx, idb, []*Major{m}); err != nil {
		return nil, err
	}
	return m, nil
}

// lock holds major incident id's row until the transaction ends, on PostgreSQL: updates, links
// and fan-out batches of one major incident take turns, as SQLite's one writer makes them do.
func lock(ctx context.Context, tx bun.IDB, id int64) error {
	if !db.IsPG(tx) {
		return nil
	}
	var got []int64
	if err := db.ForUpdate(tx.NewSelect().Model((*Major)(nil)).Column("m.id").Where("m.id = ?", id)).Scan(ctx, &got); err != nil {
		return fmt.Errorf("major: lock major incident %d: %w", id, err)
	}
	if len(got) == 0 {
		return apperr.ErrNotFound
	}
	return nil
}

// withTenants reads the tenants each major incident that does not concern every tenant names.
func withTenants(ctx context.Context, idb bun.IDB, ms []*Major) error {
	ids := make([]int64, 0, len(ms))
	by := map[int64]*Major{}
	for _, m := range ms {
		if !m.AllTenants {
			ids = append(ids, m.ID)
			by[m.ID] = m
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		MajorID  int64  `bun:"major_id"`
		TenantID int64  `bun:"tenant_id"`
		Code     string `bun:"code"`
	}
	err := idb.NewSelect().TableExpr("major_incident_tenants AS mt").
		ColumnExpr("mt.major_id, mt.tenant_id, t.code").
		Join("JOIN tenants AS t ON t.id = mt.tenant_id").
		Where("mt.major_id IN (?)", bun.In(ids)).OrderExpr("t.code").Scan(ctx, &rows)
	if err != nil {
		return fmt.Errorf("major: tenants of major incidents: %w", err)
	}
	for _, r := range rows {
		m := by[r.MajorID]
		m.TenantIDs, m.TenantCodes = append(m.TenantIDs, r.TenantID), append(m.TenantCodes, r.Code)
	}
	return nil
}

// setTenants replaces the tenants a major incident names.
func setTenants(ctx context.Context, idb bun.IDB, majorID int64, tenantIDs []int64) error {
	if _, err := idb.NewDelete().TableExpr("major_incident_tenants").Where("major_id = ?", majorID).Exec(ctx); err != nil {
		return fmt.Errorf("major: clear tenants of major incident %d: %w", majorID, err)
	}
	if len(tenantIDs) == 0 {
		return nil
	}
	type row struct {
		bun.BaseModel `bun:"table:major_incident_tenants"`
		MajorID       int64 `bun:"major_id"`
		TenantID      int64 `bun:"tenant_id"`
	}
	rows := make([]row, 0, len(tenantIDs))
	for _, id := range tenantIDs {
		rows = append(rows, row{MajorID: majorID, TenantID: id})
	}
	if _, err := idb.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("major: write tenants of major incident %d: %w", majorID, err)
	}
	return nil
}

// concerning restricts q (over major_incidents AS m) to the major incidents that concern one of
// tenantIDs (or every tenant).
func concerning(q *bun.SelectQuery, tenantIDs []int64) *bun.SelectQuery {
	if len(tenantIDs) == 0 {
		return q.Where("m.all_tenants = ?", true)
	}
	return q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Where("m.all_tenants = ?", true).
			WhereOr("m.id IN (SELECT major_id FROM major_incident_tenants WHERE tenant_id IN (?))", bun.In(tenantIDs))
	})
}

// RecentWindow is how long a resolved major incident stays on the status page.
const RecentWindow = 7 * 24 * time.Hour

// list reads the major incidents of the status page: the active ones, newest first, then those
// resolved since `since`. all: every major incident (staff); else those concerning tenantIDs.
func list(ctx context.Context, idb bun.IDB, all bool, tenantIDs []int64, since time.Time) ([]*Major, error) {
	var ms []*Major
	q := idb.NewSelect().Model(&ms).
		Where("(m.state <> ? OR m.resolved_at >= ?)", Resolved, since.UTC()).
		OrderExpr("CASE WHEN m.state = ? THEN 1 ELSE 0 END, m.started_at DESC, m.id DESC", Resolved).Limit(200)
	if !all {
		q = concerning(q, tenantIDs)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("major: list major incidents: %w", err)
	}
	return ms, withTenants(ctx, idb, ms)
}

// history reads page pg of every major incident, newest first, for staff.
func history(ctx context.Context, idb bun.IDB, pg paging.Page) ([]*Major, bool, error) {
	var ms []*Major
	q := idb.NewSelect().Model(&ms).OrderExpr("CASE WHEN m.state = ? THEN 1 ELSE 0 END, m.started_at DESC, m.id DESC", Resolved)
	pg = pg.Within(paging.Size)
	if pg.Size > 0 {
		q = q.Limit(int64(pg.Limit() + 1)).Offset(int64(pg.Offset()))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, fmt.Errorf("major: list major incidents: %w", err)
	}
	more := pg.Size > 0 && len(ms) > pg.Size
	if more {
		ms = ms[:pg.Size]
	}
	if err := countLinked(ctx, idb, ms); err != nil {
		return nil, false, err
	}
	return ms, more, withTenants(ctx, idb, ms)
}

// countLinked reads how many incidents are linked to each major incident.
func countLinked(ctx context.Context, idb bun.IDB, ms []*Major) error {
	if len(ms) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	var rows []struct {
		MajorID int64 `bun:"major_id"`
		N       int   `bun:"n"`
	}
	err := idb.NewSelect().TableExpr("incidents").ColumnExpr("major_id, COUNT(*) AS n").
		Where("major_id IN (?)", bun.In(ids)).GroupExpr("major_id").Scan(ctx, &rows)
	if err != nil {
		return fmt.Errorf("major: count linked incidents: %w", err)
	}
	for _, r := range rows {
		for _, m := range ms {
			if m.ID == r.MajorID {
				m.Linked = r.N
			}
		}
	}
	return nil
}

// updates reads a major incident's public updates, newest first.
func updates(ctx context.Context, idb bun.IDB, majorID int64) ([]Update, error) {
	var us []Update
	err := idb.NewSelect().Model(&us).ColumnExpr("u.*").ColumnExpr("a.display_name AS author_name").
		Join("LEFT JOIN users AS a ON a.id = u.author_id").
		Where("u.major_id = ?", majorID).OrderExpr("u.id DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("major: updates of major incident %d: %w", majorID, err)
	}
	return us, nil
}
