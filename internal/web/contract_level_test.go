package web_test

import (
	"context"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/contract"
)

// TestSupportLevelRequestFromFormToScheduledChange walks the support-level change through the
// handlers: the form offers the allowed levels and says why not the others, bad input is refused
// beside the field with nothing written, the request mails the sales rep and the referent, the
// sales rep accepts it and the Contract tab shows the scheduled change.
func TestSupportLevelRequestFromFormToScheduledChange(t *testing.T) {
	d := newDesk(t)
	marie := inScope(t, d, "Marie.Dupont", "OCB0000003") // Standard, commitment over

	form := marie.Get("/contract/level")
	wantStatus(t, "level form", form, 200)
	wantBody(t, "level form", form, `value="business"`, `value="premium"`, `value="basic"`,
		"Ce tenant a déjà le niveau de support Standard.")
	wantNoBody(t, "level form", form, `value="standard"`)

	r := marie.Post("/contract/level", url.Values{"level": {"gold"}, "details": {"Pour la production"}})
	wantStatus(t, "unknown level", r, 422)
	wantBody(t, "unknown level", r, `id="f-level-error"`, "Choisissez un niveau de support", "Pour la production")
	if n := countRows(t, d, "contract_requests", "1 = 1"); n != 0 {
		t.Fatalf("%d requests written after a refusal", n)
	}
	if r := marie.PostRaw("/contract/level", url.Values{"level": {"business"}}); r.Status != 403 {
		t.Fatalf("POST without CSRF token: status %d, want 403", r.Status)
	}

	reqID := filed(t, "ask for Business", marie.Post("/contract/level", url.Values{"level": {"business"}}))
	page := marie.Get("/contract/requests/" + reqID)
	wantBody(t, "request page", page, "REQ0000001", "Changement de niveau de support", "En attente", "Standard", "Business")

	r = marie.Post("/contract/level", url.Values{"level": {"premium"}})
	wantStatus(t, "second request while one is pending", r, 422)
	wantBody(t, "second request", r, "Une demande de changement de niveau de support est déjà en cours")
	if n := countRows(t, d, "contract_requests", "1 = 1"); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	wantBody(t, "contract tab with a pending request", marie.Get("/contract"), `id="pending-level"`, "REQ0000001")
	if got := mailsTo(t, d, "request_filed", "sophie.commerciale@example.fr"); !hasPrefix(got, "fr|[REQ0000001] Nouvelle demande pour OCB0000003") {
		t.Errorf("sales rep's mail: %q", got)
	}
	if got := mailsTo(t, d, "request_filed", "marie.dupont@example.fr"); len(got) != 1 {
		t.Errorf("referent's confirmation: %q", got)
	}

	sophie := d.as(t, "Sophie.Commerciale")
	desk := sophie.Get("/staff/sales")
	wantBody(t, "sales desk", desk, "REQ0000001", "OCB0000003", "Marie Dupont")
	sp := sophie.Get("/staff/sales/" + reqID)
	wantStatus(t, "sales request", sp, 200)
	wantBody(t, "sales request", sp, `id="preview"`)
	r = sophie.Post("/staff/sales/"+reqID+"/reject", url.Values{"version": {version(t, sp.Body)}})
	wantStatus(t, "reject without a reason", r, 422)
	wantBody(t, "reject without a reason", r, `id="f-reason-error"`)
	r = sophie.Post("/staff/sales/"+reqID+"/accept", url.Values{"version": {version(t, sp.Body)}, "reason": {"Bienvenue en Business"}})
	wantStatus(t, "accept", r, 303)
	r = sophie.Post("/staff/sales/"+reqID+"/accept", url.Values{"version": {version(t, sp.Body)}, "reason": {"encore"}})
	wantStatus(t, "accept a stale page", r, 409)
	wantBody(t, "stale page", r, "Quelqu’un a statué sur cette demande", "encore")

	next := calendar.ParisDate(time.Now()).FirstOfNextMonth()
	history, err := contract.History(context.Background(), d.DB, d.tenant(t, "OCB0000003").ID)
	if err != nil {
		t.Fatal(err)
	}
	last := history[len(history)-1]
	if last.Level != contract.Business || last.EffectiveFrom != next || last.CommittedUntil != contract.NewPeriod(contract.Business, next).CommittedUntil {
		t.Fatalf("history ends with %+v, want Business from %s with a six-month commitment", last, next)
	}
	tab := marie.Get("/contract")
	wantBody(t, "contract tab after acceptance", tab, "Changement programmé", "Acceptée", `id="level-scheduled"`)
	wantNoBody(t, "contract tab after acceptance", tab, `id="ask-level"`)
	if got := mailsTo(t, d, "request_decided", "marie.dupont@example.fr"); !hasPrefix(got, "fr|[REQ0000001] Réponse à votre demande") {
		t.Errorf("decision mail to the referent: %q", got)
	}
}

// TestSupportLevelBadInput refuses a downgrade during the commitment with the date it becomes
// possible, and a second request while a change is scheduled.
func TestSupportLevelBadInput(t *testing.T) {
	d := newDesk(t)
	marie := inScope(t, d, "Marie.Dupont", "OCB0000002") // Business, committed
	o, err := contract.TenantOverview(context.Background(), d.DB, d.tenant(t, "OCB0000002"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	day := o.Current.CommittedUntil.AddDays(1)
	form := marie.Get("/contract/level")
	wantBody(t, "level form during the commitment", form, "Rétrogradation possible à partir du", `value="premium"`)
	wantNoBody(t, "level form during the commitment", form, `value="standard"`, `value="basic"`)
	r := marie.Post("/contract/level", url.Values{"level": {"standard"}, "details": {"Moins cher"}})
	wantStatus(t, "downgrade during the commitment", r, 422)
	wantBody(t, "downgrade", r, `id="f-level-error"`, "Rétrogradation possible à partir du "+strconv.Itoa(day.Day), "Moins cher")
	if n := countRows(t, d, "contract_requests", "1 = 1"); n != 0 {
		t.Fatalf("%d requests written after a refusal", n)
	}
}

// TestContractAuthorization: a member without the contract right gets 403, another tenant's
// request 404; a member with the right but neither referent nor owner reads why they cannot ask.
func TestContractAuthorization(t *testing.T) {
	d := newDesk(t)
	own := insertRequest(t, d, d.tenant(t, "OCB0000001").ID, contract.SupportLevel)
	john := d.as(t, "John.Doe") // OCB0000001, incidents only
	wantStatus(t, "contract tab without the right", john.Get("/contract"), 403)
	wantStatus(t, "level form without the right", john.Get("/contract/level"), 403)
	wantStatus(t, "request of own tenant without the right", john.Get("/contract/requests/"+id(own.ID)), 403)
	wantStatus(t, "post without the right", john.Post("/contract/level", url.Values{"level": {"premium"}}), 403)

	paul := d.as(t, "Paul.Martin")
	wantStatus(t, "another tenant's request", paul.Get("/contract/requests/"+id(own.ID)), 404)
	wantStatus(t, "reply to another tenant's request", paul.Post("/contract/requests/"+id(own.ID)+"/reply", url.Values{"body": {"hi"}}), 404)
	wantStatus(t, "a request that does not exist", paul.Get("/contract/requests/999999"), 404)

	if _, err := d.DB.ExecContext(context.Background(), "UPDATE memberships SET can_contract = ? WHERE user_id = ?", true, d.user(t, "John.Doe").ID); err != nil {
		t.Fatal(err)
	}
	tab := john.Get("/contract")
	wantStatus(t, "contract tab with the right", tab, 200)
	wantBody(t, "contract tab for a member", tab, `id="level-why"`, "Only the tenant’s referent (Marie Dupont) or domain owner (Marie Dupont)")
	wantNoBody(t, "contract tab for a member", tab, `id="ask-level"`)
	wantBody(t, "level form for a member", john.Get("/contract/level"), `id="form-why"`)
	wantStatus(t, "member posts a level request", john.Post("/contract/level", url.Values{"level": {"premium"}}), 403)
	wantStatus(t, "member reads the tenant's request", john.Get("/contract/requests/"+id(own.ID)), 200)

	// Another rep's request is 404 to Sophie; the admin reaches it.
	englishRep(t, d.App, "OCB0000004")
	paulsReq := insertRequest(t, d, d.tenant(t, "OCB0000004").ID, contract.Cancellation)
	sophie := d.as(t, "Sophie.Commerciale")
	wantStatus(t, "another rep's request", sophie.Get("/staff/sales/"+id(paulsReq.ID)), 404)
	wantNoBody(t, "sales desk of another rep", sophie.Get("/staff/sales"), paulsReq.Number())
	wantBody(t, "admin's sales desk", d.as(t, "admin").Get("/staff/sales"), paulsReq.Number(), own.Number())
	wantStatus(t, "agent on the sales desk", d.as(t, "Alice.Agent").Get("/staff/sales"), 403)
}
