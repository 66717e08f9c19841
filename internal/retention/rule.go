// Package retention purges the attachments of tickets closed long ago (GUICHET_RETENTION_ATTACHMENTS
// months): a job empties each due file, marks it purged (attachments.purged_at) and says so on
// its ticket's timeline and in the audit log, in one transaction per ticket.
//
// The rule counts in the calendar of Europe/Paris, as every business date of the desk: a ticket
// closed on day D has its files purged from D plus N calendar months, the day clamped to the
// month's last (closed on 31 August, N = 6: purged from 28 or 29 February). A file attached
// after the closure (a reply on a closed change request) is kept N months after its own day.
package retention

import (
	"time"

	"github.com/guichet/guichet/internal/calendar"
)

// addMonths moves d by n months, keeping its day or, when the month is shorter, its last day.
func addMonths(d calendar.Date, n int) calendar.Date {
	first := calendar.NewDate(d.Year, d.Month+time.Month(n), 1)
	last := first.AddMonths(1).AddDays(-1)
	return calendar.NewDate(first.Year, first.Month, min(d.Day, last.Day))
}

// Due says whether, at now, a file kept from the instant since (its ticket's closure, or its own
// upload when later) is due for purging after months: from the day since fell on in Paris plus
// months calendar months.
func Due(since time.Time, months int, now time.Time) bool {
	return !addMonths(calendar.ParisDate(since), months).After(calendar.ParisDate(now))
}

// Cutoff is the instant before which a closure (and an upload) must fall for its files to be due
// at now: Due(t, months, now) holds exactly when t is before Cutoff(months, now). It is the start,
// in Paris, of the day after the last closing day that is due.
func Cutoff(months int, now time.Time) time.Time {
	today := calendar.ParisDate(now)
	last := addMonths(today, -months)
	for addMonths(last, months).After(today) {
		last = last.AddDays(-1)
	}
	for !addMonths(last.AddDays(1), months).After(today) {
		last = last.AddDays(1)
	}
	return last.AddDays(1).In(calendar.Paris).UTC()
}
