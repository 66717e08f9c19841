package contract

import (
	"context"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
)

// TenantLevel is where one of a customer's tenants stands: its support level in force and the
// end of its commitment, for the customer's home.
type TenantLevel struct {
	Tenant    tenancy.Tenant
	HasLevel  bool
	Current   Period
	Committed bool // today falls within Current's commitment
	Scheduled *Period
}

// MyLevels is the support level and commitment of each of the actor's tenants, in the order of
// their tenants. Every member reads their own tenants' levels, whatever their rights: the targets
// of the incidents they declare depend on them. Staff have no tenants of their own: nil.
func (s *Service) MyLevels(ctx context.Context, actor tenancy.Actor) ([]TenantLevel, error) {
	if actor.Kind != identity.Customer {
		return nil, nil
	}
	ts, err := s.Tenancy.MyTenants(ctx, actor)
	if err != nil {
		return nil, err
	}
	today := calendar.ParisDate(s.now())
	out := make([]TenantLevel, 0, len(ts))
	for _, t := range ts {
		history, err := History(ctx, s.DB, t.ID)
		if err != nil {
			return nil, err
		}
		tl := TenantLevel{Tenant: t}
		tl.Current, tl.HasLevel = Current(history, today)
		tl.Committed = tl.HasLevel && tl.Current.Committed(today)
		if next, ok := Scheduled(history, today); ok {
			tl.Scheduled = &next
		}
		out = append(out, tl)
	}
	return out, nil
}
