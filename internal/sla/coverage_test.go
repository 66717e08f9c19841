package sla

import (
	"testing"
	"time"
)

// TestEvaluateCoverage completes TestEvaluate so that every support level meets each case the
// SLA rules name: weekends, French public holidays, the two DST changes (last Sunday of March and
// of October, Europe/Paris), pauses while pending_customer and a priority change midway. What
// TestEvaluate (E) and the calendar tests (C) already cover is not repeated here:
//
//	                 weekend   holiday   March DST  October DST  pause   priority change
//	Standard (BH)    E         here      C, here    E            E       E (raised), here (lowered)
//	Business P1/P2   E, here   here      -          here         -       E (onto 24/7)
//	Business P3/P4   here      here      here       -            here    here (onto business hours)
//	Premium (24/7)   here      here      E          here         E, here here
//	Basic            -         -         -          -            here    here
//
// Business P1/P2 counts like Premium (the same 24/7 calendar), so its March change and its pause
// are Premium's cases. Each case's comment gives the target and the arithmetic.
func TestEvaluateCoverage(t *testing.T) {
	const bh, h24 = "sla.calendar.business_hours", "sla.calendar.24x7"
	tests := []struct {
		name     string
		level    Level
		calendar string // the key of the calendar the targets count in; "" for none
		timeline Timeline
		now      time.Time
		priority Priority
		first    want
		res      want
	}{
		// Standard P1 (2h / 18h) opened Wednesday 30 April 2025 17:00; Thursday 1 May is a
		// holiday: counted Wed 17–18 and Fri 09:00–09:30.
		{
			name: "Standard over 1 May", level: Standard, calendar: bh, now: at(2025, 5, 2, 9, 30),
			timeline: Timeline{created(at(2025, 4, 30, 17, 0), P1)}, priority: P1,
			first: want{Running, 90 * time.Minute, 75, at(2025, 5, 2, 10, 0), at(2025, 5, 2, 9, 36)},
			// 16h30m left from Friday 09:30: Fri 8h30m, then Monday 09:00 + 8h; at risk at 14h24m.
			res: want{Running, 90 * time.Minute, 8, at(2025, 5, 5, 17, 0), at(2025, 5, 5, 13, 24)},
		},
		// Standard P2 (4h / 27h) opened Wednesday 28 May 2025 16:00, the eve of Ascension
		// Thursday; answered Friday 10:00. Counted Wed 2h, Fri 9h, Mon 1h: 12h, not 21h.
		{
			name: "Standard over Ascension and a weekend", level: Standard, calendar: bh, now: at(2025, 6, 2, 10, 0),
			timeline: Timeline{
				created(at(2025, 5, 28, 16, 0), P2), replied(at(2025, 5, 30, 10, 0)), status(at(2025, 5, 30, 10, 0), StatusInProgress),
			},
			priority: P2,
			first:    want{Met, 3 * time.Hour, 75, at(2025, 5, 30, 11, 0), at(2025, 5, 30, 10, 12)},
			// 15h left from Monday 10:00: Mon 8h, Tue 7h; at risk at 21h36m: Tue 09:00 + 1h36m.
			res: want{Running, 12 * time.Hour, 44, at(2025, 6, 3, 16, 0), at(2025, 6, 3, 10, 36)},
		},
		// Standard P2 opened Friday 28 March 2025 16:00 CET (15:00 UTC), seen Monday 10:30 CEST
		// (08:30 UTC): Fri 2h + Mon 1h30m, though 65h30m of real time passed.
		{
			name: "Standard over the March DST change", level: Standard, calendar: bh, now: at(2025, 3, 31, 10, 30),
			timeline: Timeline{created(at(2025, 3, 28, 16, 0), P2)}, priority: P2,
			first: want{AtRisk, 210 * time.Minute, 87, utc(2025, 3, 31, 9, 0), utc(2025, 3, 31, 8, 12)},
			// 23h30m left: Mon 7h30m, Tue 9h, Wed 09:00 + 7h = 16:00 CEST.
			res: want{Running, 210 * time.Minute, 12, utc(2025, 4, 2, 14, 0), utc(2025, 4, 2, 8, 36)},
		},
		// Standard P1 (2h / 18h) lowered to P3 (9h / 45h) at 10:00: measured as P3 from 09:00.
		{
			name: "Standard priority lowered midway", level: Standard, calendar: bh, now: at(2025, 3, 3, 12, 0),
			timeline: Timeline{created(at(2025, 3, 3, 9, 0), P1), reprioritized(at(2025, 3, 3, 10, 0), P3)}, priority: P3,
			first: want{Running, 3 * time.Hour, 33, at(2025, 3, 3, 18, 0), at(2025, 3, 3, 16, 12)},
			// 42h left from Monday 12:00: Mon 6h and four full days, due Friday's closing time.
			res: want{Running, 3 * time.Hour, 6, at(2025, 3, 7, 18, 0), at(2025, 3, 6, 18, 0)},
		},

		// Business P3 (4h / 27h, business hours) opened Friday 16:00, seen Monday 10:00: the
		// weekend does not count.
		{
			name: "Business P3 over a weekend", level: Business, calendar: bh, now: at(2025, 3, 10, 10, 0),
			timeline: Timeline{created(at(2025, 3, 7, 16, 0), P3)}, priority: P3,
			first: want{Running, 3 * time.Hour, 75, at(2025, 3, 10, 11, 0), at(2025, 3, 10, 10, 12)},
			res:   want{Running, 3 * time.Hour, 11, at(2025, 3, 12, 16, 0), at(2025, 3, 12, 10, 36)},
		},
		// Business P2 (2h / 24h, 24/7) opened Saturday 10:00, seen Sunday 08:00: 22h count.
		{
			name: "Business P2 over a weekend", level: Business, calendar: h24, now: at(2025, 3, 9, 8, 0),
			timeline: Timeline{created(at(2025, 3, 8, 10, 0), P2), replied(at(2025, 3, 8, 11, 0))}, priority: P2,
			first: want{Met, time.Hour, 50, at(2025, 3, 8, 12, 0), at(2025, 3, 8, 11, 36)},
			res:   want{AtRisk, 22 * time.Hour, 91, at(2025, 3, 9, 10, 0), at(2025, 3, 9, 5, 12)},
		},
		// Business P4 (9h / 45h, business hours) opened Monday 10 November 2025 17:00; Tuesday
		// 11 November is a holiday: Mon 1h + Wed 1h.
		{
			name: "Business P4 over 11 November", level: Business, calendar: bh, now: at(2025, 11, 12, 10, 0),
			timeline: Timeline{created(at(2025, 11, 10, 17, 0), P4)}, priority: P4,
			first: want{Running, 2 * time.Hour, 22, at(2025, 11, 12, 17, 0), at(2025, 11, 12, 15, 12)},
			// 43h left: Wed 8h, Thu 9h, Fri 9h, Mon 9h, Tue 8h; at risk after 34h: Monday 17:00.
			res: want{Running, 2 * time.Hour, 4, at(2025, 11, 18, 17, 0), at(2025, 11, 17, 17, 0)},
		},
		// Business P1 (1h / 8h, 24/7) on Christmas Day: holidays count on 24/7.
		{
			name: "Business P1 on Christmas Day", level: Business, calendar: h24, now: at(2025, 12, 25, 10, 30),
			timeline: Timeline{created(at(2025, 12, 25, 10, 0), P1)}, priority: P1,
			first: want{Running, 30 * time.Minute, 50, at(2025, 12, 25, 11, 0), at(2025, 12, 25, 10, 48)},
			res:   want{Running, 30 * time.Minute, 6, at(2025, 12, 25, 18, 0), at(2025, 12, 25, 16, 24)},
		},
		// Business P1 opened Saturday 25 October 2025 23:00 CEST, seen 03:00 CET: four hours on
		// the wall clock, five of real time, and five count.
		{
			name: "Business P1 over the October DST change", level: Business, calendar: h24, now: at(2025, 10, 26, 3, 0),
			timeline: Timeline{created(at(2025, 10, 25, 23, 0), P1), replied(at(2025, 10, 25, 23, 30))}, priority: P1,
			first: want{Met, 30 * time.Minute, 50, utc(2025, 10, 25, 22, 0), utc(2025, 10, 25, 21, 48)},
			res:   want{Running, 5 * time.Hour, 62, utc(2025, 10, 26, 5, 0), utc(2025, 10, 26, 3, 24)},
		},
		// Business P3 (business hours) opened Friday 28 March 2025 17:00 CET, answered 17:30,
		// waiting on the customer from Monday 10:00 CEST to Tuesday 09:00: counted Fri 1h,
		// Mon 1h, Tue 2h, not the 8 hours of Monday afternoon.
		{
			name: "Business P3 paused over the March DST change", level: Business, calendar: bh, now: at(2025, 4, 1, 11, 0),
			timeline: Timeline{
				created(at(2025, 3, 28, 17, 0), P3), replied(at(2025, 3, 28, 17, 30)), status(at(2025, 3, 28, 17, 30), StatusInProgress),
				status(at(2025, 3, 31, 10, 0), StatusPendingCustomer), status(at(2025, 4, 1, 9, 0), StatusInProgress),
			},
			priority: P3,
			// Answered: 3h30m more from Friday 17:30 would end Monday 12:00 CEST (10:00 UTC).
			first: want{Met, 30 * time.Minute, 12, utc(2025, 3, 31, 10, 0), utc(2025, 3, 31, 9, 12)},
			// 23h left from Tuesday 11:00: Tue 7h, Wed 9h, Thu 09:00 + 7h.
			res: want{Running, 4 * time.Hour, 14, utc(2025, 4, 3, 14, 0), utc(2025, 4, 3, 8, 36)},
		},
		{
			name: "Business P3 while paused", level: Business, calendar: bh, now: at(2025, 3, 31, 15, 0),
			timeline: Timeline{
				created(at(2025, 3, 28, 17, 0), P3), replied(at(2025, 3, 28, 17, 30)), status(at(2025, 3, 28, 17, 30), StatusInProgress),
				status(at(2025, 3, 31, 10, 0), StatusPendingCustomer),
			},
			priority: P3,
			first:    want{Met, 30 * time.Minute, 12, utc(2025, 3, 31, 10, 0), utc(2025, 3, 31, 9, 12)},
			// Paused at 2h: 25h left as if work resumed now, Monday 15:00: Mon 3h, Tue 9h, Wed 9h,
			// Thu 4h; at risk after 19h36m more, on Wednesday.
			res: want{Paused, 2 * time.Hour, 7, at(2025, 4, 3, 13, 0), at(2025, 4, 2, 16, 36)},
		},
		// Business P1 (24/7) opened Friday 17:00, answered 17:20, lowered to P3 on Saturday:
		// measured on business hours from the start, so the weekend no longer counts.
		{
			name: "Business priority lowered from 24/7 to business hours", level: Business, calendar: bh, now: at(2025, 3, 10, 10, 0),
			timeline: Timeline{
				created(at(2025, 3, 7, 17, 0), P1), replied(at(2025, 3, 7, 17, 20)), status(at(2025, 3, 7, 17, 20), StatusInProgress),
				reprioritized(at(2025, 3, 8, 10, 0), P3),
			},
			priority: P3,
			first:    want{Met, 20 * time.Minute, 8, at(2025, 3, 10, 12, 0), at(2025, 3, 10, 11, 12)},
			// 25h left from Monday 10:00: Mon 8h, Tue 9h, Wed 8h; at risk at 21h36m.
			res: want{Running, 2 * time.Hour, 7, at(2025, 3, 12, 17, 0), at(2025, 3, 12, 11, 36)},
		},

		// Premium P3 (2h / 48h, 24/7) opened Saturday 1 November 2025, a holiday, 10:00: the
		// weekend and the holiday all count.
		{
			name: "Premium over a weekend and 1 November", level: Premium, calendar: h24, now: at(2025, 11, 3, 9, 0),
			timeline: Timeline{created(at(2025, 11, 1, 10, 0), P3), replied(at(2025, 11, 1, 10, 30))}, priority: P3,
			first: want{Met, 30 * time.Minute, 25, at(2025, 11, 1, 12, 0), at(2025, 11, 1, 11, 36)},
			res:   want{AtRisk, 47 * time.Hour, 97, at(2025, 11, 3, 10, 0), at(2025, 11, 3, 0, 24)},
		},
		// Premium P2 (30m / 8h) opened Saturday 25 October 2025 22:00 CEST, seen 04:00 CET:
		// 7h of real time.
		{
			name: "Premium over the October DST change", level: Premium, calendar: h24, now: at(2025, 10, 26, 4, 0),
			timeline: Timeline{created(at(2025, 10, 25, 22, 0), P2), replied(at(2025, 10, 25, 22, 20))}, priority: P2,
			first: want{Met, 20 * time.Minute, 66, utc(2025, 10, 25, 20, 30), utc(2025, 10, 25, 20, 24)},
			res:   want{AtRisk, 7 * time.Hour, 87, utc(2025, 10, 26, 4, 0), utc(2025, 10, 26, 2, 24)},
		},
		// Premium P3 raised to P1 (15m / 4h) after ten minutes: already late at 10:20.
		{
			name: "Premium priority raised midway", level: Premium, calendar: h24, now: at(2025, 3, 3, 10, 20),
			timeline: Timeline{created(at(2025, 3, 3, 10, 0), P3), reprioritized(at(2025, 3, 3, 10, 10), P1)}, priority: P1,
			first: want{Breached, 20 * time.Minute, 133, at(2025, 3, 3, 10, 15), at(2025, 3, 3, 10, 12)},
			res:   want{Running, 20 * time.Minute, 8, at(2025, 3, 3, 14, 0), at(2025, 3, 3, 13, 12)},
		},
		// Premium P4 (4h / 120h) waiting on the customer from Friday 12:00 to Monday 09:00: the
		// weekend counts on 24/7, but not while paused. Counted Fri 2h + Mon 1h.
		{
			name: "Premium paused over a weekend", level: Premium, calendar: h24, now: at(2025, 3, 10, 10, 0),
			timeline: Timeline{
				created(at(2025, 3, 7, 10, 0), P4), replied(at(2025, 3, 7, 10, 30)), status(at(2025, 3, 7, 10, 30), StatusInProgress),
				status(at(2025, 3, 7, 12, 0), StatusPendingCustomer), status(at(2025, 3, 10, 9, 0), StatusInProgress),
			},
			priority: P4,
			first:    want{Met, 30 * time.Minute, 12, at(2025, 3, 7, 14, 0), at(2025, 3, 7, 13, 12)},
			// 117h left from Monday 10:00; at risk after 96h, 93h from now.
			res: want{Running, 3 * time.Hour, 2, at(2025, 3, 15, 7, 0), at(2025, 3, 14, 7, 0)},
		},

		// Basic has no target, whatever the priority or the state.
		{
			name: "Basic raised and paused", level: Basic, now: at(2025, 3, 4, 10, 0),
			timeline: Timeline{
				created(at(2025, 3, 3, 10, 0), P4), reprioritized(at(2025, 3, 3, 10, 30), P1),
				status(at(2025, 3, 3, 11, 0), StatusPendingCustomer),
			},
			priority: P1,
			first:    want{state: None}, res: want{state: None},
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
			key := ""
			if ev.Calendar != nil {
				key = ev.Calendar.Key()
			}
			if key != tt.calendar {
				t.Errorf("calendar = %q, want %q", key, tt.calendar)
			}
			checkMeasure(t, "first response", ev.FirstResponse, tt.first)
			checkMeasure(t, "resolution", ev.Resolution, tt.res)
		})
	}
}
