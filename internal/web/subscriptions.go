package web

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/subscription"
)

// The Subscriptions tab: the scoped tenant's subscriptions (reserved ECS instances, Workspace
// reservations), and for each with instances left a form that cancels some or all of them,
// effective on the first day of the next month.

// subscriptionRow is a subscription as the tab shows it.
type subscriptionRow struct {
	*subscription.Subscription
	// Template is the template's label in the reader's language, or its code when the service
	// catalogue no longer names it.
	Template string
	// Field is the name its cancel form's instances input answers to in the page's form and
	// errors: every row has its own.
	Field string
}

// instancesField is the page's name of subscription id's instances input.
func instancesField(id int64) string { return "instances-" + itoa(id) }

// templateLabel is the label of a subscription's template: an option of the template field of
// the service item that makes subscriptions of its kind.
func (h *handler) templateLabel(lang string, s *subscription.Subscription) string {
	code := "workspace"
	if s.Kind != subscription.Workspace {
		code = "ecs_reserved"
	}
	if h.Changes == nil || h.Changes.Services == nil {
		return s.Template
	}
	it, ok := h.Changes.Services.Item(code)
	if !ok {
		return s.Template
	}
	f, ok := it.Field(change.FieldTemplate)
	if !ok {
		return s.Template
	}
	if o, ok := f.Option(s.Template); ok {
		return o.Label.In(lang)
	}
	return s.Template
}

// showSubscriptions lists the scoped tenant's subscriptions. After a cancellation, the page
// says when it takes effect (?on=, with its flash).
func (h *handler) showSubscriptions(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "subscription.list.title")
	if err != nil {
		return err
	}
	if p.Scope == nil {
		return apperr.ErrNotFound
	}
	if p.Flash == "flash.subscription.cancelled" {
		if on, err := calendar.ParseDate(c.Query("on")); err == nil {
			p.Flash, p.V["CancelledOn"] = "", on
		}
	}
	return h.renderSubscriptions(c, fiber.StatusOK, p)
}

// renderSubscriptions fills and renders the tab with the input p keeps. A message for a
// subscription whose form the page does not show (one with no instance left to cancel, or
// another tenant's, posted from a page opened before the scope changed) is shown at the top.
func (h *handler) renderSubscriptions(c *fiber.Ctx, status int, p *page) error {
	subs, err := h.Subscriptions.List(c.UserContext(), actorOf(c), p.Scope.Tenant.ID)
	if err != nil {
		return err
	}
	rows := make([]subscriptionRow, len(subs))
	shown := map[string]bool{}
	for i, s := range subs {
		rows[i] = subscriptionRow{Subscription: s, Template: h.templateLabel(p.Lang, s), Field: instancesField(s.ID)}
		shown[rows[i].Field] = s.Cancellable() > 0 // a row without instances left has no form
	}
	for k, msg := range p.Errors {
		if strings.HasPrefix(k, "instances-") && !shown[k] {
			delete(p.Errors, k)
			if _, taken := p.Errors[""]; !taken {
				p.Errors[""] = msg
			}
		}
	}
	p.V["Subscriptions"] = rows
	p.V["EffectiveOn"] = subscription.EffectiveOn(time.Now())
	return h.renderStatus(c, status, "customer/subscriptions", p)
}

// cancelSubscription schedules the cancellation of the instances the form names, and goes back
// to the tab, which says when it takes effect; refused, the tab comes back with the message
// beside that subscription's field and the input kept, or, from a page out of date, with the
// stale message and the subscription as it is now.
func (h *handler) cancelSubscription(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "subscription.list.title")
	if err != nil {
		return err
	}
	if p.Scope == nil {
		return apperr.ErrNotFound
	}
	id, err := idParam(c, "subscription")
	if err != nil {
		return err
	}
	field := instancesField(id)
	p.Form[field] = strings.TrimSpace(c.FormValue("instances"))
	// A missing or unreadable version is stale (0 is no subscription's version).
	version, _ := strconv.Atoi(c.FormValue("version"))
	cn, err := h.Subscriptions.Cancel(c.UserContext(), actorOf(c), id, subscription.CancelInput{Instances: p.Form[field], Version: version})
	if err != nil {
		if !refused(err) {
			return err
		}
		status := h.refusal(p, err, i18n.NewError("subscription.error.stale"))
		if msg, ok := p.Errors["instances"]; ok {
			delete(p.Errors, "instances")
			p.Errors[field] = msg
		}
		return h.renderSubscriptions(c, status, p)
	}
	return h.done(c, "/subscriptions?on="+cn.EffectiveOn.String(), "flash.subscription.cancelled")
}
