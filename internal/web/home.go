package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
)

// showHome is where a user lands: the scoped tenant's home for a customer, with the invitations
// to their address waiting for an answer, and the tenant list for staff.
func (h *handler) showHome(c *fiber.Ctx) error {
	if currentUser(c).Kind.Staff() {
		return c.Redirect("/staff/tenants", fiber.StatusSeeOther)
	}
	p, err := h.customerPage(c, "home.title")
	if err != nil {
		return err
	}
	if err := h.homeInvitations(c, p); err != nil {
		return err
	}
	return h.show(c, "customer/home", p)
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
