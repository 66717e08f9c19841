package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
)

// pendingCookie holds the token of a login that passed the password and waits for its code. It
// is not the session cookie: until the code is given, the browser is logged in nowhere.
const pendingCookie = "guichet_login"

// showSecondStep asks for the code of the authenticator app, or a recovery code.
func (h *handler) showSecondStep(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	if _, err := h.Identity.PendingLogin(c.UserContext(), c.Cookies(pendingCookie)); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return h.loginAgain(c)
		}
		return err
	}
	return h.show(c, "auth/second_step", h.page(c, "login.code.title"))
}

// secondStep checks the code; a right one opens the session. A wrong one counts as a failed
// login: the fifth locks the account, and the login starts again.
func (h *handler) secondStep(c *fiber.Ctx) error {
	p := h.page(c, "login.code.title")
	u, err := h.Identity.CompleteLogin(c.UserContext(), c.Cookies(pendingCookie), c.FormValue("code"))
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		return h.loginAgain(c)
	case err != nil:
		return h.invalid(c, err, "auth/second_step", p)
	}
	h.clearCookie(c, pendingCookie)
	return h.openSession(c, u)
}

// loginAgain sends a second step without a live pending login (expired, locked, never started)
// back to the login page.
func (h *handler) loginAgain(c *fiber.Ctx) error {
	h.clearCookie(c, pendingCookie)
	return h.done(c, "/login", "flash.login_again")
}
