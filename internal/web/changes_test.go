package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

func init() {
	foreignParams["change"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string {
		return id(mustChange(t, d, f.ForeignTenant, "ecs_instances", "10", "15").ID)
	}
	salesScoped["change"] = true
}

// changeService is the service as the web edge builds it.
func changeService(d *desk) *change.Service {
	return d.Changes
}

// mustChange makes a quota request on tenant as its referent.
func mustChange(t *testing.T, d *desk, tenantID int64, item, current, requested string) *change.Request {
	t.Helper()
	ctx := context.Background()
	tn, err := tenancy.TenantByID(ctx, d.DB, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := identity.UserByID(ctx, d.DB, tn.ReferentID)
	if err != nil {
		t.Fatal(err)
	}
	r, err := changeService(d).Submit(ctx, tenancy.ActorOf(ref), tenantID, item, map[string]string{
		"region": "eu-west-0", "current": current, "requested": requested, "justification": "Montée en charge"})
	if err != nil {
		t.Fatalf("submit %s on %d: %v", item, tenantID, err)
	}
	return r
}

// quotaForm is the item form of a quota request as a browser posts it.
func quotaForm(item, current, requested string) url.Values {
	return url.Values{"item": {item}, "v_region": {"eu-west-0"}, "v_current": {current}, "v_requested": {requested},
		"v_justification": {"Soldes d’hiver"}}
}

var chgNumber = regexp.MustCompile(`CHG\d{7}`)

func TestCustomerRequestsAChangeThroughTheCatalogue(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")

	list := marie.Get("/changes")
	wantStatus(t, "list", list, 200)
	wantBody(t, "list", list, "Demandes de changement", `href="/changes/new"`, "Demander un changement")

	// Step 1: one list of the items, under their category when there are several; with a
	// single catalogue and category, nothing to choose but the item.
	r := marie.Get("/changes/new")
	wantStatus(t, "new", r, 200)
	wantBody(t, "new", r, `<fieldset id="f-item"`, "Choisissez l’article de changement", `type="radio"`, `name="item" value="ecs_instances"`,
		"Nombre d’instances ECS", "Catalogue de Changement Standard › Gestion des Quotas", `aria-current="step"`)
	wantNoBody(t, "new", r, "<select id=\"f-catalogue\"", "<select id=\"f-category\"")
	r = marie.Get("/changes/new?item=")
	wantStatus(t, "no item chosen", r, 422)
	wantBody(t, "no item chosen", r, "Choisissez un article de changement.", `id="f-item-error"`)
	r = marie.Get("/changes/new?item=ecs_instances")
	wantBody(t, "item form", r, `name="v_region"`, `name="v_current"`, `name="v_requested"`, `name="v_justification"`, "Quota demandé", "Paris")
	wantStatus(t, "unknown item", marie.Get("/changes/new?item=nope"), 404)
	// Bad input: messages beside the fields, input kept.
	bad := quotaForm("ecs_instances", "10", "8")
	bad.Set("v_region", "mars-1")
	r = marie.Post("/changes/new", bad)
	wantStatus(t, "bad form", r, 422)
	wantBody(t, "bad form", r, `id="f-region-error"`, "Choisissez l’une des régions proposées.",
		"La valeur demandée doit être supérieure au quota actuel (10).", `value="8"`, "Soldes d’hiver")
	wantStatus(t, "unknown item posted", marie.Post("/changes/new", quotaForm("nope", "1", "2")), 404)

	// Summary, then Valider. A stray field is ignored.
	good := quotaForm("ecs_instances", "10", "15")
	good.Set("v_stray", "x")
	r = marie.Post("/changes/new", good)
	wantStatus(t, "summary", r, 200)
	wantBody(t, "summary", r, "Résumé de votre demande de changement", "Valider", "Nombre d’instances ECS", "15 instances",
		"elle sera approuvée immédiatement")
	r = marie.Post("/changes", good)
	wantStatus(t, "validate", r, 303)
	conf := marie.Get(r.Location)
	wantStatus(t, "confirmation", conf, 200)
	num := chgNumber.FindString(conf.Body)
	if num == "" || !strings.HasPrefix(r.Location, "/changes/") {
		t.Fatalf("confirmation at %s shows no number: %.300s", r.Location, conf.Body)
	}
	page := marie.Get(strings.TrimSuffix(r.Location, "/confirmation"))
	wantStatus(t, "page", page, 200)
	wantBody(t, "page", page, num, "Approuvée", "Pré-approuvée", "Soldes d’hiver", "Annuler la demande")
	wantBody(t, "list after", marie.Get("/changes"), num)
	wantBody(t, "filter by text", marie.Get("/changes?q="+num), num)
	wantNoBody(t, "filter by state", marie.Get("/changes?state=rejected"), num)
}

func TestChangeLifecycleByStaff(t *testing.T) {
	d := newDesk(t)
	tn := d.tenant(t, "OCB0000001")
	r := mustChange(t, d, tn.ID, "ecs_instances", "10", "500") // beyond the pre-approval rule
	if r.State != change.Submitted {
		t.Fatalf("state %s, want submitted", r.State)
	}
	path := "/staff/changes/" + id(r.ID)

	sophie := d.as(t, "Sophie.Commerciale")
	wantBody(t, "approvals", sophie.Get("/staff/approvals"), r.Number())
	wantStatus(t, "sales cannot schedule", sophie.Post(path+"/schedule", url.Values{"date": {"2099-01-01"}}), 403)
	sophie.Get(path)
	res := sophie.Post(path+"/reject", url.Values{"reason": {"  "}, "version": {"1"}})
	wantStatus(t, "reject without reason", res, 422)
	wantBody(t, "reject without reason", res, `id="f-reason-error"`)
	res = sophie.Post(path+"/approve", url.Values{"version": {"1"}})
	wantStatus(t, "approve", res, 303)
	res = sophie.Post(path+"/approve", url.Values{"version": {"2"}})
	wantStatus(t, "approve twice", res, 422)
	wantBody(t, "approve twice", res, "Seule une demande de changement soumise peut être approuvée.")

	alice := d.as(t, "Alice.Agent")
	wantBody(t, "queue", alice.Get("/staff/changes"), r.Number())
	wantStatus(t, "agent cannot approve", alice.Post(path+"/approve", url.Values{}), 403)
	alice.Get(path)
	res = alice.Post(path+"/schedule", url.Values{"date": {"2001-01-01"}, "version": {"2"}})
	wantStatus(t, "past date", res, 422)
	wantBody(t, "past date", res, `id="f-date-error"`, `value="2001-01-01"`)
	res = alice.Post(path+"/schedule", url.Values{"date": {"2099-01-01"}, "version": {"1"}})
	wantStatus(t, "stale version", res, 409)
	wantBody(t, "stale version", res, "Someone changed this request", `value="2099-01-01"`)
	wantStatus(t, "schedule", alice.Post(path+"/schedule", url.Values{"date": {"2099-01-01"}, "version": {"2"}}), 303)
	res = alice.Post(path+"/implement", url.Values{"value": {"lots"}, "version": {"3"}})
	wantStatus(t, "implement bad value", res, 422)
	wantStatus(t, "implement", alice.Post(path+"/implement", url.Values{"value": {"500"}, "version": {"3"}}), 303)
	wantStatus(t, "note", alice.Post(path+"/replies", url.Values{"body": {"Secret interne"}, "visibility": {"internal"}}), 303)
	wantStatus(t, "reply", alice.Post(path+"/replies", url.Values{"body": {"Quota appliqué."}}), 303)
	wantStatus(t, "close", alice.Post(path+"/close", url.Values{"version": {"4"}}), 303)

	marie := d.as(t, "Marie.Dupont")
	page := marie.Get("/changes/" + id(r.ID))
	wantBody(t, "customer page", page, "Clôturée", "Quota appliqué.", "1er janvier 2099", "Valeur appliquée")
	wantNoBody(t, "customer page", page, "Secret interne", "Annuler la demande")
	wantStatus(t, "cancel after implementation", marie.Post("/changes/"+id(r.ID)+"/cancel", url.Values{"version": {"5"}}), 422)
}

func TestChangeAuthorization(t *testing.T) {
	d := newDesk(t)
	own := mustChange(t, d, d.tenant(t, "OCB0000001").ID, "ecs_vcpus", "10", "12")
	foreign := mustChange(t, d, d.tenant(t, "OCB0000004").ID, "ecs_vcpus", "10", "12")

	marie := d.as(t, "Marie.Dupont")
	for _, p := range []string{"/changes/" + id(foreign.ID), "/changes/" + id(foreign.ID) + "/confirmation", "/changes/999999"} {
		wantStatus(t, "Marie reads "+p, marie.Get(p), 404)
	}
	wantStatus(t, "Marie cancels a foreign one", marie.Post("/changes/"+id(foreign.ID)+"/cancel", url.Values{}), 404)
	wantNoBody(t, "Marie's list", marie.Get("/changes"), foreign.Number())

	john := d.as(t, "John.Doe") // member of OCB0000001 without the changes right
	wantNoBody(t, "John's tabs", john.Get("/"), `href="/changes"`)
	wantStatus(t, "John's list", john.Get("/changes"), 403)
	wantStatus(t, "John's catalogue", john.Get("/changes/new"), 403)
	wantStatus(t, "John's export", john.Get("/changes/export.csv"), 403)
	wantStatus(t, "John submits", john.Post("/changes", quotaForm("ecs_instances", "1", "2")), 403)
	wantStatus(t, "John reads", john.Get("/changes/"+id(own.ID)), 403)

	paul := d.as(t, "Paul.Martin")
	wantStatus(t, "Paul reads Marie's", paul.Get("/changes/"+id(own.ID)), 404)
	wantStatus(t, "Paul replies to Marie's", paul.PostFiles("/changes/"+id(own.ID)+"/replies", url.Values{"body": {"x"}}), 404)
}

func TestChangeCSVExport(t *testing.T) {
	d := newDesk(t)
	r := mustChange(t, d, d.tenant(t, "OCB0000001").ID, "evs_capacity", "100", "150")
	marie := d.as(t, "Marie.Dupont")
	res := marie.Get("/changes/export.csv")
	wantStatus(t, "csv", res, 200)
	if !strings.HasPrefix(res.Body, "\ufeffNuméro;Tenant;Article de changement;Région") {
		t.Errorf("csv starts with %.80q", res.Body)
	}
	wantBody(t, "csv", res, r.Number(), "eu-west-0;100;150")
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("content type %q", ct)
	}
	john := d.as(t, "John.Doe")
	john.Lang = "en"
	wantStatus(t, "John's csv", john.Get("/changes/export.csv"), 403)
}

func TestChangeRepliesWithAttachments(t *testing.T) {
	d := newDesk(t)
	r := mustChange(t, d, d.tenant(t, "OCB0000001").ID, "ecs_ram", "64", "80")
	marie := d.as(t, "Marie.Dupont")
	path := "/changes/" + id(r.ID)
	marie.Get(path)
	res := marie.PostFiles(path+"/replies", url.Values{"body": {""}})
	wantStatus(t, "empty reply", res, 422)
	wantBody(t, "empty reply", res, `id="f-body-error"`)
	res = marie.PostFiles(path+"/replies", url.Values{"body": {"Voici la capture."}},
		testutil.File{Field: "files", Name: "capture.txt", Data: []byte("quota console: 64 GiB\n")})
	wantStatus(t, "reply", res, 303)
	page := marie.Get(path)
	wantBody(t, "page", page, "Voici la capture.", "capture.txt")
	link := regexp.MustCompile(`/attachments/\d+`).FindString(page.Body)
	if link == "" {
		t.Fatal("no attachment link")
	}
	wantStatus(t, "download", marie.Get(link), 200)
	wantStatus(t, "Paul downloads", d.as(t, "Paul.Martin").Get(link), 404)
}
