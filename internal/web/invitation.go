package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
)

// The invitation mail links to /invitation/:token. Opening the link changes nothing (mail
// scanners open links); accepting, declining and creating an account are forms on that page.

// invitationPage is the page of a link: in the customer space for a logged-in customer.
func (h *handler) invitationPage(c *fiber.Ctx) (*page, error) {
	if u := currentUser(c); u != nil && u.Kind == identity.Customer {
		return h.customerPage(c, "invitation.title")
	}
	return h.page(c, "invitation.title"), nil
}

// showInvitation shows what the invitation offers and what its reader can do with it.
func (h *handler) showInvitation(c *fiber.Ctx) error {
	p, err := h.invitationPage(c)
	if err != nil {
		return err
	}
	return h.renderInvitation(c, fiber.StatusOK, p, actorOf(c))
}

// renderInvitation renders the link's page as actor sees it; a link that no longer works gets the
// same "not found" page whatever the reason.
func (h *handler) renderInvitation(c *fiber.Ctx, status int, p *page, actor tenancy.Actor) error {
	token := c.Params("token")
	l, err := h.Tenancy.OpenInvitation(c.UserContext(), actor, token)
	if errors.Is(err, tenancy.ErrBadInvitation) {
		return h.badInvitation(c, p)
	}
	if err != nil {
		return err
	}
	if p.Form["lang"] == "" {
		p.Form["lang"] = p.Lang
	}
	p.V["Link"], p.V["Base"] = l, "/invitation/"+token
	return h.renderStatus(c, status, "invitation/show", p)
}

// badInvitation is the one answer for an unknown, expired, cancelled or answered invitation.
func (h *handler) badInvitation(c *fiber.Ctx, p *page) error {
	p.Title = "invitation.bad_title"
	return h.renderStatus(c, fiber.StatusNotFound, "invitation/bad", p)
}

// acceptInvitation makes the logged-in customer a member, if the invitation is for their address.
func (h *handler) acceptInvitation(c *fiber.Ctx) error {
	inv, err := h.Tenancy.AcceptInvitation(c.UserContext(), actorOf(c), c.Params("token"))
	switch {
	case errors.Is(err, tenancy.ErrBadInvitation), errors.Is(err, tenancy.ErrInvitationOtherAddress):
		p, perr := h.invitationPage(c)
		if perr != nil {
			return perr
		}
		if errors.Is(err, tenancy.ErrBadInvitation) {
			return h.badInvitation(c, p)
		}
		return h.renderInvitation(c, fiber.StatusForbidden, p, actorOf(c))
	case err != nil:
		return err
	}
	return h.joined(c, inv)
}

// joined goes to the home page of the tenant just joined.
func (h *handler) joined(c *fiber.Ctx, inv *tenancy.Invitation) error {
	// The actor resolved for this request predates the membership: resolve it again, under
	// the access version the membership moved (the one read at the start would answer from
	// the cache what was true then).
	ctx, err := h.Identity.ReadAccess(c.UserContext())
	if err != nil {
		return err
	}
	c.SetUserContext(ctx)
	actor, err := h.Tenancy.Resolve(ctx, currentUser(c))
	if err != nil {
		return err
	}
	c.Locals("actor", actor)
	if err := h.Tenancy.SetScope(c.UserContext(), actor, currentSession(c), inv.TenantID); err != nil {
		return err
	}
	return h.done(c, "/", "flash.invitation_accepted")
}

// declineInvitation refuses the invitation; holding the link is enough.
func (h *handler) declineInvitation(c *fiber.Ctx) error {
	if err := h.Tenancy.DeclineInvitation(c.UserContext(), c.Params("token")); err != nil {
		if !errors.Is(err, tenancy.ErrBadInvitation) {
			return err
		}
		p, perr := h.invitationPage(c)
		if perr != nil {
			return perr
		}
		return h.badInvitation(c, p)
	}
	return h.done(c, "/", "flash.invitation_declined")
}

// createInvitedAccount creates the account of an address that has none, as a member of the
// inviting tenant, then sends the person to the login page.
func (h *handler) createInvitedAccount(c *fiber.Ctx) error {
	p, err := h.invitationPage(c)
	if err != nil {
		return err
	}
	p.Form = formOf(c, "login", "display_name", "lang")
	in := tenancy.InvitedAccount{Login: p.Form["login"], DisplayName: p.Form["display_name"], Lang: p.Form["lang"],
		Password: c.FormValue("password"), Confirm: c.FormValue("confirm")}
	_, err = h.Tenancy.CreateInvitedAccount(c.UserContext(), c.Params("token"), in)
	switch {
	case err == nil:
		return h.done(c, "/login", "flash.invited_account_created")
	case errors.Is(err, tenancy.ErrBadInvitation):
		return h.badInvitation(c, p)
	}
	if _, ok := asValidation(err); !ok {
		return err
	}
	h.fieldErrors(p, err)
	// The account form is a visitor's form, whoever is logged in in this browser.
	return h.renderInvitation(c, fiber.StatusUnprocessableEntity, p, tenancy.Actor{})
}

// acceptMyInvitation is the home page's "Accept" button.
func (h *handler) acceptMyInvitation(c *fiber.Ctx) error {
	id, err := idParam(c, "invitation")
	if err != nil {
		return err
	}
	inv, err := h.Tenancy.AcceptInvitationByID(c.UserContext(), actorOf(c), id)
	if err != nil {
		return notFoundIfBadInvitation(err)
	}
	return h.joined(c, inv)
}

// declineMyInvitation is the home page's "Decline" button.
func (h *handler) declineMyInvitation(c *fiber.Ctx) error {
	id, err := idParam(c, "invitation")
	if err != nil {
		return err
	}
	if err := h.Tenancy.DeclineInvitationByID(c.UserContext(), actorOf(c), id); err != nil {
		return notFoundIfBadInvitation(err)
	}
	return h.done(c, "/", "flash.invitation_declined")
}

// notFoundIfBadInvitation: an invitation answered in another tab meanwhile is, to this button,
// one that no longer exists.
func notFoundIfBadInvitation(err error) error {
	if errors.Is(err, tenancy.ErrBadInvitation) {
		return apperr.ErrNotFound
	}
	return err
}
