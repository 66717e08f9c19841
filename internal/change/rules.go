package change

import (
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
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
	// The quote step of a service on quote: the sales rep quotes, the customer accepts (the
	// request is approved) or declines (it is rejected).
	Quote   Action = "quote"
	Accept  Action = "accept"
	Decline Action = "decline"
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
	Cancel:    {[]State{Submitted, Quoted, Approved, Scheduled}, []Role{RoleRequester}, Cancelled},
	Quote:     {[]State{Submitted, Quoted}, []Role{RoleSalesRep, RoleAdmin}, Quoted},
	Accept:    {[]State{Quoted}, []Role{RoleRequester, RoleMember}, Approved},
	Decline:   {[]State{Quoted}, []Role{RoleRequester, RoleMember}, Rejected},
}

// ItemAllows says whether the step suits the item: a service on quote is quoted and accepted,
// never approved outright; the quote step is for such services only. A localized refusal, or nil.
func ItemAllows(it *Item, a Action) error {
	quoteStep := a == Quote || a == Accept || a == Decline
	switch {
	case it.Quoted() && a == Approve:
		return i18n.NewError("change.error.needs_quote")
	case !it.Quoted() && quoteStep:
		return i18n.NewError("change.error.no_quote")
	}
	return nil
}

// QuoteOpen reports whether a quote valid until validUntil may still be accepted on today (both
// days in Paris): up to and including its last day.
func QuoteOpen(validUntil, today calendar.Date) bool {
	return !validUntil.IsZero() && !today.After(validUntil)
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
	case Quote:
		return i18n.NewError("change.error.cannot_quote")
	case Accept:
		return i18n.NewError("change.error.cannot_accept")
	case Decline:
		return i18n.NewError("change.error.cannot_decline")
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
