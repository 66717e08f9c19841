package notify_test

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// 1. Each recipient reads the mail in their own language, text and HTML, with a working link.
func TestPasswordResetInEachLanguage(t *testing.T) {
	a := newDesk(t)
	srv := testutil.StartSMTP(t)
	ctx := context.Background()
	for _, login := range []string{"Marie.Dupont", "John.Doe"} {
		if err := a.Identity.RequestPasswordReset(ctx, login); err != nil {
			t.Fatalf("RequestPasswordReset(%s): %v", login, err)
		}
	}
	runOnce(t, newWorker(a, newSender(a, srv.Port), newClock(time.Now())), 2)

	got := map[string]parsed{}
	for _, r := range srv.Received() {
		if len(r.To) != 1 {
			t.Fatalf("envelope recipients = %v, want one", r.To)
		}
		got[r.To[0]] = parseMail(t, r)
	}
	if len(got) != 2 {
		t.Fatalf("server received mail for %d recipients, want 2", len(got))
	}
	link := regexp.MustCompile(regexp.QuoteMeta(a.Config.BaseURL) + `/password/reset/([A-Za-z0-9_-]{16,})`)
	subjects := map[string]string{}
	for _, c := range []struct{ login, name, email, lang, hello, otherHello string }{
		{"Marie.Dupont", "Marie Dupont", "marie.dupont@example.fr", "fr", "Bonjour Marie Dupont,", "Hello"},
		{"John.Doe", "John Doe", "john.doe@example.com", "en", "Hello John Doe,", "Bonjour"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			p, ok := got[c.email]
			if !ok {
				t.Fatalf("no mail for %s", c.email)
			}
			want, err := a.Bundle.Lookup(c.lang, "email.password_reset.subject", nil)
			if err != nil {
				t.Fatal(err)
			}
			subjects[c.lang] = p.Subject
			if p.Subject != want {
				t.Errorf("subject = %q, want %q", p.Subject, want)
			}
			if len(p.To) != 1 || p.To[0].Address != c.email || p.To[0].Name != c.name {
				t.Errorf("To = %v, want %s <%s>", p.To, c.name, c.email)
			}
			if cl := p.Header.Get("Content-Language"); cl != c.lang {
				t.Errorf("Content-Language = %q, want %q", cl, c.lang)
			}
			if !slices.Equal(p.Parts, []string{"text/plain", "text/html"}) {
				t.Errorf("parts = %v, want text/plain then text/html", p.Parts)
			}
			if strings.TrimSpace(p.Text) == "" || strings.TrimSpace(p.HTML) == "" {
				t.Fatalf("empty alternative: text %d bytes, html %d bytes", len(p.Text), len(p.HTML))
			}
			if !strings.HasPrefix(p.Text, c.hello) || !strings.Contains(p.HTML, c.hello) {
				t.Errorf("greeting %q missing:\n%s", c.hello, p.Text)
			}
			if strings.Contains(p.Text, c.otherHello) || strings.Contains(p.HTML, c.otherHello) {
				t.Errorf("body mixes in the other language (%q):\n%s", c.otherHello, p.Text)
			}
			for _, key := range []string{"email.password_reset.expiry", "email.footer"} {
				s, err := a.Bundle.Lookup(c.lang, key, nil)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(p.Text, s) {
					t.Errorf("text lacks %s = %q:\n%s", key, s, p.Text)
				}
			}
			button, _ := a.Bundle.Lookup(c.lang, "email.password_reset.button", nil)
			if !strings.Contains(p.HTML, button) || !strings.Contains(p.HTML, `lang="`+c.lang+`"`) {
				t.Errorf("html lacks the %s button %q or lang attribute", c.lang, button)
			}
			if !strings.Contains(p.Text, c.login) {
				t.Errorf("text does not name the login %s", c.login)
			}
			m := link.FindStringSubmatch(p.Text)
			if m == nil {
				t.Fatalf("no link under %s in the text:\n%s", a.Config.BaseURL, p.Text)
			}
			if !strings.Contains(p.HTML, `href="`+m[0]+`"`) {
				t.Errorf("html lacks href=%q", m[0])
			}
			u, purpose, err := a.Identity.PasswordLinkUser(ctx, m[1])
			if err != nil || u.Login != c.login || purpose != identity.PurposeReset {
				t.Errorf("link %s: user %v, purpose %q, err %v; want %s", m[0], u, purpose, err, c.login)
			}
		})
	}
	if subjects["fr"] == subjects["en"] {
		t.Errorf("both languages got the subject %q", subjects["fr"])
	}
}

// 2. Message-ID, threading and auto-reply headers, and the From display name.
func TestHeadersAndThreading(t *testing.T) {
	a := newDesk(t)
	srv := testutil.StartSMTP(t)
	ctx := context.Background()
	marie, john := user(t, a, "Marie.Dupont"), user(t, a, "John.Doe")
	// Marie's account is locked (fr subject with non-ASCII letters), then she asks for a new
	// password: two messages of one thread. John's reset is another thread.
	locked := false
	for range identity.MaxFailedLogins {
		_, err := a.Identity.Authenticate(ctx, marie.Login, "wrong password")
		locked = errors.Is(err, identity.ErrLocked)
	}
	if !locked {
		t.Fatal("Marie is not locked after the failed logins")
	}
	for _, login := range []string{"Marie.Dupont", "John.Doe"} {
		if err := a.Identity.RequestPasswordReset(ctx, login); err != nil {
			t.Fatal(err)
		}
	}
	rows := outboxRows(t, a)
	if len(rows) != 3 {
		t.Fatalf("outbox has %d rows, want 3 (locked + 2 resets)", len(rows))
	}
	runOnce(t, newWorker(a, newSender(a, srv.Port), newClock(time.Now())), 3)

	byID := map[string]notify.Message{}
	for _, r := range rows {
		byID[r.MessageID] = r
	}
	roots := map[string][]string{} // recipient → In-Reply-To of each of their messages
	got := srv.Received()
	if len(got) != 3 {
		t.Fatalf("server received %d messages, want 3", len(got))
	}
	for _, r := range got {
		p := parseMail(t, r)
		mid := p.Header.Get("Message-ID")
		row, ok := byID[mid]
		if !ok {
			t.Fatalf("Message-ID %q is none of the outbox rows' %v", mid, keys(byID))
		}
		delete(byID, mid) // each row's Message-ID is used once
		if !strings.HasPrefix(mid, "<") || !strings.HasSuffix(mid, ">") || !strings.Contains(mid, "@") {
			t.Errorf("Message-ID %q is not <left@right>", mid)
		}
		root := a.Notifier.ThreadRoot(row.Thread)
		if irt := p.Header.Get("In-Reply-To"); irt != root {
			t.Errorf("In-Reply-To = %q, want ThreadRoot(%q) = %q", irt, row.Thread, root)
		}
		if refs := p.Header.Get("References"); refs != root {
			t.Errorf("References = %q, want %q", refs, root)
		}
		if root == mid {
			t.Errorf("the thread root %q is the message's own id", root)
		}
		roots[r.To[0]] = append(roots[r.To[0]], p.Header.Get("In-Reply-To"))
		if v := p.Header.Get("Auto-Submitted"); v != "auto-generated" {
			t.Errorf("Auto-Submitted = %q", v)
		}
		if v := p.Header.Get("X-Auto-Response-Suppress"); v != "All" {
			t.Errorf("X-Auto-Response-Suppress = %q", v)
		}
		if p.From.Name != testFrom.Name || p.From.Address != testFrom.Address {
			t.Errorf("From = %q <%s>, want %q <%s>", p.From.Name, p.From.Address, testFrom.Name, testFrom.Address)
		}
		if r.From != testFrom.Address || len(r.To) != 1 || r.To[0] != row.RecipientEmail {
			t.Errorf("envelope %s → %v, want %s → %s", r.From, r.To, testFrom.Address, row.RecipientEmail)
		}
		if _, err := p.Header.Date(); err != nil {
			t.Errorf("Date: %v", err)
		}
		if p.Subject != row.Subject {
			t.Errorf("Subject = %q, want the row's %q", p.Subject, row.Subject)
		}
		if row.Kind == "account_locked" {
			want, _ := a.Bundle.Lookup("fr", "email.account_locked.subject", nil)
			if p.Subject != want {
				t.Errorf("locked subject = %q, want %q", p.Subject, want)
			}
		}
	}
	mr, jr := roots[marie.Email], roots[john.Email]
	if len(mr) != 2 || mr[0] != mr[1] || mr[0] != a.Notifier.ThreadRoot("account-"+strconv.FormatInt(marie.ID, 10)) {
		t.Errorf("Marie's two messages refer to %v, want one root for her account thread", mr)
	}
	if len(jr) != 1 || jr[0] == mr[0] {
		t.Errorf("John's message refers to %v, Marie's to %v: want distinct threads", jr, mr)
	}
}

func keys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

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

var errBoom = errors.New("boom")

// 7. Mail written in a transaction that rolls back is never sent.
func TestRolledBackTransactionSendsNothing(t *testing.T) {
	a := newDesk(t)
	srv := testutil.StartSMTP(t)
	ctx := context.Background()
	john := notify.RecipientOf(user(t, a, "John.Doe"))
	err := a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := a.Notifier.Enqueue(ctx, tx, resetNotice(a, "t7"), john); err != nil {
			return err
		}
		n, err := tx.NewSelect().Model((*notify.Message)(nil)).Count(ctx)
		if err != nil || n != 1 {
			t.Errorf("inside the transaction: %d rows, %v; want 1", n, err)
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("RunInTx = %v, want boom", err)
	}
	clk := newClock(time.Now())
	w := newWorker(a, newSender(a, srv.Port), clk)
	runOnce(t, w, 0)
	if n := len(outboxRows(t, a)); n != 0 || len(srv.Received()) != 0 {
		t.Fatalf("after rollback: %d rows, %d delivered; want none", n, len(srv.Received()))
	}
	enqueueReset(t, a, "t7", john) // the same, committed, is sent
	clk.Add(time.Second)
	runOnce(t, w, 1)
	if len(srv.Received()) != 1 {
		t.Errorf("committed message delivered %d times, want 1", len(srv.Received()))
	}
}

// 8. A message that cannot be rendered fails Enqueue, and with it the transaction.
func TestUnrenderableFailsEnqueue(t *testing.T) {
	a := newDesk(t)
	ctx := context.Background()
	john := notify.RecipientOf(user(t, a, "John.Doe"))
	link := a.Notifier.Link("/x")
	for _, c := range []struct {
		name   string
		notice notify.Notice
		to     notify.Recipient
	}{
		{"unknown kind", notify.Notice{Kind: "no_such_mail", Thread: "t8"}, john},
		{"unknown language", resetNotice(a, "t8"), notify.Recipient{Email: "x@example.com", Name: "X", Lang: "de"}},
		{"no language", resetNotice(a, "t8"), notify.Recipient{Email: "x@example.com", Name: "X"}},
		{"missing template data", notify.Notice{Kind: "password_reset", Thread: "t8", Data: map[string]any{"Link": link}}, john},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				// A good message first: it must roll back with the bad one.
				if err := a.Notifier.Enqueue(ctx, tx, resetNotice(a, "t8"), john); err != nil {
					return err
				}
				return a.Notifier.Enqueue(ctx, tx, c.notice, c.to)
			})
			if err == nil {
				t.Errorf("Enqueue succeeded")
			}
			if rows := outboxRows(t, a); len(rows) != 0 {
				t.Errorf("outbox has %d rows after the failed transaction; last: %q", len(rows), rows[len(rows)-1].BodyText)
				a.DB.NewDelete().Model((*notify.Message)(nil)).Where("1 = 1").Exec(ctx) //nolint:errcheck
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
