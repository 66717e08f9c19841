package web

import (
	"github.com/gofiber/fiber/v2"
)

// showStaffTenants lists tenants with search: a sales rep's own, or all for agents and admins.
func (h *handler) showStaffTenants(c *fiber.Ctx) error {
	p := h.page(c, "staff.tenants.title")
	p.Form["q"] = c.Query("q")
	pg := pageOf(c)
	ts, total, err := h.Contracts.Tenants(c.UserContext(), actorOf(c), p.Form["q"], pg)
	if err != nil {
		return err
	}
	p.V["Tenants"], p.V["Total"], p.V["Pager"] = ts, total, countedPager(c, pg, total)
	return h.show(c, "staff/tenants", p)
}

// showStaffTenant shows one tenant to staff: its roles, members and support-level history.
func (h *handler) showStaffTenant(c *fiber.Ctx) error {
	id, err := idParam(c, "tenant")
	if err != nil {
		return err
	}
	card, err := h.Contracts.StaffTenant(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	p := h.page(c, "staff.tenant.title")
	p.V["Tenant"], p.V["Members"], p.V["Contract"] = card.Tenant, card.Members, card.Contract
	return h.show(c, "staff/tenant", p)
}
