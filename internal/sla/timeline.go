package sla

import (
	"errors"
	"fmt"
	"time"
)

// EventKind says what happened to an incident.
type EventKind int

// The events the SLA reads from an incident's timeline; it ignores every other kind.
const (
	Created         EventKind = iota + 1 // opened, at Event.Priority
	PriorityChanged                      // Event.Priority is the new priority
	StatusChanged                        // Event.Status is the new status
	StaffReplied                         // a staff member posted a public reply
)

// Event is one thing that happened to an incident, at an instant.
type Event struct {
	At       time.Time
	Kind     EventKind
	Priority Priority // for Created and PriorityChanged
	Status   Status   // for StatusChanged
}

// Timeline is an incident's events in the order they happened, Created first.
type Timeline []Event

// check rejects a timeline the replay could only misread.
func (tl Timeline) check() error {
	if len(tl) == 0 || tl[0].Kind != Created {
		return errors.New("sla: a timeline starts with its Created event")
	}
	for i, e := range tl {
		if err := e.check(i); err != nil {
			return err
		}
		if i > 0 && e.At.Before(tl[i-1].At) {
			return fmt.Errorf("sla: event %d is earlier than the event before it", i)
		}
	}
	return nil
}

func (e Event) check(i int) error {
	switch {
	case e.Kind == Created && i > 0:
		return fmt.Errorf("sla: event %d: an incident is created once", i)
	case (e.Kind == Created || e.Kind == PriorityChanged) && !e.Priority.valid():
		return fmt.Errorf("sla: event %d: unknown priority %q", i, e.Priority)
	case e.Kind == StatusChanged && e.Status.mode() == unknown:
		return fmt.Errorf("sla: event %d: unknown status %q", i, e.Status)
	case e.Kind < Created || e.Kind > StaffReplied:
		return fmt.Errorf("sla: event %d: unknown kind %d", i, e.Kind)
	}
	return nil
}
