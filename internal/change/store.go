package change

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/paging"
	"github.com/uptrace/bun"
)

// Insert writes a new request and fills in its id and search text.
func Insert(ctx context.Context, idb bun.IDB, r *Request) error {
	if r.Catalogue == "" {
		r.Catalogue = CatalogueStandard
	}
	if _, err := idb.NewInsert().Model(r).Exec(ctx); err != nil {
		return fmt.Errorf("change: insert request: %w", err)
	}
	r.SearchText = searchText(r.ID, r.Snapshot())
	if _, err := idb.NewUpdate().Model(r).Column("search_text").WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("change: index request %d: %w", r.ID, err)
	}
	return nil
}

// ByID reads a request with its tenant and requester names. It does not authorize.
func ByID(ctx context.Context, idb bun.IDB, id int64) (*Request, error) {
	r := new(Request)
	err := selectRequests(idb, r).Where("cr.id = ?", id).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, apperr.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("change: read request %d: %w", id, err)
	}
	return r, nil
}

func selectRequests(idb bun.IDB, model any) *bun.SelectQuery {
	return idb.NewSelect().Model(model).
		ColumnExpr("cr.*").
		ColumnExpr("t.code AS tenant_code, t.name AS tenant_name, u.display_name AS requester_name").
		Join("JOIN tenants AS t ON t.id = cr.tenant_id").
		Join("JOIN users AS u ON u.id = cr.requester_id")
}

// Update writes the given columns of r if nobody changed it since it was read (its version),
// and moves its version on; otherwise it returns apperr.ErrStale.
func Update(ctx context.Context, idb bun.IDB, r *Request, columns ...string) error {
	read := r.Version
	r.Version++
	res, err := idb.NewUpdate().Model(r).Column(append(columns, "version", "updated_at")...).
		WherePK().Where("version = ?", read).Exec(ctx)
	if err != nil {
		r.Version = read
		return fmt.Errorf("change: update request %d: %w", r.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		r.Version = read
		return fmt.Errorf("change: update request %d: rows affected: %w", r.ID, err)
	}
	if n != 1 {
		r.Version = read
		return apperr.ErrStale
	}
	return nil
}

// Filter selects requests for a list.
type Filter struct {
	Catalogue  string  // CatalogueStandard or CatalogueServices; both when empty
	TenantID   int64   // a customer's list: one tenant
	TenantIDs  []int64 // a customer's list across their tenants ("all my tenants"); nil: any
	SalesRepID int64   // a sales rep's approval queue: their tenants
	States     []State // any of these states; all when empty
	Query      string  // number, item or text values
	// Work orders by the work date: requests waiting for a decision or a date first (oldest
	// approval, then oldest request, first), then scheduled ones by date, then implemented ones
	// waiting to be closed, oldest first. Otherwise the newest request comes first.
	Work bool
}

// List returns page p of the requests f selects and how many there are in all. It does not
// authorize: see Service.List, Queue and Approvals.
func List(ctx context.Context, idb bun.IDB, f Filter, p paging.Page) ([]Request, int, error) {
	var rs []Request
	q := selectRequests(idb, &rs)
	if f.TenantID != 0 {
		q = q.Where("cr.tenant_id = ?", f.TenantID)
	}
	if f.Catalogue != "" {
		q = q.Where("cr.catalogue = ?", f.Catalogue)
	}
	if f.TenantIDs != nil {
		if len(f.TenantIDs) == 0 {
			return nil, 0, nil
		}
		q = q.Where("cr.tenant_id IN (?)", bun.In(f.TenantIDs))
	}
	if f.SalesRepID != 0 {
		q = q.Where("t.sales_rep_id = ?", f.SalesRepID)
	}
	if len(f.States) > 0 {
		q = q.Where("cr.state IN (?)", bun.In(f.States))
	}
	if text := strings.TrimSpace(f.Query); text != "" {
		q = q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			cond, arg := db.ContainsFold("cr.search_text", text)
			q = q.Where(cond, arg)
			if id, ok := ParseNumber(text); ok {
				q = q.WhereOr("cr.id = ?", id)
			}
			return q
		})
	}
	if f.Work {
		q = q.OrderExpr("CASE WHEN cr.state = ? THEN 2 WHEN cr.scheduled_on IS NULL THEN 0 ELSE 1 END, cr.scheduled_on, cr.approved_at, cr.implemented_at, cr.id", Implemented)
	} else {
		q = q.OrderExpr("cr.id DESC")
	}
	if p.Size > 0 {
		q = q.Limit(int64(p.Limit())).Offset(int64(p.Offset()))
	}
	n, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("change: list requests: %w", err)
	}
	return rs, int(n), nil
}
