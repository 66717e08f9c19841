package web_test

import (
	"net/url"
	"testing"

	"github.com/guichet/guichet/internal/testutil"
)

func TestFormsWithoutTheirBrowsersTokenAreRefusedInTheReadersLanguage(t *testing.T) {
	d := newDesk(t)
	c := d.client(t)
	c.Get("/login")
	r := c.PostRaw("/login", url.Values{"login": {"Marie.Dupont"}, "password": {"guichet-demo"}})
	wantStatus(t, "no token", r, 403)
	wantBody(t, "no token", r, "Formulaire expiré", `<html lang="fr">`)

	en := d.client(t)
	en.Lang = "en"
	en.Get("/login")
	r = en.PostRaw("/login", url.Values{"login": {"Marie.Dupont"}, "password": {"guichet-demo"}, "_csrf": {"forged"}})
	wantStatus(t, "forged token", r, 403)
	wantBody(t, "forged token", r, "Form expired")

	// A token from another browser does not fit this one.
	other := d.client(t)
	other.Get("/login")
	stolen := csrfFrom(t, other)
	r = c.PostRaw("/login", url.Values{"login": {"Marie.Dupont"}, "password": {"guichet-demo"}, "_csrf": {stolen}})
	wantStatus(t, "another browser's token", r, 403)

	// Once logged in, the token is bound to the session: the anonymous one no longer fits.
	marie := d.client(t)
	marie.Get("/login")
	anonToken := csrfFrom(t, marie)
	marie.Login("Marie.Dupont")
	r = marie.PostRaw("/profile/lang", url.Values{"lang": {"en"}, "_csrf": {anonToken}})
	wantStatus(t, "pre-login token after login", r, 403)
	if u := d.user(t, "Marie.Dupont"); u.Lang != "fr" {
		t.Fatal("a refused form changed the language")
	}
}

// csrfFrom returns the token c would send with its next form.
func csrfFrom(t *testing.T, c *testutil.Client) string {
	t.Helper()
	tok := c.CSRF()
	if tok == "" {
		t.Fatal("no CSRF token read yet")
	}
	return tok
}

func TestLanguageChoice(t *testing.T) {
	d := newDesk(t)
	anon := d.client(t)
	anon.Lang = "en-GB,en;q=0.9,fr;q=0.5"
	wantBody(t, "Accept-Language en", anon.Get("/login"), `<html lang="en">`, "Log in", "Français")
	anon.Post("/lang", url.Values{"lang": {"fr"}, "next": {"/login"}})
	wantBody(t, "cookie beats Accept-Language", anon.Get("/login"), `<html lang="fr">`, "Connexion")

	wantBody(t, "default language fr", d.client(t).Get("/login"), `<html lang="fr">`)
	d.Config.DefaultLang = "en"
	w, err := d.Web(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	wantBody(t, "default language en", testutil.NewClient(t, w).Get("/login"), `<html lang="en">`)

	// A logged-in user's switch changes the preference, which then follows them anywhere.
	marie := d.as(t, "Marie.Dupont")
	r := marie.Post("/lang", url.Values{"lang": {"en"}, "next": {"/contract"}})
	if r.Location != "/contract" {
		t.Errorf("switch went to %q", r.Location)
	}
	if u := d.user(t, "Marie.Dupont"); u.Lang != "en" {
		t.Fatalf("preference is %q after switching", u.Lang)
	}
	wantBody(t, "English contract tab", marie.Get("/contract"), `<html lang="en">`, "Committed until", "Support level history")
	if r := marie.Post("/lang", url.Values{"lang": {"fr"}, "next": {"https://evil.example/"}}); r.Location != "/" {
		t.Errorf("open redirect: %q", r.Location)
	}
	wantStatus(t, "unknown language", marie.Post("/lang", url.Values{"lang": {"de"}}), 400)

	// The profile page edits the preference too.
	wantStatus(t, "profile language", marie.Post("/profile/lang", url.Values{"lang": {"en"}}), 303)
	r = marie.Post("/profile/lang", url.Values{"lang": {"xx"}})
	wantStatus(t, "bad profile language", r, 422)
	wantBody(t, "bad profile language", r, "Choose one of the values offered.")
}

func TestDatesAreShownInTheReadersLanguage(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	fr := marie.Get("/contract")
	wantBody(t, "French dates", fr, "depuis le 1er ")
	marie.Post("/lang", url.Values{"lang": {"en"}})
	wantBody(t, "English dates", marie.Get("/contract"), "since 1 ")
}

func TestProfilePasswordChange(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	other := d.as(t, "Marie.Dupont")
	r := marie.Post("/profile/password", url.Values{"current": {"wrong"}, "password": {"court"}, "confirm": {"autre"}})
	wantStatus(t, "bad change", r, 422)
	wantBody(t, "bad change", r, "Le mot de passe actuel est incorrect.", "Les deux mots de passe sont différents.", "Au moins 10 caractères.")
	r = marie.Post("/profile/password", url.Values{"current": {"guichet-demo"}, "password": {"un-nouveau-secret"}, "confirm": {"un-nouveau-secret"}})
	wantStatus(t, "change", r, 303)
	wantStatus(t, "this session goes on", marie.Get("/profile"), 200)
	if r := other.Get("/profile"); r.Location != "/login" {
		t.Fatalf("the other session survived a password change: %d", r.Status)
	}
}

func TestUnknownPathsAndHealth(t *testing.T) {
	d := newDesk(t)
	c := d.client(t)
	r := c.Get("/no/such/page")
	wantStatus(t, "unknown path", r, 404)
	wantBody(t, "unknown path", r, "Page introuvable")
	c.Lang = "en"
	wantBody(t, "unknown path in English", c.Get("/nope"), "Page not found")
	r = c.Get("/healthz")
	wantStatus(t, "health", r, 200)
	if r.Body != "ok" {
		t.Fatalf("health body %q", r.Body)
	}
	wantStatus(t, "static css", c.Get("/static/guichet.css"), 200)
}
