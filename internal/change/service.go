package change

import (
	"context"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Service holds the change requests' use cases; each authorizes its actor and writes the request,
// its timeline events and its mail in one transaction.
type Service struct {
	DB        *bun.DB
	Catalogue *Catalogue
	// Services is the service catalogue of the Services tab; nil offers no service.
	Services *Catalogue
	Notifier *notify.Notifier
	// Audience says who is told of each step.
	Audience *audience.Roster
	// Events hears of each change in its transaction (webhooks); nil tells nobody.
	Events events.Sink
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
	EventQuoted      = "change.event.quoted"
	EventQuoteUntil  = "change.event.quote_valid_until"
	EventEffect      = "change.event.effect"
)

// EventKeys lists the event keys, for the locale test.
var EventKeys = []string{EventSubmitted, EventState, EventPreApproved, EventScheduledOn, EventApplied, EventQuoted, EventQuoteUntil, EventEffect}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// customerAccess is what a customer may do on tenant: a member without the changes right is
// refused (403), a tenant that is not theirs is not found (404).
func customerAccess(ctx context.Context, idb bun.IDB, actor tenancy.Actor, tenantID int64) (*tenancy.Access, error) {
	return customerAccessFor(ctx, idb, actor, tenantID, tenancy.RightChanges)
}

// customerAccessFor is customerAccess for the right of a catalogue: changes or services.
func customerAccessFor(ctx context.Context, idb bun.IDB, actor tenancy.Actor, tenantID int64, right tenancy.Right) (*tenancy.Access, error) {
	if actor.Kind != identity.Customer {
		return nil, apperr.ErrNotFound // staff order nothing: they work what customers order
	}
	return tenancy.May(ctx, idb, actor, tenantID, right)
}

// roleOn says what part actor plays on r, or answers apperr.ErrNotFound when the actor may not
// see r: another tenant's customer, or a sales rep who is not the tenant's.
func roleOn(ctx context.Context, idb bun.IDB, actor tenancy.Actor, r *Request) (Role, error) {
	switch actor.Kind {
	case identity.Customer:
		if _, err := customerAccessFor(ctx, idb, actor, r.TenantID, r.Right()); err != nil {
			return "", err
		}
		if r.RequesterID == actor.UserID {
			return RoleRequester, nil
		}
		return RoleMember, nil
	case identity.Agent:
		return RoleAgent, nil
	case identity.Admin:
		return RoleAdmin, nil
	case identity.Sales:
		if _, err := tenancy.May(ctx, idb, actor, r.TenantID, r.Right()); err != nil {
			return "", err
		}
		return RoleSalesRep, nil
	}
	return "", apperr.ErrNotFound
}

// Get returns a request the actor may read, the part they play on it and its timeline (internal
// notes for staff only).
func (s *Service) Get(ctx context.Context, actor tenancy.Actor, id int64) (*Request, Role, []timeline.Entry, error) {
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
func (s *Service) CanRead(ctx context.Context, actor tenancy.Actor, id int64) error {
	r, err := ByID(ctx, s.DB, id)
	if err != nil {
		return err
	}
	_, err = roleOn(ctx, s.DB, actor, r)
	return err
}

// today is the Paris day of now.
func today(now time.Time) calendar.Date { return calendar.ParisDate(now) }
