package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/identity"
)

// enrolPaths are all a staff user without two-factor authentication may open while the desk
// requires it (GUICHET_STAFF_2FA=required): the enrolment page, the language switch and logout.
var enrolPaths = map[string]bool{"/profile/2fa": true, "/lang": true, "/logout": true}

// twoFactorGate sends such a user to the enrolment page from anywhere else. It runs before every
// route; the requirement is read from the user row loaded with the session, so it holds for
// sessions opened before it was set and after an administrator's reset.
func (h *handler) twoFactorGate(c *fiber.Ctx) error {
	u := currentUser(c)
	if u == nil || !identity.MustEnrol(u, h.Config.StaffTwoFactorRequired()) || enrolPaths[c.Path()] {
		return c.Next()
	}
	return c.Redirect("/profile/2fa", fiber.StatusSeeOther)
}
