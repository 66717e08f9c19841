package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/testutil"
)

// rawContractKey is a translation key of the contract area or the sales desk shown as is.
var rawContractKey = regexp.MustCompile(`\b(contract|sales)\.[a-z_]+(\.[a-z_]+)*`)

// noRawContractKey fails when a page shows a contract or sales translation key instead of text.
func noRawContractKey(t *testing.T, what string, r testutil.Response) {
	t.Helper()
	if m := rawContractKey.FindAllString(r.Body, 5); m != nil {
		t.Errorf("%s: raw translation keys %q", what, m)
	}
}

// speaks makes login read the desk in lang.
func speaks(t *testing.T, d *desk, login, lang string) {
	t.Helper()
	if _, err := d.DB.ExecContext(context.Background(), "UPDATE users SET lang = ? WHERE login = ?", lang, login); err != nil {
		t.Fatal(err)
	}
}

// inLangs runs f on a fresh desk for each language.
func inLangs(t *testing.T, f func(t *testing.T, d *desk, lang string, w func(en, fr string) string)) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			w := func(en, fr string) string {
				if lang == "en" {
					return en
				}
				return fr
			}
			f(t, newDesk(t), lang, w)
		})
	}
}

// TestContractUXNoLevelPossible: on OCB0000001, Premium within its commitment, no level can be
// asked for. The form shows no empty choice and no button but says why in the FAQ's words;
// the Contract tab says the same instead of the link; a post anyway is refused, nothing written.
func TestContractUXNoLevelPossible(t *testing.T) {
	inLangs(t, func(t *testing.T, d *desk, lang string, w func(en, fr string) string) {
		speaks(t, d, "Marie.Dupont", lang)
		marie := inScope(t, d, "Marie.Dupont", "OCB0000001")
		faq := w("during the commitment period you can only subscribe to a higher support level, and Premium is the highest",
			"pendant la période d’engagement, vous ne pouvez souscrire qu’à un niveau de support supérieur, et Premium est le plus élevé")
		form := marie.Get("/contract/level")
		wantStatus(t, "level form", form, 200)
		wantBody(t, "level form", form, `id="form-none"`, faq, `id="levels-refused"`, w("Levels not offered", "Niveaux non proposés"))
		wantNoBody(t, "level form", form, `id="request-form"`, `name="level"`, w("Send the request", "Envoyer la demande"))
		noRawContractKey(t, "level form", form)

		tab := marie.Get("/contract")
		wantBody(t, "contract tab", tab, `id="level-none"`, faq)
		wantNoBody(t, "contract tab", tab, `id="ask-level"`)
		noRawContractKey(t, "contract tab", tab)

		for _, level := range []string{"", "premium", "basic"} {
			r := marie.Post("/contract/level", url.Values{"level": {level}, "details": {"Plus de support"}})
			wantStatus(t, "post "+level, r, 422)
			wantBody(t, "post "+level, r, `id="error-summary"`, `id="form-none"`)
			wantNoBody(t, "post "+level, r, `id="request-form"`)
		}
		if n := countRows(t, d, "contract_requests", "1 = 1"); n != 0 {
			t.Fatalf("%d requests written", n)
		}
	})
}

// TestContractUXLevelRequired: where levels can be asked for, a form sent without one is refused
// beside the level, named by its legend in the summary, in the order of the form, with what was
// typed kept; the request filed names its level on the customer's and the rep's pages.
func TestContractUXLevelRequired(t *testing.T) {
	inLangs(t, func(t *testing.T, d *desk, lang string, w func(en, fr string) string) {
		speaks(t, d, "Marie.Dupont", lang)
		speaks(t, d, "Sophie.Commerciale", lang)
		marie := inScope(t, d, "Marie.Dupont", "OCB0000003")
		r := marie.Post("/contract/level", url.Values{"details": {strings.Repeat("é", contract.MaxDetails+1)}})
		wantStatus(t, "no level, details too long", r, 422)
		wantBody(t, "no level", r, `id="f-level-error"`, `id="f-details-error"`,
			w("New support level: Choose the new support level among those offered.",
				"Nouveau niveau de support\u00a0: Choisissez le nouveau niveau de support parmi ceux proposés."),
			`value="business"`)
		if lvl, det := strings.Index(r.Body, `href="#f-level"`), strings.Index(r.Body, `href="#f-details"`); lvl < 0 || det < lvl {
			t.Errorf("summary out of form order: level at %d, details at %d", lvl, det)
		}
		r = marie.Post("/contract/level", url.Values{"level": {"gold"}, "details": {"Pour la production"}})
		wantStatus(t, "unknown level", r, 422)
		wantBody(t, "unknown level", r, `id="f-level-error"`, w("Choose a support level", "Choisissez un niveau de support"), "Pour la production")
		if n := countRows(t, d, "contract_requests", "1 = 1"); n != 0 {
			t.Fatalf("%d requests written", n)
		}
		reqID := filed(t, "ask for Business", marie.Post("/contract/level", url.Values{"level": {"business"}}))
		page := marie.Get("/contract/requests/" + reqID)
		wantBody(t, "request page", page, w("Level asked for", "Niveau demandé"), "<strong>Business</strong>")
		noRawContractKey(t, "request page", page)
		sp := d.as(t, "Sophie.Commerciale").Get("/staff/sales/" + reqID)
		wantBody(t, "sales request", sp, "<strong>Business</strong>", `id="accept"`, `id="preview"`)
		noRawContractKey(t, "sales request", sp)
	})
}

// TestContractUXOldRequestWithoutLevel: a request written with no level (old data) reads "no
// level" everywhere, is not offered for acceptance, and an acceptance sent anyway is refused
// in the rep's words; it can be rejected.
func TestContractUXOldRequestWithoutLevel(t *testing.T) {
	inLangs(t, func(t *testing.T, d *desk, lang string, w func(en, fr string) string) {
		speaks(t, d, "Marie.Dupont", lang)
		speaks(t, d, "Sophie.Commerciale", lang)
		old := insertRequest(t, d, d.tenant(t, "OCB0000003").ID, contract.SupportLevel)
		none := w("no level specified", "aucun niveau indiqué")
		marie := inScope(t, d, "Marie.Dupont", "OCB0000003")
		for path, what := range map[string]string{"/contract": "contract tab", "/contract/requests/" + id(old.ID): "request page"} {
			r := marie.Get(path)
			wantStatus(t, what, r, 200)
			wantBody(t, what, r, none)
			noRawContractKey(t, what, r)
		}
		wantBody(t, "contract tab", marie.Get("/contract"), w("names no support level", "n’indique aucun niveau de support"))

		sophie := d.as(t, "Sophie.Commerciale")
		desk := sophie.Get("/staff/sales")
		wantBody(t, "sales desk", desk, old.Number(), none)
		noRawContractKey(t, "sales desk", desk)
		sp := sophie.Get("/staff/sales/" + id(old.ID))
		wantStatus(t, "sales request", sp, 200)
		repWords := w("The request names no support level: once it is rejected, the customer can file a new one.",
			"La demande n’indique aucun niveau de support\u00a0: une fois qu’elle sera refusée, le client pourra en déposer une nouvelle.")
		wantBody(t, "sales request", sp, none, `id="refusal"`, repWords, `id="reject"`, `action="/staff/sales/`+id(old.ID)+`/reject"`)
		wantNoBody(t, "sales request", sp, `id="accept"`, w("Choose a support level", "Choisissez un niveau de support"), `id="f-cancel_on"`)
		noRawContractKey(t, "sales request", sp)

		r := sophie.Post("/staff/sales/"+id(old.ID)+"/accept", url.Values{"version": {version(t, sp.Body)}, "reason": {"OK"}})
		wantStatus(t, "accept anyway", r, 422)
		wantBody(t, "accept anyway", r, `id="error-summary"`, w("Accepting is not possible today. ", "L’acceptation n’est pas possible aujourd’hui. ")+repWords, `>OK</textarea>`)
		wantNoBody(t, "accept anyway", r, w("Choose a support level", "Choisissez un niveau de support"), `id="accept"`)
		if n := countRows(t, d, "contract_requests", "state = 'pending'"); n != 1 {
			t.Fatalf("%d pending after a refused acceptance", n)
		}
		wantStatus(t, "reject", sophie.Post("/staff/sales/"+id(old.ID)+"/reject", url.Values{"version": {version(t, sp.Body)}, "reason": {"Sans niveau"}}), 303)
		done := sophie.Get("/staff/sales/" + id(old.ID))
		wantNoBody(t, "decided request", done, `id="decision-form"`)
		noRawContractKey(t, "decided request", done)
		noRawContractKey(t, "sales desk after the decision", sophie.Get("/staff/sales"))
	})
}

// TestContractUXRefusalForTheRep: accepting a downgrade the commitment forbids is not offered,
// and the reason is written for the rep, not the customer's "your commitment".
func TestContractUXRefusalForTheRep(t *testing.T) {
	inLangs(t, func(t *testing.T, d *desk, lang string, w func(en, fr string) string) {
		speaks(t, d, "Sophie.Commerciale", lang)
		tn := d.tenant(t, "OCB0000002") // Business, committed
		r := &contract.Request{TenantID: tn.ID, Kind: contract.SupportLevel, RequesterID: tn.ReferentID, Level: contract.Standard, FromLevel: contract.Business}
		if err := contract.InsertRequest(context.Background(), d.DB, r, time.Now()); err != nil {
			t.Fatal(err)
		}
		sophie := d.as(t, "Sophie.Commerciale")
		sp := sophie.Get("/staff/sales/" + id(r.ID))
		wantBody(t, "sales request", sp, `id="refusal"`, w("a lower level can be accepted from", "un niveau inférieur pourra l’être à partir du"))
		wantNoBody(t, "sales request", sp, `id="accept"`, w("your commitment", "votre engagement"))
		a := sophie.Post("/staff/sales/"+id(r.ID)+"/accept", url.Values{"version": {version(t, sp.Body)}})
		wantStatus(t, "accept anyway", a, 422)
		wantBody(t, "accept anyway", a, w("a lower level can be accepted from", "un niveau inférieur pourra l’être à partir du"))
		wantNoBody(t, "accept anyway", a, w("your commitment", "votre engagement"))
	})
}

// TestContractUXSalesRequestSections (item 18): the request and the tenant are two headed
// sections, each a list of facts whose labels are not repeated; breadcrumbs lead back to the desk.
func TestContractUXSalesRequestSections(t *testing.T) {
	inLangs(t, func(t *testing.T, d *desk, lang string, w func(en, fr string) string) {
		speaks(t, d, "Sophie.Commerciale", lang)
		marie := inScope(t, d, "Marie.Dupont", "OCB0000003")
		reqID := filed(t, "ask for Premium", marie.Post("/contract/level", url.Values{"level": {"premium"}, "details": {"Production"}}))
		sp := d.as(t, "Sophie.Commerciale").Get("/staff/sales/" + reqID)
		wantBody(t, "sales request", sp,
			`<nav class="crumbs" aria-label="`+w("Breadcrumb", "Fil d’Ariane")+`"><ol><li><a href="/staff/sales">`+w("Sales desk", "Bureau commercial"),
			`<li aria-current="page">REQ0000001</li>`,
			`<h2 id="about-request">`+w("Request", "Demande")+`</h2>`, `<h2 id="about-tenant">Tenant</h2>`,
			`id="request-facts"`, `id="tenant-facts"`)
		dts := regexp.MustCompile(`<dt>([^<]*)</dt>`).FindAllStringSubmatch(sp.Body, -1)
		seen := map[string]bool{}
		for _, m := range dts {
			if seen[m[1]] {
				t.Errorf("label %q appears twice", m[1])
			}
			seen[m[1]] = true
		}
		if len(seen) < 8 {
			t.Errorf("only %d labels: %v", len(seen), seen)
		}
		noRawContractKey(t, "sales request", sp)
	})
}

// TestContractUXSalesDesk: the waiting time reads in both languages (never the raw key of
// "less than an hour", whose French plural "one" also covers 0), the oldest waiting come
// first, an order shows when its ID is due, and both lists are phone cards.
func TestContractUXSalesDesk(t *testing.T) {
	inLangs(t, func(t *testing.T, d *desk, lang string, w func(en, fr string) string) {
		speaks(t, d, "Sophie.Commerciale", lang)
		now := time.Now()
		insert := func(code string, kind contract.Kind, level contract.Level, age time.Duration) *contract.Request {
			tn := d.tenant(t, code)
			r := &contract.Request{TenantID: tn.ID, Kind: kind, RequesterID: tn.ReferentID, Level: level}
			if kind == contract.TenantOrder {
				r.ContractName = "Recette"
			}
			if err := contract.InsertRequest(context.Background(), d.DB, r, now.Add(-age)); err != nil {
				t.Fatal(err)
			}
			return r
		}
		fresh := insert("OCB0000001", contract.MultiTenantBill, "", 10*time.Minute)
		hour := insert("OCB0000002", contract.Cancellation, "", 65*time.Minute)
		hours := insert("OCB0000003", contract.SupportLevel, contract.Premium, 5*time.Hour+time.Minute)
		order := insert("OCB0000003", contract.TenantOrder, contract.Basic, 3*24*time.Hour+time.Hour)

		desk := d.as(t, "Sophie.Commerciale").Get("/staff/sales")
		wantStatus(t, "sales desk", desk, 200)
		noRawContractKey(t, "sales desk", desk)
		wantBody(t, "sales desk", desk, w("less than an hour", "moins d’une heure"), w("1 hour", "1 heure"),
			w("5 hours", "5 heures"), w("3 days", "3 jours"), w("past 24 hours", "plus de 24 heures"),
			w("ID promised by", "Identifiant promis pour le"),
			`<table id="sales-queue" class="cards">`, `data-label="`+w("Waiting for", "En attente depuis")+`"`)
		last := -1
		for _, r := range []*contract.Request{order, hours, hour, fresh} {
			at := strings.Index(desk.Body, `>`+r.Number()+`</a>`)
			if at < last {
				t.Errorf("%s is not after the older requests: the desk is not oldest first", r.Number())
			}
			last = at
		}
		queue := desk.Body[strings.Index(desk.Body, `id="sales-queue"`):]
		queue = queue[:strings.Index(queue, "</table>")]
		if th, td := strings.Count(queue, "<th "), strings.Count(queue, "<td data-label="); td != 4*th {
			t.Errorf("%d cells with a data-label for %d columns and 4 rows", td, th)
		}
		sophie := d.as(t, "Sophie.Commerciale")
		sp := sophie.Get("/staff/sales/" + id(fresh.ID))
		wantStatus(t, "reject", sophie.Post("/staff/sales/"+id(fresh.ID)+"/reject", url.Values{"version": {version(t, sp.Body)}, "reason": {"Non"}}), 303)
		desk = sophie.Get("/staff/sales")
		wantBody(t, "decided list", desk, `<table id="sales-decided" class="cards">`, `data-label="`+w("Decided on", "Décidée le")+`"`)
		noRawContractKey(t, "sales desk with a decided request", desk)
	})
}

// TestContractUXCustomerLists: the Contract tab's requests and history are phone cards.
func TestContractUXCustomerLists(t *testing.T) {
	inLangs(t, func(t *testing.T, d *desk, lang string, w func(en, fr string) string) {
		speaks(t, d, "Marie.Dupont", lang)
		marie := inScope(t, d, "Marie.Dupont", "OCB0000003")
		filed(t, "cancel", marie.Post("/contract/cancel", url.Values{"acknowledged": {"on"}}))
		tab := marie.Get("/contract")
		wantBody(t, "contract tab", tab, `<table class="cards" id="request-list">`, `<table class="cards" id="level-history">`,
			`data-label="`+w("Filed on", "Déposée le")+`"`, `data-label="`+w("Effective from", "En vigueur à partir du")+`"`)
		noRawContractKey(t, "contract tab", tab)
	})
}

// TestContractUXFormsKeepInputAndNameFields: every sales form comes back with what was typed and
// a summary naming each field, in the order of the form.
func TestContractUXFormsKeepInputAndNameFields(t *testing.T) {
	inLangs(t, func(t *testing.T, d *desk, lang string, w func(en, fr string) string) {
		speaks(t, d, "Marie.Dupont", lang)
		speaks(t, d, "Paul.Martin", lang)
		if _, err := d.DB.ExecContext(context.Background(), "UPDATE memberships SET can_contract = ? WHERE user_id = ?", true, d.user(t, "John.Doe").ID); err != nil {
			t.Fatal(err)
		}
		speaks(t, d, "John.Doe", lang)
		marie := inScope(t, d, "Marie.Dupont", "OCB0000003")
		long := strings.Repeat("x", contract.MaxDetails+1)
		summary := func(what string, r testutil.Response, fields ...string) {
			t.Helper()
			wantStatus(t, what, r, 422)
			last := -1
			for _, f := range fields {
				at := strings.Index(r.Body, `<a href="#f-`+f+`">`)
				if at < 0 {
					t.Errorf("%s: the summary does not link to %s", what, f)
					continue
				}
				if at < last {
					t.Errorf("%s: %s out of form order", what, f)
				}
				last = at
			}
		}
		r := marie.Post("/contract/cancel", url.Values{"details": {long}})
		summary("cancellation", r, "acknowledged", "details")
		wantBody(t, "cancellation", r, w("I understand that consumption is billed", "J’ai compris que la consommation est facturée"))

		r = marie.Post("/contract/order", url.Values{"contract_name": {""}, "level": {"gold"}, "details": {"Recette"}})
		summary("order", r, "contract_name", "level")
		wantBody(t, "order", r, ">Recette</textarea>", w("Contract name of the new tenant", "Nom de contrat du nouveau tenant"))

		john := inScope(t, d, "John.Doe", "OCB0000001")
		r = john.Post("/contract/owner", url.Values{"holder_name": {""}, "holder_email": {"x@"}, "holder_lang": {"xx"}, "details": {"Parti"}})
		summary("owner change", r, "holder_name", "holder_email", "holder_lang")
		wantBody(t, "owner change", r, `value="x@"`, ">Parti</textarea>")

		paul := d.as(t, "Paul.Martin")
		r = paul.Post("/contract/bill", url.Values{"details": {"Une seule facture"}})
		summary("bill", r, "tenants")
		wantBody(t, "bill", r, ">Une seule facture</textarea>", w("Your tenants (at least 3 are needed)", "Vos tenants (il en faut au moins 3)"))
		if n := countRows(t, d, "contract_requests", "1 = 1"); n != 0 {
			t.Fatalf("%d requests written", n)
		}
	})
}
