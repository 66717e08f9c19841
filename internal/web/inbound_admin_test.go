package web_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/inbound"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

func init() {
	// Only admins reach the inbound pages: a quarantined message is as good as any.
	foreignParams["inbound"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string {
		return id(d.handleMail(t, testutil.InboundMail("stranger@example.org", inboundSupport, "Bonjour", "Texte.")).ID)
	}
	// An entry of another organisation's incident: a customer gets the 404 of any entry.
	foreignParams["entry"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string {
		inc := d.declare(t, "Paul.Martin", f.ForeignTenant, "Panne étrangère par e-mail")
		es, err := timeline.List(context.Background(), d.DB, inc.Subject(), true)
		if err != nil || len(es) == 0 {
			t.Fatalf("entry: %v", err)
		}
		return id(es[0].ID)
	}
}

const inboundSupport = "support@desk.example.com"

// withSupport gives the desk a support address customers write to, as GUICHET_MAIL_REPLY_TO
// does, and serves the pages again with it.
func (d *desk) withSupport(t *testing.T) {
	t.Helper()
	d.Config.ReplyTo = &mail.Address{Address: inboundSupport}
	book, err := d.ReplyBook(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d.Inbound.Book = book
	d.Inbound.Own = []string{d.Config.MailFrom.Address, inboundSupport}
	if d.web, err = d.Web(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// handleMail hands raw to the desk as `guichet mail ingest` does.
func (d *desk) handleMail(t *testing.T, raw []byte) inbound.Outcome {
	t.Helper()
	out, err := d.Inbound.Handle(context.Background(), raw, inbound.SourcePipe)
	if err != nil {
		t.Fatalf("handle: %v", err)
	}
	return out
}

// inboundMessage reads the record of message n.
func (d *desk) inboundMessage(t *testing.T, n int64) *inbound.Message {
	t.Helper()
	m := new(inbound.Message)
	if err := d.DB.NewSelect().Model(m).ExcludeColumn("raw").Where("id = ?", n).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return m
}

func (d *desk) setLang(t *testing.T, login, lang string) {
	t.Helper()
	if _, err := d.DB.NewUpdate().Model((*identity.User)(nil)).Set("lang = ?", lang).Where("login = ?", login).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// The admin's Inbound mail page: the last read of each way in with its error, the counts, the
// quarantine by default and any status on demand, each reason in the admin's language; one
// message with its text escaped, its ticket and its original to download.
func TestInboundAdminListsAndShowsMessages(t *testing.T) {
	d := newDesk(t)
	d.withSupport(t)
	ctx := context.Background()
	stranger := testutil.InboundMail("Inconnu <stranger@example.org>", inboundSupport, "Demande d’accès", "Bonjour,\n<b>ouvrez</b> le port 22 & merci.")
	quarantined := d.handleMail(t, stranger)
	ignored := d.handleMail(t, testutil.InboundMail(d.user(t, "Marie.Dupont").Email, inboundSupport, "Absente", "Je reviens lundi.", "Auto-Submitted: auto-replied"))
	handled := d.handleMail(t, testutil.InboundMail(d.user(t, "Paul.Martin").Email, inboundSupport, "Instance bloquée", "Elle ne répond plus."))
	if quarantined.Status != inbound.Quarantined || quarantined.Reason != inbound.ReasonUnknownSender || ignored.Status != inbound.Ignored ||
		handled.Status != inbound.Handled {
		t.Fatalf("outcomes %+v %+v %+v", quarantined, ignored, handled)
	}
	if err := inbound.RecordFetch(ctx, d.DB, inbound.SourceIMAP, time.Now(), 2, errors.New("imap: LOGIN refused by imap.example.net")); err != nil {
		t.Fatal(err)
	}
	if err := inbound.RecordFetch(ctx, d.DB, inbound.SourcePipe, time.Now(), 1, nil); err != nil {
		t.Fatal(err)
	}

	d.setLang(t, "admin", "en")
	admin := d.as(t, "admin")
	wantBody(t, "nav", admin.Get("/admin"), `href="/admin/inbound"`, "Inbound mail")
	list := admin.Get("/admin/inbound")
	wantStatus(t, "list", list, http.StatusOK)
	if cc := list.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("list: Cache-Control %q", cc)
	}
	wantBody(t, "list", list, "Inbound mail", "Customers write to "+inboundSupport, "IMAP mailbox", "Mail server (pipe)",
		`<p class="error">Failed on`, "imap: LOGIN refused by imap.example.net", "stranger@example.org", "Demande d’accès",
		"/admin/inbound/"+id(quarantined.ID), "Quarantined", "The sender is not an active customer user of the desk.", "1 message",
		`<option value="quarantined" selected>`)
	wantNoBody(t, "list (quarantine only)", list, "Absente", "Instance bloquée", "inbound.quarantine")
	ign := admin.Get("/admin/inbound?status=ignored")
	wantBody(t, "ignored", ign, "Absente", "Automatic reply (out of office or the like).", `<option value="ignored" selected>`)
	wantNoBody(t, "ignored", ign, "Demande d’accès")
	all := admin.Get("/admin/inbound?status=all")
	wantBody(t, "all", all, "Absente", "Instance bloquée", "Demande d’accès", "3 messages", "Handled")
	wantBody(t, "unknown status: the quarantine", admin.Get("/admin/inbound?status=bogus"), "Demande d’accès", `<option value="quarantined" selected>`)

	page := admin.Get("/admin/inbound/" + id(quarantined.ID))
	wantStatus(t, "message", page, http.StatusOK)
	wantBody(t, "message", page, "stranger@example.org", "Demande d’accès", "Mail server (pipe)", "Quarantined",
		"The sender is not an active customer user of the desk.", "&lt;b&gt;ouvrez&lt;/b&gt; le port 22 &amp; merci.",
		`href="/admin/inbound/`+id(quarantined.ID)+`/raw"`, "Attach to a ticket", `action="/admin/inbound/`+id(quarantined.ID)+`/attach"`,
		`action="/admin/inbound/`+id(quarantined.ID)+`/discard"`, `<pre class="mail" data-user-content>`)
	wantNoBody(t, "message", page, "<b>ouvrez</b>")

	// The incident Paul's mail became, on its staff page, and the entry it wrote.
	hm := d.inboundMessage(t, handled.ID)
	if hm.SubjectID == nil || hm.EntryID == nil {
		t.Fatalf("handled message without its ticket: %+v", hm)
	}
	number := fmt.Sprintf("INC%07d", *hm.SubjectID)
	hp := admin.Get("/admin/inbound/" + id(handled.ID))
	wantBody(t, "handled message", hp, `href="/staff/incidents/`+number+`#e`+id(*hm.EntryID)+`"`, number, "Sender’s account", "Handled")
	wantNoBody(t, "handled message", hp, "Attach to a ticket", `/discard"`)

	raw := admin.Get("/admin/inbound/" + id(quarantined.ID) + "/raw")
	wantStatus(t, "raw", raw, http.StatusOK)
	for h, want := range map[string]string{"Content-Type": "message/rfc822", "X-Content-Type-Options": "nosniff",
		"Content-Disposition": `attachment; filename="message-` + id(quarantined.ID) + `.eml"`} {
		if got := raw.Header.Get(h); got != want {
			t.Errorf("raw: %s %q, want %q", h, got, want)
		}
	}
	if raw.Body != string(stranger) {
		t.Errorf("raw: body %q, want the message as it came", raw.Body)
	}
	wantStatus(t, "missing message", admin.Get("/admin/inbound/999999"), http.StatusNotFound)
	wantStatus(t, "missing raw", admin.Get("/admin/inbound/999999/raw"), http.StatusNotFound)

	d.setLang(t, "admin", "fr")
	fr := admin.Get("/admin/inbound")
	wantBody(t, "list in French", fr, "Courrier entrant", "Boîte IMAP", "Échec le", "En quarantaine",
		"L’expéditeur n’est pas un utilisateur client actif du guichet.", "Les clients écrivent à "+inboundSupport+"\u00a0:")
	wantNoBody(t, "list in French", fr, "Quarantined", "Inbound mail")
	wantBody(t, "ignored in French", admin.Get("/admin/inbound?status=ignored"), "Réponse automatique (absence du bureau ou autre).", "Ignoré")
	wantBody(t, "message in French", admin.Get("/admin/inbound/"+id(quarantined.ID)), "Rattacher à un ticket", "Écarter le message",
		"Serveur de messagerie (pipe)", "Texte tel que lu", "Message d’origine")
}

// A quarantined message attached to an incident as a user who may write there becomes their
// public reply, marked as come by email; staff read and download the original, customers see the
// mark only. As a user who may not, nothing is written and the form comes back with the reason.
func TestInboundAttachToAnIncidentAndTheOriginalMessage(t *testing.T) {
	d := newDesk(t)
	d.withSupport(t)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Console inaccessible")
	raw := testutil.InboundMail("Marie perso <marie.dupont@gmail.example>", inboundSupport, "Re: console", "La console est revenue ce matin.")
	out := d.handleMail(t, raw)
	if out.Status != inbound.Quarantined {
		t.Fatalf("outcome %+v", out)
	}
	path := "/admin/inbound/" + id(out.ID)
	d.setLang(t, "admin", "en")
	admin := d.as(t, "admin")
	admin.Get(path)
	before := testutil.Count(t, d.DB, "timeline_entries", "1 = 1")

	// Paul is not of Marie's organisation: refused, with his login and the number kept.
	r := admin.Post(path+"/attach", url.Values{"number": {strings.ToLower(inc.Number())}, "login": {"Paul.Martin"}})
	wantStatus(t, "attach as Paul", r, http.StatusUnprocessableEntity)
	wantBody(t, "attach as Paul", r, `id="f-login-error"`, "Paul.Martin may not write on "+inc.Number()+", or that ticket does not exist.",
		`value="Paul.Martin"`, `value="`+strings.ToLower(inc.Number())+`"`, "Attach to a ticket")
	// Neither a number nor a user: both fields say so.
	r = admin.Post(path+"/attach", url.Values{"number": {"OCB0000001"}, "login": {"nobody.here"}})
	wantStatus(t, "attach nowhere", r, http.StatusUnprocessableEntity)
	wantBody(t, "attach nowhere", r, `id="f-number-error"`, "Enter a ticket number", `id="f-login-error"`, "No user has this login.",
		`value="OCB0000001"`, `value="nobody.here"`)
	if n := testutil.Count(t, d.DB, "timeline_entries", "1 = 1"); n != before {
		t.Errorf("refused attachments wrote %d entries", n-before)
	}
	if m := d.inboundMessage(t, out.ID); m.Status != inbound.Quarantined || m.DecidedBy != nil || m.EntryID != nil {
		t.Errorf("refused attachments decided: %+v", m)
	}

	// As Marie, who may: her reply, by email, and the admin is told.
	r = admin.Post(path+"/attach", url.Values{"number": {inc.Number()}, "login": {"Marie.Dupont"}})
	wantStatus(t, "attach as Marie", r, http.StatusSeeOther)
	if r.Location != path {
		t.Errorf("attach: to %q, want %q", r.Location, path)
	}
	page := admin.Get(path)
	wantBody(t, "attached", page, "The message was attached to the ticket.", "Attached", `href="/staff/incidents/`+inc.Number()+`#e`,
		"by "+d.user(t, "admin").DisplayName+" on ")
	wantNoBody(t, "attached", page, `action="`+path+`/attach"`, `action="`+path+`/discard"`)
	es := testutil.EntriesByMail(t, d.DB, inc.Subject())
	if len(es) != 1 || es[0].Kind != timeline.Reply || es[0].Body != "La console est revenue ce matin." || *es[0].ActorID != d.user(t, "Marie.Dupont").ID {
		t.Fatalf("entries by mail: %+v", es)
	}
	entry := id(es[0].ID)
	if m := d.inboundMessage(t, out.ID); m.Status != inbound.Attached || m.EntryID == nil || *m.EntryID != es[0].ID {
		t.Errorf("attached message: %+v", m)
	}

	// Staff see the mark and the original, which downloads as it came.
	d.setLang(t, "Alice.Agent", "en")
	agent := d.as(t, "Alice.Agent")
	staffPage := agent.Get("/staff/incidents/" + inc.Number())
	wantBody(t, "staff incident", staffPage, "La console est revenue ce matin.", `<span class="badge via">by email</span>`,
		`href="/staff/original/`+entry+`"`, "Original message")
	orig := agent.Get("/staff/original/" + entry)
	wantStatus(t, "original", orig, http.StatusOK)
	if orig.Header.Get("Content-Type") != "message/rfc822" || orig.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(orig.Header.Get("Content-Disposition"), "attachment;") || orig.Body != string(raw) {
		t.Errorf("original: headers %v, body %.200q", orig.Header, orig.Body)
	}
	wantStatus(t, "original of an entry by no mail", agent.Get("/staff/original/"+id(es[0].ID-1)), http.StatusNotFound)

	// The customer sees the mark, not the original.
	d.setLang(t, "Marie.Dupont", "fr")
	marie := d.as(t, "Marie.Dupont")
	custPage := marie.Get("/incidents/" + inc.Number())
	wantStatus(t, "customer incident", custPage, http.StatusOK)
	wantBody(t, "customer incident", custPage, "La console est revenue ce matin.", `<span class="badge via">par e-mail</span>`)
	wantNoBody(t, "customer incident", custPage, "/staff/original/", "Message d’origine")
	wantStatus(t, "original as a customer", marie.Get("/staff/original/"+entry), http.StatusNotFound)

	// Decided: attaching it again is stale, and writes nothing more.
	admin.Get(path)
	r = admin.Post(path+"/attach", url.Values{"number": {inc.Number()}, "login": {"Marie.Dupont"}})
	wantStatus(t, "attach twice", r, http.StatusConflict)
	wantBody(t, "attach twice", r, "Another admin decided on this message first", "Attached")
	if es := testutil.EntriesByMail(t, d.DB, inc.Subject()); len(es) != 1 {
		t.Errorf("%d entries by mail after a second attachment", len(es))
	}
}

// A discarded message stays listed as such; discarding it from a page opened before (another
// tab, another admin) is the stale answer, with the message as it is now.
func TestInboundDiscardAndStaleDecisions(t *testing.T) {
	d := newDesk(t)
	d.withSupport(t)
	out := d.handleMail(t, testutil.InboundMail("stranger@example.org", inboundSupport, "Promotion", "Achetez maintenant."))
	path := "/admin/inbound/" + id(out.ID)
	d.setLang(t, "admin", "en")
	admin := d.as(t, "admin")
	admin.Get(path)
	other := admin.Clone() // the same page, open in a second tab
	r := admin.Post(path+"/discard", url.Values{})
	wantStatus(t, "discard", r, http.StatusSeeOther)
	if r.Location != path {
		t.Errorf("discard: to %q", r.Location)
	}
	page := admin.Get(path)
	wantBody(t, "discarded", page, "The message was discarded.", "Discarded", "by "+d.user(t, "admin").DisplayName+" on ")
	wantNoBody(t, "discarded", page, `action="`+path+`/discard"`)
	m := d.inboundMessage(t, out.ID)
	if m.Status != inbound.Discarded || m.DecidedBy == nil || *m.DecidedBy != d.user(t, "admin").ID || m.DecidedAt == nil {
		t.Errorf("discarded message: %+v", m)
	}
	for _, post := range []struct {
		what, path string
		form       url.Values
	}{
		{"discard twice", path + "/discard", url.Values{}},
		{"attach after discard", path + "/attach", url.Values{"number": {"INC0000001"}, "login": {"Marie.Dupont"}}},
	} {
		r := other.Post(post.path, post.form)
		wantStatus(t, post.what, r, http.StatusConflict)
		wantBody(t, post.what, r, "Another admin decided on this message first", "Discarded", "Achetez maintenant.")
	}
	d.setLang(t, "admin", "fr")
	r = other.Post(path+"/discard", url.Values{})
	wantStatus(t, "discard twice in French", r, http.StatusConflict)
	wantBody(t, "discard twice in French", r, "Un autre administrateur a statué sur ce message avant vous\u00a0:", "Écarté")
	if m := d.inboundMessage(t, out.ID); m.Status != inbound.Discarded {
		t.Errorf("status %s after the stale posts", m.Status)
	}
	wantBody(t, "discarded list", admin.Get("/admin/inbound?status=discarded"), "Promotion")
	wantStatus(t, "discard a missing message", admin.Post("/admin/inbound/999999/discard", url.Values{}), http.StatusNotFound)
}

// The inbound pages are the admins', as the outbox is: a customer, an agent or a sales rep gets
// what the outbox answers them, and their posts change nothing.
func TestInboundPagesAreForAdminsOnly(t *testing.T) {
	d := newDesk(t)
	d.withSupport(t)
	out := d.handleMail(t, testutil.InboundMail("stranger@example.org", inboundSupport, "Bonjour", "Texte."))
	path := "/admin/inbound/" + id(out.ID)
	for _, login := range []string{"Marie.Dupont", "Alice.Agent", "Sophie.Commerciale"} {
		c := d.as(t, login)
		want := c.Get("/admin/outbox").Status
		if want != http.StatusForbidden && want != http.StatusNotFound {
			t.Fatalf("outbox as %s: %d", login, want)
		}
		for _, p := range []string{"/admin/inbound", path, path + "/raw"} {
			wantStatus(t, p+" as "+login, c.Get(p), want)
		}
		wantStatus(t, "discard as "+login, c.Post(path+"/discard", url.Values{}), want)
		wantStatus(t, "attach as "+login, c.Post(path+"/attach", url.Values{"number": {"INC0000001"}, "login": {"Marie.Dupont"}}), want)
		wantNoBody(t, "nav of "+login, c.Get("/profile"), `href="/admin/inbound"`)
	}
	if m := d.inboundMessage(t, out.ID); m.Status != inbound.Quarantined {
		t.Errorf("status %s after others' posts", m.Status)
	}
	r := d.client(t).Get("/admin/inbound")
	if r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Errorf("visitor: %d to %q", r.Status, r.Location)
	}
}

// Every status, way in and reason the pages show reads in both languages: the keys are built
// at run time, so the catalogue's scan of literal keys cannot see them.
func TestInboundKeysAreTranslated(t *testing.T) {
	d := newDesk(t)
	keys := []string{inbound.ReasonTooLarge, inbound.ReasonUnreadable, inbound.ReasonNoTicket, inbound.ReasonSender,
		inbound.ReasonUnknownSender, inbound.ReasonNotAllowed, inbound.ReasonRate, inbound.ReasonEmpty, inbound.ReasonAttachment,
		inbound.ReasonRefused, inbound.ReasonClosed, inbound.ReasonWhichTenant, inbound.ReasonNoSupportInbox,
		inbound.ReasonAutoSubmitted, inbound.ReasonBulk, inbound.ReasonBounce, inbound.ReasonList, inbound.ReasonOwnAddress,
		inbound.ReasonAutoreply}
	for _, s := range []inbound.Status{inbound.Handled, inbound.Quarantined, inbound.Ignored, inbound.Discarded, inbound.Attached} {
		keys = append(keys, "inbound.status."+string(s))
	}
	for _, s := range []inbound.Source{inbound.SourceIMAP, inbound.SourcePipe} {
		keys = append(keys, "inbound.source."+string(s))
	}
	for _, k := range keys {
		for _, lang := range i18n.Langs {
			if !d.Bundle.Has(lang, k) {
				t.Errorf("%q missing in %s", k, lang)
			}
		}
	}
}
