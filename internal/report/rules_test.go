package report

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
)

func date(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func instant(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fieldErrors renders a validation error as "field:key" strings, and the arguments of each.
func fieldErrors(t *testing.T, err error) ([]string, []map[string]any) {
	t.Helper()
	if err == nil {
		return nil, nil
	}
	es, ok := i18n.AsErrors(err)
	if !ok {
		t.Fatalf("not a validation error: %v", err)
	}
	var keys []string
	var args []map[string]any
	for _, e := range es {
		keys = append(keys, e.Field+":"+e.Key)
		args = append(args, e.Args)
	}
	return keys, args
}

func TestParsePeriod(t *testing.T) {
	today := date("2026-11-19") // a Thursday
	tests := []struct {
		name, kind, from, to string
		today                string // "" : 2026-11-19
		want                 Period
		errs                 []string
		args                 map[string]any // of the first error
	}{
		{name: "empty kind is the last 30 days", want: Period{Period30Days, date("2026-10-21"), today}},
		{name: "30 days", kind: " 30d ", want: Period{Period30Days, date("2026-10-21"), today}},
		{name: "30 days across a year", kind: "30d", today: "2026-01-10", want: Period{Period30Days, date("2025-12-12"), date("2026-01-10")}},
		{name: "week from Monday", kind: "week", want: Period{PeriodWeek, date("2026-11-16"), today}},
		{name: "week on a Monday", kind: "week", today: "2026-11-16", want: Period{PeriodWeek, date("2026-11-16"), date("2026-11-16")}},
		{name: "week on a Sunday", kind: "week", today: "2026-11-22", want: Period{PeriodWeek, date("2026-11-16"), date("2026-11-22")}},
		{name: "week across a year", kind: "week", today: "2026-01-01", want: Period{PeriodWeek, date("2025-12-29"), date("2026-01-01")}},
		{name: "week of the DST change", kind: "week", today: "2026-10-25", want: Period{PeriodWeek, date("2026-10-19"), date("2026-10-25")}},
		{name: "quarter 4", kind: "quarter", want: Period{PeriodQuarter, date("2026-10-01"), today}},
		{name: "quarter 1, last day", kind: "quarter", today: "2026-03-31", want: Period{PeriodQuarter, date("2026-01-01"), date("2026-03-31")}},
		{name: "quarter 2, first day", kind: "quarter", today: "2026-04-01", want: Period{PeriodQuarter, date("2026-04-01"), date("2026-04-01")}},
		{name: "quarter 3", kind: "quarter", today: "2026-09-30", want: Period{PeriodQuarter, date("2026-07-01"), date("2026-09-30")}},
		{name: "custom", kind: "custom", from: "2026-01-01", to: " 2026-03-31 ", want: Period{PeriodCustom, date("2026-01-01"), date("2026-03-31")}},
		{name: "custom of one day", kind: "custom", from: "2026-11-19", to: "2026-11-19", want: Period{PeriodCustom, today, today}},
		{name: "custom of 366 days", kind: "custom", from: "2025-11-19", to: "2026-11-19", want: Period{PeriodCustom, date("2025-11-19"), today}},
		{name: "custom from the first day", kind: "custom", from: "2000-01-01", to: "2000-12-31", want: Period{PeriodCustom, FirstDate, date("2000-12-31")}},
		{name: "custom of 367 days", kind: "custom", from: "2025-11-18", to: "2026-11-19",
			errs: []string{"to:report.error.too_long"}, args: map[string]any{"Max": MaxDays, "Days": 367}},
		{name: "ten years", kind: "custom", from: "2016-11-19", to: "2026-11-19",
			errs: []string{"to:report.error.too_long"}, args: map[string]any{"Max": MaxDays, "Days": 3653}},
		{name: "reversed", kind: "custom", from: "2026-11-10", to: "2026-11-01", errs: []string{"to:report.error.reversed"}},
		{name: "future end", kind: "custom", from: "2026-11-01", to: "2026-11-20",
			errs: []string{"to:report.error.future"}, args: map[string]any{"Today": today}},
		{name: "before 2000", kind: "custom", from: "1999-12-31", to: "2000-01-05",
			errs: []string{"from:report.error.too_early"}, args: map[string]any{"First": FirstDate}},
		{name: "before 2000 and future", kind: "custom", from: "1999-12-31", to: "2027-01-01",
			errs: []string{"from:report.error.too_early", "to:report.error.future"}},
		{name: "not days", kind: "custom", from: "2026-02-30", to: "yesterday", errs: []string{"from:report.error.date", "to:report.error.date"}},
		{name: "empty days", kind: "custom", errs: []string{"from:report.error.date", "to:report.error.date"}},
		{name: "other format", kind: "custom", from: "19/11/2026", to: "2026-11-19", errs: []string{"from:report.error.date"}},
		{name: "bad start, future end", kind: "custom", from: "x", to: "2030-01-01", errs: []string{"from:report.error.date", "to:report.error.future"}},
		{name: "unknown kind", kind: "year", errs: []string{"period:report.error.period"}},
		{name: "kind in capitals", kind: "WEEK", errs: []string{"period:report.error.period"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day := today
			if tt.today != "" {
				day = date(tt.today)
			}
			got, err := ParsePeriod(tt.kind, tt.from, tt.to, day)
			keys, args := fieldErrors(t, err)
			if !reflect.DeepEqual(keys, tt.errs) {
				t.Fatalf("errors %q, want %q", keys, tt.errs)
			}
			if tt.errs != nil {
				if got != (Period{}) {
					t.Errorf("refused, yet period %+v", got)
				}
				for k, v := range tt.args {
					if args[0][k] != v {
						t.Errorf("argument %s = %v, want %v", k, args[0][k], v)
					}
				}
				return
			}
			if got != tt.want {
				t.Errorf("period %+v, want %+v", got, tt.want)
			}
			if got.Days() > MaxDays || got.To.After(day) || got.From.After(got.To) {
				t.Errorf("period %+v out of bounds (%d days)", got, got.Days())
			}
		})
	}
}

func TestPeriodDays(t *testing.T) {
	for _, tt := range []struct {
		from, to string
		days     int
	}{{"2026-11-19", "2026-11-19", 1}, {"2026-10-25", "2026-10-26", 2}, {"2026-03-01", "2026-03-31", 31},
		{"2024-01-01", "2024-12-31", 366}, {"2025-01-01", "2025-12-31", 365}} {
		if got := (Period{From: date(tt.from), To: date(tt.to)}).Days(); got != tt.days {
			t.Errorf("%s..%s: %d days, want %d", tt.from, tt.to, got, tt.days)
		}
	}
}

func TestParseMonths(t *testing.T) {
	today := date("2026-11-19")
	m := func(s string) Month { return MonthOf(date(s + "-01")) }
	tests := []struct {
		name, from, to string
		want           Months
		errs           []string
		args           map[string]any
	}{
		{name: "default: the last twelve months", want: Months{m("2025-12"), m("2026-11")}},
		{name: "blanks are empty", from: " ", to: "  ", want: Months{m("2025-12"), m("2026-11")}},
		{name: "from a month to this one", from: "2026-01", want: Months{m("2026-01"), m("2026-11")}},
		{name: "a span", from: " 2026-01 ", to: "2026-03", want: Months{m("2026-01"), m("2026-03")}},
		{name: "one month", from: "2026-11", to: "2026-11", want: Months{m("2026-11"), m("2026-11")}},
		{name: "24 months", from: "2024-12", to: "2026-11", want: Months{m("2024-12"), m("2026-11")}},
		{name: "the first month", from: "2000-01", to: "2000-06", want: Months{0, 5}},
		{name: "25 months", from: "2024-11", to: "2026-11", errs: []string{"to:report.error.too_many_months"},
			args: map[string]any{"Max": MaxMonths, "Months": 25}},
		{name: "ten years", from: "2016-11", to: "2026-10", errs: []string{"to:report.error.too_many_months"},
			args: map[string]any{"Max": MaxMonths, "Months": 120}},
		{name: "reversed", from: "2026-05", to: "2026-03", errs: []string{"to:report.error.reversed"}},
		{name: "future", from: "2026-01", to: "2026-12", errs: []string{"to:report.error.future_month"}},
		{name: "future and reversed", from: "2027-05", to: "2027-03", errs: []string{"to:report.error.future_month"}},
		{name: "no such month", from: "2026-13", to: "2026-02", errs: []string{"from:report.error.month"}},
		{name: "not a month", from: "2026-01", to: "march", errs: []string{"to:report.error.month"}},
		{name: "a day", from: "2026-01-01", to: "2026-02", errs: []string{"from:report.error.month"}},
		{name: "no start: the twelve months to the end", to: "2026-02", want: Months{m("2025-03"), m("2026-02")}},
		{name: "before 2000", from: "1999-12", to: "2000-02", errs: []string{"from:report.error.too_early"},
			args: map[string]any{"First": FirstDate}},
		{name: "both bad", from: "x", to: "y", errs: []string{"from:report.error.month", "to:report.error.month"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseMonths(tt.from, tt.to, today)
			keys, args := fieldErrors(t, err)
			if !reflect.DeepEqual(keys, tt.errs) {
				t.Fatalf("errors %q, want %q", keys, tt.errs)
			}
			if tt.errs != nil {
				for k, v := range tt.args {
					if args[0][k] != v {
						t.Errorf("argument %s = %v, want %v", k, args[0][k], v)
					}
				}
				return
			}
			if got != tt.want {
				t.Errorf("months %s..%s, want %s..%s", got.From, got.To, tt.want.From, tt.want.To)
			}
		})
	}
}

func TestMonthsPeriod(t *testing.T) {
	today := date("2026-11-19")
	m := func(s string) Month { return MonthOf(date(s + "-01")) }
	for _, tt := range []struct {
		ms       Months
		from, to string
		count    int
	}{
		{Months{m("2026-01"), m("2026-03")}, "2026-01-01", "2026-03-31", 3},
		{Months{m("2024-02"), m("2024-02")}, "2024-02-01", "2024-02-29", 1},
		{Months{m("2025-12"), m("2026-11")}, "2025-12-01", "2026-11-19", 12}, // this month: up to today
	} {
		p := tt.ms.Period(today)
		if p.From != date(tt.from) || p.To != date(tt.to) || tt.ms.Count() != tt.count {
			t.Errorf("%s..%s: %s..%s (%d months), want %s..%s (%d)", tt.ms.From, tt.ms.To, p.From, p.To, tt.ms.Count(), tt.from, tt.to, tt.count)
		}
	}
}

func TestDayOf(t *testing.T) {
	tests := []struct{ at, day string }{
		// Paris is UTC+1 in winter, UTC+2 in summer: midnight in Paris is 23:00 or 22:00 UTC.
		{"2026-01-01T00:00:00Z", "2026-01-01"},
		{"2025-12-31T22:59:59Z", "2025-12-31"},
		{"2025-12-31T23:00:00Z", "2026-01-01"},
		{"2026-06-30T21:59:59Z", "2026-06-30"},
		{"2026-06-30T22:00:00Z", "2026-07-01"},
		{"2026-06-30T23:30:00Z", "2026-07-01"},
		// 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00 UTC; the day has 23 hours.
		{"2026-03-28T22:59:59Z", "2026-03-28"},
		{"2026-03-28T23:00:00Z", "2026-03-29"},
		{"2026-03-29T00:59:59Z", "2026-03-29"},
		{"2026-03-29T01:00:00Z", "2026-03-29"},
		{"2026-03-29T21:59:59Z", "2026-03-29"},
		{"2026-03-29T22:00:00Z", "2026-03-30"},
		// 25 October 2026: 03:00 CEST becomes 02:00 CET at 01:00 UTC; the day has 25 hours.
		{"2026-10-24T21:59:59Z", "2026-10-24"},
		{"2026-10-24T22:00:00Z", "2026-10-25"},
		{"2026-10-25T00:30:00Z", "2026-10-25"}, // 02:30 CEST
		{"2026-10-25T01:30:00Z", "2026-10-25"}, // 02:30 CET
		{"2026-10-25T22:59:59Z", "2026-10-25"},
		{"2026-10-25T23:00:00Z", "2026-10-26"},
		// The month end after the change: 31 October 23:30 UTC is 1 November 00:30 in Paris.
		{"2026-10-31T22:59:59Z", "2026-10-31"},
		{"2026-10-31T23:00:00Z", "2026-11-01"},
		{"2026-10-31T23:30:00Z", "2026-11-01"},
		{"1999-12-31T23:00:00Z", "2000-01-01"},
	}
	for _, tt := range tests {
		at := instant(tt.at)
		d := DayOf(at)
		if got := d.Date(); got != date(tt.day) {
			t.Errorf("DayOf(%s) = %s, want %s", tt.at, got, tt.day)
		}
		if d != DayOfDate(date(tt.day)) {
			t.Errorf("DayOf(%s) = %d, DayOfDate(%s) = %d", tt.at, d, tt.day, DayOfDate(date(tt.day)))
		}
		// The same instant in another zone is the same Paris day.
		if DayOf(at.In(time.FixedZone("UTC-10", -10*3600))) != d {
			t.Errorf("DayOf(%s) depends on the instant's zone", tt.at)
		}
	}
	if DayOfDate(FirstDate) != 0 || Day(0).Date() != FirstDate {
		t.Errorf("day 0 is %s", Day(0).Date())
	}
	// Every day of a few years goes to its date and back, one after the other.
	prev := DayOfDate(date("2023-12-31"))
	for d := date("2024-01-01"); d.Before(date("2028-01-01")); d = d.AddDays(1) {
		day := DayOfDate(d)
		if day != prev+1 || day.Date() != d {
			t.Fatalf("%s is day %d (%s), the day before %d", d, day, day.Date(), prev)
		}
		prev = day
	}
}

func TestMonday(t *testing.T) {
	for _, tt := range []struct{ day, monday string }{
		{"2000-01-01", "1999-12-27"}, // day 0, a Saturday
		{"2000-01-03", "2000-01-03"},
		{"2026-10-19", "2026-10-19"},
		{"2026-10-25", "2026-10-19"}, // the Sunday of the DST change
		{"2026-10-26", "2026-10-26"},
		{"2026-11-01", "2026-10-26"},
		{"2026-01-01", "2025-12-29"},
		{"2028-02-29", "2028-02-28"},
	} {
		if got := DayOfDate(date(tt.day)).Monday().Date(); got != date(tt.monday) {
			t.Errorf("Monday of %s = %s, want %s", tt.day, got, tt.monday)
		}
	}
	for d := date("2025-12-01"); d.Before(date("2027-02-01")); d = d.AddDays(1) {
		day := DayOfDate(d)
		mon := day.Monday()
		if wd := mon.Date().In(time.UTC).Weekday(); wd != time.Monday || day-mon < 0 || day-mon > 6 {
			t.Fatalf("Monday of %s is %s, a %s, %d days before", d, mon.Date(), wd, day-mon)
		}
	}
}

func TestMonth(t *testing.T) {
	for _, tt := range []struct {
		day   string
		month Month
		str   string
	}{
		{"2000-01-01", 0, "2000-01"}, {"2000-01-31", 0, "2000-01"}, {"2000-12-31", 11, "2000-12"},
		{"2001-01-01", 12, "2001-01"}, {"2026-10-31", 321, "2026-10"}, {"2026-11-01", 322, "2026-11"},
		{"2026-11-19", 322, "2026-11"},
	} {
		m := MonthOf(date(tt.day))
		if m != tt.month || m.String() != tt.str || m.Date() != date(tt.str+"-01") {
			t.Errorf("MonthOf(%s) = %d %s (first day %s), want %d %s", tt.day, m, m, m.Date(), tt.month, tt.str)
		}
	}
	if s := Month(322 + 1).String(); s != "2026-12" {
		t.Errorf("the month after 2026-11 is %s", s)
	}
	if s := Month(323 + 1).String(); s != "2027-01" {
		t.Errorf("the month after 2026-12 is %s", s)
	}
	// The table of months by day agrees with MonthOf, across leap years and year ends.
	table := monthOfDay()
	for d := date("2023-12-25"); d.Before(date("2029-01-10")); d = d.AddDays(1) {
		if got := table[DayOfDate(d)]; got != MonthOf(d) {
			t.Fatalf("table month of %s = %s, want %s", d, got, MonthOf(d))
		}
	}
	if last := Day(len(table) - 1); table[last] != MonthOf(last.Date()) {
		t.Errorf("last day of the table %s: month %s", last.Date(), table[last])
	}
}

func TestDurationsResult(t *testing.T) {
	s := func(n int) time.Duration { return time.Duration(n) * time.Second }
	tests := []struct {
		name         string
		xs           []uint32
		n            int
		mean, median time.Duration
	}{
		{"none", nil, 0, 0, 0},
		{"one", []uint32{600}, 1, s(600), s(600)},
		{"odd count", []uint32{600, 60, 180}, 3, s(280), s(180)},
		{"even count: mean of the two middle values", []uint32{600, 60, 180, 120}, 4, s(240), s(150)},
		{"two", []uint32{3600, 7200}, 2, s(5400), s(5400)},
		{"equal middle values", []uint32{3600, 1200, 11400, 3600, 840, 5400}, 6, s(4340), s(3600)},
		{"even, duplicates below", []uint32{5, 5, 5, 9}, 4, s(6), s(5)},
		{"mean rounded down to the second", []uint32{1, 2, 2}, 3, s(1), s(2)},
		{"median rounded down to the second", []uint32{1, 2}, 2, s(1), s(1)},
		{"large values", []uint32{1<<32 - 1, 1<<32 - 1}, 2, s(1<<32 - 1), s(1<<32 - 1)},
	}
	for _, tt := range tests {
		var d durations
		for _, x := range tt.xs {
			d.add(x)
		}
		if got := d.result(); got != (Duration{N: tt.n, Mean: tt.mean, Median: tt.median}) {
			t.Errorf("%s: %+v, want N %d mean %s median %s", tt.name, got, tt.n, tt.mean, tt.median)
		}
	}
}

// median is the median by a sort, as the definition says.
func median(xs []uint32) time.Duration {
	ys := slices.Clone(xs)
	slices.Sort(ys)
	n := len(ys)
	if n%2 == 1 {
		return time.Duration(ys[n/2]) * time.Second
	}
	return time.Duration((int64(ys[n/2-1])+int64(ys[n/2]))/2) * time.Second
}

func TestSelectNth(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 2000 {
		n := 1 + r.IntN(60)
		if round%100 == 0 {
			n = 1 + r.IntN(5000)
		}
		spread := []uint32{2, 10, 1000, 1<<32 - 1}[round%4] // many duplicates, some, almost none
		xs := make([]uint32, n)
		for i := range xs {
			xs[i] = r.Uint32N(spread)
		}
		switch round % 7 { // and some sorted, reversed or constant inputs
		case 1:
			slices.Sort(xs)
		case 2:
			slices.Sort(xs)
			slices.Reverse(xs)
		case 3:
			for i := range xs {
				xs[i] = 7
			}
		}
		sorted := slices.Clone(xs)
		slices.Sort(sorted)
		k := r.IntN(n)
		work := slices.Clone(xs)
		if got := selectNth(work, k); got != sorted[k] {
			t.Fatalf("round %d: selectNth(%v, %d) = %d, want %d", round, xs, k, got, sorted[k])
		}
		if work[k] != sorted[k] {
			t.Fatalf("round %d: xs[%d] = %d after selection, want %d", round, k, work[k], sorted[k])
		}
		for i, x := range work {
			if (i < k && x > work[k]) || (i > k && x < work[k]) {
				t.Fatalf("round %d: %d at %d is on the wrong side of the %d-th (%d)", round, x, i, k, work[k])
			}
		}
		got := slices.Clone(work)
		slices.Sort(got)
		if !slices.Equal(got, sorted) {
			t.Fatalf("round %d: the selection lost or made values", round)
		}
		var d durations
		for _, x := range xs {
			d.add(x)
		}
		if res := d.result(); res.Median != median(xs) || res.N != n {
			t.Fatalf("round %d: median %s of %d, want %s", round, res.Median, res.N, median(xs))
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tt := range []struct {
		met, breached int
		pct           float64
		ok            bool
	}{{0, 0, 0, false}, {3, 1, 75, true}, {0, 2, 0, true}, {5, 0, 100, true}, {1, 2, 100.0 / 3, true}} {
		pct, ok := Percent(tt.met, tt.breached)
		if ok != tt.ok || fmt.Sprintf("%.6f", pct) != fmt.Sprintf("%.6f", tt.pct) {
			t.Errorf("Percent(%d, %d) = %v, %v; want %v, %v", tt.met, tt.breached, pct, ok, tt.pct, tt.ok)
		}
	}
}
