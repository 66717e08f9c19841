package testutil

import (
	"errors"
	"io"
	"log"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/notify"
)

// Mail is a message as a real SMTP server received it, read back with net/mail.
type Mail struct {
	To      []string // envelope recipients
	Header  mail.Header
	Subject string
	Text    string
	HTML    string
}

// SMTP is a real SMTP server on 127.0.0.1 that accepts every message, for tests of delivery.
type SMTP struct {
	srv  *smtp.Server
	Port int
	mu   sync.Mutex
	msgs []Mail
	t    testing.TB
}

// StartSMTP starts a server on a free port, stopped when the test ends.
func StartSMTP(t testing.TB) *SMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &SMTP{Port: ln.Addr().(*net.TCPAddr).Port, t: t}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &smtpSession{s: s}, nil }))
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	s.srv.ErrorLog = log.New(io.Discard, "", 0)
	go s.srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// Deliver sends every message waiting in a's outbox to the server with the real go-mail sender
// and worker, and returns what the server holds (all messages received so far).
func (s *SMTP) Deliver(a *app.App) []Mail {
	s.t.Helper()
	cfg := config.SMTP{Host: "127.0.0.1", Port: s.Port, TLS: "none"}
	from := &mail.Address{Name: "Guichet", Address: "desk@example.com"}
	w := notify.NewWorker(a.DB, notify.NewSMTPSender(cfg, from, a.Notifier), slog.New(slog.NewTextHandler(io.Discard, nil)))
	for {
		n, err := w.RunOnce(s.t.Context())
		if err != nil {
			s.t.Fatalf("outbox worker: %v", err)
		}
		if n == 0 {
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.msgs...)
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

func (x *smtpSession) Reset()                                      { x.from, x.to = "", nil }
func (x *smtpSession) Logout() error                               { return nil }
func (x *smtpSession) Mail(from string, _ *smtp.MailOptions) error { x.from = from; return nil }
func (x *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = append(x.to, to)
	return nil
}

func (x *smtpSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	got := Mail{To: append([]string(nil), x.to...), Header: m.Header}
	got.Subject, _ = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if _, params, err := mime.ParseMediaType(m.Header.Get("Content-Type")); err == nil && params["boundary"] != "" {
		mr := multipart.NewReader(m.Body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
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
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, got)
	x.s.mu.Unlock()
	return nil
}
