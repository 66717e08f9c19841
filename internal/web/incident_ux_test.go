package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

// incidentSpeaks sets the language of c's user.
func incidentSpeaks(t *testing.T, c *testutil.Client, lang string) {
	t.Helper()
	c.Get("/profile")
	wantStatus(t, "language "+lang, c.Post("/profile/lang", url.Values{"lang": {lang}}), http.StatusSeeOther)
}

// actOn applies an action as login through the service.
func (d *desk) actOn(t *testing.T, login string, inc *incident.Incident, act incident.Act) *incident.Incident {
	t.Helper()
	cur, err := d.Incidents.Get(context.Background(), tenancy.ActorOf(d.user(t, login)), inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	act.Version = cur.Version
	out, err := d.Incidents.Do(context.Background(), tenancy.ActorOf(d.user(t, login)), inc.ID, act)
	if err != nil {
		t.Fatalf("%s %s: %v", login, act.Action, err)
	}
	return out
}

// incidentButton is the markup of a submit button with its words, whatever its class.
func incidentButton(body, words string) (found, primary bool) {
	re := regexp.MustCompile(`<button type="submit"( class="primary")?>` + regexp.QuoteMeta(words) + `</button>`)
	m := re.FindStringSubmatch(body)
	return m != nil, m != nil && m[1] != ""
}

// Item 4: "Take it" is the primary step of an incident nobody holds, a plain one for an incident
// another agent holds, and not offered at all to its holder, whose primary step is resolving.
func TestIncidentUXTakeIsNotOfferedToItsHolder(t *testing.T) {
	d := newDesk(t)
	for _, lang := range []struct{ code, take, resolve, already string }{
		{"en", "Take it", "Resolve", "The incident is already assigned to you."},
		{"fr", "Le prendre en charge", "Résoudre", "L’incident vous est déjà attribué."},
	} {
		t.Run(lang.code, func(t *testing.T) {
			inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Console injoignable "+lang.code)
			alice, admin := d.as(t, "Alice.Agent"), d.as(t, "admin")
			incidentSpeaks(t, alice, lang.code)
			incidentSpeaks(t, admin, lang.code)
			page := "/staff/incidents/" + inc.Number()
			r := alice.Get(page)
			if found, primary := incidentButton(r.Body, lang.take); !found || !primary {
				t.Fatalf("new incident: take found %v, primary %v\n%s", found, primary, r.Body)
			}
			d.actOn(t, "Alice.Agent", inc, incident.Act{Action: incident.Take})
			r = alice.Get(page)
			if found, _ := incidentButton(r.Body, lang.take); found {
				t.Errorf("the holder is offered to take it")
			}
			if found, primary := incidentButton(r.Body, lang.resolve); !found || !primary {
				t.Errorf("holder: resolve found %v, primary %v", found, primary)
			}
			if n := strings.Count(r.Body, `class="primary"`); n != 2 { // the resolution and the public reply
				t.Errorf("%d primary buttons on the holder's page", n)
			}
			r = alice.Post(page+"/take", url.Values{"version": {"2"}})
			wantStatus(t, "take again", r, http.StatusUnprocessableEntity)
			wantBody(t, "take again", r, lang.already)
			r = admin.Get(page)
			if found, primary := incidentButton(r.Body, lang.take); !found || primary {
				t.Errorf("another agent: take found %v, primary %v", found, primary)
			}
		})
	}
}

// Item 5: staff read "Waiting for customer" wherever they meet the state; customers keep
// "Waiting for you".
func TestIncidentUXStaffReadTheirWordsForAWaitingIncident(t *testing.T) {
	d := newDesk(t)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Quota atteint")
	inc = d.actOn(t, "Alice.Agent", inc, incident.Act{Action: incident.Take})
	d.actOn(t, "Alice.Agent", inc, incident.Act{Action: incident.Wait})
	alice := d.as(t, "Alice.Agent")
	for _, lang := range []struct{ code, staff, customer, customerLogin, arrow string }{
		{"en", "Waiting for customer", "Waiting for you", "John.Doe", "Status: In progress → Waiting for customer"},
		{"fr", "En attente du client", "En attente de votre retour", "Marie.Dupont", "État\u00a0: En cours → En attente du client"},
	} {
		t.Run(lang.code, func(t *testing.T) {
			incidentSpeaks(t, alice, lang.code)
			for _, path := range []string{"/staff/incidents", "/staff/incidents?status=pending_customer", "/staff/incidents/" + inc.Number()} {
				r := alice.Get(path)
				wantStatus(t, path, r, http.StatusOK)
				wantBody(t, path, r, lang.staff)
				wantNoBody(t, path, r, lang.customer)
			}
			wantBody(t, "filter", alice.Get("/staff/incidents"), `<option value="pending_customer">`+lang.staff+`</option>`)
			wantBody(t, "timeline", alice.Get("/staff/incidents/"+inc.Number()), lang.arrow)
			csv := alice.Get("/staff/incidents/export?status=pending_customer")
			wantBody(t, "staff CSV", csv, lang.staff)
			wantNoBody(t, "staff CSV", csv, lang.customer)

			customer := d.as(t, lang.customerLogin)
			for _, path := range []string{"/incidents", "/incidents/" + inc.Number(), "/incidents/export"} {
				r := customer.Get(path)
				wantBody(t, "customer "+path, r, lang.customer)
				wantNoBody(t, "customer "+path, r, lang.staff)
			}
		})
	}
}

// Item 6 and the cancelled SLA box: cancelling asks first, naming the consequence, with a dialog
// when script runs and a page when it does not; once cancelled, the SLA box shows no due time.
func TestIncidentUXCancelAsksFirst(t *testing.T) {
	d := newDesk(t)
	for _, lang := range []struct{ code, login, question, consequence, button, noTarget, due string }{
		{"en", "John.Doe", "Cancel incident %s?", "will be closed for good: support will stop working on it and it cannot be reopened",
			"Cancel the incident", "no response or resolution target applies any more", "due "},
		{"fr", "Marie.Dupont", "Annuler l’incident %s\u00a0?", "sera clos définitivement\u00a0: le support cessera d’y travailler et il ne pourra pas être rouvert",
			"Annuler l’incident", "aucun engagement de délai de réponse ni de résolution ne s’applique plus", "échéance le "},
	} {
		t.Run(lang.code, func(t *testing.T) {
			u := d.user(t, lang.login)
			inc, err := d.Incidents.Declare(context.Background(), tenancy.ActorOf(u), d.tenant(t, "OCB0000001").ID, incident.Draft{
				Title: "Panne <" + lang.code + ">", Description: "Rien ne répond.", Service: "ecs", Region: "eu-west-0", Impact: "low", Urgency: "low"})
			if err != nil {
				t.Fatal(err)
			}
			c := d.as(t, lang.login)
			page := "/incidents/" + inc.Number()
			question := fmt.Sprintf(lang.question, inc.Number())
			r := c.Get(page)
			wantBody(t, "page", r, `data-confirm="`, lang.consequence, `data-confirm-question="`+question+`"`, `data-confirm-yes="`+lang.button+`"`)
			wantBody(t, "SLA box of a new incident", r, lang.due)

			r = c.Post(page+"/cancel", url.Values{"version": {"1"}})
			wantStatus(t, "cancel without confirmation", r, http.StatusOK)
			wantBody(t, "confirmation page", r, question, lang.consequence, `name="confirm" value="1"`, `name="version" value="1"`,
				`href="`+page+`"`, "Panne &lt;"+lang.code+"&gt;")
			if got, _ := d.Incidents.Get(context.Background(), tenancy.ActorOf(u), inc.ID); got.Status != incident.New {
				t.Fatalf("cancelled without confirmation: %s", got.Status)
			}
			r = c.Post(page+"/cancel", url.Values{"version": {"1"}, "confirm": {"1"}})
			wantStatus(t, "confirmed", r, http.StatusSeeOther)
			r = c.Get(page)
			wantBody(t, "cancelled", r, lang.noTarget)
			sla := r.Body[strings.Index(r.Body, `class="card sla"`):]
			sla = sla[:strings.Index(sla, "</section>")]
			if strings.Contains(sla, lang.due) {
				t.Errorf("the cancelled incident's SLA box shows a due time:\n%s", sla)
			}
			// A stale or refused cancellation is answered at once, without a confirmation.
			r = c.Post(page+"/cancel", url.Values{"version": {"1"}})
			wantStatus(t, "cancel again", r, http.StatusConflict)
		})
	}
}

// Item 7: staff write a public reply and an internal note in two composers, each with its own
// button; the note's is marked internal. The change and contract request pages share them.
func TestIncidentUXTwoComposers(t *testing.T) {
	d := newDesk(t)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Réseau lent")
	ch := mustChange(t, d, d.tenant(t, "OCB0000001").ID, "ecs_instances", "10", "500")
	req := insertRequest(t, d, d.tenant(t, "OCB0000003").ID, contract.MultiTenantBill)
	for _, lang := range []struct{ code, public, send, internal, add, required string }{
		{"en", "Reply to the customer", "Send to the customer", "Internal note", "Add internal note", "Write a message."},
		{"fr", "Répondre au client", "Envoyer au client", "Note interne", "Ajouter la note interne", "Écrivez un message."},
	} {
		t.Run(lang.code, func(t *testing.T) {
			alice, sophie := d.as(t, "Alice.Agent"), d.as(t, "Sophie.Commerciale")
			incidentSpeaks(t, alice, lang.code)
			incidentSpeaks(t, sophie, lang.code)
			for _, path := range []string{"/staff/incidents/" + inc.Number(), "/staff/changes/" + id(ch.ID), "/staff/sales/" + id(req.ID)} {
				who := alice
				if strings.HasPrefix(path, "/staff/sales/") {
					who = sophie
				}
				r := who.Get(path)
				wantStatus(t, path, r, http.StatusOK)
				wantBody(t, path, r, lang.public, lang.internal, `<span class="badge internal">`,
					`name="visibility" value="public"`, `name="visibility" value="internal"`)
				if found, primary := incidentButton(r.Body, lang.send); !found || !primary {
					t.Errorf("%s: send found %v, primary %v", path, found, primary)
				}
				if found, primary := incidentButton(r.Body, lang.add); !found || primary {
					t.Errorf("%s: add note found %v, primary %v", path, found, primary)
				}
				wantNoBody(t, path, r, `type="radio" name="visibility"`)
				if strings.Count(r.Body, `id="f-body"`) != 1 || strings.Count(r.Body, `id="f-files"`) != 1 {
					t.Errorf("%s: the fields' ids are not unique", path)
				}
			}
			page := "/staff/incidents/" + inc.Number()
			// A note sent empty comes back in the note's composer, which owns f-body then.
			r := alice.PostFiles(page+"/reply", url.Values{"body": {" "}, "visibility": {"internal"}})
			wantStatus(t, "empty note", r, http.StatusUnprocessableEntity)
			note := r.Body[strings.Index(r.Body, `id="note-title"`):]
			wantBody(t, "note composer", testutil.Response{Body: note}, `id="f-body"`, lang.required)
			note = "Trace interne " + lang.code
			wantStatus(t, "note", alice.PostFiles(page+"/reply", url.Values{"body": {note}, "visibility": {"internal"}}), http.StatusSeeOther)
			es, err := timeline.List(context.Background(), d.DB, inc.Subject(), true)
			if err != nil || es[len(es)-1].Kind != timeline.Note || es[len(es)-1].Body != note {
				t.Fatalf("the note is not a note: %+v, %v", es[len(es)-1], err)
			}
			wantNoBody(t, "customer", d.as(t, "Marie.Dupont").Get("/incidents/"+inc.Number()), note)
		})
	}
}

// Item 9: files sent with a form that comes back with an error are kept for the session, listed
// by name and size, and attached when the form succeeds; a bad file is refused by its name.
func TestIncidentUXFilesKeptAfterARefusal(t *testing.T) {
	d := newDesk(t)
	logData := []byte("2026-11-24 ERROR nova: instance failed\n")
	for _, lang := range []struct{ code, login, kept, bad, size string }{
		{"en", "John.Doe", "Files kept", "“virus.exe” is not an accepted kind of file", "(0.0 KB)"},
		{"fr", "Marie.Dupont", "Fichiers conservés", "« virus.exe » n’est pas un type de fichier accepté", "(0,0 Ko)"},
	} {
		t.Run(lang.code, func(t *testing.T) {
			c := d.as(t, lang.login)
			c.Get("/incidents/new")
			bad := validIncidentForm()
			bad.Set("title", "")
			r := c.PostFiles("/incidents", bad, testutil.File{Field: "files", Name: "nova-" + lang.code + ".log", Data: logData},
				testutil.File{Field: "files", Name: "virus.exe", Data: []byte("MZ\x90\x00\x03\x00\x00\x00")})
			wantStatus(t, "refused", r, http.StatusUnprocessableEntity)
			wantBody(t, "refused", r, lang.kept, "nova-"+lang.code+".log", lang.size, lang.bad)
			wantNoBody(t, "refused", r, `value="virus.exe"`)
			m := regexp.MustCompile(`name="kept" value="(\d+)" checked`).FindAllStringSubmatch(r.Body, -1)
			if len(m) != 1 {
				t.Fatalf("%d files kept, want 1", len(m))
			}
			// Another user cannot name the file.
			other := d.as(t, "Paul.Martin")
			other.Get("/incidents/new")
			form := validIncidentForm()
			form.Set("kept", m[0][1])
			wantStatus(t, "another user", other.PostFiles("/incidents", form), http.StatusSeeOther)
			var n int
			if err := d.DB.NewRaw("SELECT COUNT(*) FROM attachments WHERE name = ?", "nova-"+lang.code+".log").Scan(context.Background(), &n); err != nil || n != 0 {
				t.Fatalf("another user's form attached the file: %d, %v", n, err)
			}
			// The form sent again, right, attaches the kept file with a new one.
			form = validIncidentForm()
			form.Set("kept", m[0][1])
			r = c.PostFiles("/incidents", form, testutil.File{Field: "files", Name: "second.txt", Data: []byte("encore\n")})
			wantStatus(t, "sent again", r, http.StatusSeeOther)
			num := strings.TrimSuffix(strings.TrimPrefix(r.Location, "/incidents/"), "/declared")
			idn, _ := incident.ParseNumber(num)
			es, err := timeline.List(context.Background(), d.DB, timeline.Subject{Kind: incident.SubjectKind, ID: idn}, false)
			if err != nil || len(es) == 0 || len(es[0].Attachments) != 2 || es[0].Attachments[0].Name != "nova-"+lang.code+".log" ||
				es[0].Attachments[1].Name != "second.txt" {
				t.Fatalf("attachments of %s: %+v, %v", num, es, err)
			}
			if n := countRows(t, d, "pending_uploads", "id = "+m[0][1]); n != 0 {
				t.Errorf("the kept file is still pending after it was attached")
			}

			// A reply refused keeps its file too; unchecking it drops it.
			page := "/incidents/" + num
			c.Get(page)
			r = c.PostFiles(page+"/reply", url.Values{"body": {""}}, testutil.File{Field: "files", Name: "reply.log", Data: logData})
			wantStatus(t, "empty reply", r, http.StatusUnprocessableEntity)
			wantBody(t, "empty reply", r, lang.kept, "reply.log")
			m = regexp.MustCompile(`name="kept" value="(\d+)" checked`).FindAllStringSubmatch(r.Body, -1)
			if len(m) != 1 {
				t.Fatalf("%d files kept by the reply, want 1", len(m))
			}
			wantStatus(t, "reply", c.PostFiles(page+"/reply", url.Values{"body": {"Voici la trace."}, "kept": {m[0][1]}}), http.StatusSeeOther)
			es, _ = timeline.List(context.Background(), d.DB, timeline.Subject{Kind: incident.SubjectKind, ID: idn}, false)
			if last := es[len(es)-1]; len(last.Attachments) != 1 || last.Attachments[0].Name != "reply.log" {
				t.Errorf("reply's attachments: %+v", last.Attachments)
			}
			r = c.PostFiles(page+"/reply", url.Values{"body": {""}}, testutil.File{Field: "files", Name: "dropped.log", Data: logData})
			wantStatus(t, "empty reply again", r, http.StatusUnprocessableEntity)
			wantStatus(t, "reply without the box checked", c.PostFiles(page+"/reply", url.Values{"body": {"Sans la trace."}}), http.StatusSeeOther)
			if n := countRows(t, d, "attachments", "name = 'dropped.log'"); n != 0 {
				t.Errorf("an unchecked file was attached")
			}
		})
	}
}

// Item 17: an incident of another of the customer's tenants switches Périmètre to it; "all my
// tenants" lists the incidents of every tenant where the customer has the right, and no other.
func TestIncidentUXAcrossTenants(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	incs := map[string]*incident.Incident{}
	for _, code := range []string{"OCB0000001", "OCB0000002", "OCB0000003", "OCB0000004"} {
		incs[code] = d.declare(t, "Marie.Dupont", d.tenant(t, code).ID, "Panne réseau "+code)
	}
	// Nina: incidents on OCB0000001 and OCB0000002, none on OCB0000003.
	hash, err := identity.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	nina := &identity.User{Login: "Nina.Multi", Email: "nina@example.com", DisplayName: "Nina Multi", Lang: "en", Kind: identity.Customer,
		Active: true, PasswordHash: hash}
	if err := identity.InsertUser(ctx, d.DB, nina); err != nil {
		t.Fatal(err)
	}
	for code, r := range map[string]tenancy.Rights{"OCB0000001": {Incidents: true}, "OCB0000002": {Incidents: true}, "OCB0000003": {Changes: true}} {
		if err := tenancy.InsertMembership(ctx, d.DB, &tenancy.Membership{TenantID: d.tenant(t, code).ID, UserID: nina.ID, Rights: r}); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range []struct{ code, login, switched, all, allLink string }{
		{"en", "Nina.Multi", "Scope switched to tenant OCB0000002", "All my tenants", "See the incidents of all my tenants"},
		{"fr", "Marie.Dupont", "Périmètre basculé sur le tenant OCB0000002", "Tous mes tenants", "Voir les incidents de tous mes tenants"},
	} {
		t.Run(lang.code, func(t *testing.T) {
			c := d.as(t, lang.login)
			incidentSpeaks(t, c, lang.code)
			c.Get("/")
			c.Post("/scope", url.Values{"tenant": {id(d.tenant(t, "OCB0000001").ID)}})
			r := c.Get("/incidents/" + incs["OCB0000002"].Number())
			wantStatus(t, "another tenant's incident", r, http.StatusOK)
			wantBody(t, "switched", r, lang.switched)
			r = c.Get("/incidents")
			wantBody(t, "list after the switch", r, `<span class="code">OCB0000002</span>`, lang.allLink, `href="/incidents?all=1"`)
			wantNoBody(t, "list after the switch", r, "Panne réseau OCB0000001")
			// Opened again, nothing switches.
			wantNoBody(t, "again", c.Get("/incidents/"+incs["OCB0000002"].Number()), lang.switched)

			r = c.Get("/incidents?all=1")
			wantStatus(t, "all", r, http.StatusOK)
			wantBody(t, "all", r, lang.all, "Panne réseau OCB0000001", "Panne réseau OCB0000002", `<input type="hidden" name="all" value="1">`,
				`<td data-label="`)
			wantNoBody(t, "all", r, "Panne réseau OCB0000004")
			if lang.login == "Nina.Multi" {
				wantNoBody(t, "all", r, "Panne réseau OCB0000003")
			} else {
				wantBody(t, "all", r, "Panne réseau OCB0000003")
			}
			r = c.Get("/incidents?all=1&q=réseau&status=new")
			wantBody(t, "all, searched", r, "Panne réseau OCB0000001", "Panne réseau OCB0000002")
			wantNoBody(t, "all, searched", r, "Panne réseau OCB0000004")
			csv := c.Get("/incidents/export?all=1")
			wantStatus(t, "all, CSV", csv, http.StatusOK)
			wantBody(t, "all, CSV", csv, incs["OCB0000001"].Number(), incs["OCB0000002"].Number())
			wantNoBody(t, "all, CSV", csv, incs["OCB0000004"].Number())
			// Another tenant's incident is still a 404.
			wantStatus(t, "OCB0000004", c.Get("/incidents/"+incs["OCB0000004"].Number()), http.StatusNotFound)
		})
	}
	// Nina cannot reach OCB0000003's incidents, and her scope stays.
	c := d.as(t, "Nina.Multi")
	wantStatus(t, "OCB0000003", c.Get("/incidents/"+incs["OCB0000003"].Number()), http.StatusNotFound)
	// Paging across tenants keeps the view.
	for i := range 50 {
		d.declare(t, "Marie.Dupont", d.tenant(t, []string{"OCB0000001", "OCB0000002"}[i%2]).ID, fmt.Sprintf("Série %02d", i))
	}
	r := c.Get("/incidents?all=1")
	wantBody(t, "page 1", r, `href="/incidents?all=1&amp;page=2"`)
	r = c.Get("/incidents?all=1&page=2")
	wantStatus(t, "page 2", r, http.StatusOK)
	wantBody(t, "page 2", r, "Panne réseau OCB0000001")
	// John, with one tenant, is not offered the view.
	wantNoBody(t, "John", d.as(t, "John.Doe").Get("/incidents"), `href="/incidents?all=1"`)
}

// Item 19 and the phone: the customer's list shows the next due time and its state (a breach in
// words); a Basic tenant's declaration form says there is no target before declaring; the
// incident page puts its state, priority and SLA first, and the lists are cards.
func TestIncidentUXCustomerSeesDueTimes(t *testing.T) {
	d := newDesk(t)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Stockage saturé")
	if _, err := d.DB.NewUpdate().Model((*incident.Incident)(nil)).Set("sla_due_at = ?", time.Now().Add(-time.Hour).UTC()).
		Set("sla_risk_at = ?", time.Now().Add(-2*time.Hour).UTC()).Where("id = ?", inc.ID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []struct{ code, login, due, breached, basic, summary string }{
		{"en", "John.Doe", "SLA due", "Breached", "has the Basic support level: documentation and the FAQ online", "Status:"},
		{"fr", "Marie.Dupont", "Échéance SLA", "Dépassé", "bénéficie du niveau de support Basic\u00a0: documentation et FAQ en ligne", "État\u00a0:"},
	} {
		t.Run(lang.code, func(t *testing.T) {
			c := d.as(t, lang.login)
			incidentSpeaks(t, c, lang.code)
			r := c.Get("/incidents")
			wantBody(t, "list", r, `<table class="cards">`, `<th scope="col">`+lang.due+`</th>`,
				`<td data-label="`+lang.due+`"><span class="badge sla-breached">`+lang.breached+`</span>`)
			r = c.Get("/incidents/" + inc.Number())
			for _, later := range []string{"<h2>", `id="tl-title"`, `id="reply-title"`} {
				if s, l := strings.Index(r.Body, `class="summary"`), strings.Index(r.Body, later); s < 0 || l < s {
					t.Errorf("the summary (%d) does not come before %s (%d)", s, later, l)
				}
			}
			wantBody(t, "summary", r, lang.summary, `<span class="badge sla-breached">`+lang.breached+`</span>`)
			wantNoBody(t, "Premium form", c.Get("/incidents/new"), lang.basic)

			paul := d.as(t, "Paul.Martin")
			incidentSpeaks(t, paul, lang.code)
			r = paul.Get("/incidents/new")
			wantBody(t, "Basic form", r, lang.basic)
			r = paul.PostFiles("/incidents", url.Values{"title": {""}})
			wantStatus(t, "Basic form refused", r, http.StatusUnprocessableEntity)
			wantBody(t, "Basic form refused", r, lang.basic)
		})
	}
}

// After a stale-page conflict the "Assigned to" choice keeps what the agent chose; on any other
// refusal it keeps its default, the agent themself.
func TestIncidentUXStaleConflictKeepsTheAssignee(t *testing.T) {
	d := newDesk(t)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Pare-feu bloquant")
	alice := d.as(t, "Alice.Agent")
	page := "/staff/incidents/" + inc.Number()
	alice.Get(page)
	d.actOn(t, "admin", inc, incident.Act{Action: incident.Take})
	adminID, aliceID := id(d.user(t, "admin").ID), id(d.user(t, "Alice.Agent").ID)
	selected := func(r testutil.Response, uid string) bool {
		return regexp.MustCompile(`<option value="` + uid + `" selected>`).MatchString(r.Body)
	}
	r := alice.Post(page+"/assign", url.Values{"version": {"1"}, "assignee": {adminID}})
	wantStatus(t, "stale assign", r, http.StatusConflict)
	if !selected(r, adminID) {
		t.Errorf("the chosen assignee is not kept after the conflict")
	}
	r = alice.Post(page+"/priority", url.Values{"version": {"1"}, "priority": {"P1"}, "reason": {"Production"}})
	wantStatus(t, "stale priority", r, http.StatusConflict)
	if !selected(r, aliceID) {
		t.Errorf("the assignee choice lost its default after another form's conflict")
	}
}
