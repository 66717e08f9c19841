package notify_test

import (
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/guichet/guichet/internal/account"
	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// received is one message as the SMTP server got it: its envelope and raw data.
type received struct {
	From string
	To   []string
	Data []byte
}

// fakeSMTP is a real SMTP server on 127.0.0.1 whose replies tests program per attempt.
type fakeSMTP struct {
	srv  *smtp.Server
	Port int

	mu     sync.Mutex
	msgs   []received
	mails  int // MAIL FROM commands seen
	datas  int // DATA payloads seen
	onMail func(n int) error
	onRcpt func(to string) error
	onData func(n int) error
	delay  time.Duration
}

// startSMTP listens on 127.0.0.1:port (0 for any free port). A port just released by a stopped
// server may take a moment to become free again, so listening is retried briefly.
func startSMTP(t testing.TB, port int) *fakeSMTP {
	t.Helper()
	var ln net.Listener
	var err error
	for deadline := time.Now().Add(3 * time.Second); ; {
		ln, err = net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("smtp listen: %v", err)
	}
	f := &fakeSMTP{Port: ln.Addr().(*net.TCPAddr).Port}
	f.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{f: f}, nil }))
	f.srv.Domain = "localhost"
	f.srv.AllowInsecureAuth = true
	f.srv.ReadTimeout, f.srv.WriteTimeout = 10*time.Second, 10*time.Second
	f.srv.MaxMessageBytes = 10 << 20
	f.srv.ErrorLog = log.New(io.Discard, "", 0)
	go f.srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed
	t.Cleanup(func() { f.srv.Close() })
	return f
}

// freePort returns a port nobody listens on (for a relay that is down).
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

func (f *fakeSMTP) Stop() { f.srv.Close() }

func (f *fakeSMTP) OnMail(h func(n int) error) { f.mu.Lock(); f.onMail = h; f.mu.Unlock() }
func (f *fakeSMTP) OnRcpt(h func(to string) error) {
	f.mu.Lock()
	f.onRcpt = h
	f.mu.Unlock()
}
func (f *fakeSMTP) OnData(h func(n int) error) { f.mu.Lock(); f.onData = h; f.mu.Unlock() }

// Received returns a copy of the messages accepted so far.
func (f *fakeSMTP) Received() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.msgs...)
}

// Datas returns how many DATA payloads the server was offered, accepted or not.
func (f *fakeSMTP) Datas() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.datas
}

type session struct {
	f    *fakeSMTP
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.f.mu.Lock()
	s.f.mails++
	n, h := s.f.mails, s.f.onMail
	s.f.mu.Unlock()
	if h != nil {
		if err := h(n); err != nil {
			return err
		}
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.f.mu.Lock()
	h := s.f.onRcpt
	s.f.mu.Unlock()
	if h != nil {
		if err := h(to); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.f.mu.Lock()
	s.f.datas++
	n, h, delay := s.f.datas, s.f.onData, s.f.delay
	s.f.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	if h != nil {
		if err := h(n); err != nil {
			return err
		}
	}
	s.f.mu.Lock()
	s.f.msgs = append(s.f.msgs, received{From: s.from, To: append([]string(nil), s.to...), Data: b})
	s.f.mu.Unlock()
	return nil
}

func smtpErr(code int, enh smtp.EnhancedCode, msg string) error {
	return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: msg}
}

// parsed is a received message read back with net/mail and mime/multipart.
type parsed struct {
	Env     received
	Header  mail.Header
	Subject string
	From    *mail.Address
	To      []*mail.Address
	Text    string
	HTML    string
	Parts   []string // media types of the parts, in order
}

func parseMail(t testing.TB, r received) parsed {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(string(r.Data)))
	if err != nil {
		t.Fatalf("net/mail: %v\n%s", err, r.Data)
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

func user(t testing.TB, a *app.App, login string) *account.User {
	t.Helper()
	u, err := account.UserByLogin(context.Background(), a.DB, login)
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
