package tenancy

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// Right is what a request asks to do on a tenant: one of the rights of a membership, each with
// the staff who may do it too.
type Right string

// The rights of DESIGN.md's table of people and rights.
const (
	// RightIncidents: customers with the right; agents and admins on every tenant.
	RightIncidents Right = "incidents"
	// RightChanges: customers with the right; agents and admins on every tenant; a sales rep on
	// the tenants they are the rep of.
	RightChanges Right = "changes"
	// RightContract: customers with the right; admins; a sales rep on their tenants.
	RightContract Right = "contract"
	// RightUsers: customers with the right (the referent always has it).
	RightUsers Right = "users"
	// RightServices: customers with the right (the referent and the domain owner always have
	// it); agents and admins on every tenant; a sales rep on the tenants they are the rep of.
	RightServices Right = "services"
)

// Holds reports whether r grants right.
func (r Rights) Holds(right Right) bool {
	switch right {
	case RightIncidents:
		return r.Incidents
	case RightChanges:
		return r.Changes
	case RightContract:
		return r.Contract
	case RightUsers:
		return r.Users
	case RightServices:
		return r.Services
	}
	return false
}

// Actor is who asks, with what they may reach: the edge resolves it once per request (Resolve:
// the user's tenants and rights in one query), and every service asks May of it, which then
// reads nothing more for a customer. An actor made with ActorOf (jobs, the command line, tests)
// is resolved by May on each question instead.
type Actor struct {
	identity.Actor
	// tenants are a resolved customer's tenants by id, with their access; nil when unresolved.
	tenants map[int64]*Access
	order   []int64
}

// ActorOf returns u as an unresolved actor.
func ActorOf(u *identity.User) Actor { return Actor{Actor: identity.ActorOf(u)} }

// Of returns a who-is-asking value (identity.System, say) as an unresolved actor.
func Of(a identity.Actor) Actor { return Actor{Actor: a} }

// System is the actor of command-line administration and background jobs.
var System = Of(identity.System)

// Resolved reports whether the actor's tenants were read once for the request.
func (a Actor) Resolved() bool { return a.tenants != nil }

// Tenants lists a resolved customer's tenants, by code: the scope selector's list.
func (a Actor) Tenants() []Tenant {
	ts := make([]Tenant, 0, len(a.order))
	for _, id := range a.order {
		ts = append(ts, *a.tenants[id].Tenant)
	}
	return ts
}

// Resolve reads every tenant a customer belongs to (as a member, the referent or the domain
// owner), with its people, and the customer's rights on each: two queries, once per request.
// Staff actors have nothing to read.
func Resolve(ctx context.Context, idb bun.IDB, u *identity.User) (Actor, error) {
	a := ActorOf(u)
	a.tenants = map[int64]*Access{}
	if u.Kind != identity.Customer {
		return a, nil
	}
	var ts []Tenant
	err := idb.NewSelect().Model(&ts).Relation("Referent").Relation("Owner").Relation("SalesRep").
		Where("tenant.id IN (SELECT tenant_id FROM memberships WHERE user_id = ?) OR tenant.referent_id = ? OR tenant.owner_id = ?",
			u.ID, u.ID, u.ID).
		Order("tenant.code").Scan(ctx)
	if err != nil {
		return a, fmt.Errorf("tenancy: tenants of user %d: %w", u.ID, err)
	}
	var ms []Membership
	if err := idb.NewSelect().Model(&ms).Where("user_id = ?", u.ID).Scan(ctx); err != nil {
		return a, fmt.Errorf("tenancy: memberships of user %d: %w", u.ID, err)
	}
	rights := make(map[int64]Rights, len(ms))
	for _, m := range ms {
		rights[m.TenantID] = m.Rights
	}
	for i := range ts {
		r, member := rights[ts[i].ID]
		a.tenants[ts[i].ID] = accessOf(&ts[i], u.ID, member, r)
		// The scope selector lists the tenants of the user's memberships, as it always has.
		if member {
			a.order = append(a.order, ts[i].ID)
		}
	}
	return a, nil
}

// Resolve is Resolve on the service's database, kept for the user while the access version the
// request read (identity.Service.ReadAccess) stays the same: tenants, memberships and users
// move it.
func (s *Service) Resolve(ctx context.Context, u *identity.User) (Actor, error) {
	key := strconv.FormatInt(u.ID, 10)
	if a, ok := s.actors.Get(ctx, key); ok {
		return a, nil
	}
	a, err := Resolve(ctx, s.DB, u)
	if err == nil {
		s.actors.Put(ctx, key, a)
	}
	return a, err
}

// accessOf is what a customer may do on t: the referent holds every right.
func accessOf(t *Tenant, userID int64, member bool, r Rights) *Access {
	a := &Access{Tenant: t, Rights: r, Member: member, Referent: t.ReferentID == userID, Owner: t.OwnerID == userID}
	if a.Referent {
		a.Rights = AllRights
	}
	if a.Owner {
		a.Rights.Services = true // the domain owner orders services (FAB) and grants its console
	}
	return a
}

// May is the access decision: may actor do right on tenant? (Allowed is its answer for reading
// an object by its number, StaffMayOn its staff half for a tenant already read.) It returns the tenant and the
// actor's rights on it. A customer reaching a tenant that is not theirs, and staff reaching one
// that is not in their remit, get apperr.ErrNotFound, exactly as for a tenant that does not
// exist; a customer of the tenant without the right, and staff whose kind never has it, get
// apperr.ErrForbidden.
func May(ctx context.Context, idb bun.IDB, actor Actor, tenantID int64, right Right) (*Access, error) {
	if actor.Kind == identity.Customer {
		a, err := actor.access(ctx, idb, tenantID)
		if err != nil {
			return nil, err
		}
		if !a.Rights.Holds(right) {
			return nil, apperr.ErrForbidden
		}
		return a, nil
	}
	if !staffMay(actor.Kind, right) {
		return nil, apperr.ErrForbidden
	}
	t, err := TenantByID(ctx, idb, tenantID)
	if err != nil {
		return nil, err
	}
	if err := StaffMayOn(actor, t, right); err != nil {
		return nil, err
	}
	return &Access{Tenant: t, Rights: AllRights}, nil
}

// StaffMayOn is May's staff half for a tenant already read (a request loaded with its tenant):
// a kind that never has the right, or a customer, is apperr.ErrForbidden; a sales rep on
// another rep's tenant is apperr.ErrNotFound, as for a tenant that does not exist.
func StaffMayOn(actor Actor, t *Tenant, right Right) error {
	if actor.Kind == identity.Customer || !staffMay(actor.Kind, right) {
		return apperr.ErrForbidden
	}
	if actor.Kind == identity.Sales && (t.SalesRepID == nil || *t.SalesRepID != actor.UserID) {
		return apperr.ErrNotFound
	}
	return nil
}

// Allowed is May when the caller needs only the answer: staff whose remit is every tenant are
// answered without reading the tenant, and a right the actor lacks is apperr.ErrNotFound, as
// for an object one may not know of (reading a ticket by its number).
func Allowed(ctx context.Context, idb bun.IDB, actor Actor, tenantID int64, right Right) error {
	if actor.Kind != identity.Customer && actor.Kind != identity.Sales && staffMay(actor.Kind, right) {
		return nil
	}
	_, err := May(ctx, idb, actor, tenantID, right)
	if errors.Is(err, apperr.ErrForbidden) {
		return apperr.ErrNotFound
	}
	return err
}

// staffMay is the staff half of DESIGN.md's table.
func staffMay(k identity.Kind, right Right) bool {
	switch right {
	case RightIncidents:
		return k == identity.Agent || k == identity.Admin
	case RightChanges, RightServices:
		return k == identity.Agent || k == identity.Admin || k == identity.Sales
	case RightContract:
		return k == identity.Admin || k == identity.Sales
	}
	return false
}

// access is a customer's access to tenant, from the resolved tenants or, unresolved, read now.
func (a Actor) access(ctx context.Context, idb bun.IDB, tenantID int64) (*Access, error) {
	if a.tenants != nil {
		if acc, ok := a.tenants[tenantID]; ok {
			return acc, nil
		}
		return nil, apperr.ErrNotFound
	}
	return readAccess(ctx, idb, a, tenantID)
}
