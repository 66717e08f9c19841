package sla

import (
	"slices"
	"time"

	"github.com/guichet/guichet/internal/calendar"
)

// Holidays are the days a business-hours calendar does not count, though they fall on a working
// day. A 24/7 calendar ignores them.
type Holidays struct {
	French bool                   // the French public holidays, computed for any year
	Extra  map[calendar.Date]bool // days the policy file adds (a bridge day, a regional holiday)
}

// Contains reports whether d is a holiday.
func (h Holidays) Contains(d calendar.Date) bool {
	if h.Extra[d] {
		return true
	}
	return h.French && slices.Contains(FrenchHolidays(d.Year), d)
}

// FrenchHolidays returns the eleven French public holidays of year, in date order. Good Friday
// and 26 December (Alsace-Moselle only) are not among them: add them as extra dates if needed.
func FrenchHolidays(year int) []calendar.Date {
	easter := Easter(year)
	return []calendar.Date{
		calendar.NewDate(year, time.January, 1),
		easter.AddDays(1), // Easter Monday
		calendar.NewDate(year, time.May, 1),
		calendar.NewDate(year, time.May, 8),
		easter.AddDays(39), // Ascension Thursday
		easter.AddDays(50), // Whit Monday
		calendar.NewDate(year, time.July, 14),
		calendar.NewDate(year, time.August, 15),
		calendar.NewDate(year, time.November, 1),
		calendar.NewDate(year, time.November, 11),
		calendar.NewDate(year, time.December, 25),
	}
}

// Easter returns Easter Sunday of year in the Gregorian calendar, by the anonymous
// (Meeus/Jones/Butcher) algorithm: exact for every Gregorian year, no table to keep up to date.
func Easter(year int) calendar.Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return calendar.NewDate(year, time.Month(month), day)
}
