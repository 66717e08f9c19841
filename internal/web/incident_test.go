package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

func init() {
	foreignParams["incident"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string {
		return d.declare(t, "Paul.Martin", f.ForeignTenant, "Panne étrangère").Number()
	}
	foreignParams["attachment"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string {
		inc := d.declare(t, "Paul.Martin", f.ForeignTenant, "Panne étrangère avec pièce jointe", textFile("a.log"))
		es, err := timeline.List(context.Background(), d.DB, inc.Subject(), true)
		if err != nil || len(es[0].Attachments) != 1 {
			t.Fatalf("attachment: %v", err)
		}
		return id(es[0].Attachments[0].ID)
	}
}

func textFile(name string) timeline.Upload {
	return timeline.Upload{Name: name, ContentType: "text/plain; charset=utf-8", Data: []byte("2026-11-24 ERROR nova: instance failed\n")}
}

// declare opens an incident on tenantID as login (Paul.Martin may declare on any tenant: the
// service is called as the tenant's referent when he is not a member).
func (d *desk) declare(t *testing.T, login string, tenantID int64, title string, files ...timeline.Upload) *incident.Incident {
	t.Helper()
	ctx := context.Background()
	tn, err := tenancy.TenantByID(ctx, d.DB, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	u, err := identity.UserByID(ctx, d.DB, tn.ReferentID)
	if err != nil {
		t.Fatal(err)
	}
	inc, err := d.Incidents.Declare(ctx, tenancy.ActorOf(u), tenantID, incident.Draft{Title: title,
		Description: "La machine virtuelle ne répond plus depuis ce matin.", Service: "ecs", Region: "eu-west-0",
		Impact: "medium", Urgency: "medium", Files: files})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func validIncidentForm() url.Values {
	return url.Values{"title": {"Volume EVS inaccessible"}, "description": {"Le volume vol-42 est en erreur depuis 8 h."},
		"service": {"evs"}, "region": {"eu-west-0"}, "impact": {"high"}, "urgency": {"high"}, "phone": {"+33 6 12 34 56 78"}}
}

func TestACustomerDeclaresAnIncidentThroughTheForm(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	r := marie.Get("/incidents/new")
	wantStatus(t, "form", r, http.StatusOK)
	wantBody(t, "form", r, "Déclarer un incident", "Valider", "Elastic Volume Service", "Région Cloud Alliance")

	bad := url.Values{"title": {""}, "description": {strings.Repeat("x", incident.MaxDescription+1)}, "service": {"mainframe"},
		"region": {"mars"}, "impact": {"huge"}, "urgency": {"low"}, "phone": {"appelez-moi"}}
	r = marie.PostFiles("/incidents", bad, testutil.File{Field: "files", Name: "virus.exe", Data: []byte("MZ\x90\x00\x03\x00\x00\x00")})
	wantStatus(t, "bad input", r, http.StatusUnprocessableEntity)
	wantBody(t, "bad input", r, "Donnez un titre à l’incident.", "La description compte au plus 20000 caractères",
		"Choisissez le service concerné", "Choisissez une région", "Choisissez l’impact", "Écrivez un numéro de téléphone",
		"« virus.exe » n’est pas un type de fichier accepté", "appelez-moi")
	if n := countIncidents(t, d); n != 0 {
		t.Fatalf("%d incidents written from bad input", n)
	}

	r = marie.PostFiles("/incidents", validIncidentForm(), testutil.File{Field: "files", Name: "trace.log", Data: []byte("ERROR disk\n")})
	wantStatus(t, "declare", r, http.StatusSeeOther)
	if r.Location != "/incidents/INC0000001/declared" {
		t.Fatalf("redirect to %q", r.Location)
	}
	r = marie.Get(r.Location)
	wantBody(t, "confirmation", r, "Incident déclaré", "INC0000001", `href="/incidents/INC0000001"`)
	r = marie.Get("/incidents/INC0000001")
	wantStatus(t, "page", r, http.StatusOK)
	wantBody(t, "page", r, "Volume EVS inaccessible", "P1", "trace.log", "Niveau de service", "Annuler l’incident")
	r = marie.Get("/incidents?status=new&q=vol")
	wantBody(t, "list", r, "Incidents récents", "INC0000001")
	r = marie.Get("/incidents?status=closed")
	wantNoBody(t, "list closed", r, "INC0000001")

	var ms []notify.Message
	if err := d.DB.NewSelect().Model(&ms).Where("kind = 'incident_declared'").Scan(context.Background()); err != nil || len(ms) != 1 {
		t.Fatalf("declared mail: %d %v", len(ms), err) // Marie is both reporter and referent: one mail
	}
	if !strings.Contains(ms[0].Subject, "INC0000001") || !strings.Contains(ms[0].BodyText, "/incidents/INC0000001") {
		t.Errorf("mail %q", ms[0].Subject)
	}
}

func countIncidents(t *testing.T, d *desk) int64 {
	n, err := d.DB.NewSelect().Model((*incident.Incident)(nil)).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAnotherTenantsIncidentItsFilesAndExportAre404(t *testing.T) {
	d := newDesk(t)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Secret de Marie", textFile("marie.log"))
	es, _ := timeline.List(context.Background(), d.DB, inc.Subject(), true)
	file := "/attachments/" + id(es[0].Attachments[0].ID)
	paul := d.as(t, "Paul.Martin")
	for _, path := range []string{"/incidents/" + inc.Number(), "/incidents/" + inc.Number() + "/declared", file} {
		wantStatus(t, path, paul.Get(path), http.StatusNotFound)
	}
	for _, path := range []string{"/reply", "/cancel", "/reopen", "/confirm"} {
		wantStatus(t, path, paul.Post("/incidents/"+inc.Number()+path, url.Values{"body": {"x"}}), http.StatusNotFound)
	}
	r := paul.Get("/incidents/export?q=Secret")
	wantStatus(t, "export", r, http.StatusOK)
	wantNoBody(t, "export", r, "Secret de Marie")
	// A member without the incidents right of the tenant: no tab, 403 on the list, 404 on the object.
	john := d.as(t, "John.Doe")
	wantStatus(t, "john reads", john.Get("/incidents/"+inc.Number()), http.StatusOK)
	m, err := tenancy.MembershipOf(context.Background(), d.DB, d.tenant(t, "OCB0000001").ID, d.user(t, "John.Doe").ID)
	if err != nil {
		t.Fatal(err)
	}
	m.Rights = tenancy.Rights{Changes: true}
	if err := tenancy.UpdateRights(context.Background(), d.DB, m); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "john without the right", john.Get("/incidents"), http.StatusForbidden)
	wantStatus(t, "john without the right", john.Get("/incidents/"+inc.Number()), http.StatusNotFound)
	wantStatus(t, "john without the right", john.Get(file), http.StatusNotFound)
	// Sales reps do not work incidents.
	wantStatus(t, "sales", d.as(t, "Sophie.Commerciale").Get("/staff/incidents/"+inc.Number()), http.StatusForbidden)
}

func TestInternalNotesNeverReachACustomer(t *testing.T) {
	d := newDesk(t)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Réseau lent")
	alice := d.as(t, "Alice.Agent")
	page := "/staff/incidents/" + inc.Number()
	alice.Get(page)
	r := alice.PostFiles(page+"/reply", url.Values{"body": {"hyperviseur zorglub-17 en cause"}, "visibility": {"internal"}},
		testutil.File{Field: "files", Name: "interne.log", Data: []byte("zorglub\n")})
	wantStatus(t, "note", r, http.StatusSeeOther)
	r = alice.Post(page+"/reply", url.Values{"body": {"Nous analysons le réseau."}, "visibility": {"public"}})
	wantStatus(t, "reply", r, http.StatusSeeOther)
	wantBody(t, "staff page", alice.Get(page), "zorglub-17", "interne.log", "Internal note")
	wantBody(t, "staff search", alice.Get("/staff/incidents?q=zorglub"), inc.Number())

	marie := d.as(t, "Marie.Dupont")
	r = marie.Get("/incidents/" + inc.Number())
	wantBody(t, "customer page", r, "Nous analysons le réseau.")
	wantNoBody(t, "customer page", r, "zorglub", "interne.log")
	wantNoBody(t, "customer search", marie.Get("/incidents?q=zorglub"), inc.Number())
	wantNoBody(t, "customer csv", marie.Get("/incidents/export"), "zorglub")
	es, _ := timeline.List(context.Background(), d.DB, inc.Subject(), true)
	for _, e := range es {
		for _, a := range e.Attachments {
			wantStatus(t, "note attachment", marie.Get("/attachments/"+id(a.ID)), http.StatusNotFound)
			wantStatus(t, "note attachment for staff", alice.Get("/attachments/"+id(a.ID)), http.StatusOK)
		}
	}
	var ms []notify.Message
	d.DB.NewSelect().Model(&ms).Scan(context.Background())
	for _, m := range ms {
		if strings.Contains(m.BodyText+m.BodyHTML+m.Subject, "zorglub") {
			t.Errorf("mail to %s carries the note", m.RecipientEmail)
		}
	}
}

func TestTwoAgentsOnOneIncident(t *testing.T) {
	d := newDesk(t)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Base RDS arrêtée")
	page := "/staff/incidents/" + inc.Number()
	alice, admin := d.as(t, "Alice.Agent"), d.as(t, "admin")
	alice.Get(page)
	admin.Get(page)
	wantStatus(t, "alice takes", alice.Post(page+"/take", url.Values{"version": {"1"}}), http.StatusSeeOther)
	r := admin.Post(page+"/priority", url.Values{"version": {"1"}, "priority": {"P1"}, "reason": {"Toute la production est touchée"}})
	wantStatus(t, "admin on a stale page", r, http.StatusConflict)
	wantBody(t, "stale", r, "This incident changed since you opened it", "Toute la production est touchée", "Alice Agent")
	got, _ := d.Incidents.Get(context.Background(), tenancy.System, inc.ID)
	if got.Priority != "P3" {
		t.Fatalf("priority %s written from a stale page", got.Priority)
	}
	// The page shown carries the current version: submitting again works.
	r = admin.Post(page+"/priority", url.Values{"version": {"2"}, "priority": {"P1"}, "reason": {""}})
	wantStatus(t, "no reason", r, http.StatusUnprocessableEntity)
	wantBody(t, "no reason", r, "Give the reason for the change.")
	r = admin.Post(page+"/priority", url.Values{"version": {"2"}, "priority": {"P1"}, "reason": {"Toute la production est touchée"}})
	wantStatus(t, "priority", r, http.StatusSeeOther)
	r = alice.Post(page+"/resolve", url.Values{"version": {"3"}, "note": {""}})
	wantStatus(t, "resolve without note", r, http.StatusUnprocessableEntity)
	wantBody(t, "resolve without note", r, "Say how the incident was resolved.")
	wantStatus(t, "resolve", alice.Post(page+"/resolve", url.Values{"version": {"3"}, "note": {"Instance redémarrée."}}), http.StatusSeeOther)
	marie := d.as(t, "Marie.Dupont")
	cpage := "/incidents/" + inc.Number()
	wantBody(t, "resolved", marie.Get(cpage), "Rouvrir", "Confirmer la résolution", "Instance redémarrée.")
	wantStatus(t, "confirm", marie.Post(cpage+"/confirm", url.Values{"version": {"4"}}), http.StatusSeeOther)
	r = marie.Post(cpage+"/reply", url.Values{"body": {"Merci !"}})
	wantStatus(t, "reply on closed", r, http.StatusUnprocessableEntity)
	wantBody(t, "reply on closed", r, "Cet incident est clos", "Merci !")
}

func TestIncidentCSVOpensInExcel(t *testing.T) {
	d := newDesk(t)
	d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Facture erronée; « TVA »")
	r := d.as(t, "Marie.Dupont").Get("/incidents/export")
	wantStatus(t, "csv", r, http.StatusOK)
	if !strings.HasPrefix(r.Body, "\ufeffNuméro;Titre;État;Priorité") {
		t.Fatalf("csv starts %q", r.Body[:min(60, len(r.Body))])
	}
	wantBody(t, "csv", r, `"Facture erronée; « TVA »"`, "Nouveau")
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
		t.Errorf("Content-Disposition %q", cd)
	}
	r = d.as(t, "Alice.Agent").Get("/staff/incidents/export")
	if !strings.HasPrefix(r.Body, "\ufeffNumber,Title,Status,Priority") {
		t.Fatalf("english csv starts %q", r.Body[:min(60, len(r.Body))])
	}
}

func TestAttachmentsAreDownloadsNeverPages(t *testing.T) {
	d := newDesk(t)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Console IAM", textFile(`rapport "final".log`))
	es, _ := timeline.List(context.Background(), d.DB, inc.Subject(), true)
	r := d.as(t, "John.Doe").Get("/attachments/" + id(es[0].Attachments[0].ID))
	wantStatus(t, "download", r, http.StatusOK)
	if cd := r.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || strings.Count(cd, `"`) != 2 {
		t.Errorf("Content-Disposition %q", cd)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("headers %v", r.Header)
	}
	marie := d.as(t, "Marie.Dupont")
	marie.Get("/incidents/" + inc.Number())
	r = marie.PostFiles("/incidents/"+inc.Number()+"/reply", url.Values{"body": {"Voici la page"}},
		testutil.File{Field: "files", Name: "page.png", Data: []byte("<html><script>alert(1)</script></html>")})
	wantStatus(t, "html as png", r, http.StatusUnprocessableEntity)
	wantBody(t, "html as png", r, "« page.png » n’est pas un type de fichier accepté", "Voici la page")
}
