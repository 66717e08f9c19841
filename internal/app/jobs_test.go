package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/testutil"
)

// Instances sharing a database run each tick of a job once between them, whoever ticks first,
// and the next tick again once.
func TestJobTicksOnceAcrossInstances(t *testing.T) {
	dsn := testutil.NewDemoDatabase(t)
	var apps []*app.App
	for range 2 {
		a, err := app.Open(context.Background(), testutil.Config(dsn), slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		apps = append(apps, a)
	}
	base := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for tick := range 4 {
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				// Timers of different instances fire a few milliseconds apart.
				now := base.Add(time.Duration(tick)*time.Minute + time.Duration(i)*time.Millisecond)
				won, err := apps[i%2].ClaimTick(context.Background(), "test.job", time.Minute, fmt.Sprint("instance-", i%2), now)
				if err != nil {
					t.Error(err)
				}
				if won {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if n := wins.Load(); n != 1 {
			t.Errorf("tick %d ran %d times, want once", tick, n)
		}
	}
	// A timer that fires a little early still runs its tick.
	won, err := apps[0].ClaimTick(context.Background(), "test.job", time.Minute, "instance-0", base.Add(4*time.Minute-time.Second))
	if err != nil || !won {
		t.Errorf("an early tick: %v, %v; want it run", won, err)
	}
}
