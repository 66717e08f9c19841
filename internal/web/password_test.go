package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
)

// lastMail returns the newest outbox message to email.
func lastMail(t *testing.T, d *desk, email string) *notify.Message {
	t.Helper()
	m := new(notify.Message)
	if err := d.DB.NewSelect().Model(m).Where("recipient_email = ?", email).Order("id DESC").Limit(1).Scan(context.Background()); err != nil {
		t.Fatalf("no mail to %s: %v", email, err)
	}
	return m
}

var linkPath = regexp.MustCompile(`http://[^/\s]+(/password/reset/[A-Za-z0-9_-]+)`)

func linkIn(t *testing.T, m *notify.Message) string {
	t.Helper()
	l := linkPath.FindStringSubmatch(m.BodyText)
	if l == nil {
		t.Fatalf("no password link in %q", m.BodyText)
	}
	return l[1]
}

func outboxCount(t *testing.T, d *desk) int64 {
	n, err := d.DB.NewSelect().Model((*notify.Message)(nil)).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestForgottenPasswordUnlocksAndEndsOtherSessions(t *testing.T) {
	d := newDesk(t)
	other := d.as(t, "John.Doe")
	c := d.client(t)
	c.Lang = "en"
	for i := 0; i < 5; i++ {
		c.Post("/login", url.Values{"login": {"John.Doe"}, "password": {"wrong-guess!"}})
	}
	locked := lastMail(t, d, "john.doe@example.com")
	if locked.Kind != "account_locked" || locked.Lang != "en" || !strings.Contains(locked.Subject, "locked") {
		t.Fatalf("locked mail: %s %s %q", locked.Kind, locked.Lang, locked.Subject)
	}

	page := c.Get("/login")
	wantBody(t, "login page link", page, `href="/password/forgot"`, "Forgotten password")
	before := outboxCount(t, d)
	r := c.Post("/password/forgot", url.Values{"login": {"john.doe@example.com"}})
	wantStatus(t, "ask by email", r, 303)
	wantBody(t, "answer", c.Get("/login"), "If an account matches")
	if outboxCount(t, d) != before+1 {
		t.Fatal("no reset mail written")
	}
	// An unknown login gets the same answer, and no mail.
	r = c.Post("/password/forgot", url.Values{"login": {"Nobody.Here"}})
	wantStatus(t, "unknown login", r, 303)
	if outboxCount(t, d) != before+1 {
		t.Fatal("a mail was written for an unknown login")
	}
	wantBody(t, "empty form", c.Post("/password/forgot", url.Values{"login": {""}}), "This field is required.")

	m := lastMail(t, d, "john.doe@example.com")
	if m.Kind != "password_reset" || m.Lang != "en" || !strings.Contains(m.BodyHTML, "/password/reset/") {
		t.Fatalf("reset mail: %s %s", m.Kind, m.Lang)
	}
	link := linkIn(t, m)
	wantBody(t, "reset page", c.Get(link), "Choose a new password", "John.Doe")
	r = c.Post(link, url.Values{"password": {"short"}, "confirm": {"other"}})
	wantStatus(t, "bad new password", r, 422)
	wantBody(t, "bad new password", r, "At least 10 characters.", "The two passwords differ.")
	r = c.Post(link, url.Values{"password": {"a-brand-new-one"}, "confirm": {"a-brand-new-one"}})
	wantStatus(t, "set", r, 303)
	if u := d.user(t, "John.Doe"); u.Locked() || u.FailedLogins != 0 {
		t.Fatalf("still locked after reset: %+v", u)
	}
	if r := other.Get("/"); r.Location != "/login" {
		t.Fatal("an older session survived the password reset")
	}
	wantStatus(t, "log in with it", c.Post("/login", url.Values{"login": {"John.Doe"}, "password": {"a-brand-new-one"}}), 303)

	again := d.client(t)
	again.Lang = "en"
	r = again.Get(link)
	wantStatus(t, "used link", r, 410)
	wantBody(t, "used link", r, "This link no longer works")
	wantStatus(t, "used link post", again.Post(link, url.Values{"password": {"yet-another-one"}, "confirm": {"yet-another-one"}}), 410)
	forged := d.client(t)
	r = forged.Get("/password/reset/forged-token")
	wantStatus(t, "forged link", r, 410)
	wantBody(t, "forged link in French", r, "Ce lien ne fonctionne plus")
}

func TestExpiredResetLinkIsRefused(t *testing.T) {
	d := newDesk(t)
	c := d.client(t)
	c.Post("/password/forgot", url.Values{"login": {"Marie.Dupont"}})
	link := linkIn(t, lastMail(t, d, "marie.dupont@example.fr"))
	real := d.Identity.Now
	d.Identity.Now = func() time.Time { return real().Add(identity.ResetLinkLifetime + time.Minute) }
	defer func() { d.Identity.Now = real }()
	wantStatus(t, "expired", c.Get(link), 410)
}

func TestAdminAndReferentCreatedUsersGetAWelcomeMail(t *testing.T) {
	d := newDesk(t)
	admin := d.as(t, "admin")
	r := admin.Post("/admin/users", url.Values{"login": {"Zoe.Client"}, "email": {"zoe@example.fr"}, "display_name": {"Zoé Client"}, "lang": {"fr"}, "kind": {"customer"}})
	wantStatus(t, "create", r, 303)
	m := lastMail(t, d, "zoe@example.fr")
	if m.Kind != "welcome" || m.Subject != "Bienvenue dans votre espace client Guichet" || !strings.Contains(m.BodyText, "Zoe.Client") {
		t.Fatalf("welcome mail: %s %q", m.Kind, m.Subject)
	}
	c := d.client(t)
	link := linkIn(t, m)
	wantBody(t, "welcome page", c.Get(link), "Bienvenue\u00a0: choisissez votre mot de passe")
	wantStatus(t, "set", c.Post(link, url.Values{"password": {"zoe-choisit-1"}, "confirm": {"zoe-choisit-1"}}), 303)
	wantStatus(t, "login", c.Post("/login", url.Values{"login": {"Zoe.Client"}, "password": {"zoe-choisit-1"}}), 303)

	// A referent no longer creates users: she invites an address, which gets an invitation (the
	// person chooses their password from it), never a welcome mail.
	marie := d.as(t, "Marie.Dupont")
	marie.Post("/users", url.Values{"email": {"tom@example.com"}, "lang": {"en"}, "incidents": {"on"}})
	if m := lastMail(t, d, "tom@example.com"); m.Kind != "invitation" || m.Lang != "en" {
		t.Fatalf("referent's invitation mail: %s %s %q", m.Kind, m.Lang, m.Subject)
	}
	if got := mailsTo(t, d, "welcome", "tom@example.com"); len(got) != 0 {
		t.Fatalf("welcome mail sent to an address a customer typed: %q", got)
	}
	// A refused form writes no mail.
	before := outboxCount(t, d)
	marie.Post("/users", url.Values{"email": {"nope"}, "lang": {"en"}, "incidents": {"on"}})
	if outboxCount(t, d) != before {
		t.Fatal("a refused form wrote a mail")
	}
}

func TestAdminReadsAndRetriesTheOutbox(t *testing.T) {
	d := newDesk(t)
	d.client(t).Post("/password/forgot", url.Values{"login": {"Paul.Martin"}})
	m := lastMail(t, d, "paul.martin@example.fr")
	if _, err := d.DB.NewUpdate().Model(m).WherePK().Set("status = 'dead'").Set("last_error = '550 mailbox unavailable'").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	admin := d.as(t, "admin")
	list := admin.Get("/admin/outbox")
	wantBody(t, "outbox", list, "paul.martin@example.fr", "550 mailbox unavailable", "No SMTP relay is configured", "Failed")
	page := admin.Get("/admin/outbox/" + id(m.ID))
	wantBody(t, "message", page, "Auto-Submitted: auto-generated", m.MessageID[1:len(m.MessageID)-1], "Retry now", "Bonjour Paul Martin,")
	html := admin.Get("/admin/outbox/" + id(m.ID) + "/html")
	wantBody(t, "html part", html, "Choisir un nouveau mot de passe")
	wantStatus(t, "retry", admin.Post("/admin/outbox/"+id(m.ID)+"/retry", nil), 303)
	if m = lastMail(t, d, "paul.martin@example.fr"); m.Status != notify.StatusPending {
		t.Fatalf("after retry: %s", m.Status)
	}
	wantStatus(t, "unknown message", admin.Get("/admin/outbox/99999"), 404)
	wantStatus(t, "agent", d.as(t, "Alice.Agent").Get("/admin/outbox"), 403)
}

// A login or address with a direction mark is refused beside the field, not looked up.
func TestForgottenPasswordRefusesControlCharacters(t *testing.T) {
	d := newDesk(t)
	c := d.client(t)
	c.Lang = "en"
	before := outboxCount(t, d)
	r := c.Post("/password/forgot", url.Values{"login": {"John.Doe\u200f"}})
	wantStatus(t, "bidi mark", r, 422)
	wantBody(t, "bidi mark", r, "Remove the line breaks and invisible characters")
	if outboxCount(t, d) != before {
		t.Error("a mail was written")
	}
}
