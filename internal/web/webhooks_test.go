package web_test

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/webhook"
)

func init() {
	// An endpoint of a tenant the persona does not manage: a customer gets 404, an admin it.
	foreignParams["webhook"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string {
		return id(d.hook(t, "admin", f.ForeignTenant, "https://203.0.113.7/foreign").ID)
	}
	// A delivery of such an endpoint.
	foreignParams["delivery"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string {
		w := d.hook(t, "admin", f.ForeignTenant, "https://203.0.113.7/foreign-log")
		return id(d.deadDelivery(t, w.ID).ID)
	}
}

// hook registers an endpoint of tenantID (0: of every tenant) as login, through the service.
func (d *desk) hook(t *testing.T, login string, tenantID int64, u string) *webhook.Webhook {
	t.Helper()
	w, _, err := d.Webhooks.Create(context.Background(), d.actor(t, login), tenantID,
		webhook.Draft{URL: u, Events: []string{"incident.*"}, Description: "Supervision", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// actor is login as the services see them, with their tenants resolved.
func (d *desk) actor(t *testing.T, login string) tenancy.Actor {
	t.Helper()
	a, err := tenancy.Resolve(context.Background(), d.DB, d.user(t, login))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// deadDelivery writes a delivery of endpoint webhookID that failed for good.
func (d *desk) deadDelivery(t *testing.T, webhookID int64) *webhook.Delivery {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	dl := &webhook.Delivery{WebhookID: webhookID, EventID: "evt_" + strings.Repeat("d", 24), EventType: "incident.updated", Payload: "{}",
		Status: webhook.StatusDead, Attempts: 9, NextAttemptAt: now, DeadlineAt: now, LastStatus: 503, LastError: "HTTP 503 Service Unavailable",
		CreatedAt: now.Add(-25 * time.Hour), UpdatedAt: now}
	if _, err := d.DB.NewInsert().Model(dl).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dl
}

func (d *desk) webhookCount(t *testing.T) int {
	t.Helper()
	return testutil.Count(t, d.DB, "webhooks", "1 = 1")
}

var shownWebhookSecret = regexp.MustCompile(`<code id="webhook-secret">(whsec_[0-9a-f]{48})</code>`)

// secretShown returns the secret the answer shows, which must be a page of its own, not cached,
// with no redirect and no flash.
func secretShown(t *testing.T, what string, c *testutil.Client, r testutil.Response) string {
	t.Helper()
	wantStatus(t, what, r, http.StatusOK)
	m := shownWebhookSecret.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("%s: no secret shown: %.600s", what, r.Body)
	}
	if r.Location != "" || r.Header.Get("Cache-Control") != "no-store" || c.Cookie("guichet_flash") != "" {
		t.Errorf("%s: location %q, Cache-Control %q, flash %q", what, r.Location, r.Header.Get("Cache-Control"), c.Cookie("guichet_flash"))
	}
	for name, vs := range r.Header {
		if strings.Contains(strings.Join(vs, " "), m[1]) {
			t.Errorf("%s: header %s carries the secret", what, name)
		}
	}
	return m[1]
}

func hookForm(u, description string, active bool, events ...string) url.Values {
	f := url.Values{"url": {u}, "description": {description}, "events": events}
	if active {
		f.Set("active", "on")
	}
	return f
}

// onlyHook is the one endpoint of tenant code.
func (d *desk) onlyHook(t *testing.T, code string) *webhook.Webhook {
	t.Helper()
	ws, _, err := d.Webhooks.List(context.Background(), d.actor(t, "admin"), d.tenant(t, code).ID, paging.Page{})
	if err != nil || len(ws) != 1 {
		t.Fatalf("endpoints of %s: %v %v", code, ws, err)
	}
	return &ws[0]
}

// The referent registers an endpoint in the customer space: the form offers every pattern with
// its label; the secret is shown once, on the answer to the form, and never again: not in the
// list, not on the endpoint's page, not in the log.
func TestReferentRegistersAWebhookAndSeesItsSecretOnce(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	r := marie.Get("/")
	wantBody(t, "home", r, `<a href="/webhooks">Webhooks</a>`)
	r = marie.Get("/webhooks")
	wantStatus(t, "list", r, http.StatusOK)
	wantBody(t, "list", r, "OCB0000001", "Aucun point de réception pour l’instant.", `href="/webhooks/new"`, `<a href="/webhooks" aria-current="page">Webhooks</a>`)

	r = marie.Get("/webhooks/new")
	wantStatus(t, "form", r, http.StatusOK)
	for _, p := range webhook.Patterns {
		wantBody(t, "form", r, `name="events" value="`+p+`"`)
	}
	wantBody(t, "form", r, "Tous les événements d’incident", "Une demande contractuelle prend effet", `name="active" aria-describedby="f-active-help" checked`)
	wantNoBody(t, "form", r, "webhook.page.", "name=\"scope\"")

	r = marie.Post("/webhooks", hookForm("https://203.0.113.10/guichet", "Supervision Zabbix", true, "incident.*", "change.approved"))
	secret := secretShown(t, "create", marie, r)
	wantBody(t, "create", r, "il ne sera plus affiché", "https://203.0.113.10/guichet", "Guichet-Signature")
	w := d.onlyHook(t, "OCB0000001")
	if w.Secret != secret || w.URL != "https://203.0.113.10/guichet" || w.Description != "Supervision Zabbix" || !w.Active ||
		strings.Join(w.Events(), " ") != "incident.* change.approved" || w.CreatedBy != d.user(t, "Marie.Dupont").ID {
		t.Fatalf("stored %+v", w)
	}

	r = marie.Get("/webhooks")
	wantBody(t, "list", r, "https://203.0.113.10/guichet", "Supervision Zabbix", "<code>incident.*</code>, <code>change.approved</code>", "Actif",
		"Aucun pour l’instant", `href="/webhooks/`+id(w.ID)+`/deliveries"`)
	wantNoBody(t, "list", r, secret, secret[len(webhook.SecretPrefix):])
	r = marie.Get("/webhooks/" + id(w.ID))
	wantStatus(t, "endpoint", r, http.StatusOK)
	wantBody(t, "endpoint", r, `value="https://203.0.113.10/guichet"`, `name="events" value="incident.*" checked`,
		`name="events" value="change.approved" checked`, `name="version" value="1"`, "par Marie Dupont")
	wantNoBody(t, "endpoint", r, secret, `value="incident.declared" checked`)
	if strings.Contains(d.logs.String(), secret) {
		t.Error("the secret is in the log")
	}
}

// Refused input comes back on the form in the reader's language, each message beside its field
// and in the summary, with what was typed and checked; nothing is written. The desk's default
// configuration keeps endpoints off private networks.
func TestWebhookFormRefusalsKeepTheInput(t *testing.T) {
	d := newDesk(t)
	if d.Config.Webhook.AllowPrivate || d.Webhooks.AllowPrivate {
		t.Fatal("the test desk allows private addresses: the refusal below would not be tested")
	}
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			marie := d.as(t, "Marie.Dupont")
			wantStatus(t, "language", marie.Post("/lang", url.Values{"lang": {lang}, "next": {"/webhooks"}}), http.StatusSeeOther)
			msg := func(key string) string { return template.HTMLEscapeString(d.Bundle.T(lang, key, nil)) }
			for _, in := range []struct {
				what   string
				form   url.Values
				field  string
				key    string
				kept   []string
				absent string
			}{
				{"http", hookForm("http://203.0.113.10/guichet", "Chat", true, "change.*"), "url", "webhook.error.url_https",
					[]string{`value="http://203.0.113.10/guichet"`, `value="Chat"`, `value="change.*" checked`}, `value="incident.*" checked`},
				{"no event", hookForm("https://203.0.113.10/guichet", "Tableau de bord", false), "events", "webhook.error.events_required",
					[]string{`value="https://203.0.113.10/guichet"`, `value="Tableau de bord"`}, `name="active" aria-describedby="f-active-help" checked`},
				{"private", hookForm("https://127.0.0.1/hook", "", true, "incident.resolved", "contract.request.*"), "url", "webhook.error.url_private",
					[]string{`value="https://127.0.0.1/hook"`, `value="incident.resolved" checked`, `value="contract.request.*" checked`,
						`name="active" aria-describedby="f-active-help" checked`}, `value="incident.declared" checked`},
				{"private network", hookForm("https://10.1.2.3/hook", "", true, "incident.*"), "url", "webhook.error.url_private",
					[]string{`value="https://10.1.2.3/hook"`}, ""},
			} {
				marie.Get("/webhooks/new")
				r := marie.Post("/webhooks", in.form)
				wantStatus(t, in.what, r, http.StatusUnprocessableEntity)
				label := map[string]string{"url": "webhook.page.url", "events": "webhook.page.events"}[in.field]
				item := template.HTMLEscapeString(d.Bundle.T(lang, "form.error_item", map[string]any{"Field": d.Bundle.T(lang, label, nil), "Message": d.Bundle.T(lang, in.key, nil)}))
				wantBody(t, in.what, r, `id="f-`+in.field+`-error">`+msg(in.key)+`</p>`, `<a href="#f-`+in.field+`">`+item+`</a>`, msg("webhook.page.new_title"))
				wantBody(t, in.what, r, in.kept...)
				if in.absent != "" {
					wantNoBody(t, in.what, r, in.absent)
				}
				wantNoBody(t, in.what, r, "whsec_")
				if n := d.webhookCount(t); n != 0 {
					t.Fatalf("%s: %d endpoints written", in.what, n)
				}
			}
		})
	}
}

// An edit sent from a page read before another change is refused with the endpoint as it is
// now and the input kept; a fresh one is saved. A new secret is shown once and replaces the old
// one; deleting asks first, naming the consequence, and takes the log with it.
func TestReferentEditsRotatesAndDeletesAWebhook(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	w := d.hook(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "https://203.0.113.10/v1")
	r := marie.Get("/webhooks/" + id(w.ID))
	wantBody(t, "endpoint", r, `name="version" value="1"`)

	// Someone else changes it meanwhile.
	if _, err := d.Webhooks.Update(context.Background(), d.actor(t, "admin"), w.ID, 1,
		webhook.Draft{URL: "https://203.0.113.11/admin", Events: []string{"change.*"}, Active: true}); err != nil {
		t.Fatal(err)
	}
	form := hookForm("https://203.0.113.12/mine", "Mon outil", false, "incident.declared")
	form.Set("version", "1")
	r = marie.Post("/webhooks/"+id(w.ID), form)
	wantStatus(t, "stale edit", r, http.StatusConflict)
	wantBody(t, "stale edit", r, "a été modifié depuis l’ouverture de la page", `value="https://203.0.113.12/mine"`, `value="Mon outil"`,
		`value="incident.declared" checked`, `name="version" value="2"`, "<code>https://203.0.113.11/admin</code>")
	if got, _ := d.Webhooks.Get(context.Background(), d.actor(t, "admin"), w.ID); got.URL != "https://203.0.113.11/admin" || got.Version != 2 {
		t.Fatalf("the stale edit was written: %+v", got)
	}
	// Sent again from the page it came back on, it is saved.
	form.Set("version", "2")
	r = marie.Post("/webhooks/"+id(w.ID), form)
	if r.Status != http.StatusSeeOther || r.Location != "/webhooks" {
		t.Fatalf("save: %d to %q: %.300s", r.Status, r.Location, r.Body)
	}
	wantBody(t, "saved", marie.Get("/webhooks"), "Le point de réception a été enregistré.", "https://203.0.113.12/mine", "Désactivé")
	got, _ := d.Webhooks.Get(context.Background(), d.actor(t, "admin"), w.ID)
	if got.URL != "https://203.0.113.12/mine" || got.Active || got.Description != "Mon outil" || got.Version != 3 || got.Secret != w.Secret {
		t.Fatalf("saved %+v", got)
	}

	// A new secret: a stale page is refused, a current one answers with the secret, once.
	r = marie.Get("/webhooks/" + id(w.ID))
	wantBody(t, "endpoint", r, "Nouveau secret", `action="/webhooks/`+id(w.ID)+`/secret"`)
	r = marie.Post("/webhooks/"+id(w.ID)+"/secret", url.Values{"version": {"2"}})
	wantStatus(t, "stale rotation", r, http.StatusConflict)
	wantNoBody(t, "stale rotation", r, "whsec_")
	secret := secretShown(t, "rotate", marie, marie.Post("/webhooks/"+id(w.ID)+"/secret", url.Values{"version": {"3"}}))
	got, _ = d.Webhooks.Get(context.Background(), d.actor(t, "admin"), w.ID)
	if secret == w.Secret || got.Secret != secret || got.Version != 4 {
		t.Fatalf("rotated: shown %q, stored %+v", secret, got)
	}
	wantNoBody(t, "after rotation", marie.Get("/webhooks/"+id(w.ID)), secret)
	if strings.Contains(d.logs.String(), secret) {
		t.Error("the new secret is in the log")
	}

	// Deleting names what is lost, and takes the log with it.
	d.deadDelivery(t, w.ID)
	r = marie.Get("/webhooks/" + id(w.ID))
	wantBody(t, "endpoint", r, "https://203.0.113.12/mine ne recevra plus aucun événement, et son journal des envois est supprimé avec lui",
		`action="/webhooks/`+id(w.ID)+`/delete"`, "Supprimer le point de réception et son journal")
	r = marie.Post("/webhooks/"+id(w.ID)+"/delete", nil)
	if r.Status != http.StatusSeeOther || r.Location != "/webhooks" {
		t.Fatalf("delete: %d to %q", r.Status, r.Location)
	}
	wantBody(t, "deleted", marie.Get("/webhooks"), "Le point de réception a été supprimé avec son journal des envois.", "Aucun point de réception")
	if n, m := d.webhookCount(t), testutil.Count(t, d.DB, "webhook_deliveries", "1 = 1"); n != 0 || m != 0 {
		t.Fatalf("%d endpoints, %d deliveries left", n, m)
	}
	wantStatus(t, "deleted endpoint", marie.Get("/webhooks/"+id(w.ID)), http.StatusNotFound)
}

// An incident declared on the tenant becomes a pending delivery in the endpoint's log (no
// worker runs here); a dead one can be redelivered, which makes it pending again, due now.
func TestDeliveryLogAndRedeliver(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	t1 := d.tenant(t, "OCB0000001").ID
	w := d.hook(t, "Marie.Dupont", t1, "https://203.0.113.10/log")
	r := marie.Get("/webhooks/" + id(w.ID) + "/deliveries")
	wantStatus(t, "empty log", r, http.StatusOK)
	wantBody(t, "empty log", r, "Aucun envoi pour l’instant")

	d.declare(t, "Marie.Dupont", t1, "Les API répondent 502")
	var pending webhook.Delivery
	if err := d.DB.NewSelect().Model(&pending).Where("webhook_id = ?", w.ID).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	r = marie.Get("/webhooks/" + id(w.ID) + "/deliveries")
	wantBody(t, "log", r, "<code>incident.declared</code>", "<code>"+pending.EventID+"</code>", `<span class="badge outbox-pending">En attente</span>`,
		"Prochaine tentative")
	wantNoBody(t, "log", r, "/redeliver")
	wantBody(t, "list", marie.Get("/webhooks"), `<span class="badge outbox-pending">En attente</span>`)

	// It failed for good.
	if _, err := d.DB.NewUpdate().Model((*webhook.Delivery)(nil)).Set("status = ?", webhook.StatusDead).Set("attempts = 12").
		Set("last_status = 503").Set("last_error = ?", "HTTP 503 Service Unavailable").Where("id = ?", pending.ID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	r = marie.Get("/webhooks/" + id(w.ID) + "/deliveries?status=dead")
	action := `action="/webhooks/` + id(w.ID) + `/deliveries/` + id(pending.ID) + `/redeliver"`
	wantBody(t, "dead", r, `<span class="badge outbox-dead">Abandonné</span>`, "HTTP 503", "HTTP 503 Service Unavailable", `<td data-label="Tentatives">12</td>`, action,
		`<option value="dead" selected>`)
	wantBody(t, "pending only", marie.Get("/webhooks/"+id(w.ID)+"/deliveries?status=pending"), "Aucun envoi dans cet état.")

	// Redeliver: without the CSRF token, refused; with it, pending again.
	wantStatus(t, "no csrf", marie.PostRaw("/webhooks/"+id(w.ID)+"/deliveries/"+id(pending.ID)+"/redeliver", nil), http.StatusForbidden)
	r = marie.Post("/webhooks/"+id(w.ID)+"/deliveries/"+id(pending.ID)+"/redeliver", nil)
	if r.Status != http.StatusSeeOther || r.Location != "/webhooks/"+id(w.ID)+"/deliveries" {
		t.Fatalf("redeliver: %d to %q", r.Status, r.Location)
	}
	got, err := d.Webhooks.Delivery(context.Background(), d.actor(t, "admin"), w.ID, pending.ID)
	if err != nil || got.Status != webhook.StatusPending || got.Attempts != 0 || got.EventID != pending.EventID || got.LastError != "" {
		t.Fatalf("redelivered: %+v %v", got, err)
	}
	r = marie.Get("/webhooks/" + id(w.ID) + "/deliveries")
	wantBody(t, "after", r, "L’envoi est de nouveau en attente", `<span class="badge outbox-pending">En attente</span>`)

	// A delivery of another endpoint is not found through this one.
	other := d.hook(t, "Marie.Dupont", t1, "https://203.0.113.10/other")
	dead := d.deadDelivery(t, other.ID)
	wantStatus(t, "cross", marie.Post("/webhooks/"+id(w.ID)+"/deliveries/"+id(dead.ID)+"/redeliver", nil), http.StatusNotFound)
}

// Only the referent manages a tenant's endpoints: another customer of the tenant, even with
// every right, gets 403 on the tenant's pages and 404 on its endpoints, and sees no link; a
// customer of another organisation gets 404 on every page of the endpoint, and nothing changes.
func TestWebhooksAreTheReferentsOnly(t *testing.T) {
	d := newDesk(t)
	t1 := d.tenant(t, "OCB0000001").ID
	w := d.hook(t, "Marie.Dupont", t1, "https://203.0.113.10/marie")
	dead := d.deadDelivery(t, w.ID)
	base := "/webhooks/" + id(w.ID)
	endpointRoutes := []struct{ method, path string }{
		{"GET", base}, {"POST", base}, {"POST", base + "/secret"}, {"POST", base + "/delete"}, {"GET", base + "/deliveries"},
		{"POST", base + "/deliveries/" + id(dead.ID) + "/redeliver"},
	}
	form := hookForm("https://203.0.113.99/x", "", true, "change.*")
	form.Set("version", "1")
	// John gets every right of the tenant but the referent's role.
	for _, right := range []string{"can_changes", "can_contract", "can_users"} {
		testutil.SetRight(t, d.DB, t1, d.user(t, "John.Doe").ID, right, true)
	}
	before := testutil.Fingerprint(t, d.DB)
	for _, tc := range []struct {
		login      string
		listStatus int
	}{{"John.Doe", http.StatusForbidden}, {"Paul.Martin", http.StatusOK}} {
		c := d.as(t, tc.login)
		if tc.login == "John.Doe" {
			r := c.Get("/users")
			wantStatus(t, "John's Users tab", r, http.StatusOK)
			wantNoBody(t, "John's Users tab", r, `href="/webhooks"`)
			wantStatus(t, "John's list", c.Get("/webhooks"), http.StatusForbidden)
			wantStatus(t, "John's form", c.Get("/webhooks/new"), http.StatusForbidden)
			wantStatus(t, "John's create", c.Post("/webhooks", form), http.StatusForbidden)
		} else {
			r := c.Get("/webhooks") // Paul's own tenant, OCB0000004
			wantStatus(t, "Paul's list", r, tc.listStatus)
			wantNoBody(t, "Paul's list", r, "203.0.113.10")
		}
		for _, rt := range endpointRoutes {
			var r testutil.Response
			if rt.method == "GET" {
				r = c.Get(rt.path)
			} else {
				c.Get("/")
				r = c.Post(rt.path, form)
			}
			wantStatus(t, tc.login+" "+rt.method+" "+rt.path, r, http.StatusNotFound)
			wantNoBody(t, tc.login+" "+rt.method+" "+rt.path, r, "203.0.113.10", w.Secret)
		}
	}
	if after := testutil.Fingerprint(t, d.DB); after != before {
		t.Errorf("refused requests wrote:\n before %s\n after  %s", before, after)
	}
	got, err := d.Webhooks.Get(context.Background(), d.actor(t, "admin"), w.ID)
	if err != nil || got.Version != 1 || got.Secret != w.Secret || got.URL != w.URL {
		t.Errorf("refused requests changed the endpoint: %+v %v", got, err)
	}
	if dl, err := d.Webhooks.Delivery(context.Background(), d.actor(t, "admin"), w.ID, dead.ID); err != nil || dl.Status != webhook.StatusDead {
		t.Errorf("refused requests redelivered: %+v %v", dl, err)
	}
}

// The admin page lists every endpoint, those of every tenant and each tenant's; an admin
// registers one for a tenant by its code, or for every tenant, and works the log the same way.
func TestAdminWebhooksListEveryEndpoint(t *testing.T) {
	d := newDesk(t)
	d.hook(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "https://203.0.113.10/marie")
	d.hook(t, "Paul.Martin", d.tenant(t, "OCB0000004").ID, "https://203.0.113.20/paul")
	admin := d.as(t, "admin")
	admin.Lang = "en"
	r := admin.Get("/admin/webhooks")
	wantStatus(t, "admin list", r, http.StatusOK)
	wantBody(t, "admin list", r, `<a href="/admin/webhooks" aria-current="page">Webhooks</a>`, "https://203.0.113.10/marie", "OCB0000001",
		"https://203.0.113.20/paul", "OCB0000004", `href="/admin/webhooks/new"`)
	wantBody(t, "admin users", admin.Get("/admin/users"), `<a href="/admin/webhooks">Webhooks</a>`)

	r = admin.Get("/admin/webhooks/new")
	wantBody(t, "admin form", r, `name="scope" value="tenant" checked`, `name="scope" value="all"`, `id="f-tenant"`)
	// A tenant that does not exist, or none chosen: refused, the input kept.
	f := hookForm("https://203.0.113.30/all", "Chat ops", true, "incident.*", "change.*")
	f.Set("scope", "tenant")
	f.Set("tenant", "OCB0000777")
	r = admin.Post("/admin/webhooks", f)
	wantStatus(t, "unknown tenant", r, http.StatusUnprocessableEntity)
	wantBody(t, "unknown tenant", r, `id="f-tenant-error">No tenant has the code OCB0000777.</p>`, `value="OCB0000777"`, `value="Chat ops"`,
		`value="change.*" checked`)
	f.Set("tenant", "")
	wantBody(t, "no tenant", admin.Post("/admin/webhooks", f), `id="f-tenant-error">Enter the tenant’s code, such as OCB0000001.</p>`)
	f.Del("scope")
	wantBody(t, "no scope", admin.Post("/admin/webhooks", f), `id="f-scope-error">Choose one tenant or every tenant.</p>`)
	if n := d.webhookCount(t); n != 2 {
		t.Fatalf("%d endpoints after refusals", n)
	}

	// Every tenant's, then one for Paul's tenant by its code.
	f.Set("scope", "all")
	secret := secretShown(t, "every tenant", admin, admin.Post("/admin/webhooks", f))
	f.Set("scope", "tenant")
	f.Set("tenant", "ocb0000004")
	f.Set("url", "https://203.0.113.31/paul-by-admin")
	secretShown(t, "one tenant", admin, admin.Post("/admin/webhooks", f))
	r = admin.Get("/admin/webhooks")
	wantBody(t, "admin list", r, "<strong>Every tenant</strong>", "https://203.0.113.30/all", "https://203.0.113.31/paul-by-admin")
	wantNoBody(t, "admin list", r, secret)
	ws, _, err := d.Webhooks.List(context.Background(), d.actor(t, "admin"), 0, paging.Page{})
	if err != nil || len(ws) != 4 || !ws[2].AllTenants() || ws[3].TenantCode != "OCB0000004" {
		t.Fatalf("endpoints: %+v %v", ws, err)
	}

	// Paul, referent of OCB0000004, sees the admin's endpoint of his tenant, not the one of every tenant.
	paul := d.as(t, "Paul.Martin")
	r = paul.Get("/webhooks")
	wantBody(t, "Paul", r, "https://203.0.113.20/paul", "https://203.0.113.31/paul-by-admin")
	wantNoBody(t, "Paul", r, "https://203.0.113.30/all", "https://203.0.113.10/marie")
	wantStatus(t, "Paul on every tenant's", paul.Get("/webhooks/"+id(ws[2].ID)), http.StatusNotFound)

	// The admin's log of every tenant's endpoint, and redeliver.
	dead := d.deadDelivery(t, ws[2].ID)
	r = admin.Get("/admin/webhooks/" + id(ws[2].ID) + "/deliveries")
	wantBody(t, "admin log", r, `<span class="badge outbox-dead">Failed for good</span>`, "HTTP 503",
		`action="/admin/webhooks/`+id(ws[2].ID)+`/deliveries/`+id(dead.ID)+`/redeliver"`)
	r = admin.Post("/admin/webhooks/"+id(ws[2].ID)+"/deliveries/"+id(dead.ID)+"/redeliver", nil)
	if r.Status != http.StatusSeeOther || r.Location != "/admin/webhooks/"+id(ws[2].ID)+"/deliveries" {
		t.Fatalf("admin redeliver: %d to %q", r.Status, r.Location)
	}
	r = admin.Get("/admin/webhooks/" + id(ws[0].ID))
	wantBody(t, "admin endpoint", r, "OCB0000001", `action="/admin/webhooks/`+id(ws[0].ID)+`"`, `action="/admin/webhooks/`+id(ws[0].ID)+`/secret"`)
	r = admin.Post("/admin/webhooks/"+id(ws[0].ID)+"/delete", nil)
	if r.Status != http.StatusSeeOther || r.Location != "/admin/webhooks" {
		t.Fatalf("admin delete: %d to %q", r.Status, r.Location)
	}
	// The customer pages are the customers'.
	wantStatus(t, "admin on the customer page", admin.Get("/webhooks"), http.StatusForbidden)
}
