package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/testutil"
)

func TestLoginLandsOnTheScopedTenantInTheUsersLanguage(t *testing.T) {
	d := newDesk(t)
	c := d.client(t)
	c.Lang = "en" // the preference (fr) wins over the browser
	c.Login("Marie.Dupont")
	r := c.Get("/")
	wantStatus(t, "home", r, 200)
	wantBody(t, "home", r, `<html lang="fr">`, "OCB0000001", "Périmètre", ">Utilisateurs<", ">Contrat<")
}

func TestSessionCookieIsHttpOnlyLaxAndRegeneratedAtLogin(t *testing.T) {
	d := newDesk(t)
	c := d.client(t)
	c.SetCookie("guichet_session", "planted-by-an-attacker")
	c.Login("John.Doe")
	first := c.Cookie("guichet_session")
	if first == "" || first == "planted-by-an-attacker" {
		t.Fatalf("session cookie not regenerated: %q", first)
	}
	c.Login("John.Doe")
	if c.Cookie("guichet_session") == first {
		t.Fatal("second login kept the same session id")
	}
	old := d.client(t)
	old.SetCookie("guichet_session", first)
	if r := old.Get("/"); r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Fatalf("the session replaced at login still works: %d %q", r.Status, r.Location)
	}

}

func TestSessionCookieAttributes(t *testing.T) {
	for _, secure := range []bool{false, true} {
		d := newDesk(t)
		d.Config.CookieSecure = secure
		w, err := d.Web(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		get, _ := w.Test(httptest.NewRequest(http.MethodGet, "/login", nil), -1)
		var anon *http.Cookie
		for _, ck := range get.Cookies() {
			if ck.Name == "guichet_anon" {
				anon = ck
			}
		}
		body, _ := io.ReadAll(get.Body)
		token := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(body)
		if anon == nil || token == nil {
			t.Fatal("no anonymous cookie or CSRF token on the login page")
		}
		form := url.Values{"login": {"John.Doe"}, "password": {demo.Password}, "_csrf": {string(token[1])}}
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(anon)
		resp, _ := w.Test(req, -1)
		var raw string
		for _, h := range resp.Header.Values("Set-Cookie") {
			if strings.HasPrefix(h, "guichet_session=") {
				raw = strings.ToLower(h)
			}
		}
		if !strings.Contains(raw, "httponly") || !strings.Contains(raw, "samesite=lax") || strings.Contains(raw, "secure") != secure {
			t.Errorf("secure=%v: session cookie %q", secure, raw)
		}
	}
}

func TestUnknownLoginAndWrongPasswordGetTheSameAnswer(t *testing.T) {
	d := newDesk(t)
	c := d.client(t)
	unknown := c.Post("/login", url.Values{"login": {"Nobody.Here"}, "password": {"whatever-password"}})
	wrong := c.Post("/login", url.Values{"login": {"Marie.Dupont"}, "password": {"whatever-password"}})
	wantStatus(t, "unknown login", unknown, 422)
	wantStatus(t, "wrong password", wrong, 422)
	msg := "Identifiant inconnu ou mot de passe incorrect."
	wantBody(t, "unknown login", unknown, msg, `value="Nobody.Here"`)
	wantBody(t, "wrong password", wrong, msg, `value="Marie.Dupont"`)
	wantNoBody(t, "wrong password", wrong, "whatever-password")
}

func TestFiveFailuresLockUntilAnAdminResetsFailedLogin(t *testing.T) {
	d := newDesk(t)
	c := d.client(t)
	c.Lang = "en"
	var r = c.Get("/login")
	for i := 1; i <= 5; i++ {
		r = c.Post("/login", url.Values{"login": {"John.Doe"}, "password": {"not-the-password"}})
		wantStatus(t, "failure", r, 422)
	}
	wantBody(t, "fifth failure", r, "Unknown login or wrong password.", "Forgotten password")
	if !d.user(t, "John.Doe").Locked() {
		t.Fatal("not locked after five failures")
	}
	if m := lastMail(t, d, "john.doe@example.com"); m.Kind != "account_locked" {
		t.Fatalf("the owner was not told: last mail %s", m.Kind)
	}
	r = c.Post("/login", url.Values{"login": {"John.Doe"}, "password": {demo.Password}})
	wantStatus(t, "right password on a locked account", r, 422)
	wantBody(t, "locked", r, "Unknown login or wrong password.")

	admin := d.as(t, "admin")
	page := admin.Get("/admin/locked")
	wantBody(t, "locked accounts page", page, "John.Doe", "Reset failed login")
	john := d.user(t, "John.Doe")
	wantStatus(t, "reset", admin.Post("/admin/locked/"+id(john.ID)+"/reset", nil), 303)
	wantNoBody(t, "after reset", admin.Get("/admin/locked"), ">John.Doe<")

	c.Login("John.Doe")
}

func TestFrenchLoginRefusalNamesForgottenPassword(t *testing.T) {
	d := newDesk(t)
	c := d.client(t)
	c.Lang = "fr-FR,fr;q=0.9"
	var r = c.Get("/login")
	for i := 0; i < 5; i++ {
		r = c.Post("/login", url.Values{"login": {"Paul.Martin"}, "password": {"pas-le-bon-mot"}})
		wantBody(t, "failure", r, "Cinq échecs de suite bloquent le compte", "«\u00a0Mot de passe oublié\u00a0»")
	}
}

// An unknown login, a wrong password and a locked account (right password or not) get the same
// page: same status, same words, the login typed kept. Nothing on it tells whether the account
// exists or is locked.
func TestLockedUnknownAndWrongLoginsGetTheSamePage(t *testing.T) {
	d := newDesk(t)
	c := d.client(t)
	c.Lang = "en"
	c.Get("/login")
	for range 5 {
		c.Post("/login", url.Values{"login": {"Marie.Dupont"}, "password": {"not-the-password"}})
	}
	if !d.user(t, "Marie.Dupont").Locked() {
		t.Fatal("Marie is not locked")
	}
	page := func(login, password string) string {
		t.Helper()
		r := c.Post("/login", url.Values{"login": {login}, "password": {password}})
		wantStatus(t, login, r, 422)
		return strings.ReplaceAll(r.Body, login, "LOGIN")
	}
	unknown := page("Nobody.Here", "whatever-password")
	for _, tt := range []struct{ what, login, password string }{
		{"wrong password", "John.Doe", "not-the-password"},
		{"locked account, right password", "Marie.Dupont", demo.Password},
		{"locked account, wrong password", "Marie.Dupont", "not-the-password"},
	} {
		if got := page(tt.login, tt.password); got != unknown {
			t.Errorf("%s: the page differs from an unknown login's", tt.what)
		}
	}
}

func TestLoginIsRateLimitedPerAddress(t *testing.T) {
	d := newDesk(t)
	c := d.client(t)
	c.Get("/login")
	got429 := false
	for i := 0; i < 12; i++ {
		r := c.Post("/login", url.Values{"login": {"Nobody." + string(rune('a'+i))}, "password": {"x"}})
		if r.Status == http.StatusTooManyRequests {
			got429 = true
			wantBody(t, "limited", r, "Trop de tentatives")
			break
		}
	}
	if !got429 {
		t.Fatal("twelve login attempts in a row were never limited")
	}
}

func TestLogoutEndsTheSession(t *testing.T) {
	d := newDesk(t)
	c := d.as(t, "Marie.Dupont")
	token := c.Cookie("guichet_session")
	r := c.Post("/logout", nil)
	wantStatus(t, "logout", r, 303)
	wantBody(t, "login page", c.Get("/login"), "Vous êtes déconnecté.")
	replay := d.client(t)
	replay.SetCookie("guichet_session", token)
	if r := replay.Get("/"); r.Location != "/login" {
		t.Fatalf("a logged-out session still works: %d %q", r.Status, r.Location)
	}
}

func TestLogsCarryRequestIDButNoSecrets(t *testing.T) {
	d := newDesk(t)
	c := d.client(t)
	c.Post("/login", url.Values{"login": {"Marie.Dupont"}, "password": {"secret-typed-wrong"}})
	c.Login("Marie.Dupont")
	logs := d.logs.String()
	for _, s := range []string{"secret-typed-wrong", demo.Password, c.Cookie("guichet_session")} {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain %q", s)
		}
	}
	if !strings.Contains(logs, "request_id=") || !strings.Contains(logs, "path=/login") || !strings.Contains(logs, "status=303") {
		t.Errorf("request line missing: %s", logs)
	}
}

// Behind a trusted proxy every request comes from the proxy's address: the login limit counts
// the client named by X-Forwarded-For instead, so that one client's attempts do not lock out
// everybody else. Without the proxy trusted, the header is ignored.
func TestLoginLimitCountsTheClientBehindTrustedProxies(t *testing.T) {
	for _, trusted := range []bool{false, true} {
		d := newDesk(t)
		if trusted {
			d.Config.TrustedProxies = []string{"0.0.0.0/32"} // app.Test's peer
		}
		w, err := d.Web(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		c := testutil.NewClient(t, w)
		c.Get("/login")
		post := func(client string) int {
			form := url.Values{"login": {"Nobody.Here"}, "password": {"x"}, "_csrf": {c.CSRF()}}
			req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", client)
			req.AddCookie(&http.Cookie{Name: "guichet_anon", Value: c.Cookie("guichet_anon")})
			resp, err := w.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			return resp.StatusCode
		}
		for i := 0; i < 10; i++ {
			if st := post("203.0.113.7"); st != http.StatusUnprocessableEntity {
				t.Fatalf("trusted %v: attempt %d: %d", trusted, i+1, st)
			}
		}
		if st := post("203.0.113.7"); st != http.StatusTooManyRequests {
			t.Errorf("trusted %v: eleventh attempt of one client: %d, want 429", trusted, st)
		}
		want := http.StatusTooManyRequests // the header is ignored: the same address, limited
		if trusted {
			want = http.StatusUnprocessableEntity // another client behind the same proxy
		}
		if st := post("198.51.100.20"); st != want {
			t.Errorf("trusted %v: another client: %d, want %d", trusted, st, want)
		}
	}
}
