package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/canned"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
	"golang.org/x/net/html"
)

func init() {
	// Canned responses belong to no tenant: for the agents who may reach them, an id that does
	// not exist.
	foreignParams["canned"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string { return "999999" }
}

// cannedForm is a canned response's form as a browser sends it.
func cannedForm(name, fr, en, action string) url.Values {
	return url.Values{"name": {name}, "text_fr": {fr}, "text_en": {en}, "action": {action}}
}

// mustCanned writes a canned response through the service, as Alice.
func (d *desk) mustCanned(t *testing.T, name, fr, en string, action canned.Action) *canned.Response {
	t.Helper()
	r, err := d.Canned.Create(context.Background(), tenancy.ActorOf(d.user(t, "Alice.Agent")), canned.Draft{Name: name, TextFR: fr, TextEN: en, Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// cannedRow reads a canned response again, nil when it is gone.
func (d *desk) cannedRow(t *testing.T, id int64) *canned.Response {
	t.Helper()
	r, err := d.Canned.Get(context.Background(), tenancy.ActorOf(d.user(t, "admin")), id)
	if err != nil {
		return nil
	}
	return r
}

// fieldError is the message shown beside field f-<name>, "" when none.
func fieldError(body, name string) string {
	m := regexp.MustCompile(`<p class="error" id="f-` + regexp.QuoteMeta(name) + `-error">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

const (
	nbsp      = "\u00a0"
	ackFR     = "Bonjour {customer_name}, nous avons bien reçu {incident_number} ({title}). {agent_name} s’en occupe avant le {due_time}. Suivi : {link}"
	ackEN     = "Hello {customer_name}, we received {incident_number} ({title}). {agent_name} is on it by {due_time}. Follow it at {link}"
	waitingFR = "Bonjour {customer_name}, pouvez-vous nous envoyer les journaux de {title} ?"
	waitingEN = "Hello {customer_name}, could you send us the logs of {title}?"
)

// An agent writes canned responses in both languages through the form, in English and in
// French; the list shows each with its action and usage count. Refused input comes back on the
// form with the message beside its field, everything typed kept, and nothing written.
func TestCannedResponsesThroughTheForms(t *testing.T) {
	d := newDesk(t)
	alice := d.as(t, "Alice.Agent")
	r := alice.Get("/staff/canned")
	wantStatus(t, "empty list", r, http.StatusOK)
	wantBody(t, "empty list", r, "No canned response yet.", `href="/staff/canned/new"`)
	r = alice.Get("/staff/canned/new")
	wantStatus(t, "form", r, http.StatusOK)
	wantBody(t, "form", r, "French text", "English text", "Wait for the customer", "Resolve the incident")
	for _, p := range canned.Placeholders {
		wantBody(t, "the form lists the placeholders", r, "<code>{"+p+"}</code>")
	}

	r = alice.Post("/staff/canned/new", cannedForm("Accusé de réception", ackFR, ackEN, ""))
	wantStatus(t, "create", r, http.StatusSeeOther)
	if r.Location != "/staff/canned" {
		t.Fatalf("created: to %q", r.Location)
	}
	r = alice.Get("/staff/canned")
	wantBody(t, "list", r, "The canned response was created.", "Accusé de réception", "None: the reply only")

	before := countRows(t, d, "canned_responses", "1 = 1")
	for _, tc := range []struct {
		what        string
		form        url.Values
		field, want string
	}{
		{"no English", cannedForm("Attente des journaux", waitingFR, "", "pending"), "text_en", "Write the English text."},
		{"no French", cannedForm("Attente des journaux", "  ", waitingEN, "pending"), "text_fr", "Write the French text."},
		{"unknown placeholder", cannedForm("Attente des journaux", waitingFR+" {foo}", waitingEN, "pending"), "text_fr", "Unknown placeholder: {foo}"},
		{"unknown in English", cannedForm("Attente des journaux", waitingFR, "Dear {customer}", "pending"), "text_en", "Unknown placeholder: {customer}"},
		{"same name", cannedForm("ACCUSÉ DE RÉCEPTION", waitingFR, waitingEN, "pending"), "name", "Another canned response already has this name."},
		{"unknown action", cannedForm("Attente des journaux", waitingFR, waitingEN, "close"), "action", "Choose the action applied with the reply."},
	} {
		r := alice.Post("/staff/canned/new", tc.form)
		wantStatus(t, tc.what, r, http.StatusUnprocessableEntity)
		if got := fieldError(r.Body, tc.field); got != tc.want {
			t.Errorf("%s: beside %s %q, want %q", tc.what, tc.field, got, tc.want)
		}
		for _, k := range []string{"name", "text_fr", "text_en"} {
			if v := strings.TrimSpace(tc.form.Get(k)); v != "" && !strings.Contains(html.UnescapeString(r.Body), v) {
				t.Errorf("%s: %s not kept", tc.what, k)
			}
		}
		if after := countRows(t, d, "canned_responses", "1 = 1"); after != before {
			t.Fatalf("%s: %d responses, then %d", tc.what, before, after)
		}
	}

	// The same in French, for an agent who reads French.
	d.setLang(t, "Alice.Agent", "fr")
	r = alice.Post("/staff/canned/new", cannedForm("Attente des journaux", waitingFR+" {foo}", "", "pending"))
	wantStatus(t, "French refusal", r, http.StatusUnprocessableEntity)
	if got := fieldError(r.Body, "text_fr"); got != "Variable inconnue"+nbsp+": {foo}" {
		t.Errorf("French message beside text_fr: %q", got)
	}
	if got := fieldError(r.Body, "text_en"); got != "Écrivez le texte en anglais." {
		t.Errorf("French message beside text_en: %q", got)
	}
	r = alice.Post("/staff/canned/new", cannedForm("Attente des journaux", waitingFR, waitingEN, "pending"))
	wantStatus(t, "create in French", r, http.StatusSeeOther)
	r = alice.Get("/staff/canned")
	wantBody(t, "French list", r, "La réponse type a été créée.", "Attente des journaux", "Mettre en attente du client", "Utilisations")
	if n := countRows(t, d, "canned_responses", "1 = 1"); n != before+1 {
		t.Errorf("%d responses, want %d", n, before+1)
	}
}

// The new form, sent empty, lists its errors in the form's order, each naming its field.
func TestEmptyCannedFormNamesItsFields(t *testing.T) {
	d := newDesk(t)
	alice := d.as(t, "Alice.Agent")
	alice.Get("/staff/canned/new")
	r := alice.Post("/staff/canned/new", url.Values{})
	wantStatus(t, "empty", r, http.StatusUnprocessableEntity)
	checkSummary(t, "POST /staff/canned/new", r.Body)
	wantBody(t, "empty", r, "Give the response a name.", "Write the French text.", "Write the English text.")
}

// Editing keeps the version the page was read at: a stale form comes back 409 with the input
// kept; a current one saves. Deleting asks first, then the response is no longer offered.
func TestCannedEditAndDelete(t *testing.T) {
	d := newDesk(t)
	resp := d.mustCanned(t, "Accusé de réception", ackFR, ackEN, canned.None)
	alice := d.as(t, "Alice.Agent")
	path := "/staff/canned/" + id(resp.ID)
	r := alice.Get(path)
	wantStatus(t, "edit page", r, http.StatusOK)
	wantBody(t, "edit page", r, `name="version" value="1"`, "Accusé de réception", "{customer_name}")

	form := cannedForm("Accusé", ackFR, ackEN, "resolve")
	form.Set("version", "1")
	wantStatus(t, "save", alice.Post(path, form), http.StatusSeeOther)
	if got := d.cannedRow(t, resp.ID); got.Name != "Accusé" || got.Action != canned.Resolve || got.Version != 2 {
		t.Fatalf("saved %+v", got)
	}
	form.Set("name", "Accusé, version périmée")
	r = alice.Post(path, form) // still version 1
	wantStatus(t, "stale", r, http.StatusConflict)
	wantBody(t, "stale", r, "This canned response was changed since you opened the page", "Accusé, version périmée", `name="version" value="2"`)
	form.Set("version", "2")
	form.Set("text_en", "")
	r = alice.Post(path, form)
	wantStatus(t, "invalid edit", r, http.StatusUnprocessableEntity)
	if fieldError(r.Body, "text_en") != "Write the English text." {
		t.Errorf("invalid edit: %.300s", r.Body)
	}
	if got := d.cannedRow(t, resp.ID); got.Name != "Accusé" || got.Version != 2 {
		t.Fatalf("refused edits wrote: %+v", got)
	}

	// Without script, the confirmation page asks first; nothing is deleted until it is answered.
	r = alice.Post(path+"/delete", url.Values{})
	wantStatus(t, "delete asks", r, http.StatusOK)
	wantBody(t, "delete asks", r, "Delete the canned response “Accusé”?", `name="confirm" value="1"`, `href="`+path+`"`)
	if d.cannedRow(t, resp.ID) == nil {
		t.Fatal("deleted without confirmation")
	}
	r = alice.Post(path+"/delete", url.Values{"confirm": {"1"}})
	wantStatus(t, "delete", r, http.StatusSeeOther)
	if d.cannedRow(t, resp.ID) != nil {
		t.Fatal("not deleted")
	}
	r = alice.Get("/staff/canned")
	wantBody(t, "after delete", r, "The canned response was deleted.", "No canned response yet.")
	wantStatus(t, "deleted page", alice.Get(path), http.StatusNotFound)
	wantStatus(t, "delete twice", alice.Post(path+"/delete", url.Values{"confirm": {"1"}}), http.StatusNotFound)
}

// workedIncident declares an incident as login on OCB0000001 and has Alice take it: in progress.
func (d *desk) workedIncident(t *testing.T, login, title string) *incident.Incident {
	t.Helper()
	ctx := context.Background()
	who, err := tenancy.Resolve(ctx, d.DB, d.user(t, login))
	if err != nil {
		t.Fatal(err)
	}
	inc, err := d.Incidents.Declare(ctx, who, d.tenant(t, "OCB0000001").ID, incident.Draft{Title: title,
		Description: "La passerelle répond 502 depuis ce matin.", Service: "ecs", Region: "eu-west-0", Impact: "high", Urgency: "medium"})
	if err != nil {
		t.Fatal(err)
	}
	return d.actOn(t, "Alice.Agent", inc, incident.Act{Action: incident.Take})
}

// Inserting a canned response on an incident fills the reply with its text in the reporter's
// language, each placeholder filled, and says what sending will also do; the agent may edit it.
func TestInsertingACannedResponseFillsTheReportersLanguage(t *testing.T) {
	d := newDesk(t)
	ack := d.mustCanned(t, "Accusé de réception", ackFR, ackEN, canned.None)
	wait := d.mustCanned(t, "Attente des journaux", waitingFR, waitingEN, canned.Pending)
	marie := d.workedIncident(t, "Marie.Dupont", "Passerelle API en erreur")
	john := d.workedIncident(t, "John.Doe", "Gateway down")
	alice := d.as(t, "Alice.Agent")

	page := "/staff/incidents/" + marie.Number()
	r := alice.Get(page)
	wantStatus(t, "page", r, http.StatusOK)
	wantBody(t, "picker", r, `<form method="get" action="`+page+`">`, `name="canned"`, "Accusé de réception", "Attente des journaux", "Insert a canned response")

	r = alice.Get(page + "?canned=" + id(ack.ID))
	wantStatus(t, "insert for a French reporter", r, http.StatusOK)
	cur, _ := d.Incidents.Get(context.Background(), tenancy.ActorOf(d.user(t, "Alice.Agent")), marie.ID)
	due := d.Bundle.FormatDateTime("fr", cur.SLADueAt)
	want := "Bonjour Marie Dupont, nous avons bien reçu " + marie.Number() + " (Passerelle API en erreur). Alice Agent s’en occupe avant le " +
		due + ". Suivi : " + d.Notifier.Link("/incidents/"+marie.Number())
	body := html.UnescapeString(r.Body)
	if !strings.Contains(body, `name="body"`) || !strings.Contains(body, ">"+want+"</textarea>") {
		t.Errorf("the reply is not filled in French with %q:\n%.3000s", want, body)
	}
	wantBody(t, "insert", r, `<input type="hidden" name="canned" value="`+id(ack.ID)+`">`, "in French, the reporter’s language.",
		"Sending adds the reply only.")
	if !strings.Contains(body, "(UTC+") {
		t.Errorf("the due time has no zone: %q", due)
	}

	r = alice.Get("/staff/incidents/" + john.Number() + "?canned=" + id(wait.ID))
	wantStatus(t, "insert for an English reporter", r, http.StatusOK)
	body = html.UnescapeString(r.Body)
	if !strings.Contains(body, ">Hello John Doe, could you send us the logs of Gateway down?</textarea>") {
		t.Errorf("the reply is not filled in English:\n%.3000s", body)
	}
	wantBody(t, "insert pending", r, "Sending will also put the incident in wait of the customer.", "Send and wait for the customer",
		`<input type="hidden" name="canned" value="`+id(wait.ID)+`">`)

	// A response that does not exist is a 404 on the page, with its message beside the choice.
	for _, bad := range []string{"999999", "abc", "-1", "0", "9223372036854775808"} {
		r = alice.Get(page + "?canned=" + url.QueryEscape(bad))
		wantStatus(t, "unknown "+bad, r, http.StatusNotFound)
		if got := fieldError(r.Body, "canned"); got != "This canned response no longer exists: choose another one, or write your reply." {
			t.Errorf("unknown %s: beside the choice %q", bad, got)
		}
	}
}

// incidentNow reads an incident again, as Alice.
func (d *desk) incidentNow(t *testing.T, inc *incident.Incident) *incident.Incident {
	t.Helper()
	cur, err := d.Incidents.Get(context.Background(), tenancy.ActorOf(d.user(t, "Alice.Agent")), inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	return cur
}

// publicEntries are the incident's public replies and status changes' bodies.
func publicBodies(t *testing.T, d *desk, inc *incident.Incident) []string {
	t.Helper()
	es, err := timeline.List(context.Background(), d.DB, inc.Subject(), false)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if e.Body != "" {
			out = append(out, e.Body)
		}
	}
	return out
}

// A reply sent with a canned response applies its action with the reply and counts the use:
// waiting for the customer, resolving (the reply is the resolution note). An action the
// incident's state refuses comes back with the text kept, nothing written and no use counted.
func TestSendingACannedResponseAppliesItsAction(t *testing.T) {
	d := newDesk(t)
	wait := d.mustCanned(t, "Attente des journaux", waitingFR, waitingEN, canned.Pending)
	fixed := d.mustCanned(t, "Résolu", "Bonjour {customer_name}, c’est réglé.", "Hello {customer_name}, it is fixed.", canned.Resolve)
	alice := d.as(t, "Alice.Agent")

	send := func(inc *incident.Incident, text string, r *canned.Response) testutil.Response {
		alice.Get("/staff/incidents/" + inc.Number() + "?canned=" + id(r.ID))
		return alice.PostFiles("/staff/incidents/"+inc.Number()+"/reply",
			url.Values{"body": {text}, "visibility": {"public"}, "canned": {id(r.ID)}})
	}

	// Wait for the customer.
	inc := d.workedIncident(t, "Marie.Dupont", "Passerelle API en erreur")
	text := "Bonjour Marie Dupont, pouvez-vous nous envoyer les journaux de la passerelle ? Merci."
	r := send(inc, text, wait)
	wantStatus(t, "send pending", r, http.StatusSeeOther)
	if got := d.incidentNow(t, inc); got.Status != incident.PendingCustomer {
		t.Errorf("after a reply with pending: %s", got.Status)
	}
	if bs := publicBodies(t, d, inc); len(bs) == 0 || bs[len(bs)-1] != text {
		t.Errorf("the reply: %q", bs)
	}
	if got := d.cannedRow(t, wait.ID); got.Uses != 1 || got.Version != 1 {
		t.Errorf("uses after sending: %+v", got)
	}
	wantBody(t, "flash", alice.Get(r.Location), "The incident now waits for the customer.")

	// Resolve: the reply is the resolution note.
	inc = d.workedIncident(t, "John.Doe", "Gateway down")
	text = "Hello John Doe, it is fixed: the gateway was restarted."
	r = send(inc, text, fixed)
	wantStatus(t, "send resolve", r, http.StatusSeeOther)
	got := d.incidentNow(t, inc)
	if got.Status != incident.Resolved {
		t.Errorf("after a reply with resolve: %s", got.Status)
	}
	if bs := publicBodies(t, d, inc); len(bs) == 0 || bs[len(bs)-1] != text {
		t.Errorf("the resolution note: %q", bs)
	}
	if got := d.cannedRow(t, fixed.ID); got.Uses != 1 {
		t.Errorf("uses after resolving: %+v", got)
	}

	// A new incident may not wait for the customer: refused, the text kept, nothing written.
	inc = d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Stockage lent")
	entries := countRows(t, d, "timeline_entries", "subject_kind = ? AND subject_id = ?", "incident", inc.ID)
	text = "Bonjour, pouvez-vous nous envoyer les journaux du stockage ?"
	r = send(inc, text, wait)
	wantStatus(t, "pending refused", r, http.StatusUnprocessableEntity)
	wantBody(t, "pending refused", r, `<input type="hidden" name="canned" value="`+id(wait.ID)+`">`)
	if !strings.Contains(html.UnescapeString(r.Body), ">"+text+"</textarea>") {
		t.Errorf("the text is not kept: %.2000s", r.Body)
	}
	if n := countRows(t, d, "timeline_entries", "subject_kind = ? AND subject_id = ?", "incident", inc.ID); n != entries {
		t.Errorf("a refused reply wrote %d entries", n-entries)
	}
	if got := d.incidentNow(t, inc); got.Status != incident.New {
		t.Errorf("state after a refusal: %s", got.Status)
	}
	if got := d.cannedRow(t, wait.ID); got.Uses != 1 {
		t.Errorf("a refused reply counted a use: %+v", got)
	}

	// A response deleted meanwhile: refused beside the text, which is kept.
	inc = d.workedIncident(t, "Marie.Dupont", "Réseau lent")
	alice.Get("/staff/incidents/" + inc.Number() + "?canned=" + id(wait.ID))
	if err := d.Canned.Delete(context.Background(), tenancy.ActorOf(d.user(t, "admin")), wait.ID); err != nil {
		t.Fatal(err)
	}
	r = alice.PostFiles("/staff/incidents/"+inc.Number()+"/reply", url.Values{"body": {"Bonjour, un instant."}, "visibility": {"public"}, "canned": {id(wait.ID)}})
	wantStatus(t, "deleted response", r, http.StatusUnprocessableEntity)
	if got := fieldError(r.Body, "body"); got != "This canned response no longer exists: choose another one, or write your reply." {
		t.Errorf("beside the reply: %q", got)
	}
	wantBody(t, "deleted response", r, "Bonjour, un instant.")
	if got := d.incidentNow(t, inc); got.Status != incident.InProgress {
		t.Errorf("state: %s", got.Status)
	}
}

// Customers and sales reps reach none of the canned responses' pages, and a customer's reply
// that names one is a plain reply that counts nothing.
func TestCannedResponsesAreForAgentsAndAdmins(t *testing.T) {
	d := newDesk(t)
	resp := d.mustCanned(t, "Résolu", "C’est réglé.", "It is fixed.", canned.Resolve)
	inc := d.workedIncident(t, "Marie.Dupont", "Passerelle API en erreur")
	path := "/staff/canned/" + id(resp.ID)
	for _, login := range []string{"Marie.Dupont", "John.Doe", "Sophie.Commerciale"} {
		c := d.as(t, login)
		for _, p := range []string{"/staff/canned", "/staff/canned/new", path} {
			wantStatus(t, login+" GET "+p, c.Get(p), http.StatusForbidden)
		}
		for _, p := range []string{"/staff/canned/new", path, path + "/delete"} {
			wantStatus(t, login+" POST "+p, c.Post(p, url.Values{"confirm": {"1"}, "name": {"x"}, "text_fr": {"x"}, "text_en": {"x"}, "version": {"1"}}), http.StatusForbidden)
		}
	}
	marie := d.as(t, "Marie.Dupont")
	marie.Get("/incidents/" + inc.Number())
	r := marie.PostFiles("/incidents/"+inc.Number()+"/reply", url.Values{"body": {"Merci, je regarde."}, "canned": {id(resp.ID)}})
	wantStatus(t, "customer reply", r, http.StatusSeeOther)
	if got := d.incidentNow(t, inc); got.Status != incident.InProgress {
		t.Errorf("a customer's reply naming a canned response: %s", got.Status)
	}
	if got := d.cannedRow(t, resp.ID); got == nil || got.Uses != 0 || got.Version != 1 || got.Name != "Résolu" {
		t.Errorf("the response changed: %+v", got)
	}
}

// A canned response's texts are written on several lines, as any reply; they come back on the
// incident with their lines.
func TestCannedTextsKeepTheirLineBreaks(t *testing.T) {
	d := newDesk(t)
	alice := d.as(t, "Alice.Agent")
	alice.Get("/staff/canned/new")
	r := alice.Post("/staff/canned/new", cannedForm("Signature", "Bonjour {customer_name},\r\n\r\nCordialement,\r\n{agent_name}",
		"Hello {customer_name},\r\n\r\nBest regards,\r\n{agent_name}", ""))
	wantStatus(t, "create on several lines", r, http.StatusSeeOther)
	var got canned.Response
	if err := d.DB.NewSelect().Model(&got).Where("name = ?", "Signature").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got.TextEN != "Hello {customer_name},\n\nBest regards,\n{agent_name}" {
		t.Errorf("kept %q", got.TextEN)
	}
	inc := d.workedIncident(t, "John.Doe", "Gateway down")
	r = alice.Get("/staff/incidents/" + inc.Number() + "?canned=" + id(got.ID))
	wantStatus(t, "insert", r, http.StatusOK)
	if !strings.Contains(html.UnescapeString(r.Body), ">Hello John Doe,\n\nBest regards,\nAlice Agent</textarea>") {
		t.Errorf("the lines are not kept on the incident: %.3000s", r.Body)
	}
}

// The canned responses' pages and an incident with one inserted read in the reader's language
// only, without a raw key, in French and in English (the crawl's checks).
func TestCannedPagesSpeakTheReadersLanguage(t *testing.T) {
	cat := loadCatalogue(t)
	d := newDesk(t)
	resp := d.mustCanned(t, "Attente des journaux", waitingFR, waitingEN, canned.Pending)
	inc := d.workedIncident(t, "John.Doe", "Gateway down")
	alice := d.as(t, "Alice.Agent")
	for _, lang := range []string{"fr", "en"} {
		alice.Lang = lang
		wantStatus(t, "language", alice.Post("/lang", url.Values{"lang": {lang}, "next": {"/"}}), http.StatusSeeOther)
		for _, p := range []string{"/staff/canned", "/staff/canned/new", "/staff/canned/" + id(resp.ID),
			"/staff/incidents/" + inc.Number() + "?canned=" + id(resp.ID)} {
			r := alice.Get(p)
			wantStatus(t, lang+" "+p, r, http.StatusOK)
			doc, err := html.Parse(strings.NewReader(r.Body))
			if err != nil {
				t.Fatal(err)
			}
			checkPageWords(cat, doc, lang, func(check, detail string) { t.Errorf("%s %s: %s: %s", lang, p, check, detail) })
		}
		r := alice.Post("/staff/canned/"+id(resp.ID)+"/delete", url.Values{})
		doc, _ := html.Parse(strings.NewReader(r.Body))
		checkPageWords(cat, doc, lang, func(check, detail string) { t.Errorf("%s confirmation: %s: %s", lang, check, detail) })
	}
}
