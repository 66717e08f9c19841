package report

import "time"

// Span is a duration as people read it, ready to translate: a message key (report.duration.*)
// and its days, hours and minutes. Under an hour it counts minutes; under a day, hours and
// minutes; from a day on, days and hours; each rounded to the nearest.
type Span struct {
	Key     string
	D, H, M int
}

// SpanOf writes d as a Span.
func SpanOf(d time.Duration) Span {
	mins := int64((d + time.Minute/2) / time.Minute)
	switch {
	case mins <= 0:
		return Span{Key: "report.duration.under_minute"}
	case mins < 60:
		return Span{Key: "report.duration.minutes", M: int(mins)}
	case mins < 24*60:
		return Span{Key: "report.duration.hours", H: int(mins / 60), M: int(mins % 60)}
	}
	hours := int64((d + time.Hour/2) / time.Hour)
	return Span{Key: "report.duration.days", D: int(hours / 24), H: int(hours % 24)}
}
