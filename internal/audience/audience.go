// Package audience decides who is told of what happened on a tenant: it turns the roles
// concerned (requester, referent, sales rep, assignee, support leads) into notify recipients,
// each address once, a customer only when tenancy says they hold the right of the ticket's
// kind on the tenant. It also answers the outbox worker's question, just before sending,
// whether a customer recipient may still read a message. notify only mails; the capabilities
// (incidents, changes, contracts) ask this package whom to mail.
package audience

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// Role is a part someone plays in what happened.
type Role string

// The roles a notice can be addressed to.
const (
	Requester    Role = "requester"
	Referent     Role = "referent"
	SalesRep     Role = "sales_rep"
	Assignee     Role = "assignee"
	SupportLeads Role = "support_leads"
)

// Roster knows the addresses and the language that belong to no tenant: the support leads
// (config.SupportLeads) and the desk's default language. It is built once, at start.
type Roster struct {
	Leads       []string
	DefaultLang string
}

// Event is what happened on a tenant, as far as mail is concerned.
type Event struct {
	// Tenant is the tenant with its Referent and SalesRep loaded, when the caller holds it;
	// when nil, the tenant TenantID is taken from the actor's resolved access or read.
	Tenant   *tenancy.Tenant
	TenantID int64
	// Right is the right of the ticket's kind, which a customer must hold to be told.
	Right   tenancy.Right
	Actor   tenancy.Actor // who acted: not told of their own action…
	Confirm bool          // …unless the message confirms it to them
	// RequesterID and AssigneeID are the users the Requester and Assignee roles stand for.
	RequesterID, AssigneeID int64
}

// To turns roles into people, in their languages, once each, stamped with the tenant and the
// right that the worker checks again before sending. A customer who does not hold e.Right on
// the tenant is never addressed, whatever the role claims; staff may be.
func (ro *Roster) To(ctx context.Context, idb bun.IDB, e Event, roles ...Role) ([]notify.Recipient, error) {
	if e.Right == "" {
		return nil, errors.New("audience: an event needs the right of its ticket's kind")
	}
	t, err := tenantOf(ctx, idb, e)
	if err != nil {
		return nil, err
	}
	l := &list{ctx: ctx, idb: idb, e: e, t: t, seen: map[string]bool{}}
	for _, role := range roles {
		switch role {
		case Requester:
			err = l.byID(e.RequesterID)
		case Referent:
			err = l.add(t.Referent)
		case SalesRep:
			err = l.add(t.SalesRep)
		case Assignee:
			err = l.byID(e.AssigneeID)
		case SupportLeads:
			err = l.leads(ro.Leads, ro.leadLang(t))
		}
		if err != nil {
			return nil, err
		}
	}
	return l.out, nil
}

// tenantOf is e's tenant: the caller's, the resolved customer actor's, or read now.
func tenantOf(ctx context.Context, idb bun.IDB, e Event) (*tenancy.Tenant, error) {
	if e.Tenant != nil {
		return e.Tenant, nil
	}
	if e.Actor.Kind == identity.Customer && e.Actor.Resolved() {
		if a, err := tenancy.AccessTo(ctx, idb, e.Actor, e.TenantID); err == nil {
			return a.Tenant, nil
		}
	}
	t, err := tenancy.TenantByID(ctx, idb, e.TenantID)
	if err != nil {
		return nil, fmt.Errorf("audience: tenant %d: %w", e.TenantID, err)
	}
	return t, nil
}

// leadLang is the language of an address without a user: the tenant's referent's, else the default.
func (ro *Roster) leadLang(t *tenancy.Tenant) string {
	if t.Referent != nil {
		return t.Referent.Lang
	}
	return ro.DefaultLang
}

// list gathers the recipients of one event.
type list struct {
	ctx  context.Context
	idb  bun.IDB
	e    Event
	t    *tenancy.Tenant
	seen map[string]bool // lower-cased addresses already addressed
	out  []notify.Recipient
}

func (l *list) add(u *identity.User) error {
	if u == nil || !u.Active || l.seen[strings.ToLower(u.Email)] {
		return nil
	}
	if u.ID == l.e.Actor.UserID && !l.e.Confirm {
		return nil
	}
	if why, err := l.whyNot(u); why != "" || err != nil {
		return err
	}
	l.seen[strings.ToLower(u.Email)] = true
	l.out = append(l.out, l.stamp(notify.RecipientOf(u)))
	return nil
}

func (l *list) byID(id int64) error {
	if id == 0 {
		return nil
	}
	u, err := identity.UserByID(l.ctx, l.idb, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("audience: user %d: %w", id, err)
	}
	return l.add(u)
}

func (l *list) leads(leads []string, lang string) error {
	for _, addr := range leads {
		key := strings.ToLower(addr)
		if l.seen[key] || (strings.EqualFold(addr, l.e.Actor.Email) && !l.e.Confirm) {
			continue
		}
		l.seen[key] = true
		rc := notify.Recipient{Email: addr, Name: addr, Lang: lang}
		u, err := identity.UserByEmail(l.ctx, l.idb, addr)
		switch {
		case err == nil && u.Kind.Staff():
			rc = notify.RecipientOf(u)
		case err == nil:
			// A customer's address listed as a lead is still a customer: only the mail they may
			// read, checked again when it is sent.
			why, err := l.whyNot(u)
			if err != nil {
				return err
			}
			if why != "" {
				continue
			}
			rc.UserID = u.ID
		case !errors.Is(err, apperr.ErrNotFound):
			return fmt.Errorf("audience: support lead %q: %w", addr, err)
		}
		l.out = append(l.out, l.stamp(rc))
	}
	return nil
}

// whyNot asks tenancy whether u may read the event's mail; the actor's own question is answered
// from their access resolved for the request.
func (l *list) whyNot(u *identity.User) (string, error) {
	who := tenancy.ActorOf(u)
	if u.ID == l.e.Actor.UserID && u.ID != 0 {
		who = l.e.Actor
	}
	return whyNot(l.ctx, l.idb, u, who, l.t.ID, l.e.Right)
}

// stamp marks rc with the tenant and right its mail needs, which the worker checks again
// before sending.
func (l *list) stamp(rc notify.Recipient) notify.Recipient {
	rc.TenantID, rc.Right = l.t.ID, string(l.e.Right)
	return rc
}

// Requesters is To(Requester) for many people at once, each about their own tenant (a
// fan-out's hundreds of reporters): the users are read in one query and their rights in two
// (tenancy.RightsOn). A pair whose user is inactive, gone, or a customer without right on the
// tenant gets no recipient; staff always do. Each recipient is stamped with its pair's tenant
// and right, which the worker checks again before sending.
func (ro *Roster) Requesters(ctx context.Context, idb bun.IDB, right tenancy.Right, pairs []tenancy.UserTenant) (map[tenancy.UserTenant]notify.Recipient, error) {
	out := make(map[tenancy.UserTenant]notify.Recipient, len(pairs))
	if len(pairs) == 0 {
		return out, nil
	}
	ids := make([]int64, 0, len(pairs))
	for _, p := range pairs {
		ids = append(ids, p.UserID)
	}
	var us []identity.User
	if err := idb.NewSelect().Model(&us).Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("audience: read %d users: %w", len(ids), err)
	}
	byID := make(map[int64]*identity.User, len(us))
	for i := range us {
		byID[us[i].ID] = &us[i]
	}
	rights, err := tenancy.RightsOn(ctx, idb, pairs)
	if err != nil {
		return nil, err
	}
	for _, p := range pairs {
		u := byID[p.UserID]
		if u == nil || !u.Active {
			continue
		}
		r, tenant := rights[p]
		if !tenant || (!u.Kind.Staff() && !r.Holds(right)) {
			continue
		}
		rc := notify.RecipientOf(u)
		rc.TenantID, rc.Right = p.TenantID, string(right)
		out[p] = rc
	}
	return out, nil
}
