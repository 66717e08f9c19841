package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
)

// The admin's outbox shows a password mail without its live link (the token reads as a
// placeholder in the admin's language), and no outbox page may be kept by a cache; the mail
// itself keeps its link.
func TestOutboxPreviewHidesPasswordLinks(t *testing.T) {
	d := newDesk(t)
	d.client(t).Post("/password/forgot", url.Values{"login": {"Paul.Martin"}})
	m := lastMail(t, d, "paul.martin@example.fr")
	link := linkIn(t, m)
	token := link[strings.LastIndex(link, "/")+1:]
	admin := d.as(t, "admin")
	for _, c := range []struct{ lang, hidden string }{{"en", "[link hidden]"}, {"fr", "[lien masqué]"}} {
		if _, err := d.DB.NewUpdate().Model((*identity.User)(nil)).Set("lang = ?", c.lang).Where("login = 'admin'").Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/admin/outbox/" + id(m.ID), "/admin/outbox/" + id(m.ID) + "/html"} {
			r := admin.Get(path)
			wantStatus(t, path, r, 200)
			wantBody(t, path+" in "+c.lang, r, "/password/reset/"+c.hidden)
			wantNoBody(t, path, r, token)
			if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s: Cache-Control %q, want no-store", path, cc)
			}
		}
	}
	if cc := admin.Get("/admin/outbox").Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("/admin/outbox: Cache-Control %q, want no-store", cc)
	}
	if got := lastMail(t, d, "paul.martin@example.fr"); !strings.Contains(got.BodyText, token) || !strings.Contains(got.BodyHTML, token) {
		t.Error("the message to send lost its link")
	}
	wantStatus(t, "the link still works", d.client(t).Get(link), 200)
}

// A message dropped because its recipient lost the right shows as such, with the reason, in the
// admin's language, and can be listed on its own.
func TestOutboxShowsDroppedMessages(t *testing.T) {
	d := newDesk(t)
	d.client(t).Post("/password/forgot", url.Values{"login": {"Paul.Martin"}})
	m := lastMail(t, d, "paul.martin@example.fr")
	if _, err := d.DB.NewUpdate().Model(m).WherePK().Set("status = ?", notify.StatusDropped).Set("required_right = 'incidents'").
		Set("last_error = ?", notify.ReasonNoRight).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	admin := d.as(t, "admin")
	list := admin.Get("/admin/outbox?status=dropped")
	wantStatus(t, "dropped list", list, 200)
	wantBody(t, "dropped list", list, "paul.martin@example.fr", "Not sent", "no longer holds the “Incidents” right")
	page := admin.Get("/admin/outbox/" + id(m.ID))
	wantBody(t, "dropped message", page, "Why it was not sent", "no longer holds the “Incidents” right")
	wantNoBody(t, "dropped message", page, "outbox.dropped", "Retry now")
	if _, err := d.DB.NewUpdate().Model((*identity.User)(nil)).Set("lang = 'fr'").Where("login = 'admin'").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantBody(t, "dropped list in French", admin.Get("/admin/outbox?status=dropped"), "Non envoyé", "n’a plus le droit «\u00a0Incidents\u00a0»")
}
