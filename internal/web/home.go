package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
)

// showHome is where a user lands. A customer's home shows what needs them across all their
// tenants, their recent tickets and each tenant's level; staff land on their own work: agents on
// the incident queue, sales reps on their desk, admins on the overview.
func (h *handler) showHome(c *fiber.Ctx) error {
	if u := currentUser(c); u.Kind.Staff() {
		return c.Redirect(staffLanding(u.Kind), fiber.StatusSeeOther)
	}
	p, err := h.customerPage(c, "home.title")
	if err != nil {
		return err
	}
	if err := h.homeInvitations(c, p); err != nil {
		return err
	}
	ctx, actor := c.UserContext(), actorOf(c)
	incs, err := h.Incidents.ForCustomerHome(ctx, actor, homeLimit)
	if err != nil {
		return err
	}
	chs, err := h.Changes.ForCustomerHome(ctx, actor, homeLimit)
	if err != nil {
		return err
	}
	levels, err := h.Contracts.MyLevels(ctx, actor)
	if err != nil {
		return err
	}
	p.V["Incidents"], p.V["Changes"], p.V["Levels"] = incs, chs, levels
	p.V["ToDo"] = len(incs.Waiting) + len(incs.ToConfirm) + len(p.V["Invitations"].([]tenancy.Invitation))
	p.V["Several"] = len(p.Tenants) > 1
	if err := h.majorBanner(c, p, tenantIDs(p.Tenants)...); err != nil {
		return err
	}
	return h.show(c, "customer/home", p)
}

// homeLimit is the length of each list of the customer home.
const homeLimit = 5

// staffLanding is the page a staff member lands on: their own queue.
func staffLanding(k identity.Kind) string {
	switch k {
	case identity.Agent:
		return "/staff/incidents"
	case identity.Sales:
		return "/staff/sales"
	case identity.Admin:
		return "/admin"
	}
	return "/staff/tenants"
}

func (h *handler) homeInvitations(c *fiber.Ctx, p *page) error {
	invs, err := h.Tenancy.MyInvitations(c.UserContext(), actorOf(c))
	p.V["Invitations"] = invs
	return err
}

// chooseScope is the Périmètre / Scope selector.
func (h *handler) chooseScope(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.FormValue("tenant"), 10, 64)
	if err != nil {
		return apperr.ErrNotFound
	}
	if err := h.Tenancy.SetScope(c.UserContext(), actorOf(c), currentSession(c), id); err != nil {
		return err
	}
	return c.Redirect(scopeTarget(c.FormValue("next")), fiber.StatusSeeOther)
}

// scopeTarget keeps the reader on the same tab after a scope change, but not on an object of
// the previous tenant.
func scopeTarget(next string) string {
	switch p := localPath(next); p {
	case "/incidents", "/incidents/new", "/changes", "/contract", "/users":
		return p
	}
	return "/"
}
