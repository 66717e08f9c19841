package testutil

import (
	"bytes"
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
	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/notify"
)

// Mail is a message as a real SMTP server received it: its envelope, its raw data, and its
// header and parts read back with net/mail.
type Mail struct {
	From    string   // envelope sender
	To      []string // envelope recipients
	Raw     []byte
	Header  mail.Header
	Subject string
	Text    string
	HTML    string
}

// SMTP is a real SMTP server on 127.0.0.1 for tests of delivery. It accepts every message
// unless a test programs its replies (OnMail, OnRcpt, OnData), and can answer slowly (SetDelay).
type SMTP struct {
	srv  *smtp.Server
	Port int
	t    testing.TB

	mu     sync.Mutex
	msgs   []Mail
	mails  int // MAIL FROM commands seen
	datas  int // DATA payloads seen
	onMail func(n int) error
	onRcpt func(to string) error
	onData func(n int) error
	delay  time.Duration
}

// StartSMTP starts a server on a free port, stopped when the test ends.
func StartSMTP(t testing.TB) *SMTP { t.Helper(); return StartSMTPOn(t, 0) }

// StartSMTPOn starts a server on 127.0.0.1:port (0 for any free port). A port just released by
// a stopped server may take a moment to become free again, so listening is retried briefly.
func StartSMTPOn(t testing.TB, port int) *SMTP {
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
	s := &SMTP{Port: ln.Addr().(*net.TCPAddr).Port, t: t}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.srv.MaxMessageBytes = 10 << 20
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go s.srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// FreePort returns a port nobody listens on (for a relay that is down).
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// Stop closes the server (the relay goes down).
func (s *SMTP) Stop() { s.srv.Close() }

// OnMail programs the reply to the nth MAIL FROM (nil error: accepted).
func (s *SMTP) OnMail(h func(n int) error) { s.mu.Lock(); s.onMail = h; s.mu.Unlock() }

// OnRcpt programs the reply to each RCPT TO.
func (s *SMTP) OnRcpt(h func(to string) error) { s.mu.Lock(); s.onRcpt = h; s.mu.Unlock() }

// OnData programs the reply to the nth DATA payload.
func (s *SMTP) OnData(h func(n int) error) { s.mu.Lock(); s.onData = h; s.mu.Unlock() }

// SetDelay makes the server take d to answer each DATA payload, as a busy relay does.
func (s *SMTP) SetDelay(d time.Duration) { s.mu.Lock(); s.delay = d; s.mu.Unlock() }

// Received returns a copy of the messages accepted so far.
func (s *SMTP) Received() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.msgs...)
}

// Datas returns how many DATA payloads the server was offered, accepted or not.
func (s *SMTP) Datas() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.datas
}

// SMTPError is a reply the server gives to refuse a command.
func SMTPError(code int, enh [3]int, msg string) error {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode(enh), Message: msg}
}

// Deliver sends every message waiting in a's outbox to the server with the real go-mail sender
// and worker, and returns what the server holds (all messages received so far).
func (s *SMTP) Deliver(a *app.App) []Mail {
	s.t.Helper()
	cfg := config.SMTP{Host: "127.0.0.1", Port: s.Port, TLS: "none"}
	from := &mail.Address{Name: "Guichet", Address: "desk@example.com"}
	w := a.NewWorker(notify.NewSMTPSender(cfg, from, a.Notifier), slog.New(slog.NewTextHandler(io.Discard, nil)))
	for {
		n, err := w.RunOnce(s.t.Context())
		if err != nil {
			s.t.Fatalf("outbox worker: %v", err)
		}
		if n == 0 {
			break
		}
	}
	return s.Received()
}

// To returns the received messages addressed to addr.
func To(ms []Mail, addr string) []Mail {
	var out []Mail
	for _, m := range ms {
		for _, to := range m.To {
			if strings.EqualFold(to, addr) {
				out = append(out, m)
				break
			}
		}
	}
	return out
}

type smtpSession struct {
	s    *SMTP
	from string
	to   []string
}

func (x *smtpSession) Reset()        { x.from, x.to = "", nil }
func (x *smtpSession) Logout() error { return nil }

func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	x.s.mu.Lock()
	x.s.mails++
	n, h := x.s.mails, x.s.onMail
	x.s.mu.Unlock()
	if h != nil {
		if err := h(n); err != nil {
			return err
		}
	}
	x.from = from
	return nil
}

func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	h := x.s.onRcpt
	x.s.mu.Unlock()
	if h != nil {
		if err := h(to); err != nil {
			return err
		}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *smtpSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	x.s.datas++
	n, h, delay := x.s.datas, x.s.onData, x.s.delay
	x.s.mu.Unlock()
	if delay > 0 {
		time.Sleep(delay)
	}
	if h != nil {
		if err := h(n); err != nil {
			return err
		}
	}
	got, err := readMail(raw)
	if err != nil {
		return err
	}
	got.From, got.To = x.from, append([]string(nil), x.to...)
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, got)
	x.s.mu.Unlock()
	return nil
}

// readMail reads a message's header, subject and text and HTML parts.
func readMail(raw []byte) (Mail, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Mail{}, err
	}
	got := Mail{Raw: raw, Header: m.Header}
	got.Subject, _ = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if _, params, err := mime.ParseMediaType(m.Header.Get("Content-Type")); err == nil && params["boundary"] != "" {
		mr := multipart.NewReader(m.Body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return Mail{}, err
			}
			body, _ := io.ReadAll(part)
			switch pt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type")); pt {
			case "text/plain":
				got.Text = string(body)
			case "text/html":
				got.HTML = string(body)
			}
		}
	}
	return got, nil
}
