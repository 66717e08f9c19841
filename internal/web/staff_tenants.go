package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/account"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/contract"
	"github.com/valyala/fasthttp"
)

const perPage = 50

// showStaffTenants lists tenants with search: a sales rep's own, or all for agents and admins.
func (h *handler) showStaffTenants(c *fiber.Ctx) error {
	p := h.page(c, "staff.tenants.title")
	p.Form["q"] = c.Query("q")
	n := pageNumber(c)
	ts, total, err := h.Accounts.ListTenants(c.UserContext(), actorOf(c),
		account.TenantFilter{Query: p.Form["q"], Limit: perPage, Offset: (n - 1) * perPage})
	if err != nil {
		return err
	}
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	levels, err := contract.CurrentLevels(c.UserContext(), h.DB, ids, calendar.ParisDate(time.Now()))
	if err != nil {
		return err
	}
	p.V["Tenants"], p.V["Levels"], p.V["Total"] = ts, levels, total
	p.V["Pager"] = newPager(c, n, total)
	return h.show(c, "staff/tenants", p)
}

// showStaffTenant shows one tenant to staff: its roles, members and support-level history.
func (h *handler) showStaffTenant(c *fiber.Ctx) error {
	id, err := idParam(c, "tenant")
	if err != nil {
		return err
	}
	t, err := h.Accounts.StaffTenant(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	members, err := account.Members(c.UserContext(), h.DB, t.ID)
	if err != nil {
		return err
	}
	o, err := contract.TenantOverview(c.UserContext(), h.DB, t, time.Now())
	if err != nil {
		return err
	}
	p := h.page(c, "staff.tenant.title")
	p.V["Tenant"], p.V["Members"], p.V["Contract"] = t, members, o
	return h.show(c, "staff/tenant", p)
}

// pager is the previous/next navigation of a long list.
type pager struct {
	Page, Pages      int
	PrevURL, NextURL string
}

func newPager(c *fiber.Ctx, n, total int) pager {
	pages := (total + perPage - 1) / perPage
	p := pager{Page: n, Pages: max(pages, 1)}
	q := c.Context().QueryArgs()
	link := func(k int) string {
		args := fasthttp.AcquireArgs()
		defer fasthttp.ReleaseArgs(args)
		q.CopyTo(args)
		args.SetUint("page", k)
		return c.Path() + "?" + string(args.QueryString())
	}
	if n > 1 {
		p.PrevURL = link(n - 1)
	}
	if n < pages {
		p.NextURL = link(n + 1)
	}
	return p
}
