package report

import (
	"strings"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
)

// The periods a dashboard offers.
const (
	PeriodWeek    = "week"    // this week, Monday to today
	Period30Days  = "30d"     // the last 30 days, today included
	PeriodQuarter = "quarter" // this quarter, its first day to today
	PeriodCustom  = "custom"  // From to To, both included
)

// PeriodKinds lists the periods in the selector's order.
var PeriodKinds = []string{PeriodWeek, Period30Days, PeriodQuarter, PeriodCustom}

// Bounds of a custom period: the longest span, in days, and the first day a report can count.
const (
	MaxDays = 366
)

// FirstDate is the first day a report counts.
var FirstDate = calendar.NewDate(2000, time.January, 1)

// Period is the Paris days a dashboard counts, both included.
type Period struct {
	Kind     string
	From, To calendar.Date
}

// Days is how many days the period counts.
func (p Period) Days() int { return int(DayOfDate(p.To)-DayOfDate(p.From)) + 1 }

// Filter is the period as the days of a Filter.
func (p Period) span() (Day, Day) { return DayOfDate(p.From), DayOfDate(p.To) }

// ParsePeriod reads a dashboard's period from its form (kind, and the days of a custom period
// as YYYY-MM-DD) on day today. An empty kind is the last 30 days. Each refusal is beside its
// field: an unknown kind, a day that is not one, a start after the end, an end after today, a
// span longer than MaxDays, a day before FirstDate.
func ParsePeriod(kind, from, to string, today calendar.Date) (Period, error) {
	kind = strings.TrimSpace(kind)
	switch kind {
	case "":
		kind = Period30Days
		fallthrough
	case Period30Days:
		return Period{Kind: kind, From: today.AddDays(-29), To: today}, nil
	case PeriodWeek:
		return Period{Kind: kind, From: DayOfDate(today).Monday().Date(), To: today}, nil
	case PeriodQuarter:
		q := (int(today.Month) - 1) / 3 * 3
		return Period{Kind: kind, From: calendar.NewDate(today.Year, time.Month(q+1), 1), To: today}, nil
	case PeriodCustom:
	default:
		return Period{}, i18n.FieldError("period", "report.error.period")
	}
	var es i18n.Errors
	f, errF := calendar.ParseDate(strings.TrimSpace(from))
	t, errT := calendar.ParseDate(strings.TrimSpace(to))
	if errF != nil {
		es.Add(i18n.FieldError("from", "report.error.date"))
	}
	if errT != nil {
		es.Add(i18n.FieldError("to", "report.error.date"))
	}
	if errF == nil && f.Before(FirstDate) {
		es.Add(i18n.FieldError("from", "report.error.too_early", "First", FirstDate))
		errF = es.Err()
	}
	if errT == nil && t.After(today) {
		es.Add(i18n.FieldError("to", "report.error.future", "Today", today))
		errT = es.Err()
	}
	if errF == nil && errT == nil {
		p := Period{Kind: kind, From: f, To: t}
		switch {
		case t.Before(f):
			es.Add(i18n.FieldError("to", "report.error.reversed"))
		case p.Days() > MaxDays:
			es.Add(i18n.FieldError("to", "report.error.too_long", "Max", MaxDays, "Days", p.Days()))
		}
	}
	if err := es.Err(); err != nil {
		return Period{}, err
	}
	return Period{Kind: kind, From: f, To: t}, nil
}

// MaxMonths is the longest span of a customer report, in months.
const MaxMonths = 24

// Months is the months a customer report counts, both included.
type Months struct{ From, To Month }

// Count is how many months the span counts.
func (m Months) Count() int { return int(m.To-m.From) + 1 }

// Period is the span as the days from the first day of From to the last day of To, or today
// when To is the current month.
func (m Months) Period(today calendar.Date) Period {
	end := (m.To + 1).Date().AddDays(-1)
	if end.After(today) {
		end = today
	}
	return Period{Kind: PeriodCustom, From: m.From.Date(), To: end}
}

// ParseMonth reads a month written YYYY-MM (one before FirstDate included: the caller says so).
func ParseMonth(s string) (Month, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 7 {
		return 0, false
	}
	d, err := calendar.ParseDate(s + "-01")
	if err != nil {
		return 0, false
	}
	return MonthOf(d), true
}

// ParseMonths reads a customer report's months (YYYY-MM) on day today: empty, the last twelve
// months, this one included. Each refusal is beside its field.
func ParseMonths(from, to string, today calendar.Date) (Months, error) {
	this := MonthOf(today)
	if strings.TrimSpace(from) == "" && strings.TrimSpace(to) == "" {
		return Months{From: this - 11, To: this}, nil
	}
	var es i18n.Errors
	f, okF := ParseMonth(from)
	t, okT := ParseMonth(to)
	if strings.TrimSpace(to) == "" { // up to this month
		t, okT = this, true
	}
	if strings.TrimSpace(from) == "" && okT { // the twelve months up to the last
		f, okF = t-11, true
	}
	// Each month is refused beside its field when it is not one, or before the first.
	check := func(field string, m Month, ok bool) bool {
		switch {
		case !ok:
			es.Add(i18n.FieldError(field, "report.error.month"))
		case m < MonthOf(FirstDate):
			es.Add(i18n.FieldError(field, "report.error.too_early", "First", FirstDate))
		default:
			return true
		}
		return false
	}
	okF, okT = check("from", f, okF), check("to", t, okT)
	if okT && t > this {
		es.Add(i18n.FieldError("to", "report.error.future_month"))
	}
	if okF && okT && t <= this {
		switch m := (Months{From: f, To: t}); {
		case t < f:
			es.Add(i18n.FieldError("to", "report.error.reversed"))
		case m.Count() > MaxMonths:
			es.Add(i18n.FieldError("to", "report.error.too_many_months", "Max", MaxMonths, "Months", m.Count()))
		}
	}
	if err := es.Err(); err != nil {
		return Months{}, err
	}
	return Months{From: f, To: t}, nil
}
