package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// qtOrder orders the service on quote dec_dss on tenant code as login, through the service as the
// Services tab does.
func qtOrder(t *testing.T, d *desk, login, code string) *change.Request {
	t.Helper()
	r, err := d.Changes.Order(context.Background(), tenancy.ActorOf(d.user(t, login)), d.tenant(t, code).ID, "dec_dss",
		map[string]string{"offer": "dss", "needs": "Deux baies de stockage dédiées à Paris, dès septembre."}, "")
	if err != nil {
		t.Fatalf("%s orders dec_dss on %s: %v", login, code, err)
	}
	if r.State != change.Submitted {
		t.Fatalf("order in state %s, want submitted", r.State)
	}
	return r
}

// qtNow reads request id as it is now.
func qtNow(t *testing.T, d *desk, id int64) *change.Request {
	t.Helper()
	r, err := change.ByID(context.Background(), d.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// qtMails returns the outbox messages of kind to email.
func qtMails(t *testing.T, d *desk, kind, email string) []notify.Message {
	t.Helper()
	var ms []notify.Message
	if err := d.DB.NewSelect().Model(&ms).Where("kind = ? AND recipient_email = ?", kind, email).Order("id").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return ms
}

// qtOneMail checks that email got one message of kind, in lang, whose text says each of parts.
func qtOneMail(t *testing.T, d *desk, kind, email, lang string, parts ...string) {
	t.Helper()
	ms := qtMails(t, d, kind, email)
	if len(ms) != 1 {
		t.Fatalf("%s to %s: %d messages, want 1", kind, email, len(ms))
	}
	if ms[0].Lang != lang {
		t.Errorf("%s to %s in %s, want %s", kind, email, ms[0].Lang, lang)
	}
	for _, p := range parts {
		if !strings.Contains(ms[0].Subject+"\n"+ms[0].BodyText, p) {
			t.Errorf("%s to %s lacks %q:\n%s\n%s", kind, email, p, ms[0].Subject, ms[0].BodyText)
		}
	}
}

// qtAs logs in as login and switches the pages (and the mail) to lang.
func qtAs(t *testing.T, d *desk, login, lang string) *testutil.Client {
	t.Helper()
	c := d.as(t, login)
	if r := c.Post("/lang", url.Values{"lang": {lang}, "next": {"/"}}); r.Status != 303 {
		t.Fatalf("%s: switch to %s: status %d", login, lang, r.Status)
	}
	c.Get("/")
	return c
}

func qtVersion(r *change.Request) url.Values { return url.Values{"version": {id(int64(r.Version))}} }

// A service on quote: the sales rep quotes it (never approves it), the amount is checked beside
// its field in each language, the customer reads the quote in their way and accepts it, and the
// order is approved for the agents, who implement it without a value.
func TestQtQuoteSentAndAccepted(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	tn := d.tenant(t, "OCB0000001")
	marie, john, sophie := d.user(t, "Marie.Dupont"), d.user(t, "John.Doe"), d.user(t, "Sophie.Commerciale")
	if err := d.Tenancy.SetRights(ctx, tenancy.ActorOf(marie), tn.ID, john.ID, tenancy.Rights{Incidents: true, Services: true}); err != nil {
		t.Fatal(err)
	}
	r := qtOrder(t, d, "John.Doe", "OCB0000001")
	qtOneMail(t, d, "service_quote_needed", sophie.Email, "fr", "["+r.Number()+"] Devis à établir", "Le tenant OCB0000001 a commandé un service sur devis",
		"/staff/changes/"+id(r.ID))
	path := "/staff/changes/" + id(r.ID)
	until := calendar.ParisDate(time.Now()).AddDays(30)

	sc := d.as(t, "Sophie.Commerciale")
	page := sc.Get(path)
	wantStatus(t, "staff page", page, 200)
	wantBody(t, "staff page", page, "Envoyer un devis", `action="`+path+`/quote"`, `id="f-amount"`, `inputmode="decimal"`, "Montant hors taxes (€)",
		`id="f-valid_until" name="valid_until" type="date"`, "commande de service, passée depuis le catalogue de services",
		"Une fois la commande réalisée, le service est installé.", `action="`+path+`/reject"`)
	wantNoBody(t, "staff page", page, `action="`+path+`/approve"`)
	res := sc.Post(path+"/approve", qtVersion(r))
	wantStatus(t, "approve a service on quote", res, 422)
	wantBody(t, "approve a service on quote", res, "Ce service est sur devis")
	if qtNow(t, d, r.ID).State != change.Submitted {
		t.Fatal("the sales rep approved a service on quote")
	}

	res = sc.Post(path+"/quote", url.Values{"amount": {"douze euros"}, "valid_until": {until.String()}, "version": {"1"}})
	wantStatus(t, "bad amount in French", res, 422)
	wantBody(t, "bad amount in French", res, `id="f-amount-error"`, "Saisissez un montant en euros", `value="douze euros"`, `value="`+until.String()+`"`,
		`aria-invalid="true" aria-describedby="f-amount-error f-amount-help"`)
	admin := d.as(t, "admin")
	res = admin.Post(path+"/quote", url.Values{"amount": {"0"}, "valid_until": {"2001-01-01"}, "version": {"1"}})
	wantStatus(t, "bad quote in English", res, 422)
	wantBody(t, "bad quote in English", res, "The amount must be above zero.", `id="f-amount-error"`, `id="f-valid_until-error"`, `value="0"`, `value="2001-01-01"`)

	res = sc.Post(path+"/quote", url.Values{"amount": {"1 234,50"}, "valid_until": {until.String()}, "version": {"1"}})
	wantStatus(t, "quote", res, 303)
	got := qtNow(t, d, r.ID)
	if got.State != change.Quoted || got.QuoteCents == nil || *got.QuoteCents != 123450 || got.QuoteValidUntil != until {
		t.Fatalf("after the quote: state %s, quote %v until %s", got.State, got.QuoteCents, got.QuoteValidUntil)
	}
	qtOneMail(t, d, "service_quoted", john.Email, "en", "["+r.Number()+"] Quote for your order", "Amount: €1,234.50 excl. tax", "Valid until ")
	qtOneMail(t, d, "service_quoted", marie.Email, "fr", "Devis pour votre commande", "Montant\u00a0: 1\u00a0234,50\u00a0€ HT", "Valable jusqu’au ")
	page = sc.Get(path)
	wantBody(t, "staff page quoted", page, "Le devis a été envoyé au client.", "1\u00a0234,50\u00a0€ HT", "Envoyer un nouveau devis", "Le client a reçu le devis")

	jc := qtAs(t, d, "John.Doe", "en")
	cpath := "/changes/" + id(r.ID)
	page = jc.Get(cpath)
	wantStatus(t, "customer page", page, 200)
	wantBody(t, "customer page", page, "€1,234.50 excl. tax", "Accept the quote", "Decline the quote", `action="`+cpath+`/accept"`,
		"service order, made from the service catalogue", `<a href="/services">Services</a>`, `aria-current="page">Services<`)
	res = jc.Post(cpath+"/accept", url.Values{"version": {"1"}})
	wantStatus(t, "accept from a stale page", res, 409)
	wantBody(t, "accept from a stale page", res, "Someone changed this request")
	res = jc.Post(cpath+"/accept", qtVersion(got))
	wantStatus(t, "accept", res, 303)
	if res.Location != cpath {
		t.Errorf("accept redirects to %q, want %q", res.Location, cpath)
	}
	wantBody(t, "after accepting", jc.Get(cpath), "You accepted the quote: our agents will install the service.", "€1,234.50 excl. tax")
	got = qtNow(t, d, r.ID)
	if got.State != change.Approved || got.ApprovedAt == nil {
		t.Fatalf("after acceptance: state %s, want approved", got.State)
	}
	qtOneMail(t, d, "service_quote_answered", sophie.Email, "fr", "Réponse à votre devis", "a accepté votre devis")
	wantStatus(t, "accept twice", jc.Post(cpath+"/accept", qtVersion(got)), 422)

	// The agents carry it out: no value to give for a service order.
	alice := d.as(t, "Alice.Agent")
	wantStatus(t, "schedule", alice.Post(path+"/schedule", url.Values{"date": {until.String()}, "version": {id(int64(got.Version))}}), 303)
	page = alice.Get(path)
	wantBody(t, "implement form", page, "Optional for a service order")
	if regexp.MustCompile(`(?s)id="f-value"[^>]*required`).MatchString(page.Body) {
		t.Error("the value of a service order is required")
	}
	wantStatus(t, "implement without a value", alice.Post(path+"/implement", url.Values{"value": {""}, "version": {id(int64(got.Version + 1))}}), 303)
	wantBody(t, "implemented", jc.Get(cpath), "Done: the service is installed.")
}

// A quote whose last day has passed cannot be accepted: the page says so, the server refuses it
// beside the quote; the customer declines it, the order is rejected and the sales rep told.
func TestQtExpiredQuoteIsDeclined(t *testing.T) {
	d := newDesk(t)
	sophie := d.user(t, "Sophie.Commerciale")
	r := qtOrder(t, d, "Marie.Dupont", "OCB0000001")
	today := calendar.ParisDate(time.Now())
	sc := d.as(t, "Sophie.Commerciale")
	sc.Get("/staff/changes/" + id(r.ID))
	wantStatus(t, "quote", sc.Post("/staff/changes/"+id(r.ID)+"/quote", url.Values{"amount": {"980"}, "valid_until": {today.String()}, "version": {"1"}}), 303)

	mc := qtAs(t, d, "Marie.Dupont", "fr")
	cpath := "/changes/" + id(r.ID)
	wantBody(t, "quote open today", mc.Get(cpath), "980,00\u00a0€ HT", "Accepter le devis")

	d.Changes.Now = func() time.Time { return time.Now().Add(48 * time.Hour) }
	t.Cleanup(func() { d.Changes.Now = nil })
	page := mc.Get(cpath)
	wantBody(t, "expired quote", page, "Ce devis était valable jusqu’au", "Refuser le devis")
	wantNoBody(t, "expired quote", page, `action="`+cpath+`/accept"`)
	quoted := qtNow(t, d, r.ID)
	res := mc.Post(cpath+"/accept", qtVersion(quoted))
	wantStatus(t, "accept an expired quote", res, 422)
	wantBody(t, "accept an expired quote", res, `id="f-quote-error"`, "il ne peut plus être accepté", `href="#f-quote"`)
	if qtNow(t, d, r.ID).State != change.Quoted {
		t.Fatal("an expired quote was accepted")
	}
	wantBody(t, "staff sees it expired", sc.Get("/staff/changes/"+id(r.ID)), "le client ne peut plus l’accepter")

	res = mc.Post(cpath+"/decline", qtVersion(quoted))
	wantStatus(t, "decline", res, 303)
	wantBody(t, "after declining", mc.Get(cpath), "Vous avez refusé le devis")
	if st := qtNow(t, d, r.ID).State; st != change.Rejected {
		t.Fatalf("after declining: state %s, want rejected", st)
	}
	qtOneMail(t, d, "service_quote_answered", sophie.Email, "fr", "Réponse à votre devis", "a refusé votre devis", "la commande est refusée")
}

// A customer of another tenant learns nothing of an order: its page and its answers are 404, as
// for a request that does not exist.
func TestQtForeignCustomerCannotAnswer(t *testing.T) {
	d := newDesk(t)
	r := qtOrder(t, d, "Marie.Dupont", "OCB0000001")
	sc := d.as(t, "Sophie.Commerciale")
	sc.Get("/staff/changes/" + id(r.ID))
	wantStatus(t, "quote", sc.Post("/staff/changes/"+id(r.ID)+"/quote", url.Values{"amount": {"1500.00"}, "valid_until": {calendar.ParisDate(time.Now()).AddDays(10).String()}, "version": {"1"}}), 303)
	quoted := qtNow(t, d, r.ID)

	paul := d.as(t, "Paul.Martin")
	cpath := "/changes/" + id(r.ID)
	wantStatus(t, "Paul reads", paul.Get(cpath), 404)
	wantStatus(t, "Paul accepts", paul.Post(cpath+"/accept", qtVersion(quoted)), 404)
	wantStatus(t, "Paul declines", paul.Post(cpath+"/decline", qtVersion(quoted)), 404)
	wantStatus(t, "accept of no request", paul.Post("/changes/999999/accept", qtVersion(quoted)), 404)
	if qtNow(t, d, r.ID).State != change.Quoted {
		t.Fatal("a foreign customer answered the quote")
	}
}
