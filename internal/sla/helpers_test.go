package sla

import (
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
)

// at returns a wall-clock instant in Paris.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, calendar.Paris)
}

// utc returns an instant in UTC, to state what a Paris wall-clock time must be in absolute terms.
func utc(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.UTC)
}

func loadDefault(t *testing.T) *Policy {
	t.Helper()
	p, err := LoadPolicy("")
	if err != nil {
		t.Fatalf("default policy: %v", err)
	}
	return p
}

func businessHours(t *testing.T) Calendar {
	t.Helper()
	return loadDefault(t).Calendar(Standard, P1)
}

func created(t time.Time, p Priority) Event { return Event{At: t, Kind: Created, Priority: p} }
func reprioritized(t time.Time, p Priority) Event {
	return Event{At: t, Kind: PriorityChanged, Priority: p}
}
func status(t time.Time, s Status) Event { return Event{At: t, Kind: StatusChanged, Status: s} }
func replied(t time.Time) Event          { return Event{At: t, Kind: StaffReplied} }

func sameInstant(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, got.In(calendar.Paris), want.In(calendar.Paris))
	}
}
