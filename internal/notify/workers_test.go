package notify_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// stopAfterFirst is a relay connection during which the process is asked to stop (SIGTERM):
// the stop comes while the first message is being sent.
type stopAfterFirst struct {
	inner  notify.Sender
	cancel context.CancelFunc
}

func (s stopAfterFirst) Open(ctx context.Context) (notify.Conn, error) {
	c, err := s.inner.Open(ctx)
	return stopConn{c, s.cancel}, err
}

type stopConn struct {
	notify.Conn
	cancel context.CancelFunc
}

func (c stopConn) Send(m *notify.Message) error {
	c.cancel()
	return c.Conn.Send(m)
}

// A stop during a batch: the message being sent is sent to the end and recorded as sent, and
// the rest of the batch is given back at once (not left to the lease), untried, for the next
// round or the next process.
func TestGracefulStopRecordsWhatWasSent(t *testing.T) {
	a := newDesk(t)
	srv := testutil.StartSMTP(t)
	enqueueReset(t, a, "stop", notify.RecipientOf(user(t, a, "John.Doe")), notify.RecipientOf(user(t, a, "Marie.Dupont")),
		notify.RecipientOf(user(t, a, "Paul.Martin")))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	clk := newClock(time.Now())
	n, err := newWorker(a, stopAfterFirst{inner: newSender(a, srv.Port), cancel: cancel}, clk).RunOnce(ctx)
	if err != nil || n != 1 || len(srv.Received()) != 1 {
		t.Fatalf("RunOnce = %d, %v; relay received %d; want 1 recorded and 1 received", n, err, len(srv.Received()))
	}
	for i, m := range outboxRows(t, a) {
		want := notify.StatusPending
		if i == 0 {
			want = notify.StatusSent
		}
		if m.Status != want || m.ClaimedUntil != nil || m.ClaimedBy != "" || m.Attempts != 1-min(i, 1) {
			t.Errorf("row %d after the stop: status %s, attempts %d, claimed by %q until %v; want %s, unclaimed",
				i, m.Status, m.Attempts, m.ClaimedBy, m.ClaimedUntil, want)
		}
	}
	runOnce(t, newWorker(a, newSender(a, srv.Port), clk), 2) // at once, no lease to wait for
	if got := len(srv.Received()); got != 3 {
		t.Errorf("relay received %d messages in all, want 3, each once", got)
	}
}

// crashSender stands for a process killed while sending its first message, before or after the
// relay got it.
type crashSender struct {
	inner     notify.Sender
	afterSend bool
}

func (c crashSender) Open(ctx context.Context) (notify.Conn, error) {
	conn, err := c.inner.Open(ctx)
	return crashConn{conn, c.afterSend}, err
}

type crashConn struct {
	notify.Conn
	afterSend bool
}

func (c crashConn) Send(m *notify.Message) error {
	if c.afterSend {
		c.Conn.Send(m) //nolint:errcheck // the process dies before it hears the answer
	}
	panic("process killed")
}

// 6. A process that dies while sending leaves its messages to the next one once its lease ends,
// same Message-ID: only the message it was sending can go twice, nothing is lost.
func TestRestartedProcessDeliversPending(t *testing.T) {
	for _, afterSend := range []bool{false, true} {
		t.Run("crash after send="+strconv.FormatBool(afterSend), func(t *testing.T) {
			a := newDesk(t)
			srv := testutil.StartSMTP(t)
			ctx := context.Background()
			enqueueReset(t, a, "t6", notify.RecipientOf(user(t, a, "John.Doe")), notify.RecipientOf(user(t, a, "Marie.Dupont")))
			clk := newClock(time.Now())
			w1 := newWorker(a, crashSender{inner: newSender(a, srv.Port), afterSend: afterSend}, clk)
			func() {
				defer func() {
					if recover() == nil {
						t.Fatal("the crashing sender did not crash")
					}
				}()
				w1.RunOnce(ctx) //nolint:errcheck // it panics
			}()
			before := outboxRows(t, a)
			for i, m := range before {
				if m.Status != notify.StatusPending || m.ClaimedUntil == nil || !m.ClaimedUntil.After(clk.Now()) ||
					m.ClaimedBy != w1.ID || m.Attempts != 1-i {
					t.Fatalf("row %d after the crash: status %s, attempts %d, claimed by %q until %v", i, m.Status, m.Attempts, m.ClaimedBy, m.ClaimedUntil)
				}
			}

			// A new process on the same database file.
			a2, err := app.Open(ctx, a.Config, quietLog())
			if err != nil {
				t.Fatal(err)
			}
			defer a2.Close()
			w2 := newWorker(a2, newSender(a2, srv.Port), clk)
			runOnce(t, w2, 0) // the lease still holds
			clk.Add(w1.Lease + time.Second)
			runOnce(t, w2, 2)
			runOnce(t, w2, 0)

			perID := map[string]int{}
			for _, r := range srv.Received() {
				perID[parseMail(t, r).Header.Get("Message-ID")]++
			}
			for i, m := range outboxRows(t, a) {
				wantEach := 1
				if afterSend && i == 0 {
					wantEach = 2 // the message being sent when the process died: the relay got it twice
				}
				if m.Status != notify.StatusSent || perID[m.MessageID] != wantEach {
					t.Errorf("row %d (%s): status %s, delivered %d times with its Message-ID, want sent and %d",
						m.ID, m.MessageID, m.Status, perID[m.MessageID], wantEach)
				}
			}
			if len(perID) != 2 {
				t.Errorf("the relay saw %d distinct Message-IDs, want 2: %v", len(perID), perID)
			}
		})
	}
}

// 10. Two workers of two processes (two connection pools on one database file) drain one
// outbox: each message is sent exactly once.
func TestConcurrentWorkersSendEachOnce(t *testing.T) {
	a := newDesk(t)
	a2, err := app.Open(context.Background(), a.Config, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	defer a2.Close()
	srv := testutil.StartSMTP(t)
	srv.SetDelay(time.Millisecond)
	ctx := context.Background()
	const n = 60
	err = a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for i := range n {
			rc := notify.Recipient{Email: "user" + strconv.Itoa(i) + "@example.com", Name: "User " + strconv.Itoa(i), Lang: []string{"fr", "en"}[i%2]}
			if err := a.Notifier.Enqueue(ctx, tx, resetNotice(a, "t10-"+strconv.Itoa(i)), rc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clk := newClock(time.Now())
	var wg sync.WaitGroup
	handled := make([]int, 2)
	errs := make([]error, 2)
	for i, desk := range []*app.App{a, a2} {
		w := newWorker(desk, newSender(desk, srv.Port), clk)
		w.Batch = 7
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				k, err := w.RunOnce(ctx)
				if err != nil {
					errs[i] = err
					return
				}
				if k == 0 {
					return
				}
				handled[i] += k
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("worker %d: %v", i, err)
		}
	}
	perID := map[string]int{}
	for _, r := range srv.Received() {
		perID[parseMail(t, r).Header.Get("Message-ID")]++
	}
	for id, k := range perID {
		if k != 1 {
			t.Errorf("%s delivered %d times", id, k)
		}
	}
	if len(srv.Received()) != n || len(perID) != n || handled[0]+handled[1] != n {
		t.Errorf("delivered %d (%d distinct), handled %v; want %d each once", len(srv.Received()), len(perID), handled, n)
	}
	for _, m := range outboxRows(t, a) {
		if m.Status != notify.StatusSent || m.Attempts != 1 {
			t.Errorf("row %d: status %s, attempts %d", m.ID, m.Status, m.Attempts)
		}
	}
	t.Logf("worker shares: %v", handled)
}
