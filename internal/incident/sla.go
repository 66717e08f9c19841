package incident

import (
	"strings"
	"time"

	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/timeline"
)

// Event keys of an incident's timeline.
const (
	EventCreated  = "timeline.incident.created"  // To: the priority
	EventStatus   = "timeline.incident.status"   // From, To: status keys; Body: a resolution note
	EventPriority = "timeline.incident.priority" // From, To: priorities; Body: the reason
	EventAssigned = "timeline.incident.assigned" // From, To: names
)

// SLATimeline reads the events the SLA counts from an incident's timeline: creation, priority
// and status changes, and staff's public replies.
func SLATimeline(inc *Incident, es []timeline.Entry) sla.Timeline {
	var tl sla.Timeline
	for _, e := range es {
		switch {
		case e.Kind == timeline.Event && e.Event == EventCreated:
			tl = append(tl, sla.Event{At: e.CreatedAt, Kind: sla.Created, Priority: sla.Priority(e.To)})
		case len(tl) == 0:
			continue
		case e.Kind == timeline.Event && e.Event == EventPriority:
			tl = append(tl, sla.Event{At: e.CreatedAt, Kind: sla.PriorityChanged, Priority: sla.Priority(e.To)})
		case e.Kind == timeline.Event && e.Event == EventStatus:
			tl = append(tl, sla.Event{At: e.CreatedAt, Kind: sla.StatusChanged, Status: sla.Status(strings.TrimPrefix(e.To, "incident.status."))})
		case e.Kind == timeline.Reply && e.ByStaff() && e.ActorID != nil:
			tl = append(tl, sla.Event{At: e.CreatedAt, Kind: sla.StaffReplied})
		}
	}
	if len(tl) == 0 { // an incident always has its creation; this keeps a damaged row readable
		tl = sla.Timeline{{At: inc.CreatedAt, Kind: sla.Created, Priority: inc.Priority}}
	}
	return tl
}

// Derive sets the incident's SLA sort keys from an evaluation: the nearest due time of a target
// the desk still owes (NoDue when none runs), its risk time, and when the breach job must look.
func (i *Incident) Derive(ev sla.Evaluation) {
	i.SLADueAt, i.SLARiskAt, i.SLAAlertAt = NoDue, NoDue, nil
	measures := []struct {
		m        sla.Measure
		notified bool
	}{{ev.FirstResponse, i.FRBreachNotified}, {ev.Resolution, i.ResBreachNotified}}
	for _, x := range measures {
		owed := x.m.State == sla.Running || x.m.State == sla.AtRisk || x.m.State == sla.Breached
		if i.IsOpen() && owed && x.m.Due.Before(i.SLADueAt) {
			i.SLADueAt, i.SLARiskAt = x.m.Due.UTC(), x.m.AtRiskAt.UTC()
		}
		var alert time.Time
		switch {
		case x.m.State == sla.Breached && !x.notified:
			alert = x.m.Due
		case i.IsOpen() && (x.m.State == sla.Running || x.m.State == sla.AtRisk):
			alert = x.m.Due
		default:
			continue
		}
		if alert = alert.UTC(); i.SLAAlertAt == nil || alert.Before(*i.SLAAlertAt) {
			i.SLAAlertAt = &alert
		}
	}
}

// SLAState is how the queue shows an incident's SLA at now, from its sort keys.
func (i *Incident) SLAState(now time.Time) sla.State {
	switch {
	case !i.HasDue():
		return sla.None
	case !now.Before(i.SLADueAt):
		return sla.Breached
	case !now.Before(i.SLARiskAt):
		return sla.AtRisk
	}
	return sla.Running
}
