package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/change"
)

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
