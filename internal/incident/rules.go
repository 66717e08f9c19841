package incident

import (
	"slices"
	"time"

	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/tenancy"
)

// PriorityFor is the ITIL matrix: high+high is P1; high+medium and medium+high are P2;
// high+low, medium+medium and low+high are P3; the rest P4.
func PriorityFor(impact, urgency Level) Priority {
	rank := map[Level]int{High: 0, Medium: 1, Low: 2}
	switch rank[impact] + rank[urgency] {
	case 0:
		return sla.P1
	case 1:
		return sla.P2
	case 2:
		return sla.P3
	}
	return sla.P4
}

// Action is something someone does to an incident.
type Action string

// The actions. Customers cancel, reopen, confirm and reply; staff take, assign, reprioritize,
// wait on the customer, resume, resolve, reply and write notes; the system closes.
const (
	Cancel        Action = "cancel"
	Reopen        Action = "reopen"
	Confirm       Action = "confirm"
	CustomerReply Action = "customer_reply"
	Take          Action = "take"
	Assign        Action = "assign"
	Reprioritize  Action = "priority"
	Wait          Action = "pending"
	Resume        Action = "resume"
	Resolve       Action = "resolve"
	StaffReply    Action = "staff_reply"
	AutoClose     Action = "auto_close"
)

// CustomerActions and StaffActions are the buttons each side may be offered.
var (
	CustomerActions = []Action{Cancel, Reopen, Confirm}
	StaffActions    = []Action{Take, Assign, Reprioritize, Wait, Resume, Resolve}
)

// Actor is who acts, as far as the rules care.
type Actor struct {
	Staff    bool
	Reporter bool // the customer who declared the incident
	Assignee bool // the agent the incident is assigned to
}

// Who is actor as the rules see them on inc.
func Who(actor tenancy.Actor, inc *Incident) Actor {
	return Actor{Staff: actor.Staff(), Reporter: actor.UserID == inc.ReporterID,
		Assignee: inc.AssigneeID != nil && *inc.AssigneeID == actor.UserID}
}

// Check says whether who may do a to inc at now; the error is a localized reason. It is the one
// place the state machine lives: new → in_progress ⇄ pending_customer → resolved → closed, new →
// cancelled by the reporter, resolved → in_progress by a reopen within 7 days.
func Check(a Action, inc *Incident, who Actor, now time.Time) *i18n.Error {
	staffOnly := a == Take || a == Assign || a == Reprioritize || a == Wait || a == Resume || a == Resolve || a == StaffReply
	customerOnly := a == Cancel || a == Reopen || a == Confirm || a == CustomerReply
	if (staffOnly && !who.Staff) || (customerOnly && who.Staff) {
		return i18n.NewError("incident.error.not_yours")
	}
	in := func(ss ...Status) bool { return slices.Contains(ss, inc.Status) }
	switch a {
	case Cancel:
		if !who.Reporter {
			return i18n.NewError("incident.error.cancel_reporter")
		}
		if !in(New) {
			return i18n.NewError("incident.error.cancel_state")
		}
	case Reopen:
		if !in(Resolved) {
			return i18n.NewError("incident.error.reopen_state")
		}
		if now.After(inc.ReopenUntil()) {
			return i18n.NewError("incident.error.reopen_expired", "Until", inc.ReopenUntil())
		}
	case Confirm:
		if !in(Resolved) {
			return i18n.NewError("incident.error.confirm_state")
		}
	case CustomerReply, StaffReply:
		if in(Closed, Cancelled) {
			return i18n.FieldError("body", "incident.error.reply_closed")
		}
	case Take, Assign, Reprioritize:
		if !in(Open...) {
			return i18n.NewError("incident.error.not_open")
		}
		if a == Take && who.Assignee {
			return i18n.NewError("incident.error.take_yours")
		}
	case Wait:
		if !in(InProgress) {
			return i18n.NewError("incident.error.pending_state")
		}
	case Resume:
		if !in(PendingCustomer) {
			return i18n.NewError("incident.error.resume_state")
		}
	case Resolve:
		if !in(InProgress, PendingCustomer) {
			return i18n.NewError("incident.error.resolve_state")
		}
	case AutoClose:
		if !in(Resolved) || now.Before(inc.ReopenUntil()) {
			return i18n.NewError("incident.error.confirm_state")
		}
	default:
		return i18n.NewError("incident.error.not_yours")
	}
	return nil
}

// Next is the state an allowed action leads to.
func Next(a Action, inc *Incident) Status {
	switch a {
	case Cancel:
		return Cancelled
	case Reopen, Resume:
		return InProgress
	case Confirm, AutoClose:
		return Closed
	case Wait:
		return PendingCustomer
	case Resolve:
		return Resolved
	case Take, Assign:
		if inc.Status == New {
			return InProgress
		}
	case CustomerReply:
		if inc.Status == PendingCustomer {
			return InProgress // the customer answered: the clock runs again
		}
	}
	return inc.Status
}

// Allowed lists the actions of actions who may do now, for the buttons of a page.
func Allowed(actions []Action, inc *Incident, who Actor, now time.Time) map[Action]bool {
	ok := map[Action]bool{}
	for _, a := range actions {
		if Check(a, inc, who, now) == nil {
			ok[a] = true
		}
	}
	return ok
}
