package tenancy

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
)

// UserTenant is a user on a tenant.
type UserTenant struct{ UserID, TenantID int64 }

// RightsOn reads at once, for many users each on a tenant, the rights a customer holds there,
// as readAccess decides them: every right as the tenant's referent, a membership's rights, none
// (the zero Rights) otherwise; a pair whose tenant does not exist has no entry. Two queries, however many pairs:
// a fan-out's hundreds of recipients. The caller checks that the users are active customers.
func RightsOn(ctx context.Context, idb bun.IDB, pairs []UserTenant) (map[UserTenant]Rights, error) {
	out := make(map[UserTenant]Rights, len(pairs))
	if len(pairs) == 0 {
		return out, nil
	}
	users, tenants := map[int64]bool{}, map[int64]bool{}
	var uids, tids []int64
	for _, p := range pairs {
		if !users[p.UserID] {
			users[p.UserID] = true
			uids = append(uids, p.UserID)
		}
		if !tenants[p.TenantID] {
			tenants[p.TenantID] = true
			tids = append(tids, p.TenantID)
		}
	}
	var ts []Tenant
	if err := idb.NewSelect().Model(&ts).Column("id", "referent_id", "owner_id").Where("id IN (?)", bun.In(tids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("tenancy: referents of %d tenants: %w", len(tids), err)
	}
	referent, owner := make(map[int64]int64, len(ts)), make(map[int64]int64, len(ts))
	for _, t := range ts {
		referent[t.ID], owner[t.ID] = t.ReferentID, t.OwnerID
	}
	var ms []Membership
	if err := idb.NewSelect().Model(&ms).Where("user_id IN (?) AND tenant_id IN (?)", bun.In(uids), bun.In(tids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("tenancy: memberships of %d users: %w", len(uids), err)
	}
	member := make(map[UserTenant]Rights, len(ms))
	for _, m := range ms {
		member[UserTenant{m.UserID, m.TenantID}] = m.Rights
	}
	for _, p := range pairs {
		ref, ok := referent[p.TenantID]
		switch {
		case !ok:
		case ref == p.UserID:
			out[p] = AllRights
		default:
			r := member[p]
			if owner[p.TenantID] == p.UserID {
				r.Services = true // as accessOf decides
			}
			out[p] = r
		}
	}
	return out, nil
}
