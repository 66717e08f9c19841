package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/identity"
)

// showTwoFactor is the profile's two-factor page: enrolment (the key as a QR code and as text,
// then a code to confirm) while it is off, the way to turn it off while it is on.
func (h *handler) showTwoFactor(c *fiber.Ctx) error {
	p, err := h.accountPage(c, "twofactor.title")
	if err != nil {
		return err
	}
	return h.twoFactorPage(c, p, fiber.StatusOK)
}

// twoFactorPage renders the two-factor page for the user's state with status.
func (h *handler) twoFactorPage(c *fiber.Ctx, p *page, status int) error {
	u := currentUser(c)
	p.V["Required"] = identity.MustEnrol(u, h.Config.StaffTwoFactorRequired())
	p.V["StaffKeep"] = h.Config.StaffTwoFactorRequired() && u.Kind.Staff()
	if u.TwoFactor() {
		n, err := h.Identity.RecoveryCodesLeft(c.UserContext(), actorOf(c).Actor)
		if err != nil {
			return err
		}
		p.V["CodesLeft"] = n
		return h.renderStatus(c, status, "account/twofactor", p)
	}
	if c.Method() == fiber.MethodHead {
		// Starting an enrolment writes a secret: a HEAD gets the page's status and type only.
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.SendStatus(status)
	}
	e, err := h.Identity.BeginTwoFactor(c.UserContext(), actorOf(c).Actor)
	if errors.Is(err, identity.ErrTwoFactorOn) {
		// Turned on by a request that ended after this one's session was read: read it again.
		return h.done(c, "/profile/2fa", "flash.twofactor_already_on")
	}
	if err != nil {
		return err
	}
	p.V["Secret"] = groupsOf4(e.Secret)
	// html/template lets a data: URI through only when it is marked safe; this one is our PNG.
	p.V["QRCode"] = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QRCode))
	return h.renderStatus(c, status, "account/twofactor", p)
}

// groupsOf4 writes a key in groups of four characters, easier to type into an app.
func groupsOf4(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// confirmTwoFactor turns two-factor authentication on with the app's current code, then shows the
// recovery codes: this answer is the only time they are shown.
func (h *handler) confirmTwoFactor(c *fiber.Ctx) error {
	p, err := h.accountPage(c, "twofactor.title")
	if err != nil {
		return err
	}
	codes, err := h.Identity.ConfirmTwoFactor(c.UserContext(), actorOf(c).Actor, c.FormValue("code"))
	if errors.Is(err, identity.ErrTwoFactorOn) {
		// The form sent twice: the first answer had the codes, which this one cannot show
		// again; the page offers new ones.
		return h.done(c, "/profile/2fa", "flash.twofactor_already_on")
	}
	if err != nil {
		return h.twoFactorRefused(c, p, err)
	}
	return h.showRecoveryCodes(c, p, codes)
}

func (h *handler) showRecoveryCodes(c *fiber.Ctx, p *page, codes []string) error {
	p.Title = "twofactor.codes.title"
	p.V["Codes"] = codes
	return h.show(c, "account/recovery_codes", p)
}

// renewRecoveryCodes makes new recovery codes, with the password and a code, and shows them
// once. Its fields are named apart from the form beside it that turns two-factor off.
func (h *handler) renewRecoveryCodes(c *fiber.Ctx) error {
	p, err := h.accountPage(c, "twofactor.title")
	if err != nil {
		return err
	}
	codes, err := h.Identity.NewRecoveryCodes(c.UserContext(), actorOf(c).Actor, c.FormValue("renew_password"), c.FormValue("renew_code"))
	if err != nil {
		if es, ok := asValidation(err); ok {
			for _, e := range es {
				if e.Field != "" {
					e.Field = "renew_" + e.Field
				}
			}
		}
		return h.twoFactorRefused(c, p, err)
	}
	return h.showRecoveryCodes(c, p, codes)
}

// disableTwoFactor turns it off with the password and a code.
func (h *handler) disableTwoFactor(c *fiber.Ctx) error {
	p, err := h.accountPage(c, "twofactor.title")
	if err != nil {
		return err
	}
	err = h.Identity.DisableTwoFactor(c.UserContext(), actorOf(c).Actor, c.FormValue("password"), c.FormValue("code"),
		h.Config.StaffTwoFactorRequired())
	if err != nil {
		return h.twoFactorRefused(c, p, err)
	}
	return h.done(c, "/profile", "flash.twofactor_off")
}

// twoFactorRefused shows the two-factor page again with the reasons: 429 once too many wrong
// passwords or codes were typed, 422 otherwise.
func (h *handler) twoFactorRefused(c *fiber.Ctx, p *page, err error) error {
	if _, ok := asValidation(err); !ok {
		return err
	}
	h.fieldErrors(p, err)
	status := fiber.StatusUnprocessableEntity
	if errors.Is(err, identity.ErrTooManyAttempts) {
		status = fiber.StatusTooManyRequests
	}
	return h.twoFactorPage(c, p, status)
}
