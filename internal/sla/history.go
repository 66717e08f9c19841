package sla

import "time"

// run is a stretch of wall-clock time during which the SLA clock ticked.
type run struct{ from, to time.Time }

// history is a timeline replayed up to now: all the clocks need to know.
type history struct {
	priority  Priority
	status    Status
	since     time.Time // when the clock last started ticking
	runs      []run     // the last one ends at now when the clock still ticks
	answered  time.Time // the first public staff reply or resolution; zero while unanswered
	stoppedAt time.Time // when the clock stopped for good; zero unless stopped
}

func replay(tl Timeline, now time.Time) (history, error) {
	if err := tl.check(); err != nil {
		return history{}, err
	}
	var h history
	for _, e := range tl {
		if e.At.After(now) {
			break
		}
		h.apply(e)
	}
	if h.status.mode() == ticking {
		h.runs = append(h.runs, run{h.since, now})
	}
	return h, nil
}

func (h *history) apply(e Event) {
	switch e.Kind {
	case Created:
		h.priority, h.status, h.since = e.Priority, StatusNew, e.At
	case PriorityChanged:
		h.priority = e.Priority
	case StatusChanged:
		h.setStatus(e.Status, e.At)
	case StaffReplied:
		h.answer(e.At)
	}
}

func (h *history) setStatus(s Status, at time.Time) {
	was, is := h.status.mode(), s.mode()
	switch {
	case was == ticking && is != ticking:
		h.runs = append(h.runs, run{h.since, at})
	case was != ticking && is == ticking:
		h.since = at
	}
	switch {
	case is.stopped() && !was.stopped():
		h.stoppedAt = at
	case !is.stopped():
		h.stoppedAt = time.Time{}
	}
	// A resolution tells the customer something, so it answers an incident nobody replied to.
	if is == done {
		h.answer(at)
	}
	h.status = s
}

// answer records the first answer only: later replies change nothing.
func (h *history) answer(at time.Time) {
	if h.answered.IsZero() {
		h.answered = at
	}
}

// firstResponse is the first-response clock: it stops for good at the first answer.
func (h history) firstResponse(now time.Time) clock {
	if h.answered.IsZero() {
		return clock{runs: h.runs, mode: h.status.mode(), rest: h.restAt(now)}
	}
	return clock{runs: clip(h.runs, h.answered), mode: done, rest: h.answered}
}

// resolution is the resolution clock: it stops at resolution and starts again on a reopen.
func (h history) resolution(now time.Time) clock {
	return clock{runs: h.runs, mode: h.status.mode(), rest: h.restAt(now)}
}

func (h history) restAt(now time.Time) time.Time {
	if h.status.mode().stopped() {
		return h.stoppedAt
	}
	return now
}

// clip keeps the runs, or parts of runs, before end.
func clip(runs []run, end time.Time) []run {
	var kept []run
	for _, r := range runs {
		if r.from.Before(end) {
			kept = append(kept, run{r.from, earlier(r.to, end)})
		}
	}
	return kept
}
