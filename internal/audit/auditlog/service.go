// Package auditlog is the reading side of the audit log: admins read and export all of it, a
// tenant's referent the entries about their tenant. It is apart from package audit, which the
// services that write the log import, because it asks them who may read.
package auditlog

import (
	"context"
	"errors"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// ExportLimit bounds one export; a filter narrows a larger log.
const ExportLimit = 100000

// Service reads the log for those who may. Nothing here changes an entry: the log has no
// update and no delete, but for the entry an export of it writes.
type Service struct {
	DB *bun.DB
}

// ListForAdmin is a page of the whole log for an admin (others: apperr.ErrForbidden), newest
// first from f's cursor, with the cursor of the next page (0: none). A tenant code no tenant
// has is refused beside the tenant field.
func (s *Service) ListForAdmin(ctx context.Context, actor identity.Actor, f audit.Filter) ([]audit.Entry, int64, error) {
	if err := s.admin(ctx, actor, &f); err != nil {
		return nil, 0, err
	}
	return audit.List(ctx, s.DB, f, audit.PageSize)
}

// ListForTenant is a page of the entries about tenant for its referent. A customer who is not
// the tenant's gets apperr.ErrNotFound, as for a tenant that does not exist (staff too: they
// read the whole log with ListForAdmin); one of its people who is not its referent
// apperr.ErrForbidden. The addresses of the provider's staff are not shown.
func (s *Service) ListForTenant(ctx context.Context, actor tenancy.Actor, tenantID int64, f audit.Filter) ([]audit.Entry, int64, error) {
	if err := s.CanReadTenant(ctx, actor, tenantID); err != nil {
		return nil, 0, err
	}
	return audit.List(ctx, s.DB, tenantFilter(f, tenantID), audit.PageSize)
}

// CanReadTenant says whether actor may read the entries about tenant (see ListForTenant): a
// page refusing a filter asks it first, so that the refusal of the reader comes before that of
// what they typed.
func (s *Service) CanReadTenant(ctx context.Context, actor tenancy.Actor, tenantID int64) error {
	a, err := tenancy.AccessTo(ctx, s.DB, actor, tenantID)
	if err != nil {
		return err
	}
	if !a.Referent {
		return apperr.ErrForbidden
	}
	return nil
}

// ExportForAdmin reads what f selects (from the newest, whatever its cursor) for an admin's
// export, and records the export in its own transaction before returning it.
func (s *Service) ExportForAdmin(ctx context.Context, actor identity.Actor, f audit.Filter) ([]audit.Entry, error) {
	if err := s.admin(ctx, actor, &f); err != nil {
		return nil, err
	}
	f.Before = 0
	return s.export(ctx, actor, 0, f)
}

// ExportForTenant reads the entries about tenant for its referent's export (see ListForTenant)
// and records the export, tenant included, in its own transaction before returning it.
func (s *Service) ExportForTenant(ctx context.Context, actor tenancy.Actor, tenantID int64, f audit.Filter) ([]audit.Entry, error) {
	if err := s.CanReadTenant(ctx, actor, tenantID); err != nil {
		return nil, err
	}
	f = tenantFilter(f, tenantID)
	f.Before = 0
	return s.export(ctx, actor.Actor, tenantID, f)
}

func (s *Service) export(ctx context.Context, actor identity.Actor, tenantID int64, f audit.Filter) ([]audit.Entry, error) {
	es, _, err := audit.List(ctx, s.DB, f, ExportLimit)
	if err != nil {
		return nil, err
	}
	after := f.Facts()
	after["rows"] = len(es)
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return audit.Write(ctx, tx, audit.Change{Action: audit.AuditExported, ActorID: actor.UserID,
			TenantID: tenantID, After: after})
	})
	if err != nil {
		return nil, err
	}
	return es, nil
}

// admin authorizes an admin and reads the tenant code f names into its id.
func (s *Service) admin(ctx context.Context, actor identity.Actor, f *audit.Filter) error {
	if actor.Kind != identity.Admin {
		return apperr.ErrForbidden
	}
	if f.TenantCode == "" {
		return nil
	}
	t, err := tenancy.TenantByCode(ctx, s.DB, f.TenantCode)
	if errors.Is(err, apperr.ErrNotFound) {
		return i18n.FieldError("tenant", "audit.error.tenant_unknown", "Code", f.TenantCode)
	}
	if err != nil {
		return err
	}
	f.TenantID = t.ID
	return nil
}

// tenantFilter is f kept to tenant, the provider's staff addresses masked.
func tenantFilter(f audit.Filter, tenantID int64) audit.Filter {
	f.TenantID, f.TenantCode, f.MaskStaffIP = tenantID, "", true
	return f
}

// RecordExport writes to the log, in its own transaction, that actor exported object (a CSV of
// a list, a dashboard or a report) with rows rows: the export is sent only once it is recorded.
// tenantID is the tenant the file is about for a customer (0: several, or staff's).
func (s *Service) RecordExport(ctx context.Context, actor identity.Actor, tenantID int64, object string, rows int, query string) error {
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		after := map[string]any{"rows": rows}
		if query != "" {
			after["filters"] = query
		}
		return audit.Write(ctx, tx, audit.Change{Action: audit.Exported, ActorID: actor.UserID, TenantID: tenantID,
			Object: object, After: after})
	})
}
