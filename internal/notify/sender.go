package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"

	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/replyaddr"
	gomail "github.com/wneessen/go-mail"
)

// Sender opens connections to the relay; the worker sends a batch over one connection.
type Sender interface {
	Open(ctx context.Context) (Conn, error)
}

// Conn sends messages one at a time, so that each result is recorded as soon as it is known.
type Conn interface {
	Send(m *Message) error
	Close() error
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
	// Replies makes the Reply-To of mail about a ticket sent to a user: the support address
	// with a signed plus part naming both. Without a support address, mail has no Reply-To.
	Replies replyaddr.Book
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

// Open connects to the relay. ctx bounds the connection only: a message being sent when ctx
// ends is sent to the end, so that its result can be recorded.
func (s *SMTPSender) Open(ctx context.Context) (Conn, error) {
	c, err := s.client()
	if err != nil {
		return nil, fmt.Errorf("notify: smtp client: %w", err)
	}
	if err := c.DialWithContext(ctx); err != nil {
		return nil, fmt.Errorf("notify: connect to %s:%d: %w", s.cfg.Host, s.cfg.Port, err)
	}
	return &smtpConn{s: s, c: c}, nil
}

// smtpConn is one open connection to the relay.
type smtpConn struct {
	s *SMTPSender
	c *gomail.Client
}

// Send delivers m; a message that cannot be written at all fails permanently.
func (c *smtpConn) Send(m *Message) error {
	gm, err := c.s.build(m)
	if err != nil {
		return &PermanentError{err}
	}
	return classify(c.c.Send(gm))
}

func (c *smtpConn) Close() error { return c.c.Close() }

// build makes the MIME message: text and HTML alternatives, threading and auto-reply headers.
func (s *SMTPSender) build(m *Message) (*gomail.Msg, error) {
	g := gomail.NewMsg()
	g.FromMailAddress(&mail.Address{Name: headerName(s.from.Name), Address: s.from.Address})
	to, err := mail.ParseAddress(m.RecipientEmail)
	if err != nil {
		return nil, fmt.Errorf("recipient %q: %w", m.RecipientEmail, err)
	}
	// net/mail writes the name quoted, or encoded (RFC 2047) when it is not plain ASCII: a
	// comma, a quote or a line break in a display name can neither break the header nor add one.
	g.AddToMailAddress(&mail.Address{Name: headerName(m.RecipientName), Address: to.Address})
	g.Subject(m.Subject)
	g.SetMessageIDWithValue(trimAngles(m.MessageID))
	g.SetDateWithValue(m.CreatedAt)
	root := s.roots(m.Thread)
	g.SetGenHeader(gomail.HeaderInReplyTo, root)
	g.SetGenHeader(gomail.HeaderReferences, root)
	g.SetGenHeader("Auto-Submitted", "auto-generated")
	g.SetGenHeader("X-Auto-Response-Suppress", "All")
	g.SetGenHeader("Content-Language", m.Lang)
	if m.RecipientUserID != nil {
		if addr := s.Replies.For(m.Thread, *m.RecipientUserID); addr != "" {
			g.ReplyToMailAddress(&mail.Address{Name: headerName(s.Replies.Support.Name), Address: addr})
		}
	}
	g.SetBodyString(gomail.TypeTextPlain, m.BodyText)
	g.AddAlternativeString(gomail.TypeTextHTML, m.BodyHTML)
	return g, nil
}

// headerName is a display name fit for a header: control characters (line breaks included)
// become spaces, and runs of spaces one.
func headerName(name string) string {
	return strings.Join(strings.FieldsFunc(name, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }), " ")
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
