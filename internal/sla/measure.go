package sla

import "time"

// Measure is where one target (first response or resolution) stands.
type Measure struct {
	State   State
	Target  time.Duration // the counted time allowed; zero when no target applies
	Elapsed time.Duration // the counted time used so far
	Percent int           // Elapsed as a percentage of Target, rounded down
	// Due is when counted time reaches Target: when it did, or when it will if the clock ticks
	// on from now (from the stop, once met). It moves later while the clock is paused.
	Due time.Time
	// AtRiskAt is when counted time reaches 80 % of Target, on the same terms as Due.
	AtRiskAt time.Time
}

// clock is one target's counting: when it ticked, and what it is doing now.
type clock struct {
	runs []run
	mode mode
	rest time.Time // where counting would go on: now, or the instant the clock stopped
}

func measure(cal Calendar, target time.Duration, c clock) Measure {
	m := Measure{Target: target, Elapsed: c.elapsed(cal)}
	m.Percent = int(m.Elapsed * 100 / target)
	m.Due = c.reach(cal, target)
	m.AtRiskAt = c.reach(cal, riskThreshold(target))
	m.State = c.state(m.Elapsed, target)
	return m
}

func (c clock) elapsed(cal Calendar) time.Duration {
	var total time.Duration
	for _, r := range c.runs {
		total += cal.Between(r.from, r.to)
	}
	return total
}

// reach returns when counted time reaches x: inside a run if it already did, otherwise as if
// the clock ticked on from rest.
func (c clock) reach(cal Calendar, x time.Duration) time.Time {
	var acc time.Duration
	for _, r := range c.runs {
		d := cal.Between(r.from, r.to)
		if acc+d >= x {
			return cal.Add(r.from, x-acc)
		}
		acc += d
	}
	return cal.Add(c.rest, x-acc)
}

// state ranks breach first: a breach stays a breach whatever happens next (a pause, a late
// answer, a cancellation), because it was notified and counts in the reports.
func (c clock) state(elapsed, target time.Duration) State {
	switch {
	case elapsed >= target:
		return Breached
	case c.mode == dropped:
		return None
	case c.mode == done:
		return Met
	case c.mode == paused:
		return Paused
	case elapsed*5 >= target*4:
		return AtRisk
	}
	return Running
}

// riskThreshold is the least duration that is 80 % of target or more, so that AtRiskAt and the
// AtRisk state agree to the nanosecond.
func riskThreshold(target time.Duration) time.Duration { return (target*4 + 4) / 5 }
