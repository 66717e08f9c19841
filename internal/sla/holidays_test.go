package sla

import (
	"slices"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
)

func TestEaster(t *testing.T) {
	tests := []struct {
		year int
		want calendar.Date
	}{
		{2008, calendar.NewDate(2008, time.March, 23)},
		{2019, calendar.NewDate(2019, time.April, 21)},
		{2024, calendar.NewDate(2024, time.March, 31)},
		{2025, calendar.NewDate(2025, time.April, 20)},
		{2026, calendar.NewDate(2026, time.April, 5)},
		{2038, calendar.NewDate(2038, time.April, 25)}, // the latest possible
		{2285, calendar.NewDate(2285, time.March, 22)}, // the earliest possible
	}
	for _, tt := range tests {
		if got := Easter(tt.year); got != tt.want {
			t.Errorf("Easter(%d) = %s, want %s", tt.year, got, tt.want)
		}
	}
}

func TestFrenchHolidays2025(t *testing.T) {
	want := []string{
		"2025-01-01", "2025-04-21", "2025-05-01", "2025-05-08", "2025-05-29", "2025-06-09",
		"2025-07-14", "2025-08-15", "2025-11-01", "2025-11-11", "2025-12-25",
	}
	var got []string
	for _, d := range FrenchHolidays(2025) {
		got = append(got, d.String())
	}
	if !slices.Equal(got, want) {
		t.Errorf("FrenchHolidays(2025) = %v, want %v", got, want)
	}
}

func TestHolidaysContains(t *testing.T) {
	easterMonday2024 := calendar.NewDate(2024, time.April, 1)
	boxingDay := calendar.NewDate(2025, time.December, 26)
	tests := []struct {
		name string
		h    Holidays
		day  calendar.Date
		want bool
	}{
		{"Easter Monday 2024", Holidays{French: true}, easterMonday2024, true},
		{"the day after", Holidays{French: true}, easterMonday2024.AddDays(1), false},
		{"Good Friday is not French", Holidays{French: true}, calendar.NewDate(2025, time.April, 18), false},
		{"French switched off", Holidays{}, easterMonday2024, false},
		{"extra date", Holidays{Extra: map[calendar.Date]bool{boxingDay: true}}, boxingDay, true},
	}
	for _, tt := range tests {
		if got := tt.h.Contains(tt.day); got != tt.want {
			t.Errorf("%s: Contains(%s) = %v, want %v", tt.name, tt.day, got, tt.want)
		}
	}
}
