package web

import (
	"github.com/gofiber/fiber/v2"
)

// showAdminTokens lists every user's active tokens for an admin, newest first, each with the
// button that revokes it.
func (h *handler) showAdminTokens(c *fiber.Ctx) error {
	ts, err := h.Identity.AllTokens(c.UserContext(), actorOf(c).Actor)
	if err != nil {
		return err
	}
	p := h.page(c, "token.admin.title")
	p.V["Tokens"] = tokenRows(ts, h.Identity.Now())
	return h.show(c, "admin/tokens", p)
}

// revokeAnyToken is an admin's revoke, from the list of every token.
func (h *handler) revokeAnyToken(c *fiber.Ctx) error {
	return h.revokeTokenThen(c, "/admin/tokens")
}
