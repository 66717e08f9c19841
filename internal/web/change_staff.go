package web

import (
	"context"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
)

type changeLister func(context.Context, tenancy.Actor, change.Filter, paging.Page) ([]change.Request, int, error)

// showChangeQueue is the agents' work: by default approved, scheduled and implemented requests,
// by work date; the state filter picks one state, or all.
func (h *handler) showChangeQueue(c *fiber.Ctx) error {
	p := h.page(c, "change.queue.title")
	p.V["DefaultStates"] = "change.filter.work"
	return h.changeQueue(c, p, h.Changes.Queue)
}

// showApprovals is the sales rep's approval queue: by default their tenants' submitted requests
// (every tenant's for an admin); the state filter picks one state, or all.
func (h *handler) showApprovals(c *fiber.Ctx) error {
	p := h.page(c, "change.approvals.title")
	p.V["DefaultStates"] = "change.filter.to_decide"
	return h.changeQueue(c, p, h.Changes.Approvals)
}

func (h *handler) changeQueue(c *fiber.Ctx, p *page, list changeLister) error {
	f := changeFilter(c, p)
	pg := pageOf(c)
	rs, total, err := list(c.UserContext(), actorOf(c), f, pg)
	if err != nil {
		return err
	}
	p.V["Requests"], p.V["Total"], p.V["Pager"] = rs, total, countedPager(c, pg, total)
	p.V["States"], p.V["Today"] = change.States, calendar.ParisDate(time.Now())
	return h.show(c, "staff/changes", p)
}

// changeCrumb is where the staff change page sits: the sales rep's approvals, or the agents'
// queue.
func changeCrumb(k identity.Kind) (path, key string) {
	if k == identity.Sales {
		return "/staff/approvals", "nav.staff_approvals"
	}
	return "/staff/changes", "nav.staff_changes"
}

// showStaffChange is a request's page for staff, with the steps their kind may take now.
func (h *handler) showStaffChange(c *fiber.Ctx) error {
	return h.renderStaffChange(c, fiber.StatusOK, h.page(c, "change.page.title"))
}

func (h *handler) renderStaffChange(c *fiber.Ctx, status int, p *page) error {
	id, err := idParam(c, "change")
	if err != nil {
		return err
	}
	r, role, es, err := h.Changes.Get(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	can := map[string]bool{}
	it := &r.Snapshot().Item
	for _, a := range []change.Action{change.Approve, change.Reject, change.Quote, change.Schedule, change.Implement, change.Close} {
		// A service on quote is quoted, never approved outright; only it is quoted.
		can[string(a)] = change.Allowed(r.State, a, role) && change.ItemAllows(it, a) == nil
	}
	if r.IsService() {
		p.V["Quote"] = h.quoteOf(r, p.Lang)
	}
	if _, ok := p.Form["value"]; !ok {
		if n, ok := r.Snapshot().Requested(); ok {
			p.Form["value"] = strconv.FormatInt(n, 10)
		}
	}
	if _, ok := p.Form["date"]; !ok && !r.ScheduledOn.IsZero() {
		p.Form["date"] = r.ScheduledOn.String()
	}
	p.V["Request"], p.V["Snapshot"], p.V["Timeline"], p.V["Can"] = r, r.Snapshot(), es, can
	p.V["CrumbPath"], p.V["CrumbKey"] = changeCrumb(actorOf(c).Kind)
	return h.renderStatus(c, status, "staff/change", p)
}

// stepChange takes a step on a request from the staff page: approve, reject, quote (a service
// on quote), schedule, implement or close. A refusal shows the page again with the form kept.
func (h *handler) stepChange(a change.Action) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := idParam(c, "change")
		if err != nil {
			return err
		}
		// A missing or unreadable version is 0: the service refuses the step as stale.
		version, _ := strconv.Atoi(c.FormValue("version"))
		in := change.StepInput{Action: a, Version: version, Reason: c.FormValue("reason"), Date: c.FormValue("date"), Value: c.FormValue("value"),
			Amount: c.FormValue("amount"), ValidUntil: c.FormValue("valid_until")}
		if _, err := h.Changes.Act(c.UserContext(), actorOf(c), id, in); err != nil {
			if !refused(err) {
				return err
			}
			p := h.page(c, "change.page.title")
			p.Form = formOf(c, "reason", "date", "value", "amount", "valid_until")
			return h.renderStaffChange(c, h.refusal(p, err, i18n.NewError("change.error.stale")), p)
		}
		return h.done(c, "/staff/changes/"+itoa(id), "flash.change."+string(a))
	}
}

// replyToStaffChange adds a public reply or an internal note, with attachments.
func (h *handler) replyToStaffChange(c *fiber.Ctx) error {
	return h.changeReply(c, true, func(p *page) error { return h.renderStaffChange(c, fiber.StatusUnprocessableEntity, p) },
		func(id int64) string { return "/staff/changes/" + itoa(id) })
}
