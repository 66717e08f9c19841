package retention_test

import (
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/retention"
)

// paris is an instant given as Paris wall time.
func paris(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, calendar.Paris).UTC()
}

// TestRetentionRule: a file is due from the closing day (in Paris) plus N calendar months, the day
// clamped to the month's last; never a day earlier.
func TestRetentionRule(t *testing.T) {
	for _, c := range []struct {
		name   string
		closed time.Time
		months int
		// first is the first instant it is due; a minute before it is not.
		first time.Time
	}{
		{"two years to the day", paris(2024, 1, 15, 10, 0), 24, paris(2026, 1, 15, 0, 0)},
		{"closed at midnight", paris(2024, 1, 15, 0, 0), 24, paris(2026, 1, 15, 0, 0)},
		{"closed a minute before midnight", paris(2024, 1, 15, 23, 59), 24, paris(2026, 1, 15, 0, 0)},
		{"31 August + 6: 28 February", paris(2024, 8, 31, 12, 0), 6, paris(2025, 2, 28, 0, 0)},
		{"30 August + 6: 28 February", paris(2024, 8, 30, 12, 0), 6, paris(2025, 2, 28, 0, 0)},
		{"31 August + 6, leap year: 29 February", paris(2023, 8, 31, 12, 0), 6, paris(2024, 2, 29, 0, 0)},
		{"29 February + 12: 28 February", paris(2024, 2, 29, 9, 0), 12, paris(2025, 2, 28, 0, 0)},
		{"31 March + 1: 30 April", paris(2024, 3, 31, 9, 0), 1, paris(2024, 4, 30, 0, 0)},
		{"31 December + 2: end of February", paris(2024, 12, 31, 9, 0), 2, paris(2025, 2, 28, 0, 0)},
		{"over the year", paris(2024, 11, 15, 9, 0), 3, paris(2025, 2, 15, 0, 0)},
		// 31 January 23:30 UTC is already 1 February in Paris.
		{"the Paris day, not UTC's", time.Date(2024, 1, 31, 23, 30, 0, 0, time.UTC), 1, paris(2024, 3, 1, 0, 0)},
		// Paris midnight the day summer time starts and ends.
		{"into summer time", paris(2024, 2, 10, 9, 0), 1, paris(2024, 3, 10, 0, 0)},
		{"on the day summer time starts", paris(2024, 3, 31, 2, 30), 12, paris(2025, 3, 31, 0, 0)},
		{"out of summer time", paris(2024, 9, 27, 9, 0), 1, paris(2024, 10, 27, 0, 0)},
		{"a hundred years", paris(2024, 5, 1, 9, 0), 1200, paris(2124, 5, 1, 0, 0)},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := c.first.Add(-time.Minute)
			if retention.Due(c.closed, c.months, before) {
				t.Errorf("due at %s already", before.In(calendar.Paris))
			}
			for _, now := range []time.Time{c.first, c.first.Add(time.Minute), c.first.AddDate(0, 0, 1), c.first.AddDate(1, 0, 0)} {
				if !retention.Due(c.closed, c.months, now) {
					t.Errorf("not due at %s", now.In(calendar.Paris))
				}
			}
			// The SQL's bound says the same: the closure is before the cutoff exactly when due.
			for _, now := range []time.Time{before, c.first} {
				if got, want := c.closed.Before(retention.Cutoff(c.months, now)), retention.Due(c.closed, c.months, now); got != want {
					t.Errorf("at %s: before the cutoff %s = %v, due = %v", now.In(calendar.Paris), retention.Cutoff(c.months, now), got, want)
				}
			}
		})
	}
}

// TestRetentionCutoffAgreesWithTheRule walks three years of days, at times of day around
// midnight in Paris, for a few retention lengths: Cutoff bounds exactly the closures Due keeps
// due, the last due instant being just before it.
func TestRetentionCutoffAgreesWithTheRule(t *testing.T) {
	for _, months := range []int{1, 2, 6, 13, 24} {
		for now := paris(2025, 1, 1, 0, 0); now.Before(paris(2028, 1, 1, 0, 0)); now = now.Add(24 * time.Hour) {
			for _, at := range []time.Time{now, now.Add(90 * time.Minute), now.Add(23*time.Hour + 30*time.Minute)} {
				cut := retention.Cutoff(months, at)
				if p := cut.In(calendar.Paris); p.Hour() != 0 || p.Minute() != 0 {
					t.Fatalf("%d months at %s: cutoff %s is not a Paris midnight", months, at, p)
				}
				if !retention.Due(cut.Add(-time.Nanosecond), months, at) {
					t.Fatalf("%d months at %s: just before the cutoff %s is not due", months, at, cut)
				}
				if retention.Due(cut, months, at) {
					t.Fatalf("%d months at %s: the cutoff %s itself is due", months, at, cut)
				}
			}
		}
	}
}
