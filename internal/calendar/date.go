// Package calendar owns civil dates and the Europe/Paris calendar the business rules count in.
package calendar

import (
	"database/sql/driver"
	"fmt"
	"time"
	_ "time/tzdata" // the binary must know Europe/Paris on a machine without zoneinfo
)

// Paris is the time zone every business date and business hour is counted in.
var Paris = mustLoad("Europe/Paris")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Date is a calendar day without a time or zone. The zero Date means "none".
// It is stored as the text YYYY-MM-DD, which sorts and compares in SQL on every database.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date, normalized (31 April becomes 1 May).
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 12, 0, 0, 0, time.UTC))
}

// DateOf returns the calendar day of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParisDate returns the calendar day it is in Paris at instant t.
func ParisDate(t time.Time) Date { return DateOf(t.In(Paris)) }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("calendar: invalid date %q", s)
	}
	return DateOf(t), nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// In returns the instant d begins in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// AddMonths returns d moved by n months, normalized like time.AddDate.
func (d Date) AddMonths(n int) Date { return NewDate(d.Year, d.Month+time.Month(n), d.Day) }

// FirstOfNextMonth returns the first day of the month after d's.
func (d Date) FirstOfNextMonth() Date { return NewDate(d.Year, d.Month+1, 1) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmp(d.Year, e.Year)
	case d.Month != e.Month:
		return cmp(int(d.Month), int(e.Month))
	default:
		return cmp(d.Day, e.Day)
	}
}

func cmp(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Value stores d as YYYY-MM-DD, or NULL for the zero Date.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads YYYY-MM-DD text (or a time, as some drivers return DATE columns).
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case string:
		return d.parseInto(v)
	case []byte:
		return d.parseInto(string(v))
	case time.Time:
		*d = DateOf(v)
		return nil
	}
	return fmt.Errorf("calendar: cannot scan %T into Date", src)
}

func (d *Date) parseInto(s string) error {
	if s == "" {
		*d = Date{}
		return nil
	}
	if len(s) > 10 {
		s = s[:10]
	}
	x, err := ParseDate(s)
	*d = x
	return err
}
