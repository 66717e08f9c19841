package sla

import (
	"time"

	"github.com/guichet/guichet/internal/calendar"
)

// Calendar says which time counts towards a target. Counted time is what targets are written in:
// "4h" on a business-hours calendar is four working hours, not four hours of the wall clock.
type Calendar interface {
	// Add returns the earliest instant at which d of counted time has passed since from.
	Add(from time.Time, d time.Duration) time.Time
	// Between returns the counted time from from to to (zero if to is not after from).
	Between(from, to time.Time) time.Duration
	// Day is the counted length of one day, the "d" of the policy file.
	Day() time.Duration
	// Key is the translation key of the calendar's name.
	Key() string
}

// TwentyFourSeven counts every instant: elapsed real time, so a DST change makes a night one hour
// shorter or longer on the wall clock, never in counted time.
type TwentyFourSeven struct{}

// Add returns from + d.
func (TwentyFourSeven) Add(from time.Time, d time.Duration) time.Time { return from.Add(d) }

// Between returns to - from, or zero.
func (TwentyFourSeven) Between(from, to time.Time) time.Duration { return max(to.Sub(from), 0) }

// Day is 24 hours.
func (TwentyFourSeven) Day() time.Duration { return 24 * time.Hour }

// Key is the translation key of "24/7".
func (TwentyFourSeven) Key() string { return "sla.calendar.24x7" }

// BusinessHours counts the opening hours of working days that are not holidays. Hours are read
// on the wall clock of Location, so 09:00 is 09:00 in winter and in summer.
type BusinessHours struct {
	Location *time.Location
	Days     [7]bool       // working days, indexed by time.Weekday
	Open     time.Duration // wall-clock opening time, since midnight
	Close    time.Duration // wall-clock closing time, since midnight, after Open
	Holidays Holidays
}

// Day is one full working day: Close - Open.
func (b BusinessHours) Day() time.Duration { return b.Close - b.Open }

// Key is the translation key of "business hours".
func (BusinessHours) Key() string { return "sla.calendar.business_hours" }

// Add returns the instant d of working time after from. When the work ends exactly at closing
// time it returns the closing time, not the next opening: a target due "by Friday 18:00".
func (b BusinessHours) Add(from time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return from
	}
	closedDays := 0
	for day := b.dateOf(from); ; day = day.AddDays(1) {
		open, shut, ok := b.window(day)
		if !ok || !from.Before(shut) {
			closedDays = mustOpenSometime(closedDays + 1)
			continue
		}
		closedDays = 0
		start := later(from, open)
		if left := shut.Sub(start); d <= left {
			return start.Add(d)
		}
		d -= shut.Sub(start)
	}
}

// Between sums the overlap of [from, to] with each day's opening hours.
func (b BusinessHours) Between(from, to time.Time) time.Duration {
	var total time.Duration
	last := b.dateOf(to)
	for day := b.dateOf(from); !day.After(last); day = day.AddDays(1) {
		if open, shut, ok := b.window(day); ok {
			total += max(earlier(to, shut).Sub(later(from, open)), 0)
		}
	}
	return total
}

// window returns the opening hours of day, or ok = false when the desk is closed all day.
// Building each bound from wall-clock fields (not midnight + Open) keeps 09:00 right on the
// days the clocks change.
func (b BusinessHours) window(day calendar.Date) (open, shut time.Time, ok bool) {
	weekday := time.Date(day.Year, day.Month, day.Day, 12, 0, 0, 0, time.UTC).Weekday()
	if !b.Days[weekday] || b.Holidays.Contains(day) {
		return open, shut, false
	}
	return b.wallClock(day, b.Open), b.wallClock(day, b.Close), true
}

func (b BusinessHours) wallClock(day calendar.Date, sinceMidnight time.Duration) time.Time {
	return time.Date(day.Year, day.Month, day.Day, 0, int(sinceMidnight/time.Minute), 0, 0, b.Location)
}

func (b BusinessHours) dateOf(t time.Time) calendar.Date { return calendar.DateOf(t.In(b.Location)) }

// mustOpenSometime guards Add against a calendar with no working day, which would loop forever.
// A validated policy never has one, so reaching a year of closed days is a programming error.
func mustOpenSometime(closedDays int) int {
	if closedDays > 366 {
		panic("sla: business hours never open")
	}
	return closedDays
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
