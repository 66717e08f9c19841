package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/identity"
)

func (h *handler) showProfile(c *fiber.Ctx) error {
	p := h.page(c, "profile.title")
	p.Form["lang"] = p.User.Lang
	return h.show(c, "account/profile", p)
}

func (h *handler) saveLanguage(c *fiber.Ctx) error {
	p := h.page(c, "profile.title")
	p.Form = formOf(c, "lang")
	if err := h.Identity.SetLanguage(c.UserContext(), actorOf(c).Actor, p.Form["lang"]); err != nil {
		return h.invalid(c, err, "account/profile", p)
	}
	h.setCookie(c, langCookie, p.Form["lang"], langCookieAge)
	return h.done(c, "/profile", "flash.saved")
}

// changePassword keeps this session and ends the user's others. After too many wrong current
// passwords the page comes back with 429 and says how long to wait.
func (h *handler) changePassword(c *fiber.Ctx) error {
	p := h.page(c, "profile.title")
	p.Form["lang"] = p.User.Lang
	token, _ := c.Locals("session_token").(string)
	err := h.Identity.ChangePassword(c.UserContext(), actorOf(c).Actor, c.FormValue("current"), c.FormValue("password"), c.FormValue("confirm"), token)
	if errors.Is(err, identity.ErrTooManyAttempts) {
		h.fieldErrors(p, err)
		return h.renderStatus(c, fiber.StatusTooManyRequests, "account/profile", p)
	}
	if err != nil {
		return h.invalid(c, err, "account/profile", p)
	}
	return h.done(c, "/profile", "flash.password_changed")
}
