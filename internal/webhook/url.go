package webhook

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/i18n"
)

// Resolver finds the addresses of a host name; net.DefaultResolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// blocked are the ranges an endpoint may not be in besides those netip names (loopback,
// private, link-local, multicast, unspecified): this host, shared address space, IETF protocol
// assignments, benchmarking, reserved and broadcast, IPv4-compatible and NAT64 addresses (which
// lead to IPv4 ones), 6to4, and the discard prefix.
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("::/96"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("100::/64"),
}

// Forbidden reports whether addr is not a public unicast address: loopback, private, link-local,
// multicast, unspecified or one of the reserved ranges. Deliveries never go to such an address
// unless the desk is told to allow it (GUICHET_WEBHOOK_ALLOW_PRIVATE).
func Forbidden(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() ||
		addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() {
		return true
	}
	for _, p := range blocked {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}

// ErrForbiddenAddress is a connection refused because the address it would reach is not public.
var ErrForbiddenAddress = errors.New("webhook: the endpoint's address is not a public address")

// CheckURL checks an endpoint's address as it is registered: an absolute https URL without
// credentials or fragment, whose host (unless allowPrivate) resolves only to public addresses.
// It returns the URL as it is kept, or a field error beside "url". The check is repeated at every
// connection (see NewClient): a name that resolves elsewhere later reaches nothing private.
func CheckURL(ctx context.Context, r Resolver, raw string, allowPrivate bool) (string, *i18n.Error) {
	raw = strings.TrimSpace(raw)
	switch n := utf8.RuneCountInString(raw); {
	case n == 0:
		return "", i18n.FieldError("url", "webhook.error.url_required")
	case n > MaxURL:
		return "", i18n.FieldError("url", "webhook.error.url_too_long", "Max", MaxURL)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" || u.Hostname() == "" || u.User != nil || u.Fragment != "" ||
		strings.ContainsAny(raw, " \t\r\n") {
		return "", i18n.FieldError("url", "webhook.error.url_invalid")
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return "", i18n.FieldError("url", "webhook.error.url_https")
	}
	u.Scheme = "https"
	if allowPrivate {
		return u.String(), nil
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		if r == nil {
			r = net.DefaultResolver
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		addrs, err = r.LookupNetIP(ctx, "ip", host)
		if err != nil || len(addrs) == 0 {
			return "", i18n.FieldError("url", "webhook.error.url_resolve", "Host", host)
		}
	}
	for _, a := range addrs {
		if Forbidden(a) {
			return "", i18n.FieldError("url", "webhook.error.url_private")
		}
	}
	return u.String(), nil
}

// LoadRoots returns the system's trusted roots with the PEM certificates of file added (for
// endpoints signed by a private authority; GUICHET_WEBHOOK_CA_FILE); nil (the system's roots)
// when file is "".
func LoadRoots(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("webhook: read the CA file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("webhook: %s holds no PEM certificate", file)
	}
	return pool, nil
}

// NewClient returns the HTTP client deliveries are posted with: TLS verified against roots (the
// system's when nil), no proxy, no redirect followed (an endpoint that redirects has not taken
// the event), Timeout for the whole exchange, and, unless allowPrivate, every connection checked
// against Forbidden at the moment it is made, after the name was resolved, so that a name that
// resolves to a private address (DNS rebinding) reaches nothing.
func NewClient(roots *x509.CertPool, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: Timeout, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
			}
			if Forbidden(ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrForbiddenAddress, ap.Addr())
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   Timeout,
		ResponseHeaderTimeout: Timeout,
		MaxIdleConns:          20,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
