package inbound

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/guichet/guichet/internal/config"
)

const (
	// imapDoneKeyword marks a message whose ticket change has committed. The search is for
	// messages without it, so that \Seen stays a human's business.
	imapDoneKeyword imap.Flag = "$GuichetDone"
	// imapDoneFolder is where handled messages go when the server keeps no custom keywords
	// (PERMANENTFLAGS without \*); "/" stands for the server's hierarchy separator.
	imapDoneFolder = "Guichet/Done"
	// imapMaxIdle is the longest one IDLE lasts: servers may drop a connection idle for 30
	// minutes (RFC 2177), and each end of an IDLE is a read of the mailbox.
	imapMaxIdle = 25 * time.Minute
	// imapDialTimeout bounds connecting and the TLS handshake.
	imapDialTimeout = 30 * time.Second
	// imapMinBackoff and imapMaxBackoff bound the wait before Run connects again after an
	// error: it starts at the first and doubles up to the second.
	imapMinBackoff = time.Second
	imapMaxBackoff = time.Minute
)

// imapMaxMessage is the most of one message read into memory. A larger message is handed its
// first imapMaxMessage+1 bytes: Handle quarantines it for its length, and the whole of it stays
// on the server. A variable for tests.
var imapMaxMessage int64 = 60 << 20

// Poller reads inbound mail from a hosted mailbox over IMAP and hands each message to Handle.
// A message is marked on the server (the keyword $GuichetDone and \Seen, or, when the server
// keeps no custom keywords, a move to the folder Guichet/Done) only after Handle has returned
// without error, that is after its ticket change has committed: a crash in between makes the
// message read again, and Handle, which dedups by Message-ID, writes nothing the second time.
// A Handle error leaves the message unmarked for the next read.
type Poller struct {
	Config config.IMAP
	Handle HandleFunc
	Log    *slog.Logger
	// Fetched is told after each read of the mailbox: how many messages were handled, and the
	// error that stopped the read (nil when none) — the admin page shows the last fetch and
	// errors from it. May be nil.
	Fetched func(ctx context.Context, at time.Time, handled int, err error)

	// noKeywords makes the poller act as if the server kept no custom keywords (tests of the
	// move to Guichet/Done).
	noKeywords bool
}

// Run reads the mailbox until ctx ends: at once, then whenever the server says (IDLE) that
// mail came in, or every Config.Poll when it cannot. After any error it connects again, after
// a wait of a second doubling up to a minute (a server refusing the login or offering no
// STARTTLS is such an error: it is logged and told to Fetched each time). It returns nil when
// ctx ends, and an error at once only when there is no URL or no Handle, or the URL is not
// one of an IMAP server.
func (p *Poller) Run(ctx context.Context) error {
	if _, err := imapTargetOf(p.Config); err != nil {
		return err
	}
	if p.Handle == nil {
		return errors.New("imap: the poller has no Handle")
	}
	backoff := imapMinBackoff
	for ctx.Err() == nil {
		err := p.session(ctx, func() { backoff = imapMinBackoff })
		if ctx.Err() != nil {
			return nil
		}
		p.log().Warn("imap: reading the mailbox failed; connecting again", "in", backoff, "err", err)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(backoff*2, imapMaxBackoff)
	}
	return nil
}

// Once connects, hands every message not yet done to Handle, marks each one Handle took,
// and disconnects. It returns how many messages were handled and the first error met.
func (p *Poller) Once(ctx context.Context) (int, error) {
	s, err := p.connect(ctx, nil)
	if err != nil {
		p.report(ctx, 0, err)
		return 0, err
	}
	defer s.close()
	n, err := s.read(ctx)
	p.report(ctx, n, err)
	if err == nil {
		s.logout()
	}
	return n, err
}

// session is one connection of Run: read, wait for news, read again, until an error or
// the end of ctx. ok is called after each read without error.
func (p *Poller) session(ctx context.Context, ok func()) error {
	wake := make(chan struct{}, 1)
	s, err := p.connect(ctx, wake)
	if err != nil {
		p.report(ctx, 0, err)
		return err
	}
	defer s.close()
	idle := s.c.Caps().Has(imap.CapIdle)
	p.log().Info("imap: connected", "server", s.target.addr, "folder", s.folder, "idle", idle, "marking", s.markingName())
	for {
		// News that came in while reading is read at the next turn rather than lost.
		select {
		case <-wake:
		default:
		}
		n, err := s.read(ctx)
		p.report(ctx, n, err)
		if err != nil {
			return err
		}
		ok()
		if idle {
			err = s.idle(ctx, wake, min(p.poll(), imapMaxIdle))
		} else {
			err = s.sleep(ctx, p.poll())
		}
		if err != nil {
			return s.failed(ctx, err)
		}
	}
}

func (p *Poller) report(ctx context.Context, handled int, err error) {
	if p.Fetched == nil || ctx.Err() != nil {
		return
	}
	p.Fetched(ctx, time.Now(), handled, err)
}

func (p *Poller) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.Default()
}

func (p *Poller) poll() time.Duration {
	if p.Config.Poll > 0 {
		return p.Config.Poll
	}
	return time.Minute
}

func (p *Poller) folder() string {
	if p.Config.Folder != "" {
		return p.Config.Folder
	}
	return "INBOX"
}

// imapTarget is where and how to connect.
type imapTarget struct {
	addr, host string
	// implicitTLS: imaps://. Otherwise STARTTLS, or plain text when the server offers no
	// STARTTLS and the host is a loopback address.
	implicitTLS bool
	loopback    bool
}

func imapTargetOf(c config.IMAP) (imapTarget, error) {
	if c.URL == "" {
		return imapTarget{}, errors.New("imap: no mailbox configured (GUICHET_IMAP_URL is empty)")
	}
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "imap" && u.Scheme != "imaps") || u.Hostname() == "" {
		return imapTarget{}, fmt.Errorf("imap: GUICHET_IMAP_URL=%q: want imaps://host:993 or imap://host:143", c.URL)
	}
	t := imapTarget{host: u.Hostname(), implicitTLS: u.Scheme == "imaps"}
	port := u.Port()
	switch {
	case port != "":
	case t.implicitTLS:
		port = "993"
	default:
		port = "143"
	}
	t.addr = net.JoinHostPort(t.host, port)
	ip := net.ParseIP(t.host)
	t.loopback = strings.EqualFold(t.host, "localhost") || (ip != nil && ip.IsLoopback())
	return t, nil
}

// imapSession is one logged-in connection with the folder selected.
type imapSession struct {
	p      *Poller
	c      *imapclient.Client
	target imapTarget
	folder string
	// done is the folder handled messages move to; "" when they get the keyword instead.
	done string
	stop func() bool
}

// connect dials, secures, logs in and selects the folder. wake, when not nil, is signalled
// whenever the server announces new messages.
func (p *Poller) connect(ctx context.Context, wake chan struct{}) (*imapSession, error) {
	target, err := imapTargetOf(p.Config)
	if err != nil {
		return nil, err
	}
	opts := &imapclient.Options{
		TLSConfig: &tls.Config{ServerName: target.host, MinVersion: tls.VersionTLS12},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil && wake != nil {
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	c, err := imapDial(ctx, target, opts)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	s := &imapSession{p: p, c: c, target: target, folder: p.folder()}
	// The client knows no contexts: closing it ends whatever command waits.
	s.stop = context.AfterFunc(ctx, func() { c.Close() })
	if err := s.setUp(); err != nil {
		s.close()
		return nil, s.failed(ctx, err)
	}
	return s, nil
}

func imapDial(ctx context.Context, t imapTarget, opts *imapclient.Options) (*imapclient.Client, error) {
	d := &net.Dialer{Timeout: imapDialTimeout}
	dctx, cancel := context.WithTimeout(ctx, imapDialTimeout)
	defer cancel()
	if t.implicitTLS {
		conn, err := (&tls.Dialer{NetDialer: d, Config: opts.TLSConfig.Clone()}).DialContext(dctx, "tcp", t.addr)
		if err != nil {
			return nil, fmt.Errorf("imap: connect to %s (TLS): %w", t.addr, err)
		}
		return imapGreeted(imapclient.New(conn, opts), t)
	}
	conn, err := d.DialContext(dctx, "tcp", t.addr)
	if err != nil {
		return nil, fmt.Errorf("imap: connect to %s: %w", t.addr, err)
	}
	if t.loopback {
		// Plain text is allowed on loopback, but STARTTLS is used all the same when offered,
		// on a second connection (the client cannot start TLS on one already read from).
		c, err := imapGreeted(imapclient.New(conn, opts), t)
		if err != nil || !c.Caps().Has(imap.CapStartTLS) {
			return c, err
		}
		c.Close()
		if conn, err = d.DialContext(dctx, "tcp", t.addr); err != nil {
			return nil, fmt.Errorf("imap: connect to %s: %w", t.addr, err)
		}
	}
	conn.SetDeadline(time.Now().Add(imapDialTimeout))
	c, err := imapclient.NewStartTLS(conn, opts)
	if err != nil {
		return nil, fmt.Errorf("imap: STARTTLS with %s failed (imap:// needs STARTTLS away from loopback; use imaps:// for implicit TLS): %w", t.addr, err)
	}
	conn.SetDeadline(time.Time{})
	return c, nil
}

// imapGreeted waits for the server's greeting, within the dial timeout.
func imapGreeted(c *imapclient.Client, t imapTarget) (*imapclient.Client, error) {
	timer := time.AfterFunc(imapDialTimeout, func() { c.Close() })
	defer timer.Stop()
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, fmt.Errorf("imap: no greeting from %s: %w", t.addr, err)
	}
	return c, nil
}

func (s *imapSession) setUp() error {
	c, p := s.c, s.p
	if c.Caps().Has(imap.CapLoginDisabled) {
		return fmt.Errorf("imap: %s refuses to log in on this connection (LOGINDISABLED)", s.target.addr)
	}
	if err := c.Login(p.Config.User, p.Config.Password).Wait(); err != nil {
		return fmt.Errorf("imap: log in to %s as %q: %w", s.target.addr, p.Config.User, err)
	}
	sel, err := c.Select(s.folder, nil).Wait()
	if err != nil {
		return fmt.Errorf("imap: open folder %q: %w", s.folder, err)
	}
	if !p.noKeywords && imapKeepsKeyword(sel.PermanentFlags) {
		return nil
	}
	// No custom keywords: handled messages move to Guichet/Done, made if missing.
	list, err := c.List("", "", nil).Collect()
	if err != nil {
		return fmt.Errorf("imap: read the hierarchy separator: %w", err)
	}
	sep := "/"
	if len(list) > 0 && list[0].Delim != 0 {
		sep = string(list[0].Delim)
	}
	s.done = strings.ReplaceAll(imapDoneFolder, "/", sep)
	if strings.EqualFold(s.done, s.folder) {
		return fmt.Errorf("imap: the folder read (%q) cannot be the one handled messages move to", s.folder)
	}
	found, err := c.List("", s.done, nil).Collect()
	if err != nil {
		return fmt.Errorf("imap: look for folder %q: %w", s.done, err)
	}
	if len(found) == 0 {
		err := c.Create(s.done, nil).Wait()
		var ie *imap.Error
		if err != nil && !(errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists) {
			return fmt.Errorf("imap: the server keeps no custom keywords (no \\* in PERMANENTFLAGS), and folder %q, where handled messages would move, cannot be made: %w", s.done, err)
		}
	}
	return nil
}

func imapKeepsKeyword(flags []imap.Flag) bool {
	for _, f := range flags {
		if f == imap.FlagWildcard || strings.EqualFold(string(f), string(imapDoneKeyword)) {
			return true
		}
	}
	return false
}

func (s *imapSession) markingName() string {
	if s.done != "" {
		return "move to " + s.done
	}
	return "keyword " + string(imapDoneKeyword)
}

// read hands every message not yet done to Handle, in UID order, one at a time, and marks
// each one Handle took. A Handle error is logged and leaves its message for the next read;
// the others are still handed. Other errors (the connection) stop the read.
func (s *imapSession) read(ctx context.Context) (int, error) {
	criteria := &imap.SearchCriteria{NotFlag: []imap.Flag{imapDoneKeyword}}
	if s.done != "" {
		criteria = &imap.SearchCriteria{} // everything left in the folder
	}
	found, err := s.c.UIDSearch(criteria, nil).Wait()
	if err != nil {
		return 0, s.failed(ctx, fmt.Errorf("imap: search folder %q: %w", s.folder, err))
	}
	uids := found.AllUIDs()
	if len(uids) == 0 {
		return 0, nil
	}
	sizes, err := s.sizes(uids)
	if err != nil {
		return 0, s.failed(ctx, err)
	}
	handled := 0
	var handleErr error
	for _, uid := range uids {
		size, ok := sizes[uid]
		if !ok {
			continue // expunged meanwhile
		}
		raw, ok, err := s.fetch(uid, size)
		if err != nil {
			return handled, s.failed(ctx, err)
		}
		if !ok {
			continue
		}
		log := s.p.log().With("folder", s.folder, "uid", uint32(uid), "size", size)
		if size > imapMaxMessage {
			log.Warn("imap: message over the size limit; handing its beginning, to be quarantined", "limit", imapMaxMessage)
		}
		out, err := s.p.Handle(ctx, raw, SourceIMAP)
		if ctx.Err() != nil {
			// Stopped after Handle, maybe after its commit: the message stays unmarked and is
			// read again next time, which Handle's dedup makes harmless.
			log.Info("imap: stopped before marking the message; it is read again next time", "handle_err", err)
			return handled, ctx.Err()
		}
		if err != nil {
			log.Error("imap: message not recorded; it stays in the mailbox for the next read", "err", err)
			if handleErr == nil {
				handleErr = fmt.Errorf("imap: message UID %d not recorded: %w", uid, err)
			}
			continue
		}
		handled++
		log.Info("imap: message handled", "id", out.ID, "status", out.Status, "reason", out.Reason, "duplicate", out.Duplicate)
		if err := s.mark(uid); err != nil {
			return handled, s.failed(ctx, err)
		}
	}
	return handled, handleErr
}

// sizes asks the size of each message.
func (s *imapSession) sizes(uids []imap.UID) (map[imap.UID]int64, error) {
	msgs, err := s.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, fmt.Errorf("imap: fetch message sizes: %w", err)
	}
	sizes := make(map[imap.UID]int64, len(msgs))
	for _, m := range msgs {
		if m.UID != 0 {
			sizes[m.UID] = m.RFC822Size
		}
	}
	return sizes, nil
}

// fetch reads one whole message (its first imapMaxMessage+1 bytes when larger) without
// setting \Seen. ok is false when the message is gone.
func (s *imapSession) fetch(uid imap.UID, size int64) (raw []byte, ok bool, err error) {
	section := &imap.FetchItemBodySection{Peek: true}
	if size > imapMaxMessage {
		section.Partial = &imap.SectionPartial{Offset: 0, Size: imapMaxMessage + 1}
	}
	cmd := s.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}})
	for msg := cmd.Next(); msg != nil && err == nil; msg = cmd.Next() {
		for item := msg.Next(); item != nil && err == nil; item = msg.Next() {
			body, isBody := item.(imapclient.FetchItemDataBodySection)
			if !isBody || ok {
				continue
			}
			ok = true
			if body.Literal != nil {
				raw, err = io.ReadAll(io.LimitReader(body.Literal, imapMaxMessage+1))
			}
		}
	}
	if cerr := cmd.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, false, fmt.Errorf("imap: fetch message UID %d: %w", uid, err)
	}
	return raw, ok, nil
}

// mark records on the server that a message is done.
func (s *imapSession) mark(uid imap.UID) error {
	flags := []imap.Flag{imap.FlagSeen}
	if s.done == "" {
		flags = append(flags, imapDoneKeyword)
	}
	store := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: flags}
	if err := s.c.Store(imap.UIDSetNum(uid), store, nil).Close(); err != nil {
		return fmt.Errorf("imap: mark message UID %d done: %w", uid, err)
	}
	if s.done != "" {
		if _, err := s.c.Move(imap.UIDSetNum(uid), s.done).Wait(); err != nil {
			return fmt.Errorf("imap: move message UID %d to %q: %w", uid, s.done, err)
		}
	}
	return nil
}

// idle waits, in IDLE, for the server to announce new messages, for d, or for ctx to end.
func (s *imapSession) idle(ctx context.Context, wake <-chan struct{}, d time.Duration) error {
	cmd, err := s.c.Idle()
	if err != nil {
		return fmt.Errorf("imap: IDLE: %w", err)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-wake:
	case <-t.C:
	case <-s.c.Closed():
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("imap: end IDLE: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("imap: IDLE: %w", err)
	}
	return nil
}

// sleep waits d (the server offers no IDLE), then checks that the connection still works.
func (s *imapSession) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
	}
	if err := s.c.Noop().Wait(); err != nil {
		return fmt.Errorf("imap: NOOP: %w", err)
	}
	return nil
}

// failed is ctx's error when ctx has ended (closing the connection is what made err), else
// err.
func (s *imapSession) failed(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (s *imapSession) logout() {
	if err := s.c.Logout().Wait(); err != nil {
		s.p.log().Debug("imap: logout", "err", err)
	}
}

func (s *imapSession) close() {
	s.stop()
	s.c.Close()
}
