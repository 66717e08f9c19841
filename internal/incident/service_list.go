package incident

import (
	"context"
	"errors"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
)

// List returns page p of the incidents f selects that actor may read, and whether another page
// follows. Agents and admins list across tenants (f.TenantID or f.TenantCode narrows; a code no
// tenant has is a refusal beside the field "tenant"). A customer lists one tenant, f.TenantID,
// where they hold the `incidents` right: apperr.ErrForbidden without it, apperr.ErrNotFound for
// a tenant that is not theirs. Anyone else is refused. Only staff search internal notes.
func (s *Service) List(ctx context.Context, actor tenancy.Actor, f Filter, p paging.Page) ([]Incident, bool, error) {
	switch actor.Kind {
	case identity.Agent, identity.Admin:
		if f.TenantCode != "" {
			t, err := tenancy.TenantByCode(ctx, s.DB, f.TenantCode)
			if errors.Is(err, apperr.ErrNotFound) {
				return nil, false, i18n.Errors{i18n.FieldError("tenant", "incident.error.tenant_filter", "Code", f.TenantCode)}
			}
			if err != nil {
				return nil, false, err
			}
			f.TenantID = t.ID
		}
	case identity.Customer:
		if f.TenantID == 0 {
			return nil, false, apperr.ErrNotFound
		}
		if _, err := tenancy.May(ctx, s.DB, actor, f.TenantID, tenancy.RightIncidents); err != nil {
			return nil, false, err
		}
	default:
		return nil, false, apperr.ErrForbidden
	}
	f.Staff = actor.Staff()
	return List(ctx, s.DB, f, p, s.now())
}

// Agents lists the staff an agent or an admin may assign incidents to: active agents and
// admins, by name.
func (s *Service) Agents(ctx context.Context, actor tenancy.Actor) ([]identity.User, error) {
	if actor.Kind != identity.Agent && actor.Kind != identity.Admin {
		return nil, apperr.ErrForbidden
	}
	return Agents(ctx, s.DB)
}
