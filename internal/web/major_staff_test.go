package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	nethtml "golang.org/x/net/html"
)

func init() {
	// A major incident concerning only a tenant of another organisation: a customer may not see
	// it; agents and admins work on it from the staff pages.
	if _, ok := foreignParams["major"]; !ok {
		foreignParams["major"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string {
			tn, err := tenancy.TenantByID(context.Background(), d.DB, f.ForeignTenant)
			if err != nil {
				t.Fatal(err)
			}
			m, err := d.Majors.Open(context.Background(), tenancy.ActorOf(d.user(t, "admin")), major.Draft{
				TitleFR: "Panne étrangère", TitleEN: "Foreign outage", DescriptionFR: "Ailleurs.", DescriptionEN: "Elsewhere.",
				Services: []string{"ecs"}, Regions: []string{"eu-west-0"}, Tenants: tn.Code})
			if err != nil {
				t.Fatal(err)
			}
			return m.Number()
		}
	}
}

// staffMajorForm is a major incident's form as a browser sends it, for every tenant, on the
// Elastic Cloud Server service in Paris.
func staffMajorForm() url.Values {
	return url.Values{"title_fr": {"Panne du stockage en mode bloc"}, "title_en": {"Block storage outage"},
		"description_fr": {"Les volumes ne répondent plus à Paris."}, "description_en": {"Volumes stopped answering in Paris."},
		"services": {"ecs", "evs"}, "regions": {"eu-west-0"}, "concerned": {"all"}, "tenants": {""}, "started_at": {""}}
}

// staffMajor opens a major incident on ecs and evs in Paris through the service, as the admin:
// for every tenant, or for OCB0000001 only.
func (d *desk) staffMajor(t *testing.T, all bool) *major.Major {
	t.Helper()
	m, err := d.Majors.Open(context.Background(), tenancy.ActorOf(d.user(t, "admin")), major.Draft{
		TitleFR: "Panne du stockage en mode bloc", TitleEN: "Block storage outage",
		DescriptionFR: "Les volumes ne répondent plus.", DescriptionEN: "Volumes stopped answering.",
		Services: []string{"ecs", "evs"}, Regions: []string{"eu-west-0"}, AllTenants: all, Tenants: "OCB0000001"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// majorNow reads a major incident again.
func (d *desk) majorNow(t *testing.T, id int64) *major.Major {
	t.Helper()
	m, err := d.Majors.Get(context.Background(), tenancy.ActorOf(d.user(t, "admin")), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// incidentAgain reads an incident again.
func (d *desk) incidentAgain(t *testing.T, id int64) *incident.Incident {
	t.Helper()
	inc, err := incident.ByID(context.Background(), d.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// besideField is the message shown beside field f-<name>, "" when none.
func besideField(body, name string) string {
	m := regexp.MustCompile(`<p class="error" id="f-` + regexp.QuoteMeta(name) + `-error">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func wantBeside(t *testing.T, what string, r testutil.Response, field, msg string) {
	t.Helper()
	if got := besideField(r.Body, field); got != msg {
		t.Errorf("%s: beside %s %q, want %q", what, field, got, msg)
	}
}

// An agent opens a major incident in both languages through the form; its page shows each
// language marked as such, and the list shows it with its scope.
func TestStaffOpenAMajorIncidentInBothLanguages(t *testing.T) {
	d := newDesk(t)
	alice := d.as(t, "Alice.Agent")
	form := alice.Get("/staff/major/new")
	wantStatus(t, "form", form, http.StatusOK)
	wantBody(t, "form", form, "Title in French", "Elastic Volume Service", "Cloud Alliance region", `type="datetime-local"`)
	r := alice.Post("/staff/major", staffMajorForm())
	wantStatus(t, "open", r, http.StatusSeeOther)
	if !strings.HasPrefix(r.Location, "/staff/major/MAJ") {
		t.Fatalf("open: to %q", r.Location)
	}
	page := alice.Get(r.Location)
	wantStatus(t, "page", page, http.StatusOK)
	wantBody(t, "page", page, "The major incident is open.", `<p lang="fr" data-user-content><strong>Panne du stockage en mode bloc</strong></p>`,
		`<div class="body prewrap" lang="en" data-user-content>Volumes stopped answering in Paris.</div>`,
		"Investigating", "Elastic Cloud Server, Elastic Volume Service", "Paris", "All tenants", `href="/status/MAJ`, "Post an update")
	list := alice.Get("/staff/major")
	wantBody(t, "list", list, "Block storage outage", "All tenants", "0 linked incidents", "Investigating")

	// For named tenants, in French, started in the Cloud Alliance region.
	alice.Post("/lang", url.Values{"lang": {"fr"}, "next": {"/staff/major/new"}})
	alice.Get("/staff/major/new")
	f := staffMajorForm()
	f.Set("concerned", "listed")
	f.Set("tenants", "ocb0000001 OCB0000002, OCB0000001")
	f["regions"] = []string{"alliance"}
	r = alice.Post("/staff/major", f)
	wantStatus(t, "open for two tenants", r, http.StatusSeeOther)
	page = alice.Get(r.Location)
	wantBody(t, "page in French", page, "L’incident majeur est ouvert.", "OCB0000001, OCB0000002", "Région Cloud Alliance", "Analyse en cours")
	wantNoBody(t, "page in French", page, "All tenants")
}

// A major incident without both languages is refused, each message beside its field, what was
// typed kept, and nothing written; so are unknown tenants and a start in the future.
func TestAMajorIncidentWithoutBothLanguagesIsRefused(t *testing.T) {
	d := newDesk(t)
	alice := d.as(t, "Alice.Agent")
	alice.Get("/staff/major/new")
	f := staffMajorForm()
	f.Set("title_en", "  ")
	f.Set("description_en", "")
	r := alice.Post("/staff/major", f)
	wantStatus(t, "no English", r, http.StatusUnprocessableEntity)
	wantBeside(t, "no English", r, "title_en", "Give the title in English.")
	wantBeside(t, "no English", r, "description_en", "Give the public description in English.")
	wantBody(t, "no English", r, `value="Panne du stockage en mode bloc"`, "Les volumes ne répondent plus à Paris.",
		`value="evs" checked`, `value="all" checked`)
	checkSummary(t, "no English", r.Body)

	f = staffMajorForm()
	f.Set("concerned", "listed")
	f.Set("tenants", "OCB0000001 OCB0009999")
	f.Set("started_at", "2999-01-01T10:00")
	r = alice.Post("/staff/major", f)
	wantStatus(t, "unknown tenant", r, http.StatusUnprocessableEntity)
	wantBeside(t, "unknown tenant", r, "started_at", "The start cannot be in the future.")
	wantBody(t, "unknown tenant", r, "OCB0000001 OCB0009999", `value="2999-01-01T10:00"`, `value="listed" checked`)

	alice.Post("/lang", url.Values{"lang": {"fr"}, "next": {"/staff/major/new"}})
	alice.Get("/staff/major/new")
	r = alice.Post("/staff/major", url.Values{"title_fr": {"Panne"}})
	wantStatus(t, "empty in French", r, http.StatusUnprocessableEntity)
	wantBeside(t, "empty in French", r, "title_en", "Indiquez le titre en anglais.")
	checkSummary(t, "empty in French", r.Body)
	if n := testutil.Count(t, d.DB, "major_incidents", "1 = 1"); n != 0 {
		t.Fatalf("%d major incidents written from refused forms", n)
	}
}

// The forms of the staff pages, sent empty, come back 422 with an error summary naming each
// field in the order of the page.
func TestEmptyMajorFormsNameTheirFields(t *testing.T) {
	d := newDesk(t)
	m := d.staffMajor(t, true)
	alice := d.as(t, "Alice.Agent")
	checked := 0
	for _, path := range []string{"/staff/major/new", "/staff/major/" + m.Number(), "/staff/major/" + m.Number() + "/edit"} {
		page := alice.Get(path)
		wantStatus(t, path, page, http.StatusOK)
		for _, form := range postForm.FindAllString(page.Body, -1) {
			if !strings.Contains(form, " required") || strings.Contains(form, "data-confirm") {
				continue
			}
			action := html.UnescapeString(formAction.FindStringSubmatch(form)[1])
			values := url.Values{}
			for _, h := range hiddenIn.FindAllStringSubmatch(form, -1) {
				values.Set(h[1], html.UnescapeString(h[2]))
			}
			r := alice.Post(action, values)
			checked++
			where := path + " → POST " + action
			wantStatus(t, where, r, http.StatusUnprocessableEntity)
			checkSummary(t, where, r.Body)
			alice.Get(path)
		}
	}
	if checked != 5 { // new, edit, update, link, note
		t.Errorf("%d forms checked, want 5", checked)
	}
	if got := d.majorNow(t, m.ID); got.Version != m.Version || got.State != major.Investigating {
		t.Errorf("empty forms changed the major incident: %+v", got)
	}
}

// An agent edits an active major incident at the version read; a stale form comes back with the
// input kept; a resolved major incident refuses with its message.
func TestStaffEditAMajorIncident(t *testing.T) {
	d := newDesk(t)
	m := d.staffMajor(t, false)
	alice := d.as(t, "Alice.Agent")
	path := "/staff/major/" + m.Number()
	form := alice.Get(path + "/edit")
	wantBody(t, "edit form", form, `value="Block storage outage"`, `value="listed" checked`, ">OCB0000001</textarea>", `name="version" value="1"`)
	f := staffMajorForm()
	f.Set("title_en", "Block storage outage in Paris")
	f.Set("version", "1")
	r := alice.Post(path+"/edit", f)
	wantStatus(t, "edit", r, http.StatusSeeOther)
	wantBody(t, "edited", alice.Get(path), "Block storage outage in Paris", "The major incident is saved.", "All tenants")

	f.Set("title_en", "Typed on a stale page")
	r = alice.Post(path+"/edit", f)
	wantStatus(t, "stale", r, http.StatusConflict)
	wantBody(t, "stale", r, "was changed meanwhile", `value="Typed on a stale page"`, `name="version" value="2"`)

	alice.Post(path+"/updates", url.Values{"state": {"resolved"}, "body_fr": {"Rétabli."}, "body_en": {"Restored."}, "confirm": {"1"}})
	r = alice.Get(path + "/edit")
	wantStatus(t, "edit a resolved one", r, http.StatusConflict)
	wantBody(t, "edit a resolved one", r, "This major incident is resolved: it can no longer be edited.")
	f.Set("version", "3")
	r = alice.Post(path+"/edit", f)
	wantStatus(t, "save a resolved one", r, http.StatusUnprocessableEntity)
	wantBody(t, "save a resolved one", r, "This major incident is resolved: it can no longer be edited.", `value="Typed on a stale page"`)
	if got := d.majorNow(t, m.ID); got.TitleEN != "Block storage outage in Paris" {
		t.Errorf("title %q", got.TitleEN)
	}
}

// Updates are posted in both languages, newest first; one without its English text, or on a
// resolved major incident, is refused with the input kept and nothing written.
func TestMajorUpdatesAndTheirRefusals(t *testing.T) {
	d := newDesk(t)
	m := d.staffMajor(t, true)
	alice := d.as(t, "Alice.Agent")
	path := "/staff/major/" + m.Number()
	alice.Get(path)
	r := alice.Post(path+"/updates", url.Values{"state": {"identified"}, "body_fr": {"Cause trouvée : un contrôleur."}, "body_en": {""}})
	wantStatus(t, "no English", r, http.StatusUnprocessableEntity)
	wantBeside(t, "no English", r, "body_en", "Write the update in English.")
	wantBody(t, "no English", r, "Cause trouvée : un contrôleur.", `value="identified" selected`)
	r = alice.Post(path+"/updates", url.Values{"state": {"identified"}, "body_fr": {"Cause trouvée : un contrôleur."}, "body_en": {"Cause found: a controller."}})
	wantStatus(t, "update", r, http.StatusSeeOther)
	alice.Post(path+"/updates", url.Values{"state": {"monitoring"}, "body_fr": {"Correctif appliqué."}, "body_en": {"Fix applied."}})
	page := alice.Get(path)
	wantBody(t, "page", page, "The update is published.", `lang="en" data-user-content>Cause found: a controller.</div>`, "Monitoring")
	if i, j := strings.Index(page.Body, "Fix applied."), strings.Index(page.Body, "Cause found"); i < 0 || j < i {
		t.Errorf("updates not newest first")
	}
	alice.Post(path+"/updates", url.Values{"state": {"resolved"}, "body_fr": {"Rétabli."}, "body_en": {"Restored."}, "confirm": {"1"}})
	page = alice.Get(path)
	wantNoBody(t, "resolved", page, `action="`+path+`/updates"`, `href="`+path+`/edit"`)
	r = alice.Post(path+"/updates", url.Values{"state": {"monitoring"}, "body_fr": {"Encore une."}, "body_en": {"One more."}})
	wantStatus(t, "update a resolved one", r, http.StatusUnprocessableEntity)
	wantBody(t, "update a resolved one", r, "This major incident is resolved: it takes no more updates.", "Encore une.", "One more.")
	if n := testutil.Count(t, d.DB, "major_incident_updates", "major_id = ?", m.ID); n != 3 {
		t.Errorf("%d updates, want 3", n)
	}
}

// Linking an incident of a tenant the major incident does not concern is refused naming it, and
// so is linking one twice; unlinking frees it.
func TestLinkingRefusesOtherTenantsAndTwice(t *testing.T) {
	d := newDesk(t)
	m := d.staffMajor(t, false) // OCB0000001 only
	mine := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Volume inaccessible")
	other := d.declare(t, "Paul.Martin", d.tenant(t, "OCB0000004").ID, "Instance arrêtée")
	alice := d.as(t, "Alice.Agent")
	path := "/staff/major/" + m.Number()
	alice.Get(path)
	r := alice.Post(path+"/link", url.Values{"numbers": {mine.Number() + ", " + other.Number()}})
	wantStatus(t, "other tenant", r, http.StatusUnprocessableEntity)
	wantBeside(t, "other tenant", r, "numbers", other.Number()+" is on tenant OCB0000004, which this major incident does not concern.")
	wantBody(t, "other tenant", r, ">"+mine.Number()+", "+other.Number()+"</textarea>")
	if d.incidentAgain(t, mine.ID).MajorID != nil {
		t.Fatal("a refused link linked an incident")
	}
	r = alice.Post(path+"/link", url.Values{"numbers": {"nonsense"}})
	if got := strings.ToLower(besideField(r.Body, "numbers")); got != "“nonsense” is not an incident number (inc0000042)." {
		t.Errorf("a word: beside numbers %q", got)
	}

	r = alice.Post(path+"/link", url.Values{"numbers": {mine.Number()}})
	wantStatus(t, "link", r, http.StatusSeeOther)
	page := alice.Get(r.Location)
	wantBody(t, "linked", page, "Incidents linked: 1.", `href="/staff/incidents/`+mine.Number()+`"`, "Volume inaccessible", "OCB0000001",
		`action="`+path+`/unlink/`+mine.Number()+`"`)
	wantNoBody(t, "linked", page, "The incidents are linked.")
	r = alice.Post(path+"/link", url.Values{"numbers": {strings.ToLower(mine.Number())}})
	wantStatus(t, "twice", r, http.StatusUnprocessableEntity)
	wantBeside(t, "twice", r, "numbers", mine.Number()+" is already linked to this major incident.")

	r = alice.Post(path+"/unlink/"+mine.Number(), nil)
	wantStatus(t, "unlink", r, http.StatusSeeOther)
	wantBody(t, "unlinked", alice.Get(path), "The incident is unlinked.", "No incident is linked yet.")
	r = alice.Post(path+"/unlink/"+mine.Number(), nil)
	wantStatus(t, "unlink again", r, http.StatusUnprocessableEntity)
	wantBody(t, "unlink again", r, mine.Number()+" is not linked to this major incident.")
	wantStatus(t, "unlink a bad number", alice.Post(path+"/unlink/nonsense", nil), http.StatusNotFound)
	wantStatus(t, "a bad major number", alice.Get("/staff/major/MAJ9999999"), http.StatusNotFound)
	wantStatus(t, "not a major number", alice.Get("/staff/major/INC0000001"), http.StatusNotFound)
}

// From the queue, an agent ticks incidents and links them to an active major incident; a
// refusal shows the queue again with the message beside the control and the selection kept.
// Without an active major incident, the queue offers neither boxes nor the control.
func TestBulkLinkFromTheQueue(t *testing.T) {
	d := newDesk(t)
	a := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Volume A inaccessible")
	b := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Volume B inaccessible")
	other := d.declare(t, "Paul.Martin", d.tenant(t, "OCB0000004").ID, "Instance arrêtée")
	alice := d.as(t, "Alice.Agent")
	queue := alice.Get("/staff/incidents")
	wantNoBody(t, "queue without major incident", queue, `form="bulk-link"`, `id="bulk-link"`)

	m := d.staffMajor(t, false) // OCB0000001 only
	queue = alice.Get("/staff/incidents?q=Volume")
	wantBody(t, "queue", queue, `id="bulk-link"`, `action="/staff/major/link-selected?q=Volume"`,
		`<input type="checkbox" name="incident" value="`+id(a.ID)+`" form="bulk-link" id="sel-`+id(a.ID)+`">`,
		`<label for="sel-`+id(a.ID)+`" class="sr-only">Select `+a.Number()+`</label>`, m.Number()+" — Block storage outage")

	r := alice.Post("/staff/major/link-selected", url.Values{"major": {m.Number()}, "incident": {id(a.ID), id(other.ID)}})
	wantStatus(t, "other tenant", r, http.StatusUnprocessableEntity)
	wantBeside(t, "other tenant", r, "incidents", other.Number()+" is on tenant OCB0000004, which this major incident does not concern.")
	wantBody(t, "selection kept", r, `value="`+id(a.ID)+`" form="bulk-link" id="sel-`+id(a.ID)+`" checked>`,
		`value="`+id(other.ID)+`" form="bulk-link" id="sel-`+id(other.ID)+`" checked>`, `<option value="`+m.Number()+`" selected>`)
	wantNoBody(t, "selection kept", r, `id="sel-`+id(b.ID)+`" checked`)
	checkSummary(t, "bulk refusal", r.Body)

	r = alice.Post("/staff/major/link-selected", url.Values{"major": {m.Number()}})
	wantStatus(t, "nothing ticked", r, http.StatusUnprocessableEntity)
	wantBeside(t, "nothing ticked", r, "incidents", "Tick at least one incident in the list.")
	r = alice.Post("/staff/major/link-selected", url.Values{"major": {"MAJ9999999"}, "incident": {id(a.ID)}})
	wantStatus(t, "no such major incident", r, http.StatusUnprocessableEntity)
	wantBeside(t, "no such major incident", r, "major", "Choose one of the active major incidents.")

	r = alice.Post("/staff/major/link-selected", url.Values{"major": {id(m.ID)}, "incident": {id(a.ID), id(b.ID)}})
	wantStatus(t, "bulk link", r, http.StatusSeeOther)
	if r.Location != "/staff/major/"+m.Number()+"?linked=2" {
		t.Errorf("bulk link: to %q", r.Location)
	}
	wantBody(t, "linked", alice.Get(r.Location), "Incidents linked: 2.", a.Number(), b.Number())
	for _, inc := range []*incident.Incident{a, b} {
		if got := d.incidentAgain(t, inc.ID); got.MajorID == nil || *got.MajorID != m.ID {
			t.Errorf("%s not linked", inc.Number())
		}
	}
	if got := d.incidentAgain(t, other.ID); got.MajorID != nil {
		t.Errorf("%s linked", other.Number())
	}
	// The customer's list has no boxes.
	wantNoBody(t, "customer's list", d.as(t, "Marie.Dupont").Get("/incidents"), `form="bulk-link"`)
}

// "Link every matching open incident" links the open incidents on an affected service and
// region, and says how many.
func TestLinkMatchingLinksTheMatchingOpenIncidents(t *testing.T) {
	d := newDesk(t)
	t1, t4 := d.tenant(t, "OCB0000001").ID, d.tenant(t, "OCB0000004").ID
	a := d.declare(t, "Marie.Dupont", t1, "Instance figée")
	b := d.declare(t, "Paul.Martin", t4, "Instance arrêtée")
	ctx := context.Background()
	paul := tenancy.ActorOf(d.user(t, "Paul.Martin"))
	elsewhere, err := d.Incidents.Declare(ctx, paul, t4, incident.Draft{Title: "Seau inaccessible", Description: "Le seau ne répond plus.",
		Service: "obs", Region: "eu-west-0", Impact: "low", Urgency: "low"})
	if err != nil {
		t.Fatal(err)
	}
	m := d.staffMajor(t, true)
	alice := d.as(t, "Alice.Agent")
	path := "/staff/major/" + m.Number()
	alice.Get(path)
	r := alice.Post(path+"/link-matching", nil)
	wantStatus(t, "link matching", r, http.StatusSeeOther)
	wantBody(t, "linked", alice.Get(r.Location), "Incidents linked: 2.", a.Number(), b.Number())
	for _, inc := range []*incident.Incident{a, b} {
		if got := d.incidentAgain(t, inc.ID); got.MajorID == nil || *got.MajorID != m.ID {
			t.Errorf("%s not linked", inc.Number())
		}
	}
	if d.incidentAgain(t, elsewhere.ID).MajorID != nil {
		t.Errorf("an incident on another service was linked")
	}
	r = alice.Post(path+"/link-matching", nil)
	wantBody(t, "again", alice.Get(r.Location), "Incidents linked: 0.")
}

// Resolving asks first, naming what it does; once confirmed, the linked incidents still open
// are resolved with the update's text in their reporter's language.
func TestResolvingTheMajorIncidentResolvesTheLinkedOpenIncidents(t *testing.T) {
	d := newDesk(t)
	m := d.staffMajor(t, true)
	marie := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Volume inaccessible")
	paul := d.declare(t, "Paul.Martin", d.tenant(t, "OCB0000004").ID, "Instance arrêtée")
	ctx := context.Background()
	admin := tenancy.ActorOf(d.user(t, "admin"))
	if _, err := d.Majors.Link(ctx, admin, m.ID, "numbers", []int64{marie.ID, paul.ID}); err != nil {
		t.Fatal(err)
	}
	alice := d.as(t, "Alice.Agent")
	path := "/staff/major/" + m.Number()
	alice.Get(path)
	resolve := url.Values{"state": {"resolved"}, "body_fr": {"Le stockage est rétabli."}, "body_en": {"Storage is back."}}
	r := alice.Post(path+"/updates", resolve)
	wantStatus(t, "asks first", r, http.StatusOK)
	wantBody(t, "asks first", r, "Resolve major incident "+m.Number()+"?", "Every incident linked to it that is still open is resolved with this text",
		`name="body_en" value="Storage is back."`, `name="confirm" value="1"`, `action="`+path+`/updates"`)
	if got := d.majorNow(t, m.ID); got.State != major.Investigating || d.incidentAgain(t, marie.ID).Status != incident.New {
		t.Fatal("asking changed something")
	}
	resolve.Set("confirm", "1")
	r = alice.Post(path+"/updates", resolve)
	wantStatus(t, "resolve", r, http.StatusSeeOther)
	wantBody(t, "resolved", alice.Get(path), "The major incident is resolved, and the linked incidents still open with it.", "Resolved")
	if got := d.majorNow(t, m.ID); got.State != major.Resolved || got.ResolvedAt == nil {
		t.Errorf("major incident %s", got.State)
	}
	for _, inc := range []*incident.Incident{marie, paul} {
		if got := d.incidentAgain(t, inc.ID); got.Status != incident.Resolved {
			t.Errorf("%s is %s", inc.Number(), got.Status)
		}
	}
	wantBody(t, "Marie's incident", d.as(t, "Marie.Dupont").Get("/incidents/"+marie.Number()), "Le stockage est rétabli.")
}

// Internal notes are written on the major incident's page and never reach a customer.
func TestMajorInternalNotes(t *testing.T) {
	d := newDesk(t)
	m := d.staffMajor(t, true)
	alice := d.as(t, "Alice.Agent")
	path := "/staff/major/" + m.Number()
	alice.Get(path)
	r := alice.Post(path+"/notes", url.Values{"body": {"Le fournisseur du contrôleur est prévenu."}})
	wantStatus(t, "note", r, http.StatusSeeOther)
	wantBody(t, "note", alice.Get(path), "The internal note is added.", "Le fournisseur du contrôleur est prévenu.", "Internal note")
	wantNoBody(t, "customer's page", d.as(t, "Marie.Dupont").Get("/status/"+m.Number()), "Le fournisseur du contrôleur")
}

// Only agents and admins reach the staff pages of major incidents: a customer and a sales rep
// get 403 on every one, a visitor the login page.
func TestStaffMajorPagesAreForAgentsAndAdmins(t *testing.T) {
	d := newDesk(t)
	m := d.staffMajor(t, true)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Volume inaccessible")
	var routes []string
	for _, rt := range d.web.GetRoutes(true) {
		if (rt.Method == http.MethodGet || rt.Method == http.MethodPost) && strings.HasPrefix(rt.Path, "/staff/major") {
			p := strings.ReplaceAll(rt.Path, ":major", m.Number())
			routes = append(routes, rt.Method+" "+strings.ReplaceAll(p, ":incident", inc.Number()))
		}
	}
	if len(routes) != 12 {
		t.Fatalf("%d routes under /staff/major: %v", len(routes), routes)
	}
	for _, who := range []struct {
		login string
		kind  identity.Kind
	}{{"Marie.Dupont", identity.Customer}, {"John.Doe", identity.Customer}, {"Sophie.Commerciale", identity.Sales}, {"", ""}} {
		c := d.client(t)
		if who.login != "" {
			c.Login(who.login)
		}
		for _, rt := range routes {
			method, path, _ := strings.Cut(rt, " ")
			var r testutil.Response
			form := url.Values{"confirm": {"1"}, "state": {"resolved"}, "body_fr": {"x"}, "body_en": {"x"}, "numbers": {inc.Number()},
				"major": {m.Number()}, "incident": {id(inc.ID)}, "body": {"x"}}
			if method == http.MethodGet {
				r = c.Get(path)
			} else {
				r = c.Post(path, form)
			}
			switch {
			case who.login == "" && (r.Status != http.StatusSeeOther || r.Location != "/login"):
				t.Errorf("visitor: %s: %d to %q", rt, r.Status, r.Location)
			case who.login != "" && r.Status != http.StatusForbidden:
				t.Errorf("%s: %s: %d", who.login, rt, r.Status)
			}
		}
	}
	if got := d.majorNow(t, m.ID); got.State != major.Investigating || d.incidentAgain(t, inc.ID).MajorID != nil {
		t.Error("a refused request changed the major incident")
	}
	// The admin reaches them.
	wantStatus(t, "admin", d.as(t, "admin").Get("/staff/major/"+m.Number()), http.StatusOK)
}

// A major incident's texts and an update's are written on several lines, and kept so.
func TestMajorTextsKeepTheirLineBreaks(t *testing.T) {
	d := newDesk(t)
	alice := d.as(t, "Alice.Agent")
	alice.Get("/staff/major/new")
	f := staffMajorForm()
	f.Set("description_en", "Volumes stopped answering.\r\n\r\nWe are on it.")
	f.Set("concerned", "listed")
	f.Set("tenants", "OCB0000001\r\nOCB0000002")
	r := alice.Post("/staff/major", f)
	wantStatus(t, "open on several lines", r, http.StatusSeeOther)
	alice.Get(r.Location)
	r = alice.Post(r.Location+"/updates", url.Values{"state": {"identified"}, "body_fr": {"Cause :\r\nun contrôleur."}, "body_en": {"Cause:\r\na controller."}})
	wantStatus(t, "update on several lines", r, http.StatusSeeOther)
	var m major.Major
	if err := d.DB.NewSelect().Model(&m).Limit(1).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if m.DescriptionEN != "Volumes stopped answering.\n\nWe are on it." {
		t.Errorf("description %q", m.DescriptionEN)
	}
}

// The staff pages of major incidents speak the reader's language, in French and in English:
// no raw key, no words of the other language, on the list, the forms, a major incident's page
// with an update, a linked incident and a note, a refusal, the confirmation, and the queue with
// its bulk control.
func TestStaffMajorPagesSpeakTheReadersLanguage(t *testing.T) {
	cat := loadCatalogue(t)
	d := newDesk(t)
	m := d.staffMajor(t, false)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Volume inaccessible")
	ctx := context.Background()
	admin := tenancy.ActorOf(d.user(t, "admin"))
	if _, err := d.Majors.Link(ctx, admin, m.ID, "numbers", []int64{inc.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Majors.Post(ctx, admin, m.ID, major.UpdateDraft{State: "identified", BodyFR: "Cause trouvée.", BodyEN: "Cause found."}); err != nil {
		t.Fatal(err)
	}
	if err := d.Majors.Note(ctx, admin, m.ID, "Fournisseur prévenu."); err != nil {
		t.Fatal(err)
	}
	done := d.staffMajor(t, true)
	if _, err := d.Majors.Post(ctx, admin, done.ID, major.UpdateDraft{State: "resolved", BodyFR: "Rétabli.", BodyEN: "Restored."}); err != nil {
		t.Fatal(err)
	}
	var fails failureList
	path := "/staff/major/" + m.Number()
	for _, login := range []string{"Alice.Agent", "admin"} {
		c := d.as(t, login)
		for _, lang := range []string{"fr", "en"} {
			c.Post("/lang", url.Values{"lang": {lang}, "next": {"/"}})
			who := login + " " + lang
			check := func(what string, r testutil.Response, status int) {
				if r.Status != status {
					fails.add(pageFailure{Check: "status", Pattern: what, Who: who, Page: what, Detail: http.StatusText(r.Status)})
					return
				}
				doc, err := nethtml.Parse(strings.NewReader(r.Body))
				if err != nil {
					t.Fatal(err)
				}
				checkPageWords(cat, doc, lang, func(check, detail string) {
					fails.add(pageFailure{Check: check, Pattern: what, Who: who, Page: what, Detail: detail})
				})
			}
			for _, p := range []string{"/staff/major", "/staff/major/new", path, path + "/edit", "/staff/major/" + done.Number(), "/staff/incidents"} {
				check(p, c.Get(p), http.StatusOK)
			}
			check("edit a resolved one", c.Get("/staff/major/"+done.Number()+"/edit"), http.StatusConflict)
			c.Get(path)
			check("refused update", c.Post(path+"/updates", url.Values{"state": {"nope"}}), http.StatusUnprocessableEntity)
			check("refused link", c.Post(path+"/link", url.Values{"numbers": {inc.Number()}}), http.StatusUnprocessableEntity)
			check("confirmation", c.Post(path+"/updates", url.Values{"state": {"resolved"}, "body_fr": {"Fin."}, "body_en": {"End."}}), http.StatusOK)
			check("refused form", c.Post("/staff/major", url.Values{}), http.StatusUnprocessableEntity)
			check("refused bulk", c.Post("/staff/major/link-selected", url.Values{"major": {m.Number()}}), http.StatusUnprocessableEntity)
			r := c.Post(path+"/link-matching", nil)
			check("linked", c.Get(r.Location), http.StatusOK)
		}
	}
	fails.report(t, "staff major pages (raw keys, wrong language)")
}
