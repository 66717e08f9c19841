package contract

import (
	"time"

	"github.com/guichet/guichet/internal/calendar"
)

// CommitmentMonths is the minimum subscription of a paid level.
const CommitmentMonths = 6

// Period is one entry of a tenant's support-level history: a level in force from a day on.
// A history is a []Period; the period in force on a day is the latest one begun by then.
type Period struct {
	Level         Level
	EffectiveFrom calendar.Date
	// CommittedUntil is the last day of the commitment, inclusive; zero for Basic, which has none.
	CommittedUntil calendar.Date
}

// NewPeriod returns level l in force from the day from, committed for CommitmentMonths when
// it is paid: a commitment from 1 December runs until 31 May.
func NewPeriod(l Level, from calendar.Date) Period {
	p := Period{Level: l, EffectiveFrom: from}
	if l.IsPaid() {
		p.CommittedUntil = addMonthsClamped(from, CommitmentMonths).AddDays(-1)
	}
	return p
}

// Committed reports whether day falls within p's commitment (its last day included).
func (p Period) Committed(day calendar.Date) bool {
	return !p.CommittedUntil.IsZero() && !day.After(p.CommittedUntil)
}

// Current returns the period in force on today: the latest one with EffectiveFrom ≤ today
// (the last in the slice when two begin the same day).
func Current(history []Period, today calendar.Date) (Period, bool) {
	var cur Period
	found := false
	for _, p := range history {
		if p.EffectiveFrom.After(today) {
			continue
		}
		if !found || !p.EffectiveFrom.Before(cur.EffectiveFrom) {
			cur, found = p, true
		}
	}
	return cur, found
}

// Scheduled returns the accepted change that has not taken effect yet: the earliest period
// with EffectiveFrom after today.
func Scheduled(history []Period, today calendar.Date) (Period, bool) {
	var next Period
	found := false
	for _, p := range history {
		if !p.EffectiveFrom.After(today) {
			continue
		}
		if !found || p.EffectiveFrom.Before(next.EffectiveFrom) {
			next, found = p, true
		}
	}
	return next, found
}

// addMonthsClamped moves d by n months, keeping the day of the month but never overflowing
// into the next month: 31 August + 6 months is 29 February (in a leap year), not 2 March.
func addMonthsClamped(d calendar.Date, n int) calendar.Date {
	first := calendar.NewDate(d.Year, d.Month+time.Month(n), 1)
	last := first.FirstOfNextMonth().AddDays(-1)
	return calendar.NewDate(first.Year, first.Month, min(d.Day, last.Day))
}
