package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/tenancy"
)

// openMajor opens a major incident as Alice.Agent on ECS in Paris, for every tenant (codes
// empty) or the tenants of codes.
func (d *desk) openMajor(t *testing.T, codes string) *major.Major {
	t.Helper()
	m, err := d.Majors.Open(context.Background(), tenancy.ActorOf(d.user(t, "Alice.Agent")), major.Draft{
		TitleFR: "Panne du stockage bloc à Paris", TitleEN: "Block storage outage in Paris",
		DescriptionFR: "Les volumes EVS de Paris ne répondent plus.", DescriptionEN: "EVS volumes in Paris do not answer.",
		Services: []string{"evs", "ecs"}, Regions: []string{"eu-west-0"}, AllTenants: codes == "", Tenants: codes})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestCustomersSeeTheMajorIncidentOfTheirTenantsInTheirLanguage(t *testing.T) {
	d := newDesk(t)
	m := d.openMajor(t, "OCB0000001 OCB0000002")
	marie, john, paul := d.as(t, "Marie.Dupont"), d.as(t, "John.Doe"), d.as(t, "Paul.Martin")

	for _, path := range []string{"/", "/incidents", "/incidents/new"} {
		r := marie.Get(path)
		wantStatus(t, "marie "+path, r, http.StatusOK)
		wantBody(t, "marie "+path, r, "Incident majeur en cours", "Panne du stockage bloc à Paris", `href="/status/`+m.Number()+`"`, "Analyse en cours")
	}
	r := john.Get("/incidents")
	wantBody(t, "john", r, "Major incident in progress", "Block storage outage in Paris")
	// Paul's tenant OCB0000004 is not concerned: no banner, and the major incident is a 404.
	r = paul.Get("/")
	wantNoBody(t, "paul home", r, "Incident majeur en cours", "Panne du stockage")
	wantStatus(t, "paul page", paul.Get("/status/"+m.Number()), http.StatusNotFound)
	r = paul.Get("/status")
	wantStatus(t, "paul status", r, http.StatusOK)
	wantNoBody(t, "paul status", r, "Panne du stockage")

	r = marie.Get("/status")
	wantBody(t, "marie status", r, "État des services", "En cours", "Panne du stockage bloc à Paris")
	agent := tenancy.ActorOf(d.user(t, "Alice.Agent"))
	if _, err := d.Majors.Post(context.Background(), agent, m.ID, major.UpdateDraft{State: "identified",
		BodyFR: "Un contrôleur de stockage est en cause.", BodyEN: "A storage controller is at fault."}); err != nil {
		t.Fatal(err)
	}
	r = marie.Get("/status/" + m.Number())
	wantStatus(t, "marie page", r, http.StatusOK)
	wantBody(t, "marie page", r, "Un contrôleur de stockage est en cause.", "Cause identifiée", "Me tenir informé")
	wantNoBody(t, "marie page", r, "A storage controller")
	r = john.Get("/status/" + m.Number())
	wantBody(t, "john page", r, "A storage controller is at fault.")
	wantNoBody(t, "john page", r, "Keep me informed") // not a referent

	// Visitors: the login page, unless the status page is public; then only what concerns
	// every tenant.
	anon := d.client(t)
	r = anon.Get("/status")
	wantStatus(t, "anonymous", r, http.StatusSeeOther)
	if r.Location != "/login" {
		t.Fatalf("anonymous sent to %q", r.Location)
	}
}

func TestThePublicStatusPageShowsOnlyWhatConcernsEveryTenant(t *testing.T) {
	d := newDesk(t)
	d.Config.PublicStatus = true
	w, err := d.Web(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	d.web = w
	all, some := d.openMajor(t, ""), d.openMajor(t, "OCB0000001")
	anon := d.client(t)
	r := anon.Get("/status")
	wantStatus(t, "public", r, http.StatusOK)
	wantBody(t, "public", r, `href="/status/`+all.Number()+`"`)
	wantNoBody(t, "public", r, `href="/status/`+some.Number()+`"`)
	wantStatus(t, "public all", anon.Get("/status/"+all.Number()), http.StatusOK)
	wantStatus(t, "public some", anon.Get("/status/"+some.Number()), http.StatusNotFound)
	wantStatus(t, "public bad", anon.Get("/status/MAJ99999999999999999999"), http.StatusNotFound)
}

func TestDeclaringTheSameProblemLinksTheIncident(t *testing.T) {
	d := newDesk(t)
	m := d.openMajor(t, "")
	marie := d.as(t, "Marie.Dupont")
	form := validIncidentForm() // EVS in Paris: the major incident's service and region

	// Without script, Valider first asks, and declares nothing.
	r := marie.Post("/incidents", form)
	wantStatus(t, "ask", r, http.StatusOK)
	wantBody(t, "ask", r, "Est-ce le même problème", "C’est le même problème\u00a0: me tenir informé", "Non, déclarer un incident distinct",
		`name="major" value="`+id(m.ID)+`"`, "Volume EVS inaccessible")
	if n := countIncidents(t, d); n != 0 {
		t.Fatalf("%d incidents declared before the answer", n)
	}

	// « C'est le même problème » declares it linked.
	same := url.Values{}
	for k, v := range form {
		same[k] = v
	}
	same.Set("major", id(m.ID))
	r = marie.Post("/incidents", same)
	wantStatus(t, "same", r, http.StatusSeeOther)
	r = marie.Get(r.Location)
	wantBody(t, "declared", r, "Il est rattaché à l’incident majeur "+m.Number())
	inc, err := incident.ByID(context.Background(), d.DB, 1)
	if err != nil || inc.MajorID == nil || *inc.MajorID != m.ID {
		t.Fatalf("declared incident not linked: %+v %v", inc, err)
	}
	r = marie.Get("/incidents/" + inc.Number())
	wantBody(t, "incident page", r, "Rattaché à un incident majeur", "Panne du stockage bloc à Paris", "Rattaché à l’incident majeur "+m.Number())

	// Having seen the notice, Valider declares a separate incident.
	sep := url.Values{}
	for k, v := range form {
		sep[k] = v
	}
	sep.Set("seen", id(m.ID))
	r = marie.Post("/incidents", sep)
	wantStatus(t, "separate", r, http.StatusSeeOther)
	inc2, err := incident.ByID(context.Background(), d.DB, 2)
	if err != nil || inc2.MajorID != nil {
		t.Fatalf("separate incident linked: %+v %v", inc2, err)
	}

	// A service the major incident does not affect is not asked about.
	other := url.Values{}
	for k, v := range form {
		other[k] = v
	}
	other.Set("service", "obs")
	wantStatus(t, "other service", marie.Post("/incidents", other), http.StatusSeeOther)

	// A major incident that is over, or not the tenant's, cannot be chosen.
	agent := tenancy.ActorOf(d.user(t, "Alice.Agent"))
	if _, err := d.Majors.Post(context.Background(), agent, m.ID, major.UpdateDraft{State: "resolved", BodyFR: "Réparé.", BodyEN: "Fixed."}); err != nil {
		t.Fatal(err)
	}
	r = marie.Post("/incidents", same)
	wantStatus(t, "gone", r, http.StatusUnprocessableEntity)
	wantBody(t, "gone", r, "Cet incident majeur est terminé ou ne concerne pas ce tenant", "Volume EVS inaccessible")
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("major", "not-a-number")
	wantStatus(t, "bad major", marie.Post("/incidents", bad), http.StatusNotFound)
}

func TestOnlyAReferentFollowsAMajorIncident(t *testing.T) {
	d := newDesk(t)
	m := d.openMajor(t, "OCB0000001")
	marie, john, paul := d.as(t, "Marie.Dupont"), d.as(t, "John.Doe"), d.as(t, "Paul.Martin")
	r := marie.Post("/status/"+m.Number()+"/follow", url.Values{})
	wantStatus(t, "marie follows", r, http.StatusSeeOther)
	r = marie.Get("/status/" + m.Number())
	wantBody(t, "marie following", r, "Vous recevez chaque mise à jour par e-mail.")
	r = john.Post("/status/"+m.Number()+"/follow", url.Values{})
	wantStatus(t, "john follows", r, http.StatusUnprocessableEntity)
	wantBody(t, "john follows", r, "Only the referent of a tenant it concerns can follow a major incident.")
	wantStatus(t, "paul follows", paul.Post("/status/"+m.Number()+"/follow", url.Values{}), http.StatusNotFound)
	r = marie.Post("/status/"+m.Number()+"/unfollow", url.Values{})
	wantStatus(t, "marie unfollows", r, http.StatusSeeOther)
}

func TestAnAgentLinksAnIncidentFromItsPage(t *testing.T) {
	d := newDesk(t)
	m := d.openMajor(t, "OCB0000001")
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Volume bloqué")
	other := d.declare(t, "Paul.Martin", d.tenant(t, "OCB0000004").ID, "Autre tenant")
	alice := d.as(t, "Alice.Agent")
	r := alice.Get("/staff/incidents/" + inc.Number())
	wantBody(t, "offer", r, "Part of a wider outage?", m.Number()+" — Block storage outage in Paris")
	// Not offered on a tenant the major incident does not concern.
	wantNoBody(t, "no offer", alice.Get("/staff/incidents/"+other.Number()), "Part of a wider outage?")
	r = alice.Post("/staff/major/link-selected", url.Values{"major": {m.Number()}, "incident": {id(inc.ID)}})
	wantStatus(t, "link", r, http.StatusSeeOther)
	r = alice.Get("/staff/incidents/" + inc.Number())
	wantBody(t, "linked", r, "Linked to a major incident", "Block storage outage in Paris", `action="/staff/major/`+m.Number()+`/unlink/`+inc.Number()+`"`)
	wantNoBody(t, "linked", r, "Part of a wider outage?")
	r = alice.Post("/staff/major/"+m.Number()+"/unlink/"+inc.Number(), url.Values{})
	wantStatus(t, "unlink", r, http.StatusSeeOther)
	got, err := incident.ByID(context.Background(), d.DB, inc.ID)
	if err != nil || got.MajorID != nil {
		t.Fatalf("still linked: %+v %v", got, err)
	}
	// The customer's page says nothing of it any more; the timeline keeps both steps.
	r = d.as(t, "Marie.Dupont").Get("/incidents/" + inc.Number())
	wantNoBody(t, "customer", r, "Rattaché à un incident majeur</h2>")
	wantBody(t, "customer", r, "Rattaché à l’incident majeur "+m.Number(), "Détaché de l’incident majeur "+m.Number())
}

// An update left on a linked incident is written in its reporter's language; every other reader
// of the incident reads it in theirs.
func TestEachReaderReadsTheMajorIncidentsTextsInTheirLanguage(t *testing.T) {
	d := newDesk(t)
	m := d.openMajor(t, "OCB0000001")
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Volume bloqué")
	agent := tenancy.ActorOf(d.user(t, "Alice.Agent"))
	ctx := context.Background()
	if _, err := d.Majors.Link(ctx, agent, m.ID, "numbers", []int64{inc.ID}); err != nil {
		t.Fatal(err)
	}
	for _, u := range []major.UpdateDraft{{State: "identified", BodyFR: "Un contrôleur est en cause.", BodyEN: "A controller is at fault."},
		{State: "resolved", BodyFR: "Le contrôleur est remplacé.", BodyEN: "The controller is replaced."}} {
		if _, err := d.Majors.Post(ctx, agent, m.ID, u); err != nil {
			t.Fatal(err)
		}
	}
	r := d.as(t, "Marie.Dupont").Get("/incidents/" + inc.Number())
	wantBody(t, "Marie", r, "Un contrôleur est en cause.", "Le contrôleur est remplacé.")
	r = d.as(t, "John.Doe").Get("/incidents/" + inc.Number())
	wantBody(t, "John", r, "A controller is at fault.", "The controller is replaced.")
	wantNoBody(t, "John", r, "Un contrôleur est en cause.")
	r = d.as(t, "Alice.Agent").Get("/staff/incidents/" + inc.Number())
	wantBody(t, "Alice", r, "A controller is at fault.", "The controller is replaced.")
}
