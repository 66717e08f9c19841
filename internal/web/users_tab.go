package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/tenancy"
)

// scopeID is the tenant the customer works on; a customer without a tenant has none to manage.
func (h *handler) scopeID(c *fiber.Ctx) (int64, error) {
	a, err := h.scope(c)
	if err != nil {
		return 0, err
	}
	return a.Tenant.ID, nil
}

func (h *handler) showMembers(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "users.title")
	if err != nil {
		return err
	}
	return h.renderMembers(c, fiber.StatusOK, p)
}

func (h *handler) renderMembers(c *fiber.Ctx, status int, p *page) error {
	if p.Scope == nil {
		return apperr.ErrNotFound
	}
	actor, tenantID := actorOf(c), p.Scope.Tenant.ID
	_, ms, err := h.Tenancy.Members(c.UserContext(), actor, tenantID)
	if err != nil {
		return err
	}
	invs, err := h.Tenancy.Invitations(c.UserContext(), actor, tenantID)
	if err != nil {
		return err
	}
	p.V["Members"], p.V["Invitations"], p.V["Now"] = ms, invs, h.Tenancy.Now()
	if p.Form["lang"] == "" {
		p.Form["lang"] = p.Lang
	}
	return h.renderStatus(c, status, "customer/users", p)
}

func rightsOf(c *fiber.Ctx) tenancy.Rights {
	return tenancy.Rights{
		Incidents: c.FormValue("incidents") == "on",
		Changes:   c.FormValue("changes") == "on",
		Contract:  c.FormValue("contract") == "on",
		Users:     c.FormValue("users") == "on",
		Services:  c.FormValue("services") == "on",
	}
}

// invite invites the address typed. Its answer is the same whether the address is unknown, a
// staff member's or a customer's: the flash, and a pending row showing the address as typed.
func (h *handler) invite(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "users.title")
	if err != nil {
		return err
	}
	if p.Scope == nil {
		return apperr.ErrNotFound
	}
	p.Form = formOf(c, "email", "lang", "incidents", "changes", "contract", "users", "services")
	in := tenancy.NewInvitation{Email: p.Form["email"], Lang: p.Form["lang"], Rights: rightsOf(c)}
	if err := h.Tenancy.Invite(c.UserContext(), actorOf(c), p.Scope.Tenant.ID, in); err != nil {
		if _, ok := asValidation(err); ok {
			return h.invalidMembers(c, err, p)
		}
		return err
	}
	return h.done(c, "/users", "flash.invitation_sent")
}

// cancelInvitation withdraws a pending invitation of the scoped tenant.
func (h *handler) cancelInvitation(c *fiber.Ctx) error {
	id, err := idParam(c, "invitation")
	if err != nil {
		return err
	}
	tenantID, err := h.scopeID(c)
	if err != nil {
		return err
	}
	if err := h.Tenancy.CancelInvitation(c.UserContext(), actorOf(c), tenantID, id); err != nil {
		return err
	}
	return h.done(c, "/users", "flash.invitation_cancelled")
}

func (h *handler) invalidMembers(c *fiber.Ctx, err error, p *page) error {
	h.fieldErrors(p, err)
	return h.renderMembers(c, fiber.StatusUnprocessableEntity, p)
}

func (h *handler) showMember(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "users.edit_title")
	if err != nil {
		return err
	}
	return h.renderMember(c, fiber.StatusOK, p)
}

func (h *handler) renderMember(c *fiber.Ctx, status int, p *page) error {
	tenantID, userID, err := h.memberIDs(c)
	if err != nil {
		return err
	}
	a, m, err := h.Tenancy.Member(c.UserContext(), actorOf(c), tenantID, userID)
	if err != nil {
		return err
	}
	p.V["Member"], p.V["Access"] = m, a
	if err := h.memberOffers(c, p, tenantID, userID); err != nil {
		return err
	}
	return h.renderStatus(c, status, "customer/member", p)
}

func (h *handler) memberIDs(c *fiber.Ctx) (tenantID, userID int64, err error) {
	if userID, err = idParam(c, "user"); err != nil {
		return 0, 0, err
	}
	tenantID, err = h.scopeID(c)
	return tenantID, userID, err
}

func (h *handler) saveMemberRights(c *fiber.Ctx) error {
	tenantID, userID, err := h.memberIDs(c)
	if err != nil {
		return err
	}
	if err := h.Tenancy.SetRights(c.UserContext(), actorOf(c), tenantID, userID, rightsOf(c)); err != nil {
		if _, ok := asValidation(err); !ok {
			return err
		}
		p, perr := h.customerPage(c, "users.edit_title")
		if perr != nil {
			return perr
		}
		h.fieldErrors(p, err)
		p.V["Rights"] = rightsOf(c) // the boxes as they were sent
		return h.renderMember(c, fiber.StatusUnprocessableEntity, p)
	}
	return h.done(c, "/users", "flash.saved")
}

// memberAction runs one of the member page's buttons and goes back to the list. preview reads
// what the action would do, or the refusal the action would give (such as removing the
// referent), shown on the list itself; the action then asks for confirmation naming its
// consequence (the page's dialog, or the confirmation page without script) and runs once the
// POST carries it.
func (h *handler) memberAction(c *fiber.Ctx, flash string, preview previewFunc, ask askFunc, act func(tenantID, userID int64) error) error {
	tenantID, userID, err := h.memberIDs(c)
	if err != nil {
		return err
	}
	pv, err := preview(c, tenantID, userID)
	if err == nil && c.FormValue(confirmField) != "1" {
		p, perr := h.customerPage(c, "users.title")
		if perr != nil {
			return perr
		}
		_, err := h.confirmed(c, p, ask(p.Lang, pv))
		return err
	}
	if err == nil {
		err = act(tenantID, userID)
	}
	if err != nil {
		if _, ok := asValidation(err); !ok {
			return err
		}
		p, perr := h.customerPage(c, "users.title")
		if perr != nil {
			return perr
		}
		return h.invalidMembers(c, err, p)
	}
	return h.done(c, "/users", flash)
}

func (h *handler) removeMember(c *fiber.Ctx) error {
	return h.memberAction(c, "flash.member_removed", h.previewRemoval, h.removeConfirmation, func(t, u int64) error {
		return h.Tenancy.RemoveMember(c.UserContext(), actorOf(c), t, u)
	})
}

func (h *handler) makeReferent(c *fiber.Ctx) error {
	return h.memberAction(c, "flash.referent_changed", h.previewReferent, h.referentConfirmation, func(t, u int64) error {
		return h.Tenancy.ChangeReferent(c.UserContext(), actorOf(c), t, u)
	})
}

func (h *handler) makeOwner(c *fiber.Ctx) error {
	return h.memberAction(c, "flash.owner_changed", h.previewOwner, h.ownerConfirmation, func(t, u int64) error {
		return h.Tenancy.ChangeOwner(c.UserContext(), actorOf(c), t, u)
	})
}

// withdraw removes the customer's own membership of the scoped tenant, once confirmed. The
// referent and the domain owner are refused at once, without being asked to confirm.
func (h *handler) withdraw(c *fiber.Ctx) error {
	a, err := h.scope(c)
	if err != nil {
		return err
	}
	tenantID := a.Tenant.ID
	if !a.Referent && !a.Owner && c.FormValue(confirmField) != "1" {
		p, perr := h.customerPage(c, "home.title")
		if perr != nil {
			return perr
		}
		_, err := h.confirmed(c, p, confirmation{Question: "users.withdraw_question", Consequence: "users.withdraw_consequence",
			Args: map[string]any{"Code": a.Tenant.Code}, Button: "home.withdraw_confirm", Back: "/"})
		return err
	}
	if err := h.Tenancy.Withdraw(c.UserContext(), actorOf(c), tenantID); err != nil {
		if _, ok := asValidation(err); !ok {
			return err
		}
		p, perr := h.customerPage(c, "home.title")
		if perr != nil {
			return perr
		}
		h.fieldErrors(p, err)
		if err := h.homeInvitations(c, p); err != nil {
			return err
		}
		return h.renderStatus(c, fiber.StatusUnprocessableEntity, "customer/home", p)
	}
	return h.done(c, "/", "flash.withdrawn")
}
