package sla

import (
	"fmt"
	"time"
)

// Evaluation is the SLA state of an incident at an instant.
type Evaluation struct {
	Now           time.Time
	Level         Level
	Priority      Priority // the current priority: every target is measured against it
	Calendar      Calendar // what the targets count; nil when no target applies
	FirstResponse Measure
	Resolution    Measure
	// Answered is the first answer (a public staff reply or a resolution); zero while unanswered.
	Answered time.Time
	// Stopped is when the clock stopped for good (resolution, closure, cancellation); zero while
	// it may still tick.
	Stopped time.Time
}

// Evaluate computes the SLA of an incident of a tenant at level from its timeline, as it stands
// at now. It reads no clock and stores nothing: the timeline is the only truth, so the state can
// never drift from it. Events after now are ignored; a now before creation reads as creation.
//
// The rules:
//   - The clock ticks while the incident is new or in_progress, pauses while pending_customer,
//     stops at resolved, closed or cancelled, and ticks again when a reopen sets in_progress.
//     Counted time adds up over every ticking stretch: a reopen continues, it does not restart.
//   - The first public reply by staff meets the first response; so does a resolution, which
//     answers the customer too. Once answered, the first response never changes.
//   - A priority change re-measures the whole incident, from its creation, against the target
//     and calendar of the new priority (ITIL practice). The incident is judged as if it had been
//     classified right from the start: downgrading cannot hide a breach behind a longer target
//     counted from the change, and upgrading a misjudged P3 to P1 shows at once how late it is.
//     Resetting the clock on a change would instead reward late reclassification.
//   - Cancelled: a target not yet breached no longer applies (None); a breach stays a breach.
//   - Level is the caller's choice; pass the level in force when the incident was created, the
//     contract the customer opened it under.
func (p *Policy) Evaluate(level Level, tl Timeline, now time.Time) (Evaluation, error) {
	if !level.valid() {
		return Evaluation{}, fmt.Errorf("sla: unknown support level %q", level)
	}
	if len(tl) > 0 && now.Before(tl[0].At) {
		now = tl[0].At // clocks of two machines may disagree by a little
	}
	h, err := replay(tl, now)
	if err != nil {
		return Evaluation{}, err
	}
	ev := Evaluation{Now: now, Level: level, Priority: h.priority, Answered: h.answered, Stopped: h.stoppedAt}
	ev.FirstResponse.State, ev.Resolution.State = None, None
	target, ok := p.Target(level, h.priority)
	if !ok {
		return ev, nil
	}
	ev.Calendar = p.Calendar(level, h.priority)
	ev.FirstResponse = measure(ev.Calendar, target.FirstResponse, h.firstResponse(now))
	ev.Resolution = measure(ev.Calendar, target.Resolution, h.resolution(now))
	return ev, nil
}

// NextChange returns the first instant after Now at which a state changes with no new event:
// a running target turns at risk, or an at-risk one breaches. ok is false when only a new event
// can change anything. A job that notifies breaches sleeps until then, evaluates again, and
// records what it sent so that each breach is notified once, even if a downgrade undoes it.
func (e Evaluation) NextChange() (at time.Time, ok bool) {
	for _, m := range []Measure{e.FirstResponse, e.Resolution} {
		if next, has := m.nextChange(); has && (!ok || next.Before(at)) {
			at, ok = next, true
		}
	}
	return at, ok
}

func (m Measure) nextChange() (time.Time, bool) {
	switch m.State {
	case Running:
		return m.AtRiskAt, true
	case AtRisk:
		return m.Due, true
	}
	return time.Time{}, false
}
