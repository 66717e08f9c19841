package lease

import (
	"testing"
	"time"
)

// backoff doubles from 30 s, stays within ±20 % of its nominal value, and stops growing at an hour.
func TestBackoff(t *testing.T) {
	nominal := func(attempt int) time.Duration {
		d := 30 * time.Second
		for i := 1; i < attempt; i++ {
			d *= 2
			if d >= time.Hour {
				return time.Hour
			}
		}
		return d
	}
	for attempt := 0; attempt <= 40; attempt++ {
		want := nominal(attempt)
		lo, hi := want*8/10, want*12/10
		var minSeen, maxSeen time.Duration
		for i := range 300 {
			d := Backoff(attempt)
			if d < lo || d > hi {
				t.Fatalf("Backoff(%d) = %v, want %v ± 20 %% [%v, %v]", attempt, d, want, lo, hi)
			}
			if i == 0 || d < minSeen {
				minSeen = d
			}
			if d > maxSeen {
				maxSeen = d
			}
		}
		// The jitter is real: 300 draws spread over most of the ±20 % band.
		if maxSeen-minSeen < want/5 {
			t.Errorf("Backoff(%d) spans only [%v, %v]: no jitter", attempt, minSeen, maxSeen)
		}
	}
	if nominal(1) != 30*time.Second || nominal(2) != time.Minute || nominal(7) != 32*time.Minute || nominal(8) != time.Hour {
		t.Fatal("the test's own table is wrong")
	}
	// It grows: the mean of the draws doubles at each attempt until it reaches the hour.
	mean := func(attempt int) time.Duration {
		var sum time.Duration
		for range 400 {
			sum += Backoff(attempt)
		}
		return sum / 400
	}
	prev := mean(1)
	for attempt := 2; attempt <= 12; attempt++ {
		m := mean(attempt)
		switch {
		case attempt <= 7 && (m < prev*17/10 || m > prev*23/10):
			t.Errorf("mean Backoff(%d) = %v after %v: want about double", attempt, m, prev)
		case attempt > 8 && (m < 55*time.Minute || m > 65*time.Minute):
			t.Errorf("mean Backoff(%d) = %v: want about an hour", attempt, m)
		}
		prev = m
	}
	if d := Backoff(1 << 30); d > 72*time.Minute || d < 48*time.Minute {
		t.Errorf("backoff of a huge attempt = %v, want about an hour", d)
	}
}
