package sla

// Status is an incident's state, with the values the incident package stores.
type Status string

// The incident states.
const (
	StatusNew             Status = "new"
	StatusInProgress      Status = "in_progress"
	StatusPendingCustomer Status = "pending_customer"
	StatusResolved        Status = "resolved"
	StatusClosed          Status = "closed"
	StatusCancelled       Status = "cancelled"
)

// mode is what a state does to the SLA clock.
type mode int

const (
	ticking mode = iota // the desk owes work: time counts
	paused              // waiting on the customer: time does not count, the target still applies
	done                // resolved or closed: the target was met or breached for good
	dropped             // cancelled: the target no longer applies
	unknown
)

func (s Status) mode() mode {
	switch s {
	case StatusNew, StatusInProgress:
		return ticking
	case StatusPendingCustomer:
		return paused
	case StatusResolved, StatusClosed:
		return done
	case StatusCancelled:
		return dropped
	}
	return unknown
}

// stopped reports whether the clock has stopped for good (until a reopen).
func (m mode) stopped() bool { return m == done || m == dropped }
