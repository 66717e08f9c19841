// Package lease keeps a worker's claims alive while it works on them: the outbox's mail and the
// webhooks' deliveries are claimed for a lease that a dead worker lets lapse, and that a live
// one renews; a failed attempt is tried again after Backoff.
package lease

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// Renew calls extend every lease/3 until the returned function is called, which waits for the
// renewal under way and may be called again. A failed renewal is told to failed; the next one
// tries again (the claim lapses only after a whole lease without one).
func Renew(ctx context.Context, lease time.Duration, extend func(context.Context) error, failed func(error)) func() {
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(max(lease/3, time.Millisecond))
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			if err := extend(ctx); err != nil {
				failed(err)
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() { close(stop) })
		<-done
	}
}

// Backoff is how long to wait before attempt+1: 30 s doubled at each attempt, at most an hour,
// with ±20 % jitter so that a relay or an endpoint coming back is not hit by everything at once.
func Backoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	d = min(d, time.Hour)
	return d + time.Duration((rand.Float64()*0.4-0.2)*float64(d))
}
