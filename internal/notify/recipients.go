package notify

import (
	"context"
	"errors"
	"strings"

	"github.com/guichet/guichet/internal/account"
	"github.com/guichet/guichet/internal/apperr"
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

// Audience says who should hear about something that happened on a tenant.
type Audience struct {
	TenantID    int64
	Actor       account.Actor // who acted: not told of their own action…
	Confirm     bool          // …unless the message confirms it to them
	RequesterID int64
	AssigneeID  int64
	Roles       []Role
}

// Recipients turns roles into people, in their languages, once each. A customer user who is not
// a member of the tenant is never addressed, whatever the role claims; staff may be.
func (n *Notifier) Recipients(ctx context.Context, idb bun.IDB, leads []string, defaultLang string, a Audience) ([]Recipient, error) {
	t, err := account.TenantByID(ctx, idb, a.TenantID)
	if err != nil {
		return nil, err
	}
	var out []Recipient
	seen := map[string]bool{}
	add := func(u *account.User) error {
		if u == nil || !u.Active || seen[strings.ToLower(u.Email)] {
			return nil
		}
		if u.ID == a.Actor.UserID && !a.Confirm {
			return nil
		}
		if u.Kind == account.Customer {
			if _, err := account.AccessTo(ctx, idb, account.ActorOf(u), t.ID); err != nil {
				if errors.Is(err, apperr.ErrNotFound) {
					return nil
				}
				return err
			}
		}
		seen[strings.ToLower(u.Email)] = true
		out = append(out, RecipientOf(u))
		return nil
	}
	byID := func(id int64) error {
		if id == 0 {
			return nil
		}
		u, err := account.UserByID(ctx, idb, id)
		if errors.Is(err, apperr.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
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

// leadLang is the language of an address without a user: the tenant's referent's, else the default.
func leadLang(t *account.Tenant, def string) string {
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
		u, err := account.UserByEmail(ctx, idb, addr)
		switch {
		case err == nil && u.Kind.Staff():
			rc = RecipientOf(u)
		case err == nil:
			// A customer's address listed as a lead is still a customer: only their tenants' mail.
			if _, err := account.AccessTo(ctx, idb, account.ActorOf(u), a.TenantID); err != nil {
				if errors.Is(err, apperr.ErrNotFound) {
					continue
				}
				return err
			}
		case !errors.Is(err, apperr.ErrNotFound):
			return err
		}
		*out = append(*out, rc)
	}
	return nil
}
