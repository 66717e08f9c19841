package notify_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// smtpErr is a refusal the test relay answers.
func smtpErr(code int, enh [3]int, msg string) error { return testutil.SMTPError(code, enh, msg) }

// parsed is a received message read back with net/mail and mime/multipart, checking each part.
type parsed struct {
	Env     testutil.Mail
	Header  mail.Header
	Subject string
	From    *mail.Address
	To      []*mail.Address
	Text    string
	HTML    string
	Parts   []string // media types of the parts, in order
}

func parseMail(t testing.TB, r testutil.Mail) parsed {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(r.Raw)))
	if err != nil {
		t.Fatalf("net/mail: %v\n%s", err, r.Raw)
	}
	p := parsed{Env: r, Header: m.Header}
	dec := new(mime.WordDecoder)
	if p.Subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		t.Fatalf("subject %q: %v", m.Header.Get("Subject"), err)
	}
	if p.From, err = mail.ParseAddress(m.Header.Get("From")); err != nil {
		t.Fatalf("From %q: %v", m.Header.Get("From"), err)
	}
	if p.To, err = m.Header.AddressList("To"); err != nil {
		t.Fatalf("To %q: %v", m.Header.Get("To"), err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type %q: %v", m.Header.Get("Content-Type"), err)
	}
	if mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q, want multipart/alternative", mt)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		pt, pp, err := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if err != nil {
			t.Fatalf("part Content-Type %q: %v", part.Header.Get("Content-Type"), err)
		}
		if cs := strings.ToLower(pp["charset"]); cs != "utf-8" {
			t.Errorf("part %s charset = %q, want utf-8", pt, cs)
		}
		body, err := io.ReadAll(part)
		if err != nil {
			t.Fatalf("part %s: %v", pt, err)
		}
		p.Parts = append(p.Parts, pt)
		switch pt {
		case "text/plain":
			p.Text = string(body)
		case "text/html":
			p.HTML = string(body)
		}
	}
	return p
}

// clock is a settable clock shared by a test and its workers.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var testFrom = &mail.Address{Name: "Guichet Équipe Support", Address: "desk@example.com"}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newSender(a *app.App, port int) *notify.SMTPSender {
	return notify.NewSMTPSender(config.SMTP{Host: "127.0.0.1", Port: port, TLS: "none"}, testFrom, a.Notifier)
}

func newWorker(a *app.App, s notify.Sender, clk *clock) *notify.Worker {
	w := notify.NewWorker(a.DB, s, quietLog())
	w.Now = clk.Now
	w.Poll = 10 * time.Millisecond
	return w
}

// newDesk returns a desk on a private demo database with an empty outbox.
func newDesk(t testing.TB) *app.App {
	t.Helper()
	a := testutil.NewApp(t)
	if _, err := a.DB.NewDelete().Model((*notify.Message)(nil)).Where("1 = 1").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a
}

func user(t testing.TB, a *app.App, login string) *identity.User {
	t.Helper()
	u, err := identity.UserByLogin(context.Background(), a.DB, login)
	if err != nil {
		t.Fatalf("%s: %v", login, err)
	}
	return u
}

func outboxRows(t testing.TB, a *app.App) []notify.Message {
	t.Helper()
	var ms []notify.Message
	if err := a.DB.NewSelect().Model(&ms).Order("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return ms
}

func oneRow(t testing.TB, a *app.App) notify.Message {
	t.Helper()
	ms := outboxRows(t, a)
	if len(ms) != 1 {
		t.Fatalf("outbox has %d rows, want 1", len(ms))
	}
	return ms[0]
}

func runOnce(t testing.TB, w *notify.Worker, want int) {
	t.Helper()
	n, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	if n != want {
		t.Fatalf("RunOnce handled %d messages, want %d", n, want)
	}
}

// enqueueReset writes one password_reset message to u in its own committed transaction.
func enqueueReset(t testing.TB, a *app.App, thread string, to ...notify.Recipient) {
	t.Helper()
	err := a.DB.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		return a.Notifier.Enqueue(ctx, tx, resetNotice(a, thread), to...)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func resetNotice(a *app.App, thread string) notify.Notice {
	return notify.Notice{Kind: "password_reset", Thread: thread,
		Data: map[string]any{"Login": "someone", "Link": a.Notifier.Link("/password/reset/test-token")}}
}
