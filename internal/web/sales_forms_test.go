package web_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/tenancy"
)

// TestCancellationForm: the form warns about billing, needs the box ticked, and once accepted
// with today's date the tenant is cancelled, so that a second cancellation is refused.
func TestCancellationForm(t *testing.T) {
	d := newDesk(t)
	marie := inScope(t, d, "Marie.Dupont", "OCB0000003")
	wantBody(t, "cancellation form", marie.Get("/contract/cancel"), `id="billing-warning"`,
		"la consommation est facturée jusqu’à la suppression de toutes les ressources")
	r := marie.Post("/contract/cancel", url.Values{"details": {"Projet terminé"}})
	wantStatus(t, "box not ticked", r, 422)
	wantBody(t, "box not ticked", r, `id="f-acknowledged-error"`, "Projet terminé")
	reqID := filed(t, "cancel", marie.Post("/contract/cancel", url.Values{"acknowledged": {"on"}}))

	sophie := d.as(t, "Sophie.Commerciale")
	sp := sophie.Get("/staff/sales/" + reqID)
	yesterday := calendar.ParisDate(time.Now()).AddDays(-1).String()
	r = sophie.Post("/staff/sales/"+reqID+"/accept", url.Values{"version": {version(t, sp.Body)}, "cancel_on": {yesterday}})
	wantStatus(t, "cancellation date in the past", r, 422)
	wantBody(t, "cancellation date in the past", r, `id="f-cancel_on-error"`, yesterday)
	if st := d.tenant(t, "OCB0000003").Status; st != tenancy.TenantActive {
		t.Fatalf("tenant status %q after a refused acceptance", st)
	}
	today := calendar.ParisDate(time.Now()).String()
	wantStatus(t, "accept", sophie.Post("/staff/sales/"+reqID+"/accept", url.Values{"version": {version(t, sp.Body)}, "cancel_on": {today}}), 303)
	if st := d.tenant(t, "OCB0000003").Status; st != tenancy.TenantCancelled {
		t.Fatalf("tenant status %q, want cancelled on the day set", st)
	}
	r = marie.Post("/contract/cancel", url.Values{"acknowledged": {"on"}})
	wantStatus(t, "cancel a cancelled tenant", r, 422)
	wantBody(t, "cancel a cancelled tenant", r, `id="f-tenant-error"`, "Ce tenant est déjà résilié.")
	if n := countRows(t, d, "contract_requests", "kind = 'cancellation'"); n != 1 {
		t.Fatalf("%d cancellations, want 1", n)
	}
}

// TestCancellationOnALaterDay: accepted with a later date, the tenant is cancellation-requested,
// and the job cancels it on that day, once.
func TestCancellationOnALaterDay(t *testing.T) {
	d := newDesk(t)
	marie := inScope(t, d, "Marie.Dupont", "OCB0000002")
	reqID := filed(t, "cancel", marie.Post("/contract/cancel", url.Values{"acknowledged": {"on"}}))
	r := marie.Post("/contract/cancel", url.Values{"acknowledged": {"on"}})
	wantStatus(t, "second cancellation while one is pending", r, 422)
	wantBody(t, "second cancellation", r, "Une demande de ce type est déjà en attente")
	sophie := d.as(t, "Sophie.Commerciale")
	sp := sophie.Get("/staff/sales/" + reqID)
	day := calendar.ParisDate(time.Now()).AddDays(10)
	wantStatus(t, "accept", sophie.Post("/staff/sales/"+reqID+"/accept", url.Values{"version": {version(t, sp.Body)}, "cancel_on": {day.String()}}), 303)
	if st := d.tenant(t, "OCB0000002").Status; st != tenancy.TenantCancellationRequested {
		t.Fatalf("status %q, want cancellation_requested", st)
	}
	wantBody(t, "cancellation under way", marie.Post("/contract/cancel", url.Values{"acknowledged": {"on"}}), "La résiliation de ce tenant est déjà en cours.")
	svc := contractService(d)
	if n, err := svc.RunDue(context.Background(), day.In(calendar.Paris).Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("job on the eve: %d, %v", n, err)
	}
	if n, err := svc.RunDue(context.Background(), day.In(calendar.Paris).Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("job on the day: %d, %v", n, err)
	}
	if st := d.tenant(t, "OCB0000002").Status; st != tenancy.TenantCancelled {
		t.Fatalf("status %q, want cancelled", st)
	}
	if n, _ := svc.RunDue(context.Background(), day.In(calendar.Paris).Add(2*time.Hour)); n != 0 {
		t.Fatalf("job ran twice: %d", n)
	}
}

// TestReferentChangeForm: filed by a member with the contract right (the referent hands the
// role over in the Users tab), a malformed email refused; once accepted the new referent is a
// new user sent the welcome mail, and the domain owner is unchanged.
func TestReferentChangeForm(t *testing.T) {
	d := newDesk(t)
	marie := inScope(t, d, "Marie.Dupont", "OCB0000001")
	wantBody(t, "referent's own form", marie.Get("/contract/referent"), `id="form-why"`, "transmettez-le vous-même dans l’onglet Utilisateurs")
	if _, err := d.DB.ExecContext(context.Background(), "UPDATE memberships SET can_contract = ? WHERE user_id = ?", true, d.user(t, "John.Doe").ID); err != nil {
		t.Fatal(err)
	}
	john := d.as(t, "John.Doe")
	form := url.Values{"holder_name": {"Jean Nouveau"}, "holder_email": {"jean.nouveau@"}, "holder_lang": {"fr"}, "details": {"Marie has left"}}
	r := john.Post("/contract/referent", form)
	wantStatus(t, "malformed email", r, 422)
	wantBody(t, "malformed email", r, `id="f-holder_email-error"`, `value="jean.nouveau@"`, `value="Jean Nouveau"`, "Enter an email address")
	if n := countRows(t, d, "contract_requests", "1 = 1"); n != 0 {
		t.Fatalf("%d requests written after a refusal", n)
	}
	form.Set("holder_email", "jean.nouveau@example.fr")
	reqID := filed(t, "referent change", john.Post("/contract/referent", form))

	sophie := d.as(t, "Sophie.Commerciale")
	sp := sophie.Get("/staff/sales/" + reqID)
	wantBody(t, "sales page", sp, "Jean Nouveau", "jean.nouveau@example.fr")
	wantStatus(t, "accept", sophie.Post("/staff/sales/"+reqID+"/accept", url.Values{"version": {version(t, sp.Body)}}), 303)
	tn := d.tenant(t, "OCB0000001")
	if tn.Referent.Email != "jean.nouveau@example.fr" || tn.Referent.Login != "jean.nouveau" || tn.Referent.Lang != "fr" {
		t.Fatalf("referent is %+v, want the new user jean.nouveau", tn.Referent)
	}
	if tn.Owner.Login != "Marie.Dupont" {
		t.Fatalf("domain owner changed to %s", tn.Owner.Login)
	}
	if got := mailsTo(t, d, "welcome", "jean.nouveau@example.fr"); len(got) != 1 || got[0][:3] != "fr|" {
		t.Fatalf("welcome mail: %q", got)
	}
	if got := mailsTo(t, d, "request_decided", "john.doe@example.com"); !hasPrefix(got, "en|[REQ0000001] Your request for OCB0000001 has been answered") {
		t.Errorf("decision mail to the English requester: %q", got)
	}
}

// TestTenantOrderForm: the form shows the 24-hour target; the rep gives the code, the tenant is
// created with the requester as referent and the requester is mailed the code.
func TestTenantOrderForm(t *testing.T) {
	d := newDesk(t)
	marie := inScope(t, d, "Marie.Dupont", "OCB0000001")
	wantBody(t, "order form", marie.Get("/contract/order"), `id="order-target"`, "24 heures")
	r := marie.Post("/contract/order", url.Values{"contract_name": {""}, "level": {"gold"}})
	wantStatus(t, "bad order", r, 422)
	wantBody(t, "bad order", r, `id="f-contract_name-error"`, `id="f-level-error"`)
	reqID := filed(t, "order", marie.Post("/contract/order", url.Values{"contract_name": {"Dupont Recette"}, "level": {"standard"}}))

	sophie := d.as(t, "Sophie.Commerciale")
	sp := sophie.Get("/staff/sales/" + reqID)
	r = sophie.Post("/staff/sales/"+reqID+"/accept", url.Values{"version": {version(t, sp.Body)}, "tenant_code": {"OCB0000002"}})
	wantStatus(t, "code taken", r, 422)
	wantBody(t, "code taken", r, `id="f-tenant_code-error"`, `value="OCB0000002"`)
	wantStatus(t, "accept", sophie.Post("/staff/sales/"+reqID+"/accept", url.Values{"version": {version(t, sp.Body)}, "tenant_code": {"ocb0000042"}}), 303)
	tn := d.tenant(t, "OCB0000042")
	if tn.Name != "Dupont Recette" || tn.Referent.Login != "Marie.Dupont" || tn.SalesRep == nil || tn.SalesRep.Login != "Sophie.Commerciale" {
		t.Fatalf("new tenant %+v", tn)
	}
	if got := mailsTo(t, d, "request_decided", "marie.dupont@example.fr"); len(got) != 1 {
		t.Fatalf("decision mails to Marie: %q", got)
	}
	var body string
	if err := d.DB.QueryRowContext(context.Background(), "SELECT body_text FROM outbox WHERE kind = 'request_decided'").Scan(&body); err != nil {
		t.Fatal(err)
	}
	wantBody(t, "decision mail", resp(body), "OCB0000042")
	wantBody(t, "request page", marie.Get("/contract/requests/"+reqID), `id="new-tenant-code"`, "OCB0000042")
}

// TestMultiTenantBillForm: refused beside the field with fewer than three tenants.
func TestMultiTenantBillForm(t *testing.T) {
	d := newDesk(t)
	paul := d.as(t, "Paul.Martin")
	wantBody(t, "bill form with one tenant", paul.Get("/contract/bill"), `id="form-blocked"`, "vous en avez 1")
	r := paul.Post("/contract/bill", url.Values{"details": {"Une seule facture"}})
	wantStatus(t, "bill with one tenant", r, 422)
	wantBody(t, "bill with one tenant", r, `id="f-tenants-error"`, "au moins 3 tenants", "Une seule facture")
	if n := countRows(t, d, "contract_requests", "1 = 1"); n != 0 {
		t.Fatalf("%d requests written after a refusal", n)
	}
	marie := d.as(t, "Marie.Dupont")
	filed(t, "bill with three tenants", marie.Post("/contract/bill", url.Values{}))
}
