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
		{"garbage stops the walk", []string{"0.0.0.0"}, "nonsense", "0.0.0.0"},
		{"no header", []string{"0.0.0.0"}, "", "0.0.0.0"},
		{"IPv6 client", []string{"0.0.0.0"}, "2001:db8::1", "2001:db8::1"},
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
			req.Header.Set("X-Forwarded-For", tt.xff)
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
