package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress draws a bar on one terminal line: [#####-----]  45%  450000/1000000  12345/s  ETA 40s.
type progress struct {
	w     io.Writer
	total int
	start time.Time
	last  time.Time
}

func newProgress(w io.Writer, total int) *progress {
	return &progress{w: w, total: total, start: time.Now()}
}

// Show redraws the bar for done items, at most ten times a second.
func (p *progress) Show(done int) {
	now := time.Now()
	if done < p.total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	filled := width * done / max(p.total, 1)
	elapsed := now.Sub(p.start).Seconds()
	rate := float64(done) / max(elapsed, 0.001)
	eta := time.Duration(float64(p.total-done)/max(rate, 1)) * time.Second
	fmt.Fprintf(p.w, "\r[%s%s] %3d%%  %d/%d  %.0f/s  ETA %s ", strings.Repeat("#", filled), strings.Repeat("-", width-filled),
		100*done/max(p.total, 1), done, p.total, rate, eta.Round(time.Second))
}

// Done ends the bar's line.
func (p *progress) Done() { p.Show(p.total); fmt.Fprintln(p.w) }
