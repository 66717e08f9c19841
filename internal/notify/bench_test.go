package notify_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// BenchmarkEnqueue is what mail adds to a use case: one message rendered and written in its own
// transaction on the SQLite file, commit included.
func BenchmarkEnqueue(b *testing.B) {
	a := newDesk(b)
	ctx := context.Background()
	john := notify.RecipientOf(user(b, a, "John.Doe"))
	notice := resetNotice(a, "bench")
	for b.Loop() {
		err := a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return a.Notifier.Enqueue(ctx, tx, notice, john)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnqueueOnly is rendering and inserting one message inside one long transaction,
// commit excluded.
func BenchmarkEnqueueOnly(b *testing.B) {
	a := newDesk(b)
	ctx := context.Background()
	john := notify.RecipientOf(user(b, a, "John.Doe"))
	notice := resetNotice(a, "bench")
	tx, err := a.DB.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback() //nolint:errcheck
	for b.Loop() {
		if err := a.Notifier.Enqueue(ctx, tx, notice, john); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorkerThroughput is one worker (Batch 50) delivering to a local relay that accepts
// everything; ns/op is per message.
func BenchmarkWorkerThroughput(b *testing.B) {
	a := newDesk(b)
	srv := testutil.StartSMTP(b)
	ctx := context.Background()
	for done := 0; done < b.N; {
		err := a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for i := 0; i < 500 && done < b.N; i, done = i+1, done+1 {
				rc := notify.Recipient{Email: "user" + strconv.Itoa(done) + "@example.com", Name: "User", Lang: []string{"fr", "en"}[done%2]}
				if err := a.Notifier.Enqueue(ctx, tx, resetNotice(a, "bench-"+strconv.Itoa(done)), rc); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	w := newWorker(a, newSender(a, srv.Port), newClock(time.Now().Add(time.Second)))
	w.Batch = 50
	b.ResetTimer()
	sent := 0
	for sent < b.N {
		n, err := w.RunOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			b.Fatalf("worker stopped after %d of %d messages", sent, b.N)
		}
		sent += n
	}
	b.StopTimer()
	if got := len(srv.Received()); got != b.N {
		b.Fatalf("relay received %d messages, want %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
