package tenancy

import (
	"context"
	"errors"
	"strings"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// ListTenants lists tenants for the staff space: a sales rep sees their own, agents and admins
// see all.
func (s *Service) ListTenants(ctx context.Context, actor Actor, f TenantFilter) ([]Tenant, int, error) {
	switch actor.Kind {
	case identity.Sales:
		f.SalesRepID = actor.UserID
	case identity.Agent, identity.Admin:
	default:
		return nil, 0, apperr.ErrForbidden
	}
	return Tenants(ctx, s.DB, f)
}

// StaffTenant returns a tenant for the staff pages, with the same visibility as ListTenants.
func (s *Service) StaffTenant(ctx context.Context, actor Actor, id int64) (*Tenant, error) {
	if !actor.Staff() {
		return nil, apperr.ErrForbidden
	}
	t, err := TenantByID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if actor.Kind == identity.Sales && (t.SalesRepID == nil || *t.SalesRepID != actor.UserID) {
		return nil, apperr.ErrNotFound
	}
	return t, nil
}

// TenantEdit is the admin's tenant form: contract name, status and sales rep.
type TenantEdit struct {
	Name          string
	Status        string
	SalesRepLogin string
}

// UpdateTenantDetails edits a tenant (admin only).
func (s *Service) UpdateTenantDetails(ctx context.Context, actor Actor, id int64, in TenantEdit) (*Tenant, error) {
	if actor.Kind != identity.Admin {
		return nil, apperr.ErrForbidden
	}
	t, err := TenantByID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	var es i18n.Errors
	in.Name = strings.TrimSpace(in.Name)
	identity.CheckRequired(&es, "name", in.Name, identity.MaxName)
	if !validStatus(in.Status) {
		es.Add(i18n.FieldError("status", "error.field.choice"))
	}
	rep, err := s.ResolveSalesRep(ctx, &es, in.SalesRepLogin)
	if err != nil {
		return nil, err
	}
	if err := es.Err(); err != nil {
		return nil, err
	}
	was := map[string]any{"name": t.Name, "status": t.Status, "sales_rep": ""}
	if t.SalesRepID != nil {
		was["sales_rep"] = loginOf(ctx, s.DB, *t.SalesRepID)
	}
	t.Name, t.Status, t.SalesRepID, t.SalesRep = in.Name, in.Status, nil, rep
	now := map[string]any{"name": t.Name, "status": t.Status, "sales_rep": ""}
	if rep != nil {
		t.SalesRepID = &rep.ID
		now["sales_rep"] = rep.Login
	}
	before, after := audit.Diff(was, now)
	return t, s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := UpdateTenant(ctx, tx, t, "name", "status", "sales_rep_id"); err != nil {
			return err
		}
		if len(after) == 0 {
			return nil
		}
		return audit.Write(ctx, tx, audit.Change{Action: audit.TenantUpdated, ActorID: actor.UserID, TenantID: t.ID,
			Object: t.Code, Before: before, After: after})
	})
}

func validStatus(st string) bool {
	for _, x := range TenantStatuses {
		if st == x {
			return true
		}
	}
	return false
}

// ResolveSalesRep finds the active sales rep with login; empty means none. A problem is added
// to es beside the field sales_rep.
func (s *Service) ResolveSalesRep(ctx context.Context, es *i18n.Errors, login string) (*identity.User, error) {
	if strings.TrimSpace(login) == "" {
		return nil, nil
	}
	return s.resolveUser(ctx, es, "sales_rep", login, identity.Sales, "error.tenant.not_sales")
}

// ResolveCustomer finds the active customer user with login, for a referent or a domain owner.
func (s *Service) ResolveCustomer(ctx context.Context, es *i18n.Errors, field, login string) (*identity.User, error) {
	if strings.TrimSpace(login) == "" {
		es.Add(i18n.FieldError(field, "error.field.required"))
		return nil, nil
	}
	return s.resolveUser(ctx, es, field, login, identity.Customer, "error.tenant.not_customer")
}

func (s *Service) resolveUser(ctx context.Context, es *i18n.Errors, field, login string, kind identity.Kind, wrongKind string) (*identity.User, error) {
	u, err := identity.UserByLogin(ctx, s.DB, login)
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		es.Add(i18n.FieldError(field, "error.user.unknown_login", "Login", login))
		return nil, nil
	case err != nil:
		return nil, err
	case u.Kind != kind || !u.Active:
		es.Add(i18n.FieldError(field, wrongKind, "Login", u.Login))
		return nil, nil
	}
	return u, nil
}
