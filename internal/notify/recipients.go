package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
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

// Right is the membership right a customer needs to read mail about a kind of ticket.
type Right string

// The rights of the ticket kinds: incidents, change requests, contract requests.
const (
	RightIncidents Right = "incidents"
	RightChanges   Right = "changes"
	RightContract  Right = "contract"
)

// heldIn reports whether rights grant r.
func (r Right) heldIn(rights tenancy.Rights) bool {
	switch r {
	case RightIncidents:
		return rights.Incidents
	case RightChanges:
		return rights.Changes
	case RightContract:
		return rights.Contract
	}
	return false
}

// Reasons a customer may not read a message; they are message keys, stored in the outbox row
// of a dropped message so that the admin reads why in their language.
const (
	ReasonInactive = "outbox.dropped.inactive"
	ReasonNoAccess = "outbox.dropped.no_access"
	ReasonNoRight  = "outbox.dropped.no_right"
)

// Audience says who should hear about something that happened on a tenant, and the right a
// customer must hold on the tenant to read it (the right of the ticket's kind).
type Audience struct {
	TenantID    int64
	Right       Right
	Actor       identity.Actor // who acted: not told of their own action…
	Confirm     bool           // …unless the message confirms it to them
	RequesterID int64
	AssigneeID  int64
	Roles       []Role
}

// whyNot says why u may not read mail about tenantID that needs right: "" when they may, else
// one of the Reason keys. Staff may always; a customer must be active, reach the tenant and
// hold the right.
func whyNot(ctx context.Context, idb bun.IDB, u *identity.User, tenantID int64, right Right) (string, error) {
	if u.Kind.Staff() {
		return "", nil
	}
	if !u.Active {
		return ReasonInactive, nil
	}
	a, err := tenancy.AccessTo(ctx, idb, tenancy.ActorOf(u), tenantID)
	if errors.Is(err, apperr.ErrNotFound) {
		return ReasonNoAccess, nil
	}
	if err != nil {
		return "", fmt.Errorf("notify: access of user %d to tenant %d: %w", u.ID, tenantID, err)
	}
	if !right.heldIn(a.Rights) {
		return ReasonNoRight, nil
	}
	return "", nil
}

// Recipients turns roles into people, in their languages, once each. A customer user who is not
// a member of the tenant, or who does not hold the audience's right on it, is never addressed,
// whatever the role claims; staff may be.
func (n *Notifier) Recipients(ctx context.Context, idb bun.IDB, leads []string, defaultLang string, a Audience) ([]Recipient, error) {
	if a.Right == "" {
		return nil, errors.New("notify: an audience needs the right of its ticket's kind")
	}
	t, err := tenancy.TenantByID(ctx, idb, a.TenantID)
	if err != nil {
		return nil, fmt.Errorf("notify: tenant %d of an audience: %w", a.TenantID, err)
	}
	var out []Recipient
	seen := map[string]bool{}
	add := func(u *identity.User) error {
		if u == nil || !u.Active || seen[strings.ToLower(u.Email)] {
			return nil
		}
		if u.ID == a.Actor.UserID && !a.Confirm {
			return nil
		}
		if why, err := whyNot(ctx, idb, u, t.ID, a.Right); why != "" || err != nil {
			return err
		}
		seen[strings.ToLower(u.Email)] = true
		out = append(out, a.stamp(RecipientOf(u)))
		return nil
	}
	byID := func(id int64) error {
		if id == 0 {
			return nil
		}
		u, err := identity.UserByID(ctx, idb, id)
		if errors.Is(err, apperr.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("notify: user %d of an audience: %w", id, err)
		}
		return add(u)
	}
	for _, role := range a.Roles {
		switch role {
		case Requester:
			err = byID(a.RequesterID)
		case Referent:
			err = add(t.Referent)
		case SalesRep:
			err = add(t.SalesRep)
		case Assignee:
			err = byID(a.AssigneeID)
		case SupportLeads:
			err = n.addLeads(ctx, idb, leads, leadLang(t, defaultLang), seen, a, &out)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// stamp marks rc with the tenant and right its mail needs, which the worker checks again
// before sending.
func (a Audience) stamp(rc Recipient) Recipient {
	rc.TenantID, rc.Right = a.TenantID, a.Right
	return rc
}

// leadLang is the language of an address without a user: the tenant's referent's, else the default.
func leadLang(t *tenancy.Tenant, def string) string {
	if t.Referent != nil {
		return t.Referent.Lang
	}
	return def
}

func (n *Notifier) addLeads(ctx context.Context, idb bun.IDB, leads []string, lang string, seen map[string]bool, a Audience, out *[]Recipient) error {
	for _, addr := range leads {
		key := strings.ToLower(addr)
		if seen[key] || (strings.EqualFold(addr, a.Actor.Email) && !a.Confirm) {
			continue
		}
		seen[key] = true
		rc := Recipient{Email: addr, Name: addr, Lang: lang}
		u, err := identity.UserByEmail(ctx, idb, addr)
		switch {
		case err == nil && u.Kind.Staff():
			rc = RecipientOf(u)
		case err == nil:
			// A customer's address listed as a lead is still a customer: only the mail they may
			// read, checked again when it is sent.
			why, err := whyNot(ctx, idb, u, a.TenantID, a.Right)
			if err != nil {
				return err
			}
			if why != "" {
				continue
			}
			rc.UserID = u.ID
		case !errors.Is(err, apperr.ErrNotFound):
			return fmt.Errorf("notify: support lead %q: %w", addr, err)
		}
		*out = append(*out, a.stamp(rc))
	}
	return nil
}
