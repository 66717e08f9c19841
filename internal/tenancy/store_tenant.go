package tenancy

import (
	"context"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// TenantByID returns the tenant with its referent, owner and sales rep.
func TenantByID(ctx context.Context, idb bun.IDB, id int64) (*Tenant, error) {
	t := new(Tenant)
	err := idb.NewSelect().Model(t).Relation("Referent").Relation("Owner").Relation("SalesRep").
		Where("tenant.id = ?", id).Scan(ctx)
	if err = notFound(err); err != nil {
		return t, fmt.Errorf("tenancy: tenant %d: %w", id, err)
	}
	return t, nil
}

// TenantByCode returns the tenant with code.
func TenantByCode(ctx context.Context, idb bun.IDB, code string) (*Tenant, error) {
	t := new(Tenant)
	err := idb.NewSelect().Model(t).Relation("Referent").Relation("Owner").Relation("SalesRep").
		Where("tenant.code = ?", code).Scan(ctx)
	if err = notFound(err); err != nil {
		return t, fmt.Errorf("tenancy: tenant by code: %w", err)
	}
	return t, nil
}

// InsertTenant writes a new tenant; a taken code answers a field error.
func InsertTenant(ctx context.Context, idb bun.IDB, t *Tenant) error {
	now := time.Now().UTC()
	t.CreatedAt, t.UpdatedAt = now, now
	_, err := idb.NewInsert().Model(t).Exec(ctx)
	switch {
	case db.IsUniqueViolation(err):
		return errCodeTaken
	case err != nil:
		return fmt.Errorf("tenancy: insert tenant %s: %w", t.Code, err)
	}
	return nil
}

// UpdateTenant writes the columns named.
func UpdateTenant(ctx context.Context, idb bun.IDB, t *Tenant, columns ...string) error {
	t.UpdatedAt = time.Now().UTC()
	_, err := idb.NewUpdate().Model(t).Column(append(columns, "updated_at")...).WherePK().Exec(ctx)
	if err != nil {
		return fmt.Errorf("tenancy: update tenant %d %v: %w", t.ID, columns, err)
	}
	return nil
}

// TenantFilter selects tenants for the staff list.
type TenantFilter struct {
	Query      string
	SalesRepID int64 // 0: any
	Limit      int
	Offset     int
}

// Tenants lists tenants matching f, ordered by code, with the total count.
func Tenants(ctx context.Context, idb bun.IDB, f TenantFilter) ([]Tenant, int, error) {
	var ts []Tenant
	q := idb.NewSelect().Model(&ts).Relation("Referent").Relation("SalesRep").Order("tenant.code")
	if f.Query != "" {
		c1, a := db.ContainsFold("tenant.code", f.Query)
		c2, _ := db.ContainsFold("tenant.name", f.Query)
		q = q.Where("("+c1+" OR "+c2+")", a, a)
	}
	if f.SalesRepID != 0 {
		q = q.Where("tenant.sales_rep_id = ?", f.SalesRepID)
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit)).Offset(int64(f.Offset))
	}
	n, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("tenancy: list tenants: %w", err)
	}
	return ts, int(n), nil
}

// TenantsOf lists the tenants a customer user belongs to, ordered by code.
func TenantsOf(ctx context.Context, idb bun.IDB, userID int64) ([]Tenant, error) {
	var ts []Tenant
	err := idb.NewSelect().Model(&ts).
		Where("tenant.id IN (SELECT tenant_id FROM memberships WHERE user_id = ?)", userID).
		Order("tenant.code").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("tenancy: tenants of user %d: %w", userID, err)
	}
	return ts, nil
}
