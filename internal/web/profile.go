package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/identity"
)

// accountPage is a page of the reader's own account (profile, two-factor authentication): for a
// customer, a page of the customer space that keeps its tab bar and Périmètre.
func (h *handler) accountPage(c *fiber.Ctx, title string) (*page, error) {
	if u := currentUser(c); u != nil && u.Kind == identity.Customer {
		return h.customerPage(c, title)
	}
	return h.page(c, title), nil
}

func (h *handler) showProfile(c *fiber.Ctx) error {
	p, err := h.accountPage(c, "profile.title")
	if err != nil {
		return err
	}
	p.Form["lang"] = p.User.Lang
	return h.profile(c, fiber.StatusOK, p)
}

// profile renders the profile page with status: its forms as p holds them, the user's API
// tokens, and the new token form's defaults where that form was not the one sent.
func (h *handler) profile(c *fiber.Ctx, status int, p *page) error {
	if err := h.tokenSection(c, p); err != nil {
		return err
	}
	return h.renderStatus(c, status, "account/profile", p)
}

// profileInvalid shows the profile again with the input kept and each refusal beside its field
// (422); an error that is not a refusal takes the error path.
func (h *handler) profileInvalid(c *fiber.Ctx, err error, p *page) error {
	if _, ok := asValidation(err); !ok {
		return err
	}
	h.fieldErrors(p, err)
	return h.profile(c, fiber.StatusUnprocessableEntity, p)
}

func (h *handler) saveLanguage(c *fiber.Ctx) error {
	p, err := h.accountPage(c, "profile.title")
	if err != nil {
		return err
	}
	p.Form = formOf(c, "lang")
	if err = h.Identity.SetLanguage(c.UserContext(), actorOf(c).Actor, p.Form["lang"]); err != nil {
		return h.profileInvalid(c, err, p)
	}
	h.setCookie(c, langCookie, p.Form["lang"], langCookieAge)
	return h.done(c, "/profile", "flash.saved")
}

// changePassword keeps this session and ends the user's others. After too many wrong current
// passwords the page comes back with 429 and says how long to wait.
func (h *handler) changePassword(c *fiber.Ctx) error {
	p, err := h.accountPage(c, "profile.title")
	if err != nil {
		return err
	}
	p.Form["lang"] = p.User.Lang
	token, _ := c.Locals("session_token").(string)
	err = h.Identity.ChangePassword(c.UserContext(), actorOf(c).Actor, c.FormValue("current"), c.FormValue("password"), c.FormValue("confirm"), token)
	if errors.Is(err, identity.ErrTooManyAttempts) {
		h.fieldErrors(p, err)
		return h.profile(c, fiber.StatusTooManyRequests, p)
	}
	if err != nil {
		return h.profileInvalid(c, err, p)
	}
	return h.done(c, "/profile", "flash.password_changed")
}
