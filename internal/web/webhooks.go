package web

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/webhook"
	"github.com/valyala/fasthttp"
)

// The webhook pages: a tenant's referent manages the endpoints of the tenant chosen with
// Périmètre in the customer space, under /webhooks; admins every endpoint, those of every
// tenant included, under /admin/webhooks. The service authorizes: a customer who is not the
// referent gets its 403, an endpoint the reader may not manage its 404. An endpoint's secret is
// shown once, in the answer to the form that made it or gave it a new one: never in a URL, a
// flash, a cookie or a log.

// webhookSpace is one of the two places the pages are served from.
type webhookSpace struct {
	admin bool
	base  string // the list's path; an endpoint's pages are under base/:webhook
}

var (
	customerHooks = webhookSpace{base: "/webhooks"}
	adminHooks    = webhookSpace{admin: true, base: "/admin/webhooks"}
)

// eventOption is one checkbox of the events an endpoint subscribes to: a pattern and the key of
// its label.
type eventOption struct {
	Code, Key string
}

// eventGroup is a family of events (incident.*, change.*, …) with the family itself first,
// then its single events, under the family's heading.
type eventGroup struct {
	Key     string
	Options []eventOption
}

// patternKey is the message key of a pattern's label: incident.* is
// webhook.page.event.incident_all, contract.request.filed webhook.page.event.contract_request_filed.
func patternKey(p string) string {
	return "webhook.page.event." + strings.NewReplacer(".", "_", "*", "all").Replace(p)
}

// eventGroups groups webhook.Patterns by family, in their order; a pattern of no family (none
// today) gets a group of its own.
var eventGroups = func() []eventGroup {
	var gs []eventGroup
	placed := map[string]bool{}
	for _, fam := range webhook.Patterns {
		prefix, ok := strings.CutSuffix(fam, ".*")
		if !ok {
			continue
		}
		g := eventGroup{Key: "webhook.page.group." + strings.ReplaceAll(prefix, ".", "_"), Options: []eventOption{{fam, patternKey(fam)}}}
		placed[fam] = true
		for _, p := range webhook.Patterns {
			if !placed[p] && !strings.HasSuffix(p, "*") && webhook.Matches(fam, p) {
				g.Options = append(g.Options, eventOption{p, patternKey(p)})
				placed[p] = true
			}
		}
		gs = append(gs, g)
	}
	for _, p := range webhook.Patterns {
		if !placed[p] {
			gs = append(gs, eventGroup{Key: patternKey(p), Options: []eventOption{{p, patternKey(p)}}})
		}
	}
	return gs
}()

// webhookRow is an endpoint as the list shows it, with its latest delivery (nil: none yet).
type webhookRow struct {
	webhook.Webhook
	Last *deliveryRow
}

// deliveryRow is a delivery as the log shows it.
type deliveryRow struct {
	webhook.Delivery
}

// Badge is the class that colours the delivery's status beside its name: the outbox's, whose
// statuses mean the same.
func (d deliveryRow) Badge() string {
	switch d.Status {
	case webhook.StatusDelivered:
		return "outbox-sent"
	case webhook.StatusDead:
		return "outbox-dead"
	}
	return "outbox-pending"
}

// Pending says whether the delivery waits to be posted (its Redeliver button would do nothing).
func (d deliveryRow) Pending() bool { return d.Status == webhook.StatusPending }

// webhookPage is a page of the webhooks: for a customer, a page of the customer space with the
// Webhooks tab current.
func (h *handler) webhookPage(c *fiber.Ctx, title string, sp webhookSpace) (*page, error) {
	var p *page
	if sp.admin {
		p = h.page(c, title)
	} else {
		var err error
		if p, err = h.customerPage(c, title); err != nil {
			return nil, err
		}
		p.V["WebhooksTab"] = true
	}
	p.V["Base"], p.V["Admin"], p.V["EventGroups"] = sp.base, sp.admin, eventGroups
	p.V["Chosen"] = map[string]bool{}
	return p, nil
}

// hookTenant is the tenant whose endpoints a customer's list shows and new endpoints go to: the
// one chosen with Périmètre, which the reader must manage (as its referent). An admin's list
// has every endpoint (0).
func (h *handler) hookTenant(c *fiber.Ctx, sp webhookSpace, p *page) (int64, error) {
	if sp.admin {
		return 0, nil
	}
	if p.Scope == nil {
		return 0, apperr.ErrNotFound
	}
	if err := h.Webhooks.CanManage(c.UserContext(), actorOf(c), p.Scope.Tenant.ID); err != nil {
		return 0, err
	}
	return p.Scope.Tenant.ID, nil
}

// showWebhooks lists the endpoints: a customer's, of the tenant in scope; an admin's, every one.
// Each shows the status of its latest delivery.
func (h *handler) showWebhooks(sp webhookSpace) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := h.webhookPage(c, "webhook.page.title", sp)
		if err != nil {
			return err
		}
		tenantID, err := h.hookTenant(c, sp, p)
		if err != nil {
			return err
		}
		pg := pageOf(c)
		ws, more, err := h.Webhooks.List(c.UserContext(), actorOf(c), tenantID, pg)
		if err != nil {
			return err
		}
		rows := make([]webhookRow, len(ws))
		for i := range ws {
			rows[i].Webhook = ws[i]
			ds, _, err := h.Webhooks.Deliveries(c.UserContext(), actorOf(c), ws[i].ID, "", paging.Page{Number: 1, Size: 1})
			if err != nil {
				return err
			}
			if len(ds) > 0 {
				rows[i].Last = &deliveryRow{ds[0]}
			}
		}
		p.V["Webhooks"], p.V["Pager"] = rows, morePager(c, pg, more)
		return h.show(c, "webhook/list", p)
	}
}

// showNewWebhook is the form that registers an endpoint: switched on, and for an admin, of one
// tenant until told otherwise.
func (h *handler) showNewWebhook(sp webhookSpace) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := h.webhookPage(c, "webhook.page.new_title", sp)
		if err != nil {
			return err
		}
		if _, err := h.hookTenant(c, sp, p); err != nil {
			return err
		}
		p.Form["active"] = "on"
		if sp.admin {
			p.Form["scope"] = "tenant"
		}
		return h.show(c, "webhook/new", p)
	}
}

// readWebhookForm reads an endpoint's form onto p (kept for showing it again) and returns the
// draft it makes.
func readWebhookForm(c *fiber.Ctx, p *page) webhook.Draft {
	p.Form = formOf(c, "url", "description", "active", "version", "scope", "tenant")
	events := postValues(c, "events")
	chosen := make(map[string]bool, len(events))
	for _, e := range events {
		chosen[e] = true
	}
	p.V["Chosen"] = chosen
	return webhook.Draft{URL: p.Form["url"], Events: events, Description: p.Form["description"], Active: p.Form["active"] == "on"}
}

// postValues reads every value of a field of the request body (never of the query string).
func postValues(c *fiber.Ctx, name string) []string {
	if form, err := c.MultipartForm(); err == nil {
		return form.Value[name]
	} else if err != fasthttp.ErrNoMultipartForm {
		return nil
	}
	var out []string
	for _, v := range c.Context().PostArgs().PeekMulti(name) {
		out = append(out, string(v))
	}
	return out
}

// chosenTenant is the tenant an admin's new endpoint is for: every tenant (0), or the one whose
// code was typed.
func (h *handler) chosenTenant(c *fiber.Ctx, p *page) (int64, error) {
	switch p.Form["scope"] {
	case "all":
		return 0, nil
	case "tenant":
		code := p.Form["tenant"]
		if code == "" {
			return 0, i18n.FieldError("tenant", "webhook.page.error.tenant_required")
		}
		id, err := h.Webhooks.TenantID(c.UserContext(), actorOf(c), code)
		if errors.Is(err, apperr.ErrNotFound) {
			if utf8.RuneCountInString(code) > 40 {
				code = string([]rune(code)[:40]) + "…"
			}
			return 0, i18n.FieldError("tenant", "webhook.page.error.tenant_unknown", "Code", code)
		}
		return id, err
	}
	return 0, i18n.FieldError("scope", "webhook.page.error.scope")
}

// createWebhook registers an endpoint and answers with its secret, on a page of its own that is
// never cached: the only time the secret is shown. Refused input comes back on the form.
func (h *handler) createWebhook(sp webhookSpace) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := h.webhookPage(c, "webhook.page.new_title", sp)
		if err != nil {
			return err
		}
		d := readWebhookForm(c, p)
		var tenantID int64
		if sp.admin {
			tenantID, err = h.chosenTenant(c, p)
		} else {
			tenantID, err = h.hookTenant(c, sp, p)
		}
		if err != nil {
			return h.invalid(c, err, "webhook/new", p)
		}
		w, secret, err := h.Webhooks.Create(c.UserContext(), actorOf(c), tenantID, d)
		if err != nil {
			return h.invalid(c, err, "webhook/new", p)
		}
		return h.showSecret(c, sp, w, secret)
	}
}

// showSecret is the page that shows an endpoint's secret, once.
func (h *handler) showSecret(c *fiber.Ctx, sp webhookSpace, w *webhook.Webhook, secret string) error {
	p, err := h.webhookPage(c, "webhook.page.secret_title", sp)
	if err != nil {
		return err
	}
	p.V["Webhook"], p.V["Secret"], p.V["Header"] = w, secret, webhook.HeaderSignature
	return h.show(c, "webhook/secret", p)
}

// webhookParam reads the endpoint of the path, which the reader must manage.
func (h *handler) webhookParam(c *fiber.Ctx) (*webhook.Webhook, error) {
	id, err := idParam(c, "webhook")
	if err != nil {
		return nil, err
	}
	return h.Webhooks.Get(c.UserContext(), actorOf(c), id)
}

// showWebhook is an endpoint's page: its form, a new secret, deletion, and the way to its log.
func (h *handler) showWebhook(sp webhookSpace) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := h.webhookParam(c)
		if err != nil {
			return err
		}
		p, err := h.webhookPage(c, "webhook.page.edit_title", sp)
		if err != nil {
			return err
		}
		fillWebhookForm(p, w)
		return h.renderWebhook(c, fiber.StatusOK, p, w)
	}
}

// fillWebhookForm puts an endpoint as it is in its form.
func fillWebhookForm(p *page, w *webhook.Webhook) {
	p.Form["url"], p.Form["description"] = w.URL, w.Description
	if w.Active {
		p.Form["active"] = "on"
	}
	chosen := map[string]bool{}
	for _, e := range w.Events() {
		chosen[e] = true
	}
	p.V["Chosen"] = chosen
}

// renderWebhook shows an endpoint's page with the form on p; the form carries the version it
// was read at, the endpoint's current one unless the form already holds one.
func (h *handler) renderWebhook(c *fiber.Ctx, status int, p *page, w *webhook.Webhook) error {
	if p.Form["version"] == "" {
		p.Form["version"] = strconv.Itoa(w.Version)
	}
	p.V["Webhook"] = w
	return h.renderStatus(c, status, "webhook/edit", p)
}

// refuseWebhook shows an endpoint's page again after a refusal: the input kept, each message
// beside its field (422), or, when the endpoint changed since the page was read, the endpoint
// as it is now with the stale message (409).
func (h *handler) refuseWebhook(c *fiber.Ctx, p *page, id int64, err error) error {
	if !refused(err) {
		return err
	}
	w, gerr := h.Webhooks.Get(c.UserContext(), actorOf(c), id)
	if gerr != nil {
		return gerr
	}
	return h.renderWebhook(c, h.refusal(p, err, i18n.NewError("webhook.page.stale")), p, w)
}

// saveWebhook changes an endpoint read at the form's version.
func (h *handler) saveWebhook(sp webhookSpace) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "webhook")
		if err != nil {
			return err
		}
		p, err := h.webhookPage(c, "webhook.page.edit_title", sp)
		if err != nil {
			return err
		}
		d := readWebhookForm(c, p)
		version, _ := strconv.Atoi(p.Form["version"]) // missing or unreadable: 0, refused as stale
		if _, err := h.Webhooks.Update(c.UserContext(), actorOf(c), id, version, d); err != nil {
			return h.refuseWebhook(c, p, id, err)
		}
		return h.done(c, sp.base, "flash.webhook.saved")
	}
}

// rotateWebhookSecret gives an endpoint read at the form's version a new secret, shown once.
func (h *handler) rotateWebhookSecret(sp webhookSpace) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "webhook")
		if err != nil {
			return err
		}
		version, _ := strconv.Atoi(postValue(c, "version"))
		w, secret, err := h.Webhooks.RotateSecret(c.UserContext(), actorOf(c), id, version)
		if err != nil {
			if !errors.Is(err, apperr.ErrStale) {
				return err
			}
			cur, gerr := h.Webhooks.Get(c.UserContext(), actorOf(c), id)
			if gerr != nil {
				return gerr
			}
			p, perr := h.webhookPage(c, "webhook.page.edit_title", sp)
			if perr != nil {
				return perr
			}
			fillWebhookForm(p, cur)
			return h.renderWebhook(c, h.refusal(p, err, i18n.NewError("webhook.page.stale")), p, cur)
		}
		return h.showSecret(c, sp, w, secret)
	}
}

// deleteWebhook removes an endpoint and its delivery log.
func (h *handler) deleteWebhook(sp webhookSpace) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "webhook")
		if err != nil {
			return err
		}
		if err := h.Webhooks.Delete(c.UserContext(), actorOf(c), id); err != nil {
			return err
		}
		return h.done(c, sp.base, "flash.webhook.deleted")
	}
}

// showDeliveries is an endpoint's delivery log, latest first, filtered by status.
func (h *handler) showDeliveries(sp webhookSpace) fiber.Handler {
	return func(c *fiber.Ctx) error {
		w, err := h.webhookParam(c)
		if err != nil {
			return err
		}
		p, err := h.webhookPage(c, "webhook.page.deliveries_title", sp)
		if err != nil {
			return err
		}
		status := c.Query("status")
		if !slices.Contains(webhook.Statuses, status) {
			status = ""
		}
		p.Form["status"] = status
		pg := pageOf(c)
		ds, more, err := h.Webhooks.Deliveries(c.UserContext(), actorOf(c), w.ID, status, pg)
		if err != nil {
			return err
		}
		rows := make([]deliveryRow, len(ds))
		for i := range ds {
			rows[i] = deliveryRow{ds[i]}
		}
		p.V["Webhook"], p.V["Deliveries"], p.V["Statuses"] = w, rows, webhook.Statuses
		p.V["Pager"] = morePager(c, pg, more)
		return h.show(c, "webhook/deliveries", p)
	}
}

// redeliver posts a delivered or dead delivery again (a pending one is left as it is), and goes
// back to the log.
func (h *handler) redeliver(sp webhookSpace) fiber.Handler {
	return func(c *fiber.Ctx) error {
		wid, err := idParam(c, "webhook")
		if err != nil {
			return err
		}
		did, err := idParam(c, "delivery")
		if err != nil {
			return err
		}
		if _, err := h.Webhooks.Redeliver(c.UserContext(), actorOf(c), wid, did); err != nil {
			return err
		}
		return h.done(c, sp.base+"/"+itoa(wid)+"/deliveries", "flash.webhook.redelivered")
	}
}
