package sla

import (
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
)

func TestBusinessHoursAdd(t *testing.T) {
	tests := []struct {
		name string
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"within a day", at(2025, 3, 3, 10, 0), 2 * time.Hour, at(2025, 3, 3, 12, 0)},
		{"over the night", at(2025, 3, 3, 17, 0), 2 * time.Hour, at(2025, 3, 4, 10, 0)},
		{"over a weekend", at(2025, 3, 7, 17, 0), 2 * time.Hour, at(2025, 3, 10, 10, 0)},
		{"from a Saturday", at(2025, 3, 8, 14, 0), time.Hour, at(2025, 3, 10, 10, 0)},
		{"from before opening", at(2025, 3, 4, 7, 0), 30 * time.Minute, at(2025, 3, 4, 9, 30)},
		{"ends at closing time", at(2025, 3, 3, 9, 0), 9 * time.Hour, at(2025, 3, 3, 18, 0)},
		{"zero stays put", at(2025, 3, 8, 14, 0), 0, at(2025, 3, 8, 14, 0)},
		// Thursday 17:00 + 2 working days: Thu 1h, Fri 9h, Easter Monday off, Tue 8h.
		{"over Easter Monday 2025", at(2025, 4, 17, 17, 0), 18 * time.Hour, utc(2025, 4, 22, 15, 0)},
		{"over 1 May", at(2025, 4, 30, 17, 0), 2 * time.Hour, at(2025, 5, 2, 10, 0)},
		{"over Whit Monday", at(2025, 6, 6, 17, 0), 2 * time.Hour, at(2025, 6, 10, 10, 0)},
		{"over Christmas", at(2025, 12, 24, 17, 0), 9 * time.Hour, at(2025, 12, 26, 17, 0)},
		// Friday 17:00 CET (16:00 UTC), Monday 10:00 CEST (08:00 UTC).
		{"over the March DST change", at(2025, 3, 28, 17, 0), 2 * time.Hour, utc(2025, 3, 31, 8, 0)},
		// Friday 17:00 CEST (15:00 UTC), Monday 10:00 CET (09:00 UTC).
		{"over the October DST change", at(2025, 10, 24, 17, 0), 2 * time.Hour, utc(2025, 10, 27, 9, 0)},
	}
	cal := businessHours(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameInstant(t, "Add", cal.Add(tt.from, tt.d), tt.want)
			if tt.d > 0 {
				if back := cal.Between(tt.from, tt.want); back != tt.d {
					t.Errorf("Between(from, Add(from, d)) = %s, want %s", back, tt.d)
				}
			}
		})
	}
}

func TestBusinessHoursBetween(t *testing.T) {
	tests := []struct {
		name     string
		from, to time.Time
		want     time.Duration
	}{
		{"over a weekend", at(2025, 3, 7, 16, 0), at(2025, 3, 10, 11, 0), 4 * time.Hour},
		{"over the March DST change", at(2025, 3, 28, 17, 0), at(2025, 3, 31, 10, 0), 2 * time.Hour},
		{"overnight only", at(2025, 3, 3, 19, 0), at(2025, 3, 4, 8, 0), 0},
		{"backwards", at(2025, 3, 4, 12, 0), at(2025, 3, 3, 12, 0), 0},
		{"Easter week 2025", at(2025, 4, 17, 9, 0), at(2025, 4, 22, 18, 0), 27 * time.Hour},
	}
	cal := businessHours(t)
	for _, tt := range tests {
		if got := cal.Between(tt.from, tt.to); got != tt.want {
			t.Errorf("%s: Between = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestTwentyFourSevenOverDST(t *testing.T) {
	cal := TwentyFourSeven{}
	// 00:30 CET + 4h is 05:30 CEST: the night lost an hour, the target did not.
	sameInstant(t, "March Add", cal.Add(at(2025, 3, 30, 0, 30), 4*time.Hour), utc(2025, 3, 30, 3, 30))
	// 23:00 CEST + 4h is 02:00 CET: the night won an hour.
	sameInstant(t, "October Add", cal.Add(at(2025, 10, 25, 23, 0), 4*time.Hour), utc(2025, 10, 26, 1, 0))
	if got := cal.Between(at(2025, 3, 29, 12, 0), at(2025, 3, 30, 12, 0)); got != 23*time.Hour {
		t.Errorf("March noon to noon = %s, want 23h", got)
	}
	if got := cal.Between(at(2025, 10, 25, 12, 0), at(2025, 10, 26, 12, 0)); got != 25*time.Hour {
		t.Errorf("October noon to noon = %s, want 25h", got)
	}
}

// A desk open on Sundays opens at 09:00 on the wall clock even on the days the clocks change.
func TestBusinessHoursOnDSTSundays(t *testing.T) {
	cal := BusinessHours{
		Location: calendar.Paris,
		Days:     [7]bool{true, true, true, true, true, true, true},
		Open:     9 * time.Hour,
		Close:    18 * time.Hour,
	}
	sameInstant(t, "March", cal.Add(at(2025, 3, 30, 1, 0), time.Hour), utc(2025, 3, 30, 8, 0))
	sameInstant(t, "October", cal.Add(at(2025, 10, 26, 1, 0), time.Hour), utc(2025, 10, 26, 9, 0))
	if got := cal.Between(at(2025, 3, 29, 0, 0), at(2025, 3, 31, 0, 0)); got != 18*time.Hour {
		t.Errorf("March weekend = %s, want 18h", got)
	}
}
