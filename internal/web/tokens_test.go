package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

func init() {
	// A token of another user than the persona: revoking it is not found, but for an admin.
	foreignParams["apitoken"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string {
		other := "Paul.Martin"
		if p.login == "Paul.Martin" {
			other = "Marie.Dupont"
		}
		return id(makeToken(t, d, other, identity.ScopeRead).ID)
	}
}

// makeToken makes a token of login through the service, valid thirty days.
func makeToken(t *testing.T, d *desk, login, scope string) *identity.APIToken {
	t.Helper()
	_, tok := makeTokenSecret(t, d, login, scope)
	return tok
}

func makeTokenSecret(t *testing.T, d *desk, login, scope string) (string, *identity.APIToken) {
	t.Helper()
	secret, tok, err := d.Identity.CreateToken(context.Background(), tenancy.ActorOf(d.user(t, login)).Actor,
		identity.NewAPIToken{Name: "Script of " + login, Scope: scope, Expires: time.Now().UTC().AddDate(0, 0, 30)}, false)
	if err != nil {
		t.Fatal(err)
	}
	return secret, tok
}

var (
	shownSecret  = regexp.MustCompile(`<code id="token-secret">(gch_[A-Za-z0-9_-]{43})</code>`)
	expiresValue = regexp.MustCompile(`name="expires" type="date" value="([0-9-]*)"`)
)

// createWebToken posts the profile's token form and returns the secret the answer shows.
func createWebToken(t *testing.T, c *testutil.Client, name, scope, lastDay string) (string, testutil.Response) {
	t.Helper()
	c.Get("/profile")
	r := c.Post("/profile/tokens", url.Values{"name": {name}, "scope": {scope}, "expires": {lastDay}})
	wantStatus(t, "create token", r, http.StatusOK)
	m := shownSecret.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no secret shown: %.600s", r.Body)
	}
	return m[1], r
}

func tokenCount(t *testing.T, d *desk) int {
	t.Helper()
	n, err := d.DB.NewSelect().Model((*identity.APIToken)(nil)).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

func utcDay(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly) }

// apiStatus is the status GET /api/v1/me answers the token.
func apiStatus(t *testing.T, d *desk, secret string) int {
	t.Helper()
	return testutil.NewAPIClient(t, d.web, secret).Get("/api/v1/me").Status
}

// A token made on the profile page is shown once, in the answer to the form (not in a URL, a
// cookie or the log); the list then shows its prefix only, and the token opens the API as its
// user, with the scope and last day chosen.
func TestTokenIsShownOnceThenOnlyItsPrefix(t *testing.T) {
	d := newDesk(t)
	c := d.as(t, "John.Doe")
	r := c.Get("/profile")
	wantStatus(t, "profile", r, http.StatusOK)
	wantBody(t, "profile", r, `id="tokens"`, "API tokens", "You have no API token yet.", `action="/profile/tokens"`,
		`value="read" checked`, `min="`+utcDay(0)+`"`, `max="`+utcDay(365)+`"`)
	if m := expiresValue.FindStringSubmatch(r.Body); m == nil || m[1] != utcDay(90) {
		t.Errorf("proposed last day %v, want %s", m, utcDay(90))
	}

	secret, r := createWebToken(t, c, "Monitoring", "write", utcDay(30))
	wantBody(t, "created", r, "Your new API token", "it will not be shown again", "Monitoring", "Read-write")
	if r.Location != "" || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("answer with the secret: location %q, Cache-Control %q", r.Location, r.Header.Get("Cache-Control"))
	}
	for name, vs := range r.Header {
		if strings.Contains(strings.Join(vs, " "), secret) {
			t.Errorf("header %s carries the secret", name)
		}
	}
	if c.Cookie("guichet_flash") != "" {
		t.Errorf("a flash cookie after the creation: %q", c.Cookie("guichet_flash"))
	}
	if strings.Contains(d.logs.String(), secret) || strings.Contains(d.logs.String(), identity.HashToken(secret)) {
		t.Error("the secret or its hash is in the log")
	}
	toks, err := d.Identity.Tokens(context.Background(), tenancy.ActorOf(d.user(t, "John.Doe")).Actor)
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens: %v %v", toks, err)
	}
	tok := toks[0]
	if tok.TokenHash == secret || tok.TokenHash != identity.HashToken(secret) || tok.Scope != identity.ScopeWrite || tok.Name != "Monitoring" {
		t.Errorf("stored token %+v", tok)
	}
	if last := tok.ExpiresAt.UTC().Add(-time.Second).Format(time.DateOnly); last != utcDay(30) {
		t.Errorf("last day %s, want %s", last, utcDay(30))
	}

	api := testutil.NewAPIClient(t, d.web, secret)
	me := api.Get("/api/v1/me")
	if me.Status != http.StatusOK || me.Map(t)["login"] != "John.Doe" {
		t.Fatalf("the token does not open the API as John: %d %s", me.Status, me.Body)
	}

	r = c.Get("/profile")
	wantBody(t, "list", r, "Monitoring", "<code>"+tok.Prefix+"…</code>", "Read-write", "Active", `action="/profile/tokens/`+id(tok.ID)+`/revoke"`)
	// The API use is recorded and shown.
	wantNoBody(t, "list", r, secret, secret[len(tok.Prefix):], "You have no API token yet.", "Never")
}

// Refused input comes back on the profile page with what was typed and each refusal beside its
// field, in the reader's language; nothing is written.
func TestTokenFormRefusalsKeepTheInput(t *testing.T) {
	d := newDesk(t)
	long := strings.Repeat("x", identity.MaxTokenName+1)
	for _, tc := range []struct {
		login, lang string
	}{{"John.Doe", "en"}, {"Marie.Dupont", "fr"}} {
		t.Run(tc.lang, func(t *testing.T) {
			c := d.as(t, tc.login)
			msg := func(key string, pairs ...any) string {
				args := map[string]any{}
				for i := 0; i+1 < len(pairs); i += 2 {
					args[pairs[i].(string)] = pairs[i+1]
				}
				return template.HTMLEscapeString(d.Bundle.T(tc.lang, key, args))
			}
			for _, in := range []struct {
				what                  string
				name, scope, expires  string
				field, key, keptValue string
				args                  []any
			}{
				{"no name", "", "read", utcDay(10), "name", "token.error.name_required", `value="` + utcDay(10) + `"`, nil},
				{"long name", long, "read", utcDay(10), "name", "token.error.name", `value="` + long + `"`, []any{"Max", identity.MaxTokenName}},
				{"no scope", "Dashboards", "", utcDay(10), "scope", "token.error.scope", `value="Dashboards"`, nil},
				{"bad scope", "Dashboards", "admin", utcDay(10), "scope", "token.error.scope", `value="Dashboards"`, nil},
				{"no last day", "Dashboards", "write", "", "expires", "token.error.expires_required", `value="write" checked`, nil},
				{"past", "Dashboards", "write", "2020-01-01", "expires", "token.error.expires_past", `value="2020-01-01"`, nil},
				{"too far", "Dashboards", "write", utcDay(400), "expires", "token.error.expires_far", `value="` + utcDay(400) + `"`, nil},
				{"not a date", "Dashboards", "write", "31/12/2026", "expires", "error.field.date", `value="31/12/2026"`, nil},
			} {
				c.Get("/profile")
				r := c.Post("/profile/tokens", url.Values{"name": {in.name}, "scope": {in.scope}, "expires": {in.expires}})
				wantStatus(t, in.what, r, http.StatusUnprocessableEntity)
				wantBody(t, in.what, r, `id="f-`+in.field+`-error">`+msg(in.key, in.args...)+`</p>`, `href="#f-`+in.field+`"`, in.keptValue,
					msg("token.title"))
				if tokenCount(t, d) != 0 {
					t.Fatalf("%s: a token was written", in.what)
				}
			}
		})
	}
}

// Revoking a token from the profile asks first, naming the consequence; then the token no
// longer opens the API, and the list says when it was revoked.
func TestTokenRevokedFromTheProfileNoLongerOpensTheAPI(t *testing.T) {
	d := newDesk(t)
	c := d.as(t, "Marie.Dupont")
	secret, _ := createWebToken(t, c, "Supervision", "read", utcDay(30))
	if s := apiStatus(t, d, secret); s != http.StatusOK {
		t.Fatalf("new token: %d", s)
	}
	tok := d.mustToken(t, secret)
	r := c.Get("/profile")
	wantBody(t, "profile", r, "Révoquer", "Les scripts et outils qui utilisent «\u00a0Supervision\u00a0» ("+tok.Prefix+"…) cessent aussitôt de fonctionner")
	r = c.Post("/profile/tokens/"+id(tok.ID)+"/revoke", nil)
	if r.Status != http.StatusSeeOther || r.Location != "/profile#tokens" {
		t.Fatalf("revoke: %d to %q", r.Status, r.Location)
	}
	r = c.Get("/profile")
	wantBody(t, "after revoking", r, "Le jeton est révoqué", "Révoqué le")
	wantNoBody(t, "after revoking", r, `action="/profile/tokens/`+id(tok.ID)+`/revoke"`)
	api := testutil.NewAPIClient(t, d.web, secret)
	if me := api.Get("/api/v1/me"); me.Status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d %s", me.Status, me.Body)
	}
	// Sent again (a second tab), the revoke changes nothing and says so.
	r = c.Post("/profile/tokens/"+id(tok.ID)+"/revoke", nil)
	wantStatus(t, "revoke again", r, http.StatusSeeOther)
	// A revoke needs the page's CSRF token.
	other, _ := createWebToken(t, c, "Autre", "read", utcDay(5))
	otherTok := d.mustToken(t, other)
	r = c.PostRaw("/profile/tokens/"+id(otherTok.ID)+"/revoke", url.Values{})
	if r.Status != http.StatusForbidden || apiStatus(t, d, other) != http.StatusOK {
		t.Errorf("revoke without CSRF: %d", r.Status)
	}
}

func (d *desk) mustToken(t *testing.T, secret string) *identity.APIToken {
	t.Helper()
	tok := new(identity.APIToken)
	if err := d.DB.NewSelect().Model(tok).Where("token_hash = ?", identity.HashToken(secret)).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return tok
}

// Another user's token cannot be revoked from one's profile: it is not found, exactly as a
// token that does not exist, for customers and staff alike; it keeps working.
func TestAnotherUsersTokenCannotBeRevoked(t *testing.T) {
	d := newDesk(t)
	johnSecret, johnTok := makeTokenSecret(t, d, "John.Doe", identity.ScopeWrite)
	for _, login := range []string{"Marie.Dupont", "Alice.Agent", "Sophie.Commerciale"} {
		c := d.as(t, login)
		c.Get("/profile")
		r := c.Post("/profile/tokens/"+id(johnTok.ID)+"/revoke", nil)
		wantStatus(t, login+" revoking John's token", r, http.StatusNotFound)
		missing := c.Post("/profile/tokens/999999/revoke", nil)
		wantStatus(t, login+" revoking no token", missing, http.StatusNotFound)
		wantNoBody(t, login+" revoking John's token", r, johnTok.Name, johnTok.Prefix)
	}
	if s := apiStatus(t, d, johnSecret); s != http.StatusOK {
		t.Errorf("John's token after the attempts: %d", s)
	}
}

// The admins' page lists every user's active tokens (not the revoked or expired ones, nor any
// secret) and revokes any of them; others may not open it.
func TestAdminListsAndRevokesEveryonesTokens(t *testing.T) {
	d := newDesk(t)
	marieSecret, marieTok := makeTokenSecret(t, d, "Marie.Dupont", identity.ScopeWrite)
	_, aliceTok := makeTokenSecret(t, d, "Alice.Agent", identity.ScopeRead)
	_, gone := makeTokenSecret(t, d, "Paul.Martin", identity.ScopeRead)
	if err := d.Identity.RevokeToken(context.Background(), tenancy.ActorOf(d.user(t, "Paul.Martin")).Actor, gone.ID); err != nil {
		t.Fatal(err)
	}
	admin := d.as(t, "admin")
	wantBody(t, "admin navigation", admin.Get("/admin/users"), `<a href="/admin/tokens">API tokens</a>`)
	r := admin.Get("/admin/tokens")
	wantStatus(t, "admin tokens", r, http.StatusOK)
	wantBody(t, "admin tokens", r, "Active API tokens", `aria-current="page"`, "Marie.Dupont", "Alice.Agent", marieTok.Prefix, aliceTok.Prefix,
		`action="/admin/tokens/`+id(marieTok.ID)+`/revoke"`, "Scripts and tools of Marie.Dupont that use")
	wantNoBody(t, "admin tokens", r, gone.Prefix, marieSecret)
	r = admin.Post("/admin/tokens/"+id(marieTok.ID)+"/revoke", nil)
	if r.Status != http.StatusSeeOther || r.Location != "/admin/tokens" {
		t.Fatalf("admin revoke: %d to %q", r.Status, r.Location)
	}
	r = admin.Get("/admin/tokens")
	wantBody(t, "after the revoke", r, "The token is revoked", aliceTok.Prefix)
	wantNoBody(t, "after the revoke", r, marieTok.Prefix)
	if s := apiStatus(t, d, marieSecret); s != http.StatusUnauthorized {
		t.Errorf("Marie's token after the admin's revoke: %d", s)
	}
	wantStatus(t, "admin revoking no token", admin.Post("/admin/tokens/999999/revoke", nil), http.StatusNotFound)
	for _, login := range []string{"Marie.Dupont", "Alice.Agent"} {
		c := d.as(t, login)
		wantStatus(t, login+" on the admin page", c.Get("/admin/tokens"), http.StatusForbidden)
		wantStatus(t, login+" revoking as admin", c.Post("/admin/tokens/"+id(aliceTok.ID)+"/revoke", nil), http.StatusForbidden)
	}
	wantStatus(t, "empty list", d.as(t, "admin").Get("/admin/tokens"), http.StatusOK)
}

// With GUICHET_STAFF_2FA=required, a staff member without two-factor authentication cannot make
// a token: the form's post is sent to the enrolment page, which says why, and nothing is
// written; once enrolled, the token is made.
func TestStaffTokenNeedsTwoFactorWhenRequired(t *testing.T) {
	d := newDeskRequiring2FA(t)
	k := d.clock(t)
	c := d.client(t)
	c.Login("Alice.Agent")
	r := c.Post("/profile/tokens", url.Values{"name": {"Dashboards"}, "scope": {"read"}, "expires": {utcDay(10)}})
	if r.Status != http.StatusSeeOther || r.Location != "/profile/2fa" {
		t.Fatalf("staff without 2FA creating a token: %d to %q", r.Status, r.Location)
	}
	wantBody(t, "enrolment page", c.Get("/profile/2fa"), "Staff accounts must use two-factor authentication.")
	if tokenCount(t, d) != 0 {
		t.Fatal("a token was written for staff without two-factor authentication")
	}
	enrolWeb(t, d, c, k, "Alice.Agent")
	r = c.Get("/profile")
	wantStatus(t, "profile after enrolment", r, http.StatusOK)
	m := expiresValue.FindStringSubmatch(r.Body)
	if m == nil || m[1] != k.now.AddDate(0, 0, 90).Format(time.DateOnly) {
		t.Fatalf("proposed last day %v on %s", m, k.now)
	}
	secret, _ := createWebToken(t, c, "Dashboards", "read", m[1])
	if tokenCount(t, d) != 1 || d.mustToken(t, secret).UserID != d.user(t, "Alice.Agent").ID {
		t.Error("the enrolled agent's token was not made")
	}
}
