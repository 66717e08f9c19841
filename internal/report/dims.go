package report

import (
	"slices"
	"sync"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/sla"
)

// The dimensions a report breaks figures down by, in the order the pages list them.
var (
	// Levels are the support levels, from the least to the most support.
	Levels = []sla.Level{sla.Basic, sla.Standard, sla.Business, sla.Premium}
	// Priorities are P1 to P4.
	Priorities = []sla.Priority{sla.P1, sla.P2, sla.P3, sla.P4}
	// OpenStatuses are the states of the backlog.
	OpenStatuses = []sla.Status{incident.New, incident.InProgress, incident.PendingCustomer}
)

// Services are the codes of the services incidents are declared on, in the form's order.
func Services() []string {
	var out []string
	for _, s := range cloud.Services() {
		out = append(out, s.Code)
	}
	return out
}

// Regions are the codes of the regions, in the form's order, the Cloud Alliance last.
func Regions() []string {
	var out []string
	for _, r := range cloud.Regions() {
		out = append(out, r.Code)
	}
	return append(out, incident.RegionAlliance)
}

var (
	services = Services()
	regions  = Regions()
	statuses = incident.Statuses
)

// code returns the index of v in list, or len(list) for a value the list does not know.
func code[T comparable](list []T, v T) uint8 {
	if i := slices.Index(list, v); i >= 0 {
		return uint8(i)
	}
	return uint8(len(list))
}

// Day is a day of the Paris calendar, counted from 1 January 2000.
type Day int32

// epoch2000 is 1 January 2000 in Unix days.
const epoch2000 = 10957

// DayOf is the Paris day of instant t.
func DayOf(t time.Time) Day { return DayOfDate(calendar.ParisDate(t)) }

// DayOfDate is the day of a calendar date.
func DayOfDate(d calendar.Date) Day {
	return Day(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Unix()/86400 - epoch2000)
}

// Date is the calendar date of the day.
func (d Day) Date() calendar.Date {
	return calendar.DateOf(time.Unix(int64(d+epoch2000)*86400+12*3600, 0).UTC())
}

// Monday is the first day of the day's week (weeks begin on Monday; 1 January 2000 was a Saturday).
func (d Day) Monday() Day { return d - (d+5)%7 }

// Month numbers months from January 2000: 0 is January 2000.
type Month int32

// MonthOf is the month of a calendar date.
func MonthOf(d calendar.Date) Month { return Month((d.Year-2000)*12 + int(d.Month) - 1) }

// Date is the first day of the month.
func (m Month) Date() calendar.Date {
	return calendar.NewDate(2000+int(m)/12, time.Month(int(m)%12+1), 1)
}

// String is the month as YYYY-MM.
func (m Month) String() string { return m.Date().String()[:7] }

// monthOfDay maps every day of the years a uint16 day can name to its month, computed once.
var monthOfDay = sync.OnceValue(func() []Month {
	out := make([]Month, 1<<16)
	d := calendar.NewDate(2000, time.January, 1)
	for i := range out {
		out[i] = MonthOf(d)
		d = d.AddDays(1)
	}
	return out
})

// regionCode is code(regions, r), a Cloud Alliance region granted to a tenant counting as the
// Cloud Alliance.
func regionCode(r string) uint8 {
	if cloud.IsAllianceRegion(r) {
		r = incident.RegionAlliance
	}
	return code(regions, r)
}
