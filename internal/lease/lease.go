// Package lease keeps a worker's claims alive while it works on them: the outbox's mail and the
// webhooks' deliveries are claimed for a lease that a dead worker lets lapse, and that a live
// one renews.
package lease

import (
	"context"
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
