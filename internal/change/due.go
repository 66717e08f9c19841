package change

import (
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/sla"
)

// DueKind says what a request's next due date is.
type DueKind string

// The kinds of due date a request has while work remains.
const (
	// DueScheduled is the day an agent scheduled the change for.
	DueScheduled DueKind = "scheduled"
	// DueExpected is the day an approved change not yet scheduled is expected done by: the day
	// of its approval in Paris plus the item's lead time in business days.
	DueExpected DueKind = "expected"
)

// Due is a request's next due date: the scheduled day of a scheduled change, the expected day of
// an approved one. The change model has no target for a decision, so a submitted request, like a
// finished one, has none (zero).
type Due struct {
	Date calendar.Date
	Kind DueKind
}

// IsZero reports whether there is no due date.
func (d Due) IsZero() bool { return d.Date.IsZero() }

// Key is the translation key of the kind of date ("planned", "expected").
func (d Due) Key() string { return "change.due." + string(d.Kind) }

// Late reports whether the day has passed on today (a Paris day) with the work not done.
func (d Due) Late(today calendar.Date) bool { return !d.IsZero() && d.Date.Before(today) }

// Due returns the request's next due date.
func (r *Request) Due() Due {
	switch r.State {
	case Scheduled:
		if !r.ScheduledOn.IsZero() {
			return Due{Date: r.ScheduledOn, Kind: DueScheduled}
		}
	case Approved:
		if r.ApprovedAt != nil {
			lead := r.Snapshot().Item.LeadTimeDays
			return Due{Date: AddBusinessDays(calendar.ParisDate(*r.ApprovedAt), lead), Kind: DueExpected}
		}
	}
	return Due{}
}

// frenchHolidays are the days a lead time does not count, beside weekends.
var frenchHolidays = sla.Holidays{French: true}

// AddBusinessDays returns the day n business days after d: Monday to Friday, French public
// holidays aside. Zero days is d itself.
func AddBusinessDays(d calendar.Date, n int) calendar.Date {
	for n > 0 {
		d = d.AddDays(1)
		if wd := d.In(time.UTC).Weekday(); wd != time.Saturday && wd != time.Sunday && !frenchHolidays.Contains(d) {
			n--
		}
	}
	return d
}
