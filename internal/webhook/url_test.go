package webhook_test

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/webhook"
)

func TestForbiddenAddresses(t *testing.T) {
	for s, want := range map[string]bool{
		"127.0.0.1": true, "127.8.8.8": true, "10.1.2.3": true, "172.16.0.1": true, "192.168.1.1": true, "169.254.169.254": true,
		"0.0.0.0": true, "0.1.2.3": true, "100.64.0.1": true, "198.18.0.1": true, "224.0.0.1": true, "255.255.255.255": true,
		"::1": true, "::": true, "fe80::1": true, "fc00::1": true, "fd12:3456::1": true, "::ffff:127.0.0.1": true, "::ffff:10.0.0.1": true,
		"::127.0.0.1": true, "64:ff9b::a00:1": true, "2002:a00:1::1": true, "ff02::1": true,
		"203.0.113.7": false, "8.8.8.8": false, "192.0.2.10": false, "2001:db8::1": false, "2a00:1450:4007:80e::200e": false, "::ffff:8.8.8.8": false,
	} {
		if got := webhook.Forbidden(netip.MustParseAddr(s)); got != want {
			t.Errorf("Forbidden(%s) = %v, want %v", s, got, want)
		}
	}
}

func TestCheckURL(t *testing.T) {
	ctx := t.Context()
	public := resolver{netip.MustParseAddr("203.0.113.7")}
	rebound := resolver{netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("10.0.0.7")}
	for _, c := range []struct {
		url     string
		r       webhook.Resolver
		private bool
		want    string // the message key, or the URL kept
	}{
		{"https://hooks.example.com/guichet?token=a", public, false, "https://hooks.example.com/guichet?token=a"},
		{"  HTTPS://hooks.example.com/x  ", public, false, "https://hooks.example.com/x"},
		{"https://203.0.113.7:8443/x", resolver{}, false, "https://203.0.113.7:8443/x"},
		{"https://hooks.example.com/x", rebound, false, "webhook.error.url_private"},
		{"https://hooks.example.com/x", resolver{}, false, "webhook.error.url_resolve"},
		{"https://localhost/x", resolver{netip.MustParseAddr("127.0.0.1")}, false, "webhook.error.url_private"},
		{"https://127.0.0.1/x", public, false, "webhook.error.url_private"},
		{"https://[::1]:8443/x", public, false, "webhook.error.url_private"},
		{"https://169.254.169.254/latest/meta-data", public, false, "webhook.error.url_private"},
		{"https://127.0.0.1:8443/x", public, true, "https://127.0.0.1:8443/x"},
		{"http://hooks.example.com/x", public, false, "webhook.error.url_https"},
		{"ftp://hooks.example.com/x", public, true, "webhook.error.url_https"},
		{"https://user:secret@hooks.example.com/x", public, false, "webhook.error.url_invalid"},
		{"https://hooks.example.com/x#frag", public, false, "webhook.error.url_invalid"},
		{"https:///x", public, false, "webhook.error.url_invalid"},
		{"hooks.example.com/x", public, false, "webhook.error.url_invalid"},
		{"https://hooks.example.com/a b", public, false, "webhook.error.url_invalid"},
		{"", public, false, "webhook.error.url_required"},
		{"https://hooks.example.com/" + strings.Repeat("a", webhook.MaxURL), public, false, "webhook.error.url_too_long"},
	} {
		got, e := webhook.CheckURL(ctx, c.r, c.url, c.private)
		if e != nil {
			got = e.Key
			if e.Field != "url" {
				t.Errorf("%q: error beside %q", c.url, e.Field)
			}
		}
		if got != c.want {
			t.Errorf("CheckURL(%q) = %q, want %q", c.url, got, c.want)
		}
	}
}

// TestConnectionsToPrivateAddressesAreRefusedWhenMade: a name that resolved to a public address
// when it was registered and resolves to a private one later (DNS rebinding) reaches nothing:
// the client checks the address it connects to.
func TestConnectionsToPrivateAddressesAreRefusedWhenMade(t *testing.T) {
	r := newReceiver(t)
	guarded := webhook.NewClient(r.roots(), false)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, r.URL(), strings.NewReader("{}"))
	_, err := guarded.Do(req)
	if !errors.Is(err, webhook.ErrForbiddenAddress) {
		t.Fatalf("a connection to %s: %v", r.URL(), err)
	}
	// The same with a name: localhost resolves to loopback at dial time.
	req, _ = http.NewRequestWithContext(context.Background(), http.MethodPost, strings.Replace(r.URL(), "127.0.0.1", "localhost", 1), strings.NewReader("{}"))
	if _, err := guarded.Do(req); !errors.Is(err, webhook.ErrForbiddenAddress) {
		t.Fatalf("a connection to localhost: %v", err)
	}
	if n := len(r.requests()); n != 0 {
		t.Fatalf("the receiver got %d requests", n)
	}
	allowed := webhook.NewClient(r.roots(), true)
	req, _ = http.NewRequestWithContext(context.Background(), http.MethodPost, r.URL(), strings.NewReader("{}"))
	resp, err := allowed.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// A certificate the client does not trust is refused.
	req, _ = http.NewRequestWithContext(context.Background(), http.MethodPost, r.URL(), strings.NewReader("{}"))
	if _, err := webhook.NewClient(nil, true).Do(req); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("an untrusted certificate: %v", err)
	}
}

func TestSignAndVerify(t *testing.T) {
	now := mustTime("2026-12-02T09:00:00Z")
	body := []byte(`{"id":"evt_1"}`)
	h := webhook.Sign("whsec_abc", now, body)
	if !strings.HasPrefix(h, "t=1796202000,v1=") || len(h) != len("t=1796202000,v1=")+64 {
		t.Fatalf("signature %q", h)
	}
	for _, c := range []struct {
		secret, header string
		body           []byte
		at             string
		want           bool
	}{
		{"whsec_abc", h, body, "2026-12-02T09:04:00Z", true},
		{"whsec_abc", "v1=0000," + h, body, "2026-12-02T09:00:00Z", true},
		{"whsec_abd", h, body, "2026-12-02T09:00:00Z", false},
		{"whsec_abc", h, []byte(`{"id":"evt_2"}`), "2026-12-02T09:00:00Z", false},
		{"whsec_abc", h, body, "2026-12-02T09:06:00Z", false},
		{"whsec_abc", strings.Replace(h, "t=1796202000", "t=1796202001", 1), body, "2026-12-02T09:00:00Z", false},
		{"whsec_abc", "", body, "2026-12-02T09:00:00Z", false},
	} {
		if got := webhook.Verify(c.secret, c.header, c.body, mustTime(c.at), 5*60e9); got != c.want {
			t.Errorf("Verify(%q, %q, %s at %s) = %v", c.secret, c.header, c.body, c.at, got)
		}
	}
}
