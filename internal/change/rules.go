package change

import (
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
)

// Action is a step of a change request's life.
type Action string

// The steps after submission.
const (
	Approve   Action = "approve"
	Reject    Action = "reject"
	Schedule  Action = "schedule"
	Implement Action = "implement"
	Close     Action = "close"
	Cancel    Action = "cancel"
)

// Role is the part the actor plays on one request.
type Role string

// The roles a step may be taken in.
const (
	RoleRequester Role = "requester" // the customer who made the request
	RoleMember    Role = "member"    // another customer of the tenant, with the changes right
	RoleSalesRep  Role = "sales_rep" // the tenant's sales rep
	RoleAgent     Role = "agent"
	RoleAdmin     Role = "admin"
)

// step is what a transition needs: the states it starts from, the roles that may take it and
// the state it leads to.
type step struct {
	from []State
	by   []Role
	to   State
}

var steps = map[Action]step{
	Approve:   {[]State{Submitted}, []Role{RoleSalesRep, RoleAdmin}, Approved},
	Reject:    {[]State{Submitted}, []Role{RoleSalesRep, RoleAdmin}, Rejected},
	Schedule:  {[]State{Approved, Scheduled}, []Role{RoleAgent, RoleAdmin}, Scheduled},
	Implement: {[]State{Scheduled}, []Role{RoleAgent, RoleAdmin}, Implemented},
	Close:     {[]State{Implemented}, []Role{RoleAgent, RoleAdmin}, Closed},
	Cancel:    {[]State{Submitted, Approved, Scheduled}, []Role{RoleRequester}, Cancelled},
}

// Next returns the state a request in from reaches when by takes action a. A role that may
// never take the step gets apperr.ErrForbidden; a step the state does not allow gets a
// localized message saying so.
func Next(from State, a Action, by Role) (State, error) {
	s, ok := steps[a]
	if !ok || !hasRole(s.by, by) {
		return "", apperr.ErrForbidden
	}
	if !hasState(s.from, from) {
		return "", refusal(a)
	}
	return s.to, nil
}

// Allowed reports whether by may take action a on a request in state from now.
func Allowed(from State, a Action, by Role) bool {
	_, err := Next(from, a, by)
	return err == nil
}

// refusal is the message for a step the request's state does not allow; each key is written
// out so that the locale test finds it.
func refusal(a Action) *i18n.Error {
	switch a {
	case Approve:
		return i18n.NewError("change.error.cannot_approve")
	case Reject:
		return i18n.NewError("change.error.cannot_reject")
	case Schedule:
		return i18n.NewError("change.error.cannot_schedule")
	case Implement:
		return i18n.NewError("change.error.cannot_implement")
	case Close:
		return i18n.NewError("change.error.cannot_close")
	}
	return i18n.NewError("change.error.cannot_cancel")
}

func hasRole(rs []Role, r Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func hasState(ss []State, s State) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
