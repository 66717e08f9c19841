package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
)

// stateAll is the state filter's value for every state, where a list's default is a few.
const stateAll = "all"

// changeFilter reads the list's filters: a state (anything else means the list's default: every
// state for a customer, the work in progress for staff; "all" every state) and text.
func changeFilter(c *fiber.Ctx, p *page) change.Filter {
	p.Form["state"], p.Form["q"] = c.Query("state"), c.Query("q")
	var f change.Filter
	switch st := change.State(p.Form["state"]); {
	case st.Valid():
		f.States = []change.State{st}
	case p.Form["state"] == stateAll:
		f.States = change.States
	default:
		p.Form["state"] = ""
	}
	f.Query = p.Form["q"]
	return f
}

// customerChanges reads the customer's list as the query asks: the scoped tenant's requests, or
// those of every tenant they hold the changes right on with ?all=1 (as the incidents list). It
// answers the page of requests, their count and the tenants "all my tenants" covers.
func (h *handler) customerChanges(c *fiber.Ctx, p *page, f change.Filter, pg paging.Page) ([]change.Request, int, []tenancy.Tenant, error) {
	ts, err := h.Changes.Tenants(c.UserContext(), actorOf(c))
	if err != nil {
		return nil, 0, nil, err
	}
	p.V["Several"] = len(ts) > 1
	// ?scope=all is read too, the home's first link.
	if (c.Query("all") == "1" || c.Query("scope") == "all") && len(ts) > 0 {
		p.Form["all"], p.V["All"] = "1", true
		return h.Changes.ListAll(c.UserContext(), actorOf(c), f, pg)
	}
	rs, total, err := h.Changes.List(c.UserContext(), actorOf(c), p.Scope.Tenant.ID, f, pg)
	return rs, total, ts, err
}

// showChanges lists the scoped tenant's change requests, or all the customer's tenants' with
// ?all=1, with filters and pages.
func (h *handler) showChanges(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "change.list.title")
	if err != nil {
		return err
	}
	if p.Scope == nil {
		return apperr.ErrNotFound
	}
	pg := pageOf(c)
	rs, total, _, err := h.customerChanges(c, p, changeFilter(c, p), pg)
	if err != nil {
		return err
	}
	p.V["Requests"], p.V["Total"], p.V["States"] = rs, total, change.States
	p.V["Pager"] = countedPager(c, pg, total)
	p.V["Today"] = calendar.ParisDate(time.Now())
	p.V["ExportURL"] = "/changes/export.csv?" + string(c.Context().QueryArgs().QueryString())
	return h.show(c, "customer/changes", p)
}
