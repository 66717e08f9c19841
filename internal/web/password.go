package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/identity"
)

func (h *handler) showForgotPassword(c *fiber.Ctx) error {
	return h.show(c, "auth/forgot", h.page(c, "password.forgot.title"))
}

// requestPasswordReset answers the same whether or not the account exists.
func (h *handler) requestPasswordReset(c *fiber.Ctx) error {
	p := h.page(c, "password.forgot.title")
	p.Form = formOf(c, "login")
	if err := h.Identity.RequestPasswordReset(c.UserContext(), p.Form["login"]); err != nil {
		return h.invalid(c, err, "auth/forgot", p)
	}
	return h.done(c, "/login", "flash.reset_sent")
}

// showSetPassword is the page a password link opens: welcome or forgotten password.
func (h *handler) showSetPassword(c *fiber.Ctx) error {
	p := h.page(c, "password.reset.title")
	u, purpose, err := h.Identity.PasswordLinkUser(c.UserContext(), c.Params("token"))
	if errors.Is(err, identity.ErrBadLink) {
		return h.badLink(c, p)
	}
	if err != nil {
		return err
	}
	p.V["Login"], p.V["Welcome"] = u.Login, purpose == identity.PurposeWelcome
	return h.show(c, "auth/reset", p)
}

func (h *handler) setPassword(c *fiber.Ctx) error {
	p := h.page(c, "password.reset.title")
	u, purpose, err := h.Identity.UsePasswordLink(c.UserContext(), c.Params("token"), c.FormValue("password"), c.FormValue("confirm"))
	switch {
	case errors.Is(err, identity.ErrBadLink):
		return h.badLink(c, p)
	case err != nil && u != nil:
		p.V["Login"], p.V["Welcome"] = u.Login, purpose == identity.PurposeWelcome
		return h.invalid(c, err, "auth/reset", p)
	case err != nil:
		return err
	}
	return h.done(c, "/login", "flash.password_set")
}

// badLink explains an expired, used or forged link, and offers a new one.
func (h *handler) badLink(c *fiber.Ctx, p *page) error {
	p.Title = "password.bad_link.title"
	return h.renderStatus(c, fiber.StatusGone, "auth/bad_link", p)
}
