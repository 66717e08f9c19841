// Package events names what happens to tickets for the world outside the desk (webhooks), and
// the hook through which the capabilities tell it, in the transaction of the change. It imports
// no capability, so that each of them may hold a Sink without an import cycle.
package events

import (
	"context"

	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// The event types.
const (
	IncidentDeclared = "incident.declared"
	IncidentUpdated  = "incident.updated"
	IncidentResolved = "incident.resolved"

	ChangeSubmitted   = "change.submitted"
	ChangeApproved    = "change.approved"
	ChangeRejected    = "change.rejected"
	ChangeScheduled   = "change.scheduled"
	ChangeImplemented = "change.implemented"
	ChangeClosed      = "change.closed"
	ChangeCancelled   = "change.cancelled"
	ChangeUpdated     = "change.updated" // a public reply

	ContractRequestFiled    = "contract.request.filed"
	ContractRequestAccepted = "contract.request.accepted"
	ContractRequestRejected = "contract.request.rejected"
	ContractRequestUpdated  = "contract.request.updated" // a public reply
	ContractRequestApplied  = "contract.request.applied" // a level in force, a cancellation carried out

	MajorOpened   = "major_incident.opened"
	MajorUpdated  = "major_incident.updated" // a public update
	MajorResolved = "major_incident.resolved"
)

// Types lists every event type.
var Types = []string{IncidentDeclared, IncidentUpdated, IncidentResolved,
	ChangeSubmitted, ChangeApproved, ChangeRejected, ChangeScheduled, ChangeImplemented, ChangeClosed, ChangeCancelled, ChangeUpdated,
	ContractRequestFiled, ContractRequestAccepted, ContractRequestRejected, ContractRequestUpdated, ContractRequestApplied,
	MajorOpened, MajorUpdated, MajorResolved}

// Event is something that happened to a ticket of a tenant.
type Event struct {
	Type     string
	TenantID int64
	// Subject is the ticket as it stands after the change: an *incident.Incident, a
	// *change.Request or a *contract.Request.
	Subject any
	// Entry is the timeline entry the change wrote, if any: a public reply, or an event with
	// the reason given. An internal note (timeline.Note) reaches no tenant's endpoint; admins'
	// endpoints of every tenant hear of it without its text.
	Entry *timeline.Entry
	// Actor is who acted (the author of Entry).
	Actor tenancy.Actor
}

// Sink receives events in the transaction of the change that causes them: what it writes
// commits or rolls back with the change.
type Sink interface {
	Emit(ctx context.Context, tx bun.IDB, e Event) error
}

// Emit gives e to sink, when there is one (a service built without one emits nothing).
func Emit(ctx context.Context, tx bun.IDB, sink Sink, e Event) error {
	if sink == nil {
		return nil
	}
	return sink.Emit(ctx, tx, e)
}

// BatchSink is a Sink that takes many events at once (a fan-out's, one per linked incident).
type BatchSink interface {
	EmitAll(ctx context.Context, tx bun.IDB, es []Event) error
}

// EmitAll gives es to sink, at once when it can take them so.
func EmitAll(ctx context.Context, tx bun.IDB, sink Sink, es []Event) error {
	if sink == nil || len(es) == 0 {
		return nil
	}
	if b, ok := sink.(BatchSink); ok {
		return b.EmitAll(ctx, tx, es)
	}
	for _, e := range es {
		if err := sink.Emit(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// MajorEvent is what happened to a major incident, for the endpoints of the tenants it concerns
// (and the endpoints of every tenant): it is public text, in both languages.
type MajorEvent struct {
	Type string
	// Tenants are the tenants the major incident concerns, unless AllTenants.
	Tenants    []int64
	AllTenants bool
	// Subject is the major incident after the change (a *major.Major); Update the public
	// update posted, if any (a *major.Update).
	Subject any
	Update  any
	Actor   tenancy.Actor
}

// MajorSink receives major incidents' events in the transaction of the change.
type MajorSink interface {
	EmitMajor(ctx context.Context, tx bun.IDB, e MajorEvent) error
}

// EmitMajor gives e to sink, when there is one.
func EmitMajor(ctx context.Context, tx bun.IDB, sink MajorSink, e MajorEvent) error {
	if sink == nil {
		return nil
	}
	return sink.EmitMajor(ctx, tx, e)
}
