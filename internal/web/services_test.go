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
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/subscription"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

func init() {
	// Service items are the same for every tenant: an unknown item is what no one reaches.
	foreignParams["service"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string { return "no_such_service" }
	foreignParams["subscription"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string {
		return id(svSubscription(t, d, f.ForeignTenant, 3).ID)
	}
}

// svSubscription writes a Workspace subscription of n instances on tenant, started three months
// ago for twelve months.
func svSubscription(t *testing.T, d *desk, tenantID int64, n int) *subscription.Subscription {
	t.Helper()
	now := time.Now().UTC()
	today := calendar.ParisDate(now)
	s := &subscription.Subscription{TenantID: tenantID, Kind: subscription.Workspace, Region: "eu-west-0", Template: "workspace-graphics",
		Instances: n, StartedOn: calendar.NewDate(today.Year, today.Month-3, 1), TermMonths: 12, CreatedAt: now, UpdatedAt: now}
	if err := subscription.Insert(context.Background(), d.DB, s); err != nil {
		t.Fatal(err)
	}
	return s
}

// svMember creates a customer who logs in with the demo password, member of the tenant code with
// rights, and returns a client logged in as them in lang.
func svMember(t *testing.T, d *desk, login, lang, code string, r tenancy.Rights) *testutil.Client {
	t.Helper()
	ctx := context.Background()
	hash, err := identity.HashPassword(demo.Password)
	if err != nil {
		t.Fatal(err)
	}
	u := &identity.User{Login: login, Email: strings.ToLower(login) + "@example.com", DisplayName: login, Lang: lang,
		Kind: identity.Customer, Active: true, PasswordHash: hash}
	if err := identity.InsertUser(ctx, d.DB, u); err != nil {
		t.Fatal(err)
	}
	if err := tenancy.InsertMembership(ctx, d.DB, &tenancy.Membership{TenantID: d.tenant(t, code).ID, UserID: u.ID, Rights: r}); err != nil {
		t.Fatal(err)
	}
	return svAs(t, d, login, lang)
}

// svAs logs in as login and switches the pages to lang.
func svAs(t *testing.T, d *desk, login, lang string) *testutil.Client {
	t.Helper()
	c := d.as(t, login)
	if r := c.Post("/lang", url.Values{"lang": {lang}, "next": {"/"}}); r.Status != 303 {
		t.Fatalf("%s: switch to %s: status %d", login, lang, r.Status)
	}
	c.Get("/")
	return c
}

// svScope chooses the tenant code with the scope selector.
func svScope(t *testing.T, d *desk, c *testutil.Client, code string) {
	t.Helper()
	if r := c.Post("/scope", url.Values{"tenant": {id(d.tenant(t, code).ID)}, "next": {"/"}}); r.Status != 303 {
		t.Fatalf("scope %s: status %d", code, r.Status)
	}
}

var svOnceField = regexp.MustCompile(`name="_once" value="([^"]+)"`)

// svForm reads the order form of item and returns its values with the one-time token it carries.
func svForm(t *testing.T, c *testutil.Client, item string, values map[string]string) url.Values {
	t.Helper()
	r := c.Get("/services/order/" + item)
	wantStatus(t, "form of "+item, r, 200)
	m := svOnceField.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("form of %s carries no one-time token", item)
	}
	f := url.Values{"_once": {m[1]}}
	for k, v := range values {
		f.Set("v_"+k, v)
	}
	return f
}

// svOrders counts the service orders of tenant.
func svOrders(t *testing.T, d *desk, tenantID int64) int64 {
	t.Helper()
	n, err := d.DB.NewSelect().Model((*change.Request)(nil)).Where("tenant_id = ? AND catalogue = ?", tenantID, change.CatalogueServices).Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// svRequest reads the change request a redirect to /changes/ID names.
func svRequest(t *testing.T, d *desk, location string) *change.Request {
	t.Helper()
	n, ok := strings.CutPrefix(location, "/changes/")
	if !ok {
		t.Fatalf("redirect to %q, want a change request", location)
	}
	r := new(change.Request)
	if err := d.DB.NewSelect().Model(r).Where("id = ?", n).Scan(context.Background()); err != nil {
		t.Fatalf("request %s: %v", n, err)
	}
	return r
}

func TestSvReferentSeesTheCatalogueRenamesTheContractAndSetsREF1(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	tn := d.tenant(t, "OCB0000001")
	marie := svAs(t, d, "Marie.Dupont", "fr")
	svScope(t, d, marie, "OCB0000001")

	r := marie.Get("/services")
	wantStatus(t, "catalogue", r, 200)
	wantBody(t, "catalogue", r, "Votre contrat", "Modifier le nom de votre contrat", "Modifier les références externes de vos factures",
		"Régions Cloud Alliance", "Réserver des ressources Workspace", "Gratuit", "Sur devis", "Le référent du tenant uniquement",
		"Appliqué immédiatement", `href="/services/order/contract_name"`, `href="/services/order/ref1"`, `href="/services/order/fab"`,
		"Vos commandes de services", "Aucun service n’a encore été commandé", `aria-current="page">Services<`)

	form := marie.Get("/services/order/contract_name")
	wantStatus(t, "form", form, 200)
	wantBody(t, "form", form, `name="v_name"`, `id="f-name"`, `<label for="f-name">Nouveau nom du contrat`, "Gratuit", "Et ensuite",
		"Le guichet applique ce service dès que vous le commandez", `name="_once"`)
	wantStatus(t, "unknown item", marie.Get("/services/order/nope"), 404)

	// Sent twice with its one-time token, the form renames the contract once.
	f := svForm(t, marie, "contract_name", map[string]string{"name": "Dupont Industrie — Production (Lyon)"})
	before := outboxCount(t, d)
	r = marie.Post("/services/order/contract_name", f)
	wantStatus(t, "rename", r, 303)
	again := marie.Post("/services/order/contract_name", f)
	wantStatus(t, "rename again", again, 303)
	if again.Location != r.Location {
		t.Errorf("the second submission went to %s, the first to %s", again.Location, r.Location)
	}
	if n := svOrders(t, d, tn.ID); n != 1 {
		t.Errorf("%d orders after a double submission, want 1", n)
	}
	req := svRequest(t, d, r.Location)
	if req.State != change.Closed || req.AppliedValue != "Dupont Industrie — Production (Lyon)" {
		t.Errorf("order: state %s, applied %q", req.State, req.AppliedValue)
	}
	cur, err := tenancy.TenantByID(ctx, d.DB, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if cur.Name != "Dupont Industrie — Production (Lyon)" {
		t.Errorf("tenant name %q, want it renamed", cur.Name)
	}
	if outboxCount(t, d) <= before {
		t.Error("no mail tells that the contract is renamed")
	}
	page := marie.Get(r.Location)
	wantStatus(t, "order page", page, 200)
	wantBody(t, "order page", page, "Votre commande est enregistrée et appliquée.", req.Number())

	// REF1, at once too.
	r = marie.Post("/services/order/ref1", svForm(t, marie, "ref1", map[string]string{"ref1": "AA00606838"}))
	wantStatus(t, "REF1", r, 303)
	if cur, _ := tenancy.TenantByID(ctx, d.DB, tn.ID); cur.Ref1 != "AA00606838" {
		t.Errorf("REF1 %q, want AA00606838", cur.Ref1)
	}
	list := marie.Get("/services")
	wantBody(t, "orders", list, "2 commandes", req.Number(), "Modifier les références externes de vos factures", "Clôturée")
	wantNoBody(t, "orders", list, "Aucun service n’a encore été commandé")
}

func TestSvRightsAndRefusals(t *testing.T) {
	d := newDesk(t)
	tn := d.tenant(t, "OCB0000001")

	// The changes right is not the services right: no tab, and 403.
	cleo := svMember(t, d, "Cleo.Changes", "fr", "OCB0000001", tenancy.Rights{Changes: true})
	wantNoBody(t, "tabs without services", cleo.Get("/changes"), `href="/services"`, `href="/subscriptions"`)
	wantStatus(t, "services without the right", cleo.Get("/services"), 403)
	wantStatus(t, "subscriptions without the right", cleo.Get("/subscriptions"), 403)
	wantStatus(t, "order form without the right", cleo.Get("/services/order/alliance"), 403)

	// The services right without being referent: the catalogue says why, the form and the order
	// are refused with the reason, and nothing is written.
	for _, lang := range []struct{ code, login, referent, owner string }{
		{"fr", "Sam.Services", "Seul le référent du tenant peut commander ce service.", "Seul le propriétaire du domaine peut commander ce service."},
		{"en", "Sue.Services", "Only the tenant’s referent may order this service.", "Only the domain owner may order this service."},
	} {
		t.Run(lang.code, func(t *testing.T) {
			c := svMember(t, d, lang.login, lang.code, "OCB0000001", tenancy.Rights{Services: true})
			r := c.Get("/services")
			wantStatus(t, "catalogue", r, 200)
			wantBody(t, "catalogue", r, lang.referent, lang.owner, `href="/services/order/alliance"`, `href="/subscriptions"`)
			wantNoBody(t, "catalogue", r, `href="/services/order/contract_name"`, `href="/services/order/ref1"`, `href="/services/order/fab"`)
			r = c.Get("/services/order/contract_name")
			wantStatus(t, "form refused", r, 403)
			wantBody(t, "form refused", r, lang.referent)
			before := fingerprint(t, d)
			r = c.Post("/services/order/contract_name", url.Values{"v_name": {"Piraté"}, "_once": {"tok-" + lang.code}})
			wantStatus(t, "order refused", r, 403)
			wantBody(t, "order refused", r, lang.referent)
			r = c.Post("/services/order/fab", url.Values{"v_comment": {"svp"}})
			wantStatus(t, "FAB refused", r, 403)
			wantBody(t, "FAB refused", r, lang.owner)
			if after := fingerprint(t, d); after != before {
				t.Errorf("a refused order wrote:\n before %s\n after  %s", before, after)
			}
			if cur, _ := tenancy.TenantByID(context.Background(), d.DB, tn.ID); cur.Name != tn.Name {
				t.Errorf("tenant renamed to %q by a member who is not referent", cur.Name)
			}
			wantStatus(t, "allowed form", c.Get("/services/order/alliance"), 200)
		})
	}
}

func TestSvBadInputIsShownAgainInBothLanguages(t *testing.T) {
	d := newDesk(t)
	long := strings.Repeat("x", 101)
	for _, lang := range []struct{ code, required, tooLong string }{
		{"fr", "Ce champ est obligatoire.", "Ce texte est trop long\u00a0: 101\u00a0caractères pour une limite de 100."},
		{"en", "This field is required.", "This text is too long: 101 characters for a limit of 100."},
	} {
		t.Run(lang.code, func(t *testing.T) {
			marie := svAs(t, d, "Marie.Dupont", lang.code)
			svScope(t, d, marie, "OCB0000001")
			before := fingerprint(t, d)
			r := marie.Post("/services/order/contract_name", svForm(t, marie, "contract_name", map[string]string{"name": "   "}))
			wantStatus(t, "empty name", r, 422)
			wantBody(t, "empty name", r, `id="f-name-error"`, lang.required, `aria-invalid="true"`, `name="_once"`, `id="error-summary"`)
			r = marie.Post("/services/order/contract_name", svForm(t, marie, "contract_name", map[string]string{"name": long}))
			wantStatus(t, "long name", r, 422)
			wantBody(t, "long name", r, `id="f-name-error"`, lang.tooLong, `value="`+long+`"`)
			if after := fingerprint(t, d); after != before {
				t.Errorf("bad input wrote:\n before %s\n after  %s", before, after)
			}
		})
	}
}

func TestSvAllianceRegionOnceOnly(t *testing.T) {
	d := newDesk(t)
	tn := d.tenant(t, "OCB0000001")
	marie := svAs(t, d, "Marie.Dupont", "fr")
	svScope(t, d, marie, "OCB0000001")

	r := marie.Post("/services/order/alliance", svForm(t, marie, "alliance", map[string]string{"region": "alliance-hk-1"}))
	wantStatus(t, "first order", r, 303)
	if req := svRequest(t, d, r.Location); req.State != change.Approved {
		t.Errorf("an Alliance order is %s, want approved for the agents", req.State)
	}
	wantBody(t, "first order", marie.Get(r.Location), "Votre commande est enregistrée\u00a0: nos agents vont la mettre en œuvre.")

	// The same region again, while the first is on its way.
	r = marie.Post("/services/order/alliance", svForm(t, marie, "alliance", map[string]string{"region": "alliance-hk-1", "contact": "Léa"}))
	wantStatus(t, "second order", r, 422)
	wantBody(t, "second order", r, `id="f-region-error"`, "Cette région Cloud Alliance est déjà commandée et en cours de mise en place.",
		`<option value="alliance-hk-1" selected>`, `value="Léa"`)

	// A region already granted.
	if _, err := d.DB.NewRaw("INSERT INTO tenant_alliance_regions (tenant_id, region, granted_at) VALUES (?, ?, ?)",
		tn.ID, "alliance-sg-1", time.Now().UTC()).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	r = marie.Post("/services/order/alliance", svForm(t, marie, "alliance", map[string]string{"region": "alliance-sg-1"}))
	wantStatus(t, "granted region", r, 422)
	wantBody(t, "granted region", r, `id="f-region-error"`, "Cette région Cloud Alliance est déjà accordée au tenant.")
	if n := svOrders(t, d, tn.ID); n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
}

func TestSvWorkspaceOrderAndCancellation(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	tn := d.tenant(t, "OCB0000001")
	marie := svAs(t, d, "Marie.Dupont", "fr")
	svScope(t, d, marie, "OCB0000001")

	// The order form warns that a reservation does not guarantee the resource.
	form := marie.Get("/services/order/workspace")
	wantBody(t, "workspace form", form, "Attention\u00a0:", "ne garantit pas la disponibilité de la ressource", `name="v_template"`,
		`name="v_instances"`, `name="v_term"`, `name="v_region"`)
	r := marie.Post("/services/order/workspace", svForm(t, marie, "workspace",
		map[string]string{"region": "eu-west-0", "template": "workspace-performance", "instances": "3", "term": "36"}))
	wantStatus(t, "workspace order", r, 303)
	subs, err := subscription.OfTenant(ctx, d.DB, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) != 2 {
		t.Fatalf("%d subscriptions, want the demo one and the one ordered", len(subs))
	}
	list := marie.Get("/subscriptions")
	wantStatus(t, "subscriptions", list, 200)
	wantBody(t, "subscriptions", list, "Bureau performance (4 vCPU, 8 Gio)", "Bureau standard (2 vCPU, 4 Gio)", "36 mois", "12 mois",
		"Paris (eu-west-0)", "<caption", `aria-current="page">Abonnements<`)
	if !strings.Contains(list.Body, "Bureau performance") {
		t.Fatalf("the ordered subscription is not listed: %.2000s", list.Body)
	}

	// The demo's five desktops: cancel two.
	var demoSub *subscription.Subscription
	for _, s := range subs {
		if s.Instances == 5 {
			demoSub = s
		}
	}
	if demoSub == nil {
		t.Fatal("no demo subscription of five instances")
	}
	on := subscription.EffectiveOn(time.Now())
	field := "f-instances-" + id(demoSub.ID)
	wantBody(t, "cancel form", list, `action="/subscriptions/`+id(demoSub.ID)+`/cancel"`, `id="`+field+`"`, `value="5"`,
		"Prend effet le "+d.Bundle.FormatDate("fr", on)+".", "De 1 à 5 instances.", "Résilier")
	path := "/subscriptions/" + id(demoSub.ID) + "/cancel"
	mails := outboxCount(t, d)
	r = marie.Post(path, url.Values{"instances": {"2"}, "version": {id(int64(demoSub.Version))}})
	wantStatus(t, "cancel 2", r, 303)
	if outboxCount(t, d) <= mails {
		t.Error("no mail tells of the cancellation")
	}
	if r.Location != "/subscriptions?on="+on.String() {
		t.Errorf("cancel went to %s", r.Location)
	}
	after := marie.Get(r.Location)
	wantBody(t, "after cancel", after, "La résiliation est enregistrée\u00a0: elle prend effet le "+d.Bundle.FormatDate("fr", on)+".",
		"2 instances résiliées le "+d.Bundle.FormatDate("fr", on)+" (programmé)", `value="3"`, "De 1 à 3 instances.")

	// More than are left: the message beside that subscription's field, the input kept.
	cur, err := subscription.ByID(ctx, d.DB, demoSub.ID)
	if err != nil {
		t.Fatal(err)
	}
	before := fingerprint(t, d)
	r = marie.Post(path, url.Values{"instances": {"4"}, "version": {id(int64(cur.Version))}})
	wantStatus(t, "too many", r, 422)
	wantBody(t, "too many", r, `id="`+field+`-error"`, "Vous pouvez résilier au plus 3\u00a0instances.", `value="4"`, `href="#`+field+`"`)
	if strings.Contains(r.Body, "data-unshown-field") {
		t.Error("the summary names a field the page does not show")
	}
	// A page out of date: the stale message, the subscription as it is now.
	r = marie.Post(path, url.Values{"instances": {"1"}, "version": {id(int64(demoSub.Version))}})
	wantStatus(t, "stale", r, 409)
	wantBody(t, "stale", r, "Cet abonnement a changé depuis que vous avez ouvert la page", `value="`+id(int64(cur.Version))+`"`)
	if a := fingerprint(t, d); a != before {
		t.Errorf("refused cancellations wrote:\n before %s\n after  %s", before, a)
	}

	// In English.
	marieEN := svAs(t, d, "Marie.Dupont", "en")
	svScope(t, d, marieEN, "OCB0000001")
	wantBody(t, "in English", marieEN.Get("/subscriptions"), "2 instances cancelled on "+d.Bundle.FormatDate("en", on)+" (scheduled)",
		"Performance desktop (4 vCPUs, 8 GiB)", "36 months", "Takes effect on "+d.Bundle.FormatDate("en", on)+".")
	r = marieEN.Post(path, url.Values{"instances": {"x"}, "version": {id(int64(cur.Version))}})
	wantStatus(t, "not a number", r, 422)
	wantBody(t, "not a number", r, "Enter a whole number of instances.", `value="x"`)
}

func TestSvCancellationRefusals(t *testing.T) {
	d := newDesk(t)
	marie := svAs(t, d, "Marie.Dupont", "fr")
	svScope(t, d, marie, "OCB0000001")
	tn := d.tenant(t, "OCB0000001")

	// Another organisation's subscription is not found, and untouched.
	paulsSub := svSubscription(t, d, d.tenant(t, "OCB0000004").ID, 4)
	gone := svSubscription(t, d, tn.ID, 0)
	before := fingerprint(t, d)
	r := marie.Post("/subscriptions/"+id(paulsSub.ID)+"/cancel", url.Values{"instances": {"1"}, "version": {"1"}})
	wantStatus(t, "another tenant's subscription", r, 404)
	wantStatus(t, "no such subscription", marie.Post("/subscriptions/999999/cancel", url.Values{"instances": {"1"}, "version": {"1"}}), 404)
	wantStatus(t, "not a number", marie.Post("/subscriptions/abc/cancel", url.Values{"instances": {"1"}, "version": {"1"}}), 404)

	// Cancelled already, or every instance already scheduled: 422, no form offered.
	r = marie.Post("/subscriptions/"+id(gone.ID)+"/cancel", url.Values{"instances": {"all"}, "version": {"1"}})
	wantStatus(t, "cancelled", r, 422)
	wantBody(t, "cancelled", r, "Cet abonnement est déjà résilié.", "Résilié\u00a0: plus aucune instance")
	wantNoBody(t, "cancelled", r, `action="/subscriptions/`+id(gone.ID)+`/cancel"`)
	if a := fingerprint(t, d); a != before {
		t.Errorf("refused cancellations wrote:\n before %s\n after  %s", before, a)
	}

	full := svSubscription(t, d, tn.ID, 2)
	r = marie.Post("/subscriptions/"+id(full.ID)+"/cancel", url.Values{"instances": {"all"}, "version": {"1"}})
	wantStatus(t, "all", r, 303)
	list := marie.Get("/subscriptions")
	wantBody(t, "all scheduled", list, "Toutes les instances sont en cours de résiliation.")
	wantNoBody(t, "all scheduled", list, `action="/subscriptions/`+id(full.ID)+`/cancel"`)
	r = marie.Post("/subscriptions/"+id(full.ID)+"/cancel", url.Values{"instances": {"1"}, "version": {"2"}})
	wantStatus(t, "all scheduled", r, 422)
	wantBody(t, "all scheduled", r, "Toutes les instances de cet abonnement sont déjà en cours de résiliation.")
}
