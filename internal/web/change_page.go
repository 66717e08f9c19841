package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/i18n"
)

// showChange is a request's page for the customer: its values from the snapshot it was made
// with, its timeline, replies and attachments. A request of another of the customer's tenants
// (a mail link, "all my tenants") makes that tenant the scope, so that the tabs that follow are
// its own.
func (h *handler) showChange(c *fiber.Ctx) error {
	id, err := idParam(c, "change")
	if err != nil {
		return err
	}
	r, _, _, err := h.Changes.Get(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	p, err := h.customerPage(c, "change.page.title")
	if err != nil {
		return err
	}
	if (p.Scope == nil || p.Scope.Tenant.ID != r.TenantID) && c.Method() == fiber.MethodGet {
		if p, err = h.switchScope(c, p, r.TenantID); err != nil {
			return err
		}
	}
	return h.renderChange(c, fiber.StatusOK, p)
}

func (h *handler) renderChange(c *fiber.Ctx, status int, p *page) error {
	id, err := idParam(c, "change")
	if err != nil {
		return err
	}
	r, role, es, err := h.Changes.Get(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	p.V["Request"], p.V["Snapshot"], p.V["Timeline"] = r, r.Snapshot(), es
	p.V["CanCancel"] = change.Allowed(r.State, change.Cancel, role)
	if r.IsService() {
		quoted := r.Snapshot().Item.Quoted()
		p.V["Quote"] = h.quoteOf(r, p.Lang)
		p.V["CanAnswer"] = quoted && change.Allowed(r.State, change.Accept, role)
		p.V["QuoteWaiting"] = quoted && r.State == change.Submitted
		servicesTab(p)
	}
	return h.renderStatus(c, status, "customer/change", p)
}

// servicesTab makes the Services tab the current one on a service order's page, which lives
// under /changes with the other requests.
func servicesTab(p *page) {
	for i := range p.Tabs {
		switch p.Tabs[i].Path {
		case "/services":
			p.Tabs[i].Active = true
		case "/changes":
			p.Tabs[i].Active = false
		}
	}
}

// replyToChange adds the customer's public reply, with attachments.
func (h *handler) replyToChange(c *fiber.Ctx) error {
	return h.changeReply(c, false, func(p *page) error { return h.renderChange(c, fiber.StatusUnprocessableEntity, p) },
		func(id int64) string { return "/changes/" + itoa(id) })
}

// changeReply reads a reply and its files, records it, and on a refusal shows the page again
// with the message kept.
func (h *handler) changeReply(c *fiber.Ctx, staffSide bool, again func(*page) error, back func(int64) string) error {
	id, err := idParam(c, "change")
	if err != nil {
		return err
	}
	in, err := h.readReply(c, staffSide)
	if err == nil {
		err = h.Changes.Reply(c.UserContext(), actorOf(c), id, in.Body, in.Internal, in.Files)
	}
	if err != nil {
		if _, ok := asValidation(err); !ok {
			return err
		}
		p, perr := h.changePage(c, staffSide)
		if perr != nil {
			return perr
		}
		in.keep(p)
		h.fieldErrors(p, err)
		return again(p)
	}
	return h.done(c, back(id), "flash.change.replied")
}

// changePage starts a change page for the customer or the staff side.
func (h *handler) changePage(c *fiber.Ctx, staffSide bool) (*page, error) {
	if staffSide {
		return h.page(c, "change.page.title"), nil
	}
	return h.customerPage(c, "change.page.title")
}

// cancelChange cancels the request for its requester, before implementation, from the page of
// the version the form carries. A cancellation the rules allow is confirmed first (the dialog,
// or the confirmation page without script); one they refuse is refused at once.
func (h *handler) cancelChange(c *fiber.Ctx) error {
	id, err := idParam(c, "change")
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	r, role, _, err := h.Changes.Get(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	if change.Allowed(r.State, change.Cancel, role) && r.Version == version {
		p, err := h.customerPage(c, "change.page.title")
		if err != nil {
			return err
		}
		cf := confirmation{Question: "change.cancel.question", Consequence: "change.cancel.consequence",
			Args: map[string]any{"Number": r.Number(), "Item": r.Snapshot().Item.Label.In(p.Lang)}, Button: "change.cancel.button",
			Back: "/changes/" + itoa(id), Keep: []string{"version"}}
		if ok, err := h.confirmed(c, p, cf); !ok {
			return err
		}
	}
	if _, err := h.Changes.Act(c.UserContext(), actorOf(c), id, change.StepInput{Action: change.Cancel, Version: version}); err != nil {
		if !refused(err) {
			return err
		}
		p, perr := h.customerPage(c, "change.page.title")
		if perr != nil {
			return perr
		}
		return h.renderChange(c, h.refusal(p, err, i18n.NewError("change.error.stale")), p)
	}
	return h.done(c, "/changes/"+itoa(id), "flash.change.cancel")
}
