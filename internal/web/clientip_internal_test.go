package web

import (
	"io"
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestClientIPBehindTrustedProxies: app.Test's peer is 0.0.0.0, which the table trusts or not.
func TestClientIPBehindTrustedProxies(t *testing.T) {
	tests := []struct {
		name    string
		proxies []string
		xff     string
		want    string
	}{
		{"no proxy configured: the header is ignored", nil, "203.0.113.9", "0.0.0.0"},
		{"peer not trusted: ignored", []string{"10.0.0.0/8"}, "203.0.113.9", "0.0.0.0"},
		{"one trusted proxy", []string{"0.0.0.0"}, "203.0.113.9", "203.0.113.9"},
		{"client-written hops on the left are skipped", []string{"0.0.0.0/32"}, "1.2.3.4, 203.0.113.9", "203.0.113.9"},
		{"a chain of trusted proxies", []string{"0.0.0.0", "10.0.0.0/8"}, "198.51.100.7, 10.1.2.3, 10.4.5.6", "198.51.100.7"},
		{"a hop that is no address is the key", []string{"0.0.0.0"}, "nonsense", "hop:nonsense"},
		{"no header", []string{"0.0.0.0"}, "", "0.0.0.0"},
		{"IPv6 client", []string{"0.0.0.0"}, "2001:db8::1", "2001:db8::1"},
		{"a port on the hop", []string{"0.0.0.0"}, "203.0.113.9:51234", "203.0.113.9"},
		{"an IPv6 hop with a port", []string{"0.0.0.0"}, "[2001:db8::1]:443", "2001:db8::1"},
		{"a hop the proxy could not name", []string{"0.0.0.0"}, "unknown", "hop:unknown"},
	}
	for _, tt := range tests {
		ps, err := parseProxies(tt.proxies)
		if err != nil {
			t.Fatal(err)
		}
		h := &handler{proxies: ps}
		app := fiber.New()
		app.Get("/", func(c *fiber.Ctx) error { return c.SendString(h.clientIP(c)) })
		req := httptest.NewRequest("GET", "/", nil)
		if tt.xff != "" {
			// The client's own line first, as a proxy that adds a line (HAProxy) leaves it.
			req.Header.Add("X-Forwarded-For", "1.2.3.4, 5.6.7.8")
			req.Header.Add("X-Forwarded-For", tt.xff)
		}
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		if string(got) != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestClientKeyGroupsIPv6By64: one subscriber holds a /64; an IPv4 client is its address.
func TestClientKeyGroupsIPv6By64(t *testing.T) {
	ps, _ := parseProxies([]string{"0.0.0.0"})
	h := &handler{proxies: ps}
	app := fiber.New()
	app.Get("/", func(c *fiber.Ctx) error { return c.SendString(h.clientKey(c)) })
	for xff, want := range map[string]string{"2001:db8:1:2:aaaa::1": "2001:db8:1:2::/64", "2001:db8:1:2:bbbb::9": "2001:db8:1:2::/64",
		"203.0.113.9": "203.0.113.9"} {
		req := httptest.NewRequest("GET", "/", nil)
		req.Header.Set("X-Forwarded-For", xff)
		resp, err := app.Test(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		if string(got) != want {
			t.Errorf("%s: key %q, want %q", xff, got, want)
		}
	}
}
