package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/testutil"
)

func actorOf(t *testing.T, d *desk, login string) identity.Actor {
	t.Helper()
	return d.actor(t, login).Actor
}

// TestTokensOpenTheAPIAsTheirUserOnly: a token acts as its user; expired, revoked, unknown,
// malformed and disabled users' tokens are 401; a read-only token cannot write (403); nothing
// is written by a refused request; the secret is never logged.
func TestTokensOpenTheAPIAsTheirUserOnly(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	marie := actorOf(t, d, "Marie.Dupont")

	secret, tok, err := d.Identity.CreateToken(ctx, marie, identity.NewAPIToken{Name: "monitoring", Scope: identity.ScopeWrite,
		Expires: time.Now().UTC().AddDate(0, 1, 0)}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "gch_") || tok.TokenHash == secret || !strings.HasPrefix(secret, tok.Prefix) {
		t.Fatalf("secret %q, token %+v", secret, tok)
	}
	c := testutil.NewAPIClient(t, d.web, secret)
	r := c.Get("/api/v1/me")
	if r.Status != http.StatusOK || r.Map(t)["login"] != "Marie.Dupont" {
		t.Fatalf("me: %d %s", r.Status, r.Body)
	}
	// Her token reaches her tenants only: Paul's tenant is not found.
	if r := c.Get("/api/v1/incidents?tenant=OCB0000004"); r.Status != http.StatusNotFound {
		t.Errorf("Marie on Paul's tenant: %d %s", r.Status, r.Body)
	}

	// Read-only: reads, cannot write, writes nothing.
	ro := d.readOnly(t, "Marie.Dupont")
	ro.Lang = "en"
	if r := ro.Get("/api/v1/incidents?tenant=OCB0000001"); r.Status != http.StatusOK {
		t.Errorf("read-only read: %d", r.Status)
	}
	before := testutil.Count(t, d.DB, "incidents", "1=1")
	r = ro.Post("/api/v1/incidents", declaration("OCB0000001", "Read-only write"))
	if p := problemOf(t, r); r.Status != http.StatusForbidden || !strings.Contains(p.Detail, "read-only") {
		t.Errorf("read-only write: %d %+v", r.Status, p)
	}
	if after := testutil.Count(t, d.DB, "incidents", "1=1"); after != before {
		t.Errorf("a read-only token declared an incident")
	}

	for _, bad := range []struct{ name, header string }{
		{"none", ""},
		{"not bearer", "Basic " + secret},
		{"unknown", "Bearer gch_" + strings.Repeat("A", 43)},
		{"malformed", "Bearer " + strings.Repeat("x", 5000)},
		{"blank", "Bearer   "},
		{"accented", "Bearer gch_é"},
	} {
		an := d.anonymous(t)
		an.Lang = "fr"
		r := an.Get("/api/v1/me", "Authorization", bad.header)
		p := problemOf(t, r)
		if r.Status != http.StatusUnauthorized || p.Title != "Authentification requise" || r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: %d %+v", bad.name, r.Status, p)
		}
	}

	// Revoked: 401 at once; another user cannot revoke it (404), the admin can revoke anyone's.
	john := d.as(t, "John.Doe")
	if r := john.Delete("/api/v1/tokens/" + itoa(tok.ID)); r.Status != http.StatusNotFound {
		t.Errorf("John revokes Marie's token: %d %s", r.Status, r.Body)
	}
	if r := c.Get("/api/v1/me"); r.Status != http.StatusOK {
		t.Fatalf("Marie's token after John's try: %d", r.Status)
	}
	if r := d.as(t, "admin").Delete("/api/v1/tokens/" + itoa(tok.ID)); r.Status != http.StatusNoContent {
		t.Errorf("admin revokes: %d %s", r.Status, r.Body)
	}
	if r := c.Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d", r.Status)
	}

	// Expired: the clock passes the last day.
	secret2, _, err := d.Identity.CreateToken(ctx, marie, identity.NewAPIToken{Name: "short", Scope: identity.ScopeRead,
		Expires: time.Now().UTC()}, false)
	if err != nil {
		t.Fatal(err)
	}
	d.Identity.Now = func() time.Time { return time.Now().UTC().Add(49 * time.Hour) }
	if r := testutil.NewAPIClient(t, d.web, secret2).Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
		t.Errorf("expired token: %d", r.Status)
	}
	d.Identity.Now = func() time.Time { return time.Now().UTC() }

	// A disabled user's token opens nothing.
	paul := d.as(t, "Paul.Martin")
	if _, err := d.DB.NewRaw("UPDATE users SET active = ? WHERE login = 'Paul.Martin'", false).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if r := paul.Get("/api/v1/me"); r.Status != http.StatusUnauthorized {
		t.Errorf("disabled user's token: %d", r.Status)
	}

	if strings.Contains(d.logs.String(), secret) || strings.Contains(d.logs.String(), secret2) {
		t.Error("a token's secret was logged")
	}
}

// TestTokenCreationRules: name, scope and expiry are checked beside their fields; staff need
// two-factor authentication when the desk requires it, at creation and at use.
func TestTokenCreationRules(t *testing.T) {
	d := newDeskWith(t, func(c *config.Config) { c.Staff2FA = config.Staff2FARequired })
	ctx := context.Background()
	marie := actorOf(t, d, "Marie.Dupont")
	now := time.Now().UTC()
	for _, c := range []struct {
		in   identity.NewAPIToken
		want []string
	}{
		{identity.NewAPIToken{Name: " ", Scope: "read", Expires: now.AddDate(0, 1, 0)}, []string{"name:token.error.name_required"}},
		{identity.NewAPIToken{Name: strings.Repeat("n", 101), Scope: "read", Expires: now.AddDate(0, 1, 0)}, []string{"name:token.error.name"}},
		{identity.NewAPIToken{Name: "a\nb", Scope: "read", Expires: now.AddDate(0, 1, 0)}, []string{"name:token.error.name"}},
		{identity.NewAPIToken{Name: "ok", Scope: "admin", Expires: now.AddDate(0, 1, 0)}, []string{"scope:token.error.scope"}},
		{identity.NewAPIToken{Name: "ok", Scope: "write"}, []string{"expires:token.error.expires_required"}},
		{identity.NewAPIToken{Name: "ok", Scope: "write", Expires: now.AddDate(0, 0, -1)}, []string{"expires:token.error.expires_past"}},
		{identity.NewAPIToken{Name: "ok", Scope: "write", Expires: now.AddDate(1, 0, 2)}, []string{"expires:token.error.expires_far"}},
	} {
		_, _, err := d.Identity.CreateToken(ctx, marie, c.in, true)
		testutil.WantFields(t, err, c.want...)
	}
	if _, _, err := d.Identity.CreateToken(ctx, marie, identity.NewAPIToken{Name: "a year", Scope: "write", Expires: now.AddDate(1, 0, 0)}, true); err != nil {
		t.Errorf("a customer's token for a year: %v", err)
	}
	alice := actorOf(t, d, "Alice.Agent")
	if _, _, err := d.Identity.CreateToken(ctx, alice, identity.NewAPIToken{Name: "bot", Scope: "write", Expires: now.AddDate(0, 1, 0)}, true); err == nil {
		t.Error("an agent without 2FA made a token while the desk requires it")
	}
	// A token made before the requirement stops working until 2FA is set.
	secret, _, err := d.Identity.CreateToken(ctx, alice, identity.NewAPIToken{Name: "bot", Scope: "write", Expires: now.AddDate(0, 1, 0)}, false)
	if err != nil {
		t.Fatal(err)
	}
	c := testutil.NewAPIClient(t, d.web, secret)
	c.Lang = "en"
	r := c.Get("/api/v1/me")
	if p := problemOf(t, r); r.Status != http.StatusForbidden || !strings.Contains(p.Detail, "two-factor") {
		t.Errorf("agent token without 2FA: %d %+v", r.Status, p)
	}
}
