package change

import (
	"context"
	"time"

	"github.com/guichet/guichet/internal/account"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Service holds the change requests' use cases; each authorizes its actor and writes the request,
// its timeline events and its mail in one transaction.
type Service struct {
	DB        *bun.DB
	Catalogue *Catalogue
	Notifier  *notify.Notifier
	// Leads and DefaultLang are the notification settings (config.SupportLeads, DefaultLang).
	Leads       []string
	DefaultLang string
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// The timeline events of a change request; each is a message key.
const (
	EventSubmitted   = "change.event.submitted"
	EventState       = "change.event.state"
	EventPreApproved = "change.event.pre_approved"
	EventScheduledOn = "change.event.scheduled_on"
	EventApplied     = "change.event.applied"
)

// EventKeys lists the event keys, for the locale test.
var EventKeys = []string{EventSubmitted, EventState, EventPreApproved, EventScheduledOn, EventApplied}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// customerAccess is what a customer may do on tenant: a member without the changes right is
// refused (403), a tenant that is not theirs is not found (404).
func customerAccess(ctx context.Context, idb bun.IDB, actor account.Actor, tenantID int64) (*account.Access, error) {
	a, err := account.AccessTo(ctx, idb, actor, tenantID)
	if err != nil {
		return nil, err
	}
	if !a.Rights.Changes {
		return nil, apperr.ErrForbidden
	}
	return a, nil
}

// roleOn says what part actor plays on r, or answers apperr.ErrNotFound when the actor may not
// see r: another tenant's customer, or a sales rep who is not the tenant's.
func roleOn(ctx context.Context, idb bun.IDB, actor account.Actor, r *Request) (Role, error) {
	switch actor.Kind {
	case account.Customer:
		if _, err := customerAccess(ctx, idb, actor, r.TenantID); err != nil {
			return "", err
		}
		if r.RequesterID == actor.UserID {
			return RoleRequester, nil
		}
		return RoleMember, nil
	case account.Agent:
		return RoleAgent, nil
	case account.Admin:
		return RoleAdmin, nil
	case account.Sales:
		t, err := account.TenantByID(ctx, idb, r.TenantID)
		if err != nil {
			return "", err
		}
		if t.SalesRepID != nil && *t.SalesRepID == actor.UserID {
			return RoleSalesRep, nil
		}
	}
	return "", apperr.ErrNotFound
}

// Get returns a request the actor may read, the part they play on it and its timeline (internal
// notes for staff only).
func (s *Service) Get(ctx context.Context, actor account.Actor, id int64) (*Request, Role, []timeline.Entry, error) {
	r, err := ByID(ctx, s.DB, id)
	if err != nil {
		return nil, "", nil, err
	}
	role, err := roleOn(ctx, s.DB, actor, r)
	if err != nil {
		return nil, "", nil, err
	}
	es, err := timeline.List(ctx, s.DB, r.Subject(), actor.Staff())
	if err != nil {
		return nil, "", nil, err
	}
	return r, role, es, nil
}

// CanRead returns nil when actor may read request id (for attachment downloads).
func (s *Service) CanRead(ctx context.Context, actor account.Actor, id int64) error {
	r, err := ByID(ctx, s.DB, id)
	if err != nil {
		return err
	}
	_, err = roleOn(ctx, s.DB, actor, r)
	return err
}

// today is the Paris day of now.
func today(now time.Time) calendar.Date { return calendar.ParisDate(now) }
