package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/identity"
)

func (h *handler) showLogin(c *fiber.Ctx) error {
	if currentUser(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return h.show(c, "auth/login", h.page(c, "login.title"))
}

// login checks the credentials. An unknown login, a wrong password and a locked account get the
// same page, status and message. A user with two-factor authentication goes on to the second
// step; the others get their session at once.
func (h *handler) login(c *fiber.Ctx) error {
	p := h.page(c, "login.title")
	p.Form = formOf(c, "login")
	u, err := h.Identity.Authenticate(c.UserContext(), p.Form["login"], c.FormValue("password"))
	if errors.Is(err, identity.ErrBadCredentials) || errors.Is(err, identity.ErrLocked) {
		return h.invalid(c, err, "auth/login", p)
	}
	if err != nil {
		return err
	}
	if u.TwoFactor() {
		token, err := h.Identity.StartPendingLogin(c.UserContext(), u)
		if err != nil {
			return err
		}
		h.setCookie(c, pendingCookie, token, identity.PendingLoginLifetime)
		return c.Redirect("/login/code", fiber.StatusSeeOther)
	}
	return h.openSession(c, u)
}

// openSession replaces any session the browser had with a new one for u.
func (h *handler) openSession(c *fiber.Ctx, u *identity.User) error {
	if old := c.Cookies(sessionCookie); old != "" {
		if err := h.Identity.EndSession(c.UserContext(), old); err != nil {
			return err
		}
	}
	token, err := h.Identity.StartSession(c.UserContext(), u)
	if err != nil {
		return err
	}
	h.setCookie(c, sessionCookie, token, h.Config.SessionMax)
	h.setCookie(c, langCookie, u.Lang, langCookieAge)
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (h *handler) logout(c *fiber.Ctx) error {
	if token := c.Cookies(sessionCookie); token != "" {
		if err := h.Identity.EndSession(c.UserContext(), token); err != nil {
			return err
		}
	}
	h.clearCookie(c, sessionCookie)
	return h.done(c, "/login", "flash.logged_out")
}

// switchLanguage is the switcher on every page: it sets the lang cookie and, for a logged-in
// user, the preference, which would otherwise win over the cookie.
func (h *handler) switchLanguage(c *fiber.Ctx) error {
	lang := c.FormValue("lang")
	if !identity.ValidLang(lang) {
		return fiber.NewError(fiber.StatusBadRequest)
	}
	h.setCookie(c, langCookie, lang, langCookieAge)
	if u := currentUser(c); u != nil {
		if err := h.Identity.SetLanguage(c.UserContext(), actorOf(c).Actor, lang); err != nil {
			return err
		}
	}
	return c.Redirect(localPath(c.FormValue("next")), fiber.StatusSeeOther)
}
