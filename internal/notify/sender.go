package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"time"

	"github.com/guichet/guichet/internal/config"
	gomail "github.com/wneessen/go-mail"
)

// Sender delivers a batch of messages; it answers one error (or nil) per message.
type Sender interface {
	Send(ctx context.Context, msgs []*Message) []error
}

// PermanentError marks a failure that retrying will not cure (a 5xx reply to the message).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// SMTPSender delivers through an SMTP relay with go-mail, one connection per batch.
type SMTPSender struct {
	cfg     config.SMTP
	from    *mail.Address
	roots   func(thread string) string
	timeout time.Duration
}

// NewSMTPSender returns a sender for cfg; n gives each thread its root Message-ID.
func NewSMTPSender(cfg config.SMTP, from *mail.Address, n *Notifier) *SMTPSender {
	return &SMTPSender{cfg: cfg, from: from, roots: n.ThreadRoot, timeout: 30 * time.Second}
}

func (s *SMTPSender) client() (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.timeout)}
	switch s.cfg.TLS {
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case "tls":
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSConfig(&tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.cfg.User != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(s.cfg.User), gomail.WithPassword(s.cfg.Password))
	}
	return gomail.NewClient(s.cfg.Host, opts...)
}

// Send delivers msgs over one connection. A connection that cannot be opened fails every
// message temporarily.
func (s *SMTPSender) Send(ctx context.Context, msgs []*Message) []error {
	errs := make([]error, len(msgs))
	fail := func(err error) []error {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	c, err := s.client()
	if err != nil {
		return fail(err)
	}
	if err := c.DialWithContext(ctx); err != nil {
		return fail(err)
	}
	defer c.Close()
	for i, m := range msgs {
		gm, err := s.build(m)
		if err != nil {
			errs[i] = &PermanentError{err}
			continue
		}
		errs[i] = classify(c.Send(gm))
	}
	return errs
}

// build makes the MIME message: text and HTML alternatives, threading and auto-reply headers.
func (s *SMTPSender) build(m *Message) (*gomail.Msg, error) {
	g := gomail.NewMsg()
	if err := g.FromFormat(s.from.Name, s.from.Address); err != nil {
		return nil, err
	}
	if err := g.AddToFormat(m.RecipientName, m.RecipientEmail); err != nil {
		return nil, fmt.Errorf("recipient %q: %w", m.RecipientEmail, err)
	}
	g.Subject(m.Subject)
	g.SetMessageIDWithValue(trimAngles(m.MessageID))
	g.SetDateWithValue(m.CreatedAt)
	root := s.roots(m.Thread)
	g.SetGenHeader(gomail.HeaderInReplyTo, root)
	g.SetGenHeader(gomail.HeaderReferences, root)
	g.SetGenHeader("Auto-Submitted", "auto-generated")
	g.SetGenHeader("X-Auto-Response-Suppress", "All")
	g.SetGenHeader("Content-Language", m.Lang)
	g.SetBodyString(gomail.TypeTextPlain, m.BodyText)
	g.AddAlternativeString(gomail.TypeTextHTML, m.BodyHTML)
	return g, nil
}

func trimAngles(id string) string {
	if len(id) > 1 && id[0] == '<' && id[len(id)-1] == '>' {
		return id[1 : len(id)-1]
	}
	return id
}

// classify marks a 5xx reply to the message itself (its recipient or its content) as permanent.
// Everything else, 4xx replies, refused connections, timeouts, authentication trouble and a
// refused MAIL FROM (the same for every message, so the relay's settings), is retried.
func classify(err error) error {
	var se *gomail.SendError
	if err == nil || !errors.As(err, &se) || se.ErrorCode() < 500 {
		return err
	}
	switch se.Reason {
	case gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		return &PermanentError{err}
	}
	return err
}
