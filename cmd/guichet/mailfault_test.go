package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// mailsInFault is how many mails wait in the outbox when the desk starts; the desk is killed
// once the relay has received killAt of them, in the middle of a batch of 50.
const (
	mailsInFault = 200
	killAt       = 57
)

// TestMailFaults runs the real program as a child process with 200 mails waiting, kills it in
// the middle of the send (SIGTERM: a graceful stop; SIGKILL: a crash), starts it again and
// waits for the outbox to drain, then counts at the SMTP server, by Message-ID, what arrived
// twice and what never arrived. A stop must lose nothing and send nothing twice; a crash must
// lose nothing and send at most the one message it was sending twice.
func TestMailFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	bin := testutil.GuichetBinary(t)
	for _, c := range []struct {
		sig     syscall.Signal
		maxDups int
	}{{syscall.SIGTERM, 0}, {syscall.SIGKILL, 1}} {
		t.Run(c.sig.String(), func(t *testing.T) {
			t.Parallel()
			dbPath := testutil.NewDatabase(t)
			ids := fillOutbox(t, dbPath, mailsInFault)
			srv := testutil.StartSMTP(t)
			srv.SetDelay(3 * time.Millisecond) // a relay that takes its time: the kill lands mid-send
			env := append(os.Environ(), "GUICHET_DATABASE="+dbPath, "GUICHET_ADDR=127.0.0.1:0", "GUICHET_LOG_LEVEL=info",
				"GUICHET_SMTP_HOST=127.0.0.1", "GUICHET_SMTP_PORT="+strconv.Itoa(srv.Port), "GUICHET_SMTP_TLS=none")

			first := testutil.StartDesk(t, bin, env)
			stopLoad := load(first)
			for deadline := time.Now().Add(15 * time.Second); len(srv.Received()) < killAt; {
				if time.Now().After(deadline) {
					t.Fatalf("the desk sent %d mails in 15 s\n%s", len(srv.Received()), first.Logs())
				}
				time.Sleep(2 * time.Millisecond)
			}
			atKill := len(srv.Received())
			if err := first.Cmd.Process.Signal(c.sig); err != nil {
				t.Fatal(err)
			}
			state := first.Wait(t)
			requests := stopLoad()
			if c.sig == syscall.SIGTERM && !state.Success() {
				t.Errorf("after SIGTERM the desk exited with %v\n%s", state, first.Logs())
			}
			afterStop := len(srv.Received())

			second := testutil.StartDesk(t, bin, env)
			waitDrained(t, dbPath, second)
			if err := second.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			second.Wait(t)

			perID := map[string]int{}
			for _, m := range srv.Received() {
				perID[m.Header.Get("Message-ID")]++
			}
			dups, lost := 0, 0
			for _, id := range ids {
				switch n := perID[id]; {
				case n == 0:
					lost++
				case n > 1:
					dups += n - 1
				}
			}
			if len(perID) != len(ids) {
				t.Errorf("the relay saw %d distinct Message-IDs, want %d", len(perID), len(ids))
			}
			t.Logf("%s: %d mails received when the signal was sent, %d when the desk had stopped (%d HTTP requests answered meanwhile); after the restart: %d received in all, %d duplicates, %d lost",
				c.sig, atKill, afterStop, requests, len(srv.Received()), dups, lost)
			if dups > c.maxDups || lost != 0 {
				t.Errorf("%s: %d duplicates (at most %d), %d lost (want 0)\nfirst run:\n%s\nsecond run:\n%s",
					c.sig, dups, c.maxDups, lost, first.Logs(), second.Logs())
			}
		})
	}
}

// fillOutbox writes n mails to the outbox of a new database at path with the notify package,
// and returns their Message-IDs.
func fillOutbox(t *testing.T, path string, n int) []string {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, testutil.Config(path), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	err = a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for i := range n {
			rc := notify.Recipient{Email: fmt.Sprintf("user%03d@example.com", i), Name: fmt.Sprintf("User %d", i), Lang: []string{"fr", "en"}[i%2]}
			notice := notify.Notice{Kind: "password_reset", Thread: "fault-" + strconv.Itoa(i),
				Data: map[string]any{"Login": "user" + strconv.Itoa(i), "Link": a.Notifier.Link("/password/forgot")}}
			if err := a.Notifier.Enqueue(ctx, tx, notice, rc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	if err := a.DB.NewSelect().Model((*notify.Message)(nil)).Column("message_id").Scan(ctx, &ids); err != nil {
		t.Fatal(err)
	}
	if len(ids) != n {
		t.Fatalf("outbox holds %d mails, want %d", len(ids), n)
	}
	return ids
}

// child is a running desk.
type child = testutil.Desk

// load keeps the desk busy with page requests until the returned function is called, which
// returns how many were answered.
func load(c *child) func() int {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	answered := 0
	client := &http.Client{Timeout: 5 * time.Second}
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get(c.URL("/login"))
				if err != nil {
					time.Sleep(5 * time.Millisecond) // the desk is stopping or gone
					continue
				}
				io.Copy(io.Discard, resp.Body) //nolint:errcheck
				resp.Body.Close()
				mu.Lock()
				answered++
				mu.Unlock()
			}
		})
	}
	return func() int {
		close(stop)
		wg.Wait()
		return answered
	}
}

// waitDrained waits until every mail of the outbox at path is sent (or has failed for good).
func waitDrained(t *testing.T, path string, c *child) {
	t.Helper()
	ctx := context.Background()
	bdb, err := db.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	for deadline := time.Now().Add(25 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		n, err := bdb.NewSelect().Model((*notify.Message)(nil)).Where("status = ?", notify.StatusPending).Count(ctx)
		if err == nil && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mails still pending 25 s after the restart (%v)\n%s", n, err, c.Logs())
		}
	}
}
