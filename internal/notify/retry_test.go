package notify_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// 3. A 451 is retried after a backoff, and the message is delivered exactly once.
func TestTemporaryFailureThenDelivered(t *testing.T) {
	a := newDesk(t)
	srv := testutil.StartSMTP(t)
	srv.OnData(func(n int) error {
		if n == 1 {
			return smtpErr(451, [3]int{4, 3, 0}, "try again later")
		}
		return nil
	})
	enqueueReset(t, a, "t3", notify.RecipientOf(user(t, a, "John.Doe")))
	clk := newClock(time.Now())
	t0 := clk.Now()
	w := newWorker(a, newSender(a, srv.Port), clk)

	runOnce(t, w, 1)
	m := oneRow(t, a)
	if m.Status != notify.StatusPending || m.Attempts != 1 || !strings.Contains(m.LastError, "451") ||
		m.ClaimedUntil != nil || m.SentAt != nil {
		t.Fatalf("after a 451: status %s, attempts %d, last_error %q, claimed %v, sent %v",
			m.Status, m.Attempts, m.LastError, m.ClaimedUntil, m.SentAt)
	}
	if lo, hi := t0.Add(24*time.Second-time.Millisecond), t0.Add(36*time.Second+time.Millisecond); m.NextAttemptAt.Before(lo) || m.NextAttemptAt.After(hi) {
		t.Errorf("next attempt in %v, want 30 s ± 20 %%", m.NextAttemptAt.Sub(t0))
	}
	if srv.Datas() != 1 || len(srv.Received()) != 0 {
		t.Fatalf("server saw %d attempts and kept %d messages, want 1 and 0", srv.Datas(), len(srv.Received()))
	}

	runOnce(t, w, 0) // not due yet
	clk.Add(37 * time.Second)
	runOnce(t, w, 1)
	clk.Add(2 * time.Hour)
	runOnce(t, w, 0)

	got := srv.Received()
	if len(got) != 1 {
		t.Fatalf("delivered %d times, want exactly once", len(got))
	}
	m = oneRow(t, a)
	if m.Status != notify.StatusSent || m.Attempts != 2 || m.LastError != "" || m.SentAt == nil {
		t.Errorf("after delivery: status %s, attempts %d, last_error %q, sent %v", m.Status, m.Attempts, m.LastError, m.SentAt)
	}
	if id := parseMail(t, got[0]).Header.Get("Message-ID"); id != m.MessageID {
		t.Errorf("Message-ID %q, want %q", id, m.MessageID)
	}
}

// 4. With the relay down nothing is lost; when it comes back the worker delivers.
func TestRelayDownThenUp(t *testing.T) {
	a := newDesk(t)
	port := testutil.FreePort(t)
	enqueueReset(t, a, "t4", notify.RecipientOf(user(t, a, "Marie.Dupont")), notify.RecipientOf(user(t, a, "John.Doe")))
	clk := newClock(time.Now())
	w := newWorker(a, newSender(a, port), clk)

	runOnce(t, w, 2)
	rows := outboxRows(t, a)
	if len(rows) != 2 {
		t.Fatalf("outbox has %d rows, want 2", len(rows))
	}
	for _, m := range rows {
		if m.Status != notify.StatusPending || m.Attempts != 1 || m.LastError == "" || !m.NextAttemptAt.After(clk.Now()) {
			t.Errorf("relay down: status %s, attempts %d, last_error %q, next %v (now %v)",
				m.Status, m.Attempts, m.LastError, m.NextAttemptAt, clk.Now())
		}
	}
	runOnce(t, w, 0)

	srv := testutil.StartSMTPOn(t, port) // the relay comes back on the same port
	clk.Add(time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	allSent := func() bool {
		n, err := a.DB.NewSelect().Model((*notify.Message)(nil)).Where("status = ?", notify.StatusSent).Count(ctx)
		return err == nil && n == 2
	}
	for deadline := time.Now().Add(5 * time.Second); !allSent() && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	if n := len(srv.Received()); n != 2 {
		t.Fatalf("delivered %d messages after the relay came back, want 2", n)
	}
	ids := map[string]bool{}
	for _, r := range srv.Received() {
		ids[parseMail(t, r).Header.Get("Message-ID")] = true
	}
	for _, m := range outboxRows(t, a) {
		if m.Status != notify.StatusSent || m.Attempts != 2 || !ids[m.MessageID] {
			t.Errorf("row %d: status %s, attempts %d, delivered %v", m.ID, m.Status, m.Attempts, ids[m.MessageID])
		}
	}
}

// 5. A 5xx for the message makes it dead, visible to the admin; Outbox.Retry queues it again.
func TestPermanentFailureDeadThenRetryNow(t *testing.T) {
	for _, c := range []struct {
		name  string
		setup func(*testutil.SMTP)
		clear func(*testutil.SMTP)
	}{
		{"550 to RCPT TO", func(s *testutil.SMTP) {
			s.OnRcpt(func(string) error { return smtpErr(550, [3]int{5, 1, 1}, "no such user") })
		}, func(s *testutil.SMTP) { s.OnRcpt(nil) }},
		{"550 after DATA", func(s *testutil.SMTP) {
			s.OnData(func(int) error { return smtpErr(550, [3]int{5, 7, 1}, "content rejected") })
		}, func(s *testutil.SMTP) { s.OnData(nil) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := newDesk(t)
			srv := testutil.StartSMTP(t)
			c.setup(srv)
			ctx := context.Background()
			admin, agent := tenancy.ActorOf(user(t, a, "admin")), tenancy.ActorOf(user(t, a, "Alice.Agent"))
			enqueueReset(t, a, "t5", notify.RecipientOf(user(t, a, "John.Doe")))
			clk := newClock(time.Now())
			w := newWorker(a, newSender(a, srv.Port), clk)

			runOnce(t, w, 1)
			m := oneRow(t, a)
			if m.Status != notify.StatusDead || m.Attempts != 1 || !strings.Contains(m.LastError, "550") {
				t.Fatalf("after a 550: status %s, attempts %d, last_error %q", m.Status, m.Attempts, m.LastError)
			}
			clk.Add(3 * time.Hour)
			runOnce(t, w, 0) // dead is not retried by itself

			outbox := &notify.Outbox{DB: a.DB, Now: clk.Now}
			list, total, err := outbox.List(ctx, admin.Actor, notify.StatusDead, paging.Page{})
			if err != nil || total != 1 || len(list) != 1 || list[0].ID != m.ID || list[0].LastError != m.LastError {
				t.Fatalf("Outbox(dead) = %d rows, total %d, err %v; want message %d with its last_error", len(list), total, err, m.ID)
			}
			if _, _, err := outbox.List(ctx, agent.Actor, "", paging.Page{}); !errors.Is(err, apperr.ErrForbidden) {
				t.Errorf("Outbox by an agent: err %v, want forbidden", err)
			}
			one, err := outbox.Message(ctx, admin.Actor, m.ID, "[hidden]")
			if err != nil || one.LastError != m.LastError || one.BodyText == "" || one.BodyHTML == "" {
				t.Fatalf("Outbox.Message: %+v, %v", one, err)
			}
			if _, err := outbox.Message(ctx, admin.Actor, m.ID+1000, "[hidden]"); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("Outbox.Message(unknown): %v, want not found", err)
			}
			if err := outbox.Retry(ctx, agent.Actor, m.ID); !errors.Is(err, apperr.ErrForbidden) {
				t.Errorf("Outbox.Retry by an agent: %v, want forbidden", err)
			}

			c.clear(srv)
			now := clk.Now()
			if err := outbox.Retry(ctx, admin.Actor, m.ID); err != nil {
				t.Fatal(err)
			}
			m = oneRow(t, a)
			if m.Status != notify.StatusPending || m.NextAttemptAt.After(now) || m.NextAttemptAt.Before(now.Add(-time.Millisecond)) ||
				m.DeadlineAt.Sub(now) < notify.RetryWindow-time.Millisecond || m.ClaimedUntil != nil {
				t.Fatalf("after Outbox.Retry: status %s, next %v, deadline %v (now %v)", m.Status, m.NextAttemptAt, m.DeadlineAt, now)
			}
			runOnce(t, w, 1)
			if m = oneRow(t, a); m.Status != notify.StatusSent || len(srv.Received()) != 1 {
				t.Errorf("after retry: status %s, delivered %d", m.Status, len(srv.Received()))
			}
		})
	}
}

// A recipient refused in a batch does not fail the others sent over the same connection; an
// address that cannot be written at all is dead without troubling the relay.
func TestOneBadRecipientInABatch(t *testing.T) {
	a := newDesk(t)
	srv := testutil.StartSMTP(t)
	srv.OnRcpt(func(to string) error {
		if to == "john.doe@example.com" {
			return smtpErr(550, [3]int{5, 1, 1}, "no such user")
		}
		return nil
	})
	enqueueReset(t, a, "batch",
		notify.RecipientOf(user(t, a, "John.Doe")),
		notify.Recipient{Email: "not an address", Name: "Broken", Lang: "en"},
		notify.RecipientOf(user(t, a, "Marie.Dupont")))
	runOnce(t, newWorker(a, newSender(a, srv.Port), newClock(time.Now())), 3)
	want := map[string]string{"john.doe@example.com": notify.StatusDead, "not an address": notify.StatusDead,
		"marie.dupont@example.fr": notify.StatusSent}
	for _, m := range outboxRows(t, a) {
		if m.Status != want[m.RecipientEmail] {
			t.Errorf("%s: status %s (%s), want %s", m.RecipientEmail, m.Status, m.LastError, want[m.RecipientEmail])
		}
	}
	if got := srv.Received(); len(got) != 1 || got[0].To[0] != "marie.dupont@example.fr" {
		t.Errorf("delivered %v, want Marie's message only", got)
	}
}

// Temporary failures are retried within RetryWindow only; then the message is dead.
func TestRetryWindowEndsInDead(t *testing.T) {
	a := newDesk(t)
	srv := testutil.StartSMTP(t)
	srv.OnData(func(int) error { return smtpErr(451, [3]int{4, 3, 0}, "still busy") })
	enqueueReset(t, a, "window", notify.RecipientOf(user(t, a, "John.Doe")))
	clk := newClock(time.Now())
	w := newWorker(a, newSender(a, srv.Port), clk)
	runOnce(t, w, 1)
	if m := oneRow(t, a); m.Status != notify.StatusPending {
		t.Fatalf("first 451: status %s, want pending", m.Status)
	}
	clk.Add(notify.RetryWindow - 10*time.Second)
	runOnce(t, w, 1)
	if m := oneRow(t, a); m.Status != notify.StatusDead || !strings.Contains(m.LastError, "451") || m.Attempts != 2 {
		t.Errorf("451 at the end of the window: status %s, attempts %d, last_error %q; want dead", m.Status, m.Attempts, m.LastError)
	}
}

// A relay that wants authentication answers 530 to MAIL FROM: that is the relay's state (our
// settings), not the message's, and sender.go's classify says authentication trouble is retried.
func TestAuthRequiredIsRetried(t *testing.T) {
	a := newDesk(t)
	srv := testutil.StartSMTP(t)
	srv.OnMail(func(int) error { return smtpErr(530, [3]int{5, 7, 0}, "Authentication required") })
	enqueueReset(t, a, "auth", notify.RecipientOf(user(t, a, "John.Doe")))
	runOnce(t, newWorker(a, newSender(a, srv.Port), newClock(time.Now())), 1)
	if m := oneRow(t, a); m.Status != notify.StatusPending {
		t.Errorf("530 Authentication required to MAIL FROM: status %s (%s), want pending (retried)", m.Status, m.LastError)
	}
}
