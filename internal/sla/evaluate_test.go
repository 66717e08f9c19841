package sla

import (
	"testing"
	"time"
)

// want is what a test expects of a Measure; a zero Due or AtRiskAt is not checked.
type want struct {
	state    State
	elapsed  time.Duration
	percent  int
	due      time.Time
	atRiskAt time.Time
}

func checkMeasure(t *testing.T, what string, got Measure, w want) {
	t.Helper()
	if got.State != w.state || got.Elapsed != w.elapsed || got.Percent != w.percent {
		t.Errorf("%s = %s, %s, %d %%; want %s, %s, %d %%",
			what, got.State, got.Elapsed, got.Percent, w.state, w.elapsed, w.percent)
	}
	if !w.due.IsZero() {
		sameInstant(t, what+" due", got.Due, w.due)
	}
	if !w.atRiskAt.IsZero() {
		sameInstant(t, what+" at risk", got.AtRiskAt, w.atRiskAt)
	}
}

func TestEvaluate(t *testing.T) {
	mon := func(hh, mm int) time.Time { return at(2025, 3, 3, hh, mm) } // a plain Monday
	tests := []struct {
		name     string
		level    Level
		timeline Timeline
		now      time.Time
		priority Priority
		first    want
		res      want
	}{
		{
			name: "premium P1 just opened", level: Premium, now: mon(10, 5),
			timeline: Timeline{created(mon(10, 0), P1)}, priority: P1,
			first: want{Running, 5 * time.Minute, 33, mon(10, 15), mon(10, 12)},
			res:   want{Running, 5 * time.Minute, 2, mon(14, 0), mon(13, 12)},
		},
		{
			name: "one second before 80 %", level: Premium, now: mon(10, 12).Add(-time.Second),
			timeline: Timeline{created(mon(10, 0), P1)}, priority: P1,
			first: want{Running, 12*time.Minute - time.Second, 79, mon(10, 15), mon(10, 12)},
			res:   want{Running, 12*time.Minute - time.Second, 4, mon(14, 0), mon(13, 12)},
		},
		{
			name: "at risk at exactly 80 %", level: Premium, now: mon(10, 12),
			timeline: Timeline{created(mon(10, 0), P1)}, priority: P1,
			first: want{AtRisk, 12 * time.Minute, 80, mon(10, 15), mon(10, 12)},
			res:   want{Running, 12 * time.Minute, 5, mon(14, 0), mon(13, 12)},
		},
		{
			name: "breached at exactly 100 %", level: Premium, now: mon(10, 15),
			timeline: Timeline{created(mon(10, 0), P1)}, priority: P1,
			first: want{Breached, 15 * time.Minute, 100, mon(10, 15), mon(10, 12)},
			res:   want{Running, 15 * time.Minute, 6, mon(14, 0), mon(13, 12)},
		},
		{
			name: "first response met", level: Premium, now: mon(11, 0),
			timeline: Timeline{created(mon(10, 0), P1), replied(mon(10, 10)), status(mon(10, 10), StatusInProgress)},
			priority: P1,
			first:    want{Met, 10 * time.Minute, 66, mon(10, 15), mon(10, 12)},
			res:      want{Running, time.Hour, 25, mon(14, 0), mon(13, 12)},
		},
		{
			name: "a late reply does not meet a breached target", level: Premium, now: mon(11, 0),
			timeline: Timeline{created(mon(10, 0), P1), replied(mon(10, 20))}, priority: P1,
			first: want{Breached, 20 * time.Minute, 133, mon(10, 15), mon(10, 12)},
			res:   want{Running, time.Hour, 25, mon(14, 0), mon(13, 12)},
		},
		{
			name: "a reply after now is not seen", level: Premium, now: mon(10, 5),
			timeline: Timeline{created(mon(10, 0), P1), replied(mon(10, 10))}, priority: P1,
			first: want{Running, 5 * time.Minute, 33, mon(10, 15), mon(10, 12)},
			res:   want{Running, 5 * time.Minute, 2, mon(14, 0), mon(13, 12)},
		},
		{
			name: "now before creation reads as creation", level: Premium, now: mon(9, 59),
			timeline: Timeline{created(mon(10, 0), P1)}, priority: P1,
			first: want{Running, 0, 0, mon(10, 15), mon(10, 12)},
			res:   want{Running, 0, 0, mon(14, 0), mon(13, 12)},
		},
		// Standard P2: 4h / 3 working days (27h). Waiting on the customer from Monday 15:00 to
		// Wednesday 10:00: the clock counts Mon 10–15 and Wed 10–12.
		{
			name: "paused while pending_customer", level: Standard, now: at(2025, 3, 4, 12, 0),
			timeline: Timeline{
				created(mon(10, 0), P2), replied(mon(11, 0)), status(mon(11, 0), StatusInProgress),
				status(mon(15, 0), StatusPendingCustomer),
			},
			priority: P2,
			first:    want{Met, time.Hour, 25, mon(14, 0), mon(13, 12)},
			// 22h left from Tuesday 12:00: Tue 6h, Wed 9h, Thu 09:00 + 7h.
			res: want{Paused, 5 * time.Hour, 18, at(2025, 3, 6, 16, 0), at(2025, 3, 6, 10, 36)},
		},
		{
			name: "running again after pending_customer", level: Standard, now: at(2025, 3, 5, 12, 0),
			timeline: Timeline{
				created(mon(10, 0), P2), replied(mon(11, 0)), status(mon(11, 0), StatusInProgress),
				status(mon(15, 0), StatusPendingCustomer), status(at(2025, 3, 5, 10, 0), StatusInProgress),
			},
			priority: P2,
			first:    want{Met, time.Hour, 25, mon(14, 0), mon(13, 12)},
			// 20h left from Wednesday 12:00: Wed 6h, Thu 9h, Fri 09:00 + 5h; at risk at 21h36m.
			res: want{Running, 7 * time.Hour, 25, at(2025, 3, 7, 14, 0), at(2025, 3, 6, 17, 36)},
		},
		{
			name: "a breach stays a breach while paused", level: Premium, now: mon(11, 0),
			timeline: Timeline{created(mon(10, 0), P1), status(mon(10, 20), StatusPendingCustomer)},
			priority: P1,
			first:    want{Breached, 20 * time.Minute, 133, mon(10, 15), mon(10, 12)},
			res:      want{Paused, 20 * time.Minute, 8, mon(14, 40), mon(13, 52)},
		},
		// Standard P4 (18h / 90h) raised to P2 (4h / 27h) at noon: measured as P2 from 09:00.
		{
			name: "priority raised midway", level: Standard, now: mon(14, 0),
			timeline: Timeline{created(mon(9, 0), P4), reprioritized(mon(12, 0), P2)}, priority: P2,
			first: want{Breached, 5 * time.Hour, 125, mon(13, 0), mon(12, 12)},
			// 22h left from 14:00: Mon 4h, Tue 9h, Wed 9h, due at Wednesday's closing time.
			res: want{Running, 5 * time.Hour, 18, at(2025, 3, 5, 18, 0), at(2025, 3, 5, 12, 36)},
		},
		// Business P3 (business hours) raised to P1 (24/7) on Saturday: the whole night counts.
		{
			name: "priority raised onto the 24/7 calendar", level: Business, now: at(2025, 3, 8, 10, 0),
			timeline: Timeline{created(at(2025, 3, 7, 17, 0), P3), reprioritized(at(2025, 3, 8, 10, 0), P1)},
			priority: P1,
			first:    want{Breached, 17 * time.Hour, 1700, at(2025, 3, 7, 18, 0), at(2025, 3, 7, 17, 48)},
			res:      want{Breached, 17 * time.Hour, 212, at(2025, 3, 8, 1, 0), at(2025, 3, 7, 23, 24)},
		},
		// Premium P2 (30m / 8h): resolved at 12:00, reopened Tuesday 09:00.
		{
			name: "resolved", level: Premium, now: mon(13, 0),
			timeline: Timeline{created(mon(10, 0), P2), replied(mon(10, 10)), status(mon(12, 0), StatusResolved)},
			priority: P2,
			first:    want{Met, 10 * time.Minute, 33, mon(10, 30), mon(10, 24)},
			res:      want{Met, 2 * time.Hour, 25, mon(18, 0), mon(16, 24)},
		},
		{
			name: "closed after resolved", level: Premium, now: at(2025, 3, 10, 13, 0),
			timeline: Timeline{
				created(mon(10, 0), P2), replied(mon(10, 10)), status(mon(12, 0), StatusResolved),
				status(at(2025, 3, 10, 12, 0), StatusClosed),
			},
			priority: P2,
			first:    want{Met, 10 * time.Minute, 33, mon(10, 30), mon(10, 24)},
			res:      want{Met, 2 * time.Hour, 25, mon(18, 0), mon(16, 24)},
		},
		{
			name: "reopened after resolved", level: Premium, now: at(2025, 3, 4, 10, 0),
			timeline: Timeline{
				created(mon(10, 0), P2), replied(mon(10, 10)), status(mon(12, 0), StatusResolved),
				status(at(2025, 3, 4, 9, 0), StatusInProgress),
			},
			priority: P2,
			first:    want{Met, 10 * time.Minute, 33, mon(10, 30), mon(10, 24)},
			res:      want{Running, 3 * time.Hour, 37, at(2025, 3, 4, 15, 0), at(2025, 3, 4, 13, 24)},
		},
		{
			name: "a resolution answers an unanswered incident", level: Premium, now: mon(12, 0),
			timeline: Timeline{created(mon(10, 0), P3), status(mon(11, 0), StatusResolved)}, priority: P3,
			first: want{Met, time.Hour, 50, mon(12, 0), mon(11, 36)},
			res:   want{Met, time.Hour, 2, at(2025, 3, 5, 10, 0), at(2025, 3, 5, 0, 24)},
		},
		{
			name: "cancelled: the targets no longer apply", level: Standard, now: at(2025, 3, 4, 10, 0),
			timeline: Timeline{created(mon(10, 0), P3), status(mon(11, 0), StatusCancelled)}, priority: P3,
			first: want{None, time.Hour, 11, at(2025, 3, 4, 10, 0), mon(17, 12)},
			res:   want{None, time.Hour, 2, at(2025, 3, 10, 10, 0), at(2025, 3, 7, 10, 0)},
		},
		{
			name: "cancelled after a breach", level: Premium, now: mon(11, 0),
			timeline: Timeline{created(mon(10, 0), P1), status(mon(10, 30), StatusCancelled)}, priority: P1,
			first: want{Breached, 30 * time.Minute, 200, mon(10, 15), mon(10, 12)},
			res:   want{None, 30 * time.Minute, 12, mon(14, 0), mon(13, 12)},
		},
		{
			name: "Basic has no target", level: Basic, now: at(2025, 3, 20, 10, 0),
			timeline: Timeline{created(mon(10, 0), P1)}, priority: P1,
			first: want{state: None}, res: want{state: None},
		},
		// Premium P1 opened at 01:30 CET the night the clocks go forward: 4h of real time
		// later is 06:30 CEST, not 05:30.
		{
			name: "24/7 over the March DST change", level: Premium, now: at(2025, 3, 30, 6, 0),
			timeline: Timeline{created(at(2025, 3, 30, 1, 30), P1), replied(at(2025, 3, 30, 1, 40))},
			priority: P1,
			first:    want{Met, 10 * time.Minute, 66, utc(2025, 3, 30, 0, 45), utc(2025, 3, 30, 0, 42)},
			res:      want{AtRisk, 3*time.Hour + 30*time.Minute, 87, utc(2025, 3, 30, 4, 30), utc(2025, 3, 30, 3, 42)},
		},
		// Standard P1 (2h / 18h) opened Friday 17:00 CEST, seen Monday 09:30 CET.
		{
			name: "business hours over the October DST change", level: Standard, now: at(2025, 10, 27, 9, 30),
			timeline: Timeline{created(at(2025, 10, 24, 17, 0), P1)}, priority: P1,
			first: want{Running, 90 * time.Minute, 75, utc(2025, 10, 27, 9, 0), utc(2025, 10, 27, 8, 36)},
			res:   want{Running, 90 * time.Minute, 8, utc(2025, 10, 28, 16, 0), utc(2025, 10, 28, 12, 24)},
		},
	}
	p := loadDefault(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := p.Evaluate(tt.level, tt.timeline, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Priority != tt.priority {
				t.Errorf("priority = %s, want %s", ev.Priority, tt.priority)
			}
			checkMeasure(t, "first response", ev.FirstResponse, tt.first)
			checkMeasure(t, "resolution", ev.Resolution, tt.res)
		})
	}
}
