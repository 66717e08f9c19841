package sla

import (
	"testing"
	"time"
)

func TestNextChange(t *testing.T) {
	mon := func(hh, mm int) time.Time { return at(2025, 3, 3, hh, mm) }
	tests := []struct {
		name     string
		level    Level
		timeline Timeline
		now      time.Time
		want     time.Time // zero: no change without a new event
	}{
		{"running: the first target at risk", Premium, Timeline{created(mon(10, 0), P1)}, mon(10, 5), mon(10, 12)},
		{"at risk: its breach", Premium, Timeline{created(mon(10, 0), P1)}, mon(10, 12), mon(10, 15)},
		{"breached: the other target at risk", Premium, Timeline{created(mon(10, 0), P1)}, mon(10, 15), mon(13, 12)},
		{"answered: resolution at risk", Premium, Timeline{created(mon(10, 0), P1), replied(mon(10, 1))}, mon(10, 5), mon(13, 12)},
		// Standard P1 (2h) opened Friday 17:30: at risk after 96 working minutes, on Monday.
		{"over a weekend", Standard, Timeline{created(at(2025, 3, 7, 17, 30), P1)}, at(2025, 3, 8, 12, 0), at(2025, 3, 10, 10, 6)},
		{"paused", Premium, Timeline{created(mon(10, 0), P1), replied(mon(10, 1)), status(mon(10, 2), StatusPendingCustomer)}, mon(11, 0), time.Time{}},
		{"resolved", Premium, Timeline{created(mon(10, 0), P1), status(mon(10, 2), StatusResolved)}, mon(11, 0), time.Time{}},
		{"Basic", Basic, Timeline{created(mon(10, 0), P1)}, mon(11, 0), time.Time{}},
	}
	p := loadDefault(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := p.Evaluate(tt.level, tt.timeline, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := ev.NextChange()
			if ok != !tt.want.IsZero() {
				t.Fatalf("NextChange() = %s, %v; want %s", got, ok, tt.want)
			}
			sameInstant(t, "NextChange", got, tt.want)
		})
	}
}

func TestEvaluateRejects(t *testing.T) {
	mon := at(2025, 3, 3, 10, 0)
	tests := []struct {
		name     string
		level    Level
		timeline Timeline
	}{
		{"empty timeline", Premium, nil},
		{"not created first", Premium, Timeline{replied(mon), created(mon, P1)}},
		{"created twice", Premium, Timeline{created(mon, P1), created(mon, P2)}},
		{"out of order", Premium, Timeline{created(mon, P1), replied(mon.Add(time.Hour)), replied(mon)}},
		{"unknown priority", Premium, Timeline{created(mon, "P5")}},
		{"unknown status", Premium, Timeline{created(mon, P1), status(mon, "lost")}},
		{"unknown kind", Premium, Timeline{created(mon, P1), {At: mon, Kind: 42}}},
		{"unknown level", "gold", Timeline{created(mon, P1)}},
	}
	p := loadDefault(t)
	for _, tt := range tests {
		if _, err := p.Evaluate(tt.level, tt.timeline, mon.Add(time.Hour)); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
}
