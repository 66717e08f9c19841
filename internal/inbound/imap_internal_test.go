package inbound

import (
	"context"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/guichet/guichet/internal/config"
)

// Hooks for the tests against Dovecot (dovecot_test.go, package inbound_test, where the
// harness lives with the handler's tests).

// PollerWithoutKeywords makes p act as if the server kept no custom keywords: handled
// messages move to Guichet/Done.
func PollerWithoutKeywords(p *Poller) { p.noKeywords = true }

// SetIMAPMaxMessage sets the most of a message read, and returns what restores it.
func SetIMAPMaxMessage(n int64) (restore func()) {
	old := imapMaxMessage
	imapMaxMessage = n
	return func() { imapMaxMessage = old }
}

// DialIMAPAsRemote connects to c's server as if its host were not a loopback address.
func DialIMAPAsRemote(ctx context.Context, c config.IMAP) error {
	t, err := imapTargetOf(c)
	if err != nil {
		return err
	}
	t.loopback = false
	client, err := imapDial(ctx, t, &imapclient.Options{})
	if err == nil {
		client.Close()
	}
	return err
}

func TestPollerTargets(t *testing.T) {
	for _, c := range []struct {
		url, addr       string
		tls, loopback   bool
		wantErrContains string
	}{
		{url: "imaps://mail.example.com", addr: "mail.example.com:993", tls: true},
		{url: "imaps://mail.example.com:10993/", addr: "mail.example.com:10993", tls: true},
		{url: "imap://mail.example.com", addr: "mail.example.com:143"},
		{url: "imap://127.0.0.1:1143", addr: "127.0.0.1:1143", loopback: true},
		{url: "imap://localhost", addr: "localhost:143", loopback: true},
		{url: "imap://[::1]:10143", addr: "[::1]:10143", loopback: true},
		{url: "imap://10.0.0.1", addr: "10.0.0.1:143"},
		{url: "", wantErrContains: "GUICHET_IMAP_URL is empty"},
		{url: "pop3://mail.example.com", wantErrContains: "want imaps://"},
	} {
		got, err := imapTargetOf(config.IMAP{URL: c.url})
		if c.wantErrContains != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErrContains) {
				t.Errorf("%q: %v, want an error with %q", c.url, err, c.wantErrContains)
			}
			continue
		}
		if err != nil || got.addr != c.addr || got.implicitTLS != c.tls || got.loopback != c.loopback {
			t.Errorf("%q: %+v, %v", c.url, got, err)
		}
	}
	// Run refuses at once a configuration that cannot work.
	if err := (&Poller{}).Run(t.Context()); err == nil || !strings.Contains(err.Error(), "GUICHET_IMAP_URL") {
		t.Errorf("Run without a URL: %v", err)
	}
}
