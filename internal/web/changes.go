package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/change"
)

// changeRoutes declares the routes of this capability; registerRoutes calls it.
func (h *handler) changeRoutes(r *router) {
	r.get("/changes", customer, h.showChanges)
	r.get("/changes/export.csv", customer, h.exportChanges)
	r.get("/changes/new", customer, h.showNewChange)
	r.post("/changes/new", customer, h.reviewChange)
	r.post("/changes", customer, h.submitChange)
	r.get("/changes/:change", customer, h.showChange)
	r.get("/changes/:change/confirmation", customer, h.showChangeConfirmation)
	r.post("/changes/:change/replies", customer, h.replyToChange)
	r.post("/changes/:change/cancel", customer, h.cancelChange)

	r.get("/staff/changes", agent, h.showChangeQueue)
	r.get("/staff/approvals", sales, h.showApprovals)
	r.get("/staff/changes/:change", staff, h.showStaffChange)
	r.post("/staff/changes/:change/approve", sales, h.stepChange(change.Approve))
	r.post("/staff/changes/:change/reject", sales, h.stepChange(change.Reject))
	r.post("/staff/changes/:change/schedule", agent, h.stepChange(change.Schedule))
	r.post("/staff/changes/:change/implement", agent, h.stepChange(change.Implement))
	r.post("/staff/changes/:change/close", agent, h.stepChange(change.Close))
	r.post("/staff/changes/:change/replies", staff, h.replyToStaffChange)

	h.readable(change.SubjectKind, func(c *fiber.Ctx, id int64) error {
		return h.Changes.CanRead(c.UserContext(), actorOf(c), id)
	})
}

// changeFilter reads the list's filters: a state (anything else means every state) and text.
func changeFilter(c *fiber.Ctx, p *page) change.Filter {
	p.Form["state"], p.Form["q"] = c.Query("state"), c.Query("q")
	var f change.Filter
	if st := change.State(p.Form["state"]); st.Valid() {
		f.States = []change.State{st}
	} else {
		p.Form["state"] = ""
	}
	f.Query = p.Form["q"]
	return f
}

// showChanges lists the scoped tenant's change requests, with filters and pages.
func (h *handler) showChanges(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "change.list.title")
	if err != nil {
		return err
	}
	if p.Scope == nil {
		return apperr.ErrNotFound
	}
	pg := pageOf(c)
	rs, total, err := h.Changes.List(c.UserContext(), actorOf(c), p.Scope.Tenant.ID, changeFilter(c, p), pg)
	if err != nil {
		return err
	}
	p.V["Requests"], p.V["Total"], p.V["States"] = rs, total, change.States
	p.V["Pager"] = countedPager(c, pg, total)
	p.V["ExportURL"] = "/changes/export.csv?" + string(c.Context().QueryArgs().QueryString())
	return h.show(c, "customer/changes", p)
}
