package web

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/gdpr"
	"github.com/guichet/guichet/internal/i18n"
)

// GDPR: the right of access (a person's data as a zip, for an admin or for the person from the
// profile) and the right to erasure (an admin's, after a preview). See package gdpr.

// exportsPerHour bounds the archives one person downloads of their own data: each reads
// everything the desk holds about them.
const exportsPerHour = 5

// sendArchive serves a person's archive as a download, never cached.
func sendArchive(c *fiber.Ctx, a *gdpr.Archive) error {
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, attachmentDisposition(a.Name))
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(a.Data)
}

// exportMyData is the profile's "Download my data": the logged-in person's own archive. The
// session and the form's CSRF token are what the other pages of the account ask; the number of
// archives a person downloads is bounded (exportsPerHour).
func (h *handler) exportMyData(c *fiber.Ctx) error {
	actor := actorOf(c).Actor
	ok, err := h.Identity.Throttle(c.UserContext(), "gdpr_export", strconv.FormatInt(actor.UserID, 10), exportsPerHour, time.Hour)
	if err != nil {
		return err
	}
	if !ok {
		return fiber.NewError(fiber.StatusTooManyRequests)
	}
	a, err := h.GDPR.Export(c.UserContext(), actor, actor.UserID)
	if err != nil {
		return err
	}
	return sendArchive(c, a)
}

// gdprPage is the admin's page of a person's data: the export, and the erasure form or why the
// erasure is refused now.
func (h *handler) gdprPage(c *fiber.Ctx, status int, id int64, refused error) error {
	svc := h.GDPR
	u, err := svc.Person(c.UserContext(), actorOf(c).Actor, id)
	if err != nil {
		return err
	}
	p := h.page(c, "gdpr.title")
	p.V["Account"] = u
	if u.ErasedAt != nil {
		p.V["ErasedOn"] = h.Bundle.FormatDateTime(p.Lang, *u.ErasedAt)
	}
	if refused == nil {
		refused = svc.Check(c.UserContext(), actorOf(c).Actor, id)
	}
	if refused != nil {
		es, ok := asValidation(refused)
		if !ok {
			return refused
		}
		p.V["Refusals"] = h.messages(p.Lang, es)
	}
	if c.Method() == fiber.MethodPost {
		p.Form = formOf(c, "redact")
	}
	return h.renderStatus(c, status, "admin/gdpr", p)
}

func (h *handler) messages(lang string, es i18n.Errors) []string {
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, h.Bundle.Message(lang, e))
	}
	return out
}

func (h *handler) showGDPR(c *fiber.Ctx) error {
	id, err := idParam(c, "user")
	if err != nil {
		return err
	}
	return h.gdprPage(c, fiber.StatusOK, id, nil)
}

// exportUserData is an admin's download of a person's archive.
func (h *handler) exportUserData(c *fiber.Ctx) error {
	id, err := idParam(c, "user")
	if err != nil {
		return err
	}
	a, err := h.GDPR.Export(c.UserContext(), actorOf(c).Actor, id)
	if err != nil {
		return err
	}
	return sendArchive(c, a)
}

// previewErasure shows what erasing the person changes, with the form that confirms it; an
// erasure refused now shows the GDPR page again with the reasons (422).
func (h *handler) previewErasure(c *fiber.Ctx) error {
	id, err := idParam(c, "user")
	if err != nil {
		return err
	}
	redact := c.FormValue("redact") == "on"
	pv, err := h.GDPR.PreviewErasure(c.UserContext(), actorOf(c).Actor, id, redact)
	if _, invalid := asValidation(err); invalid {
		return h.gdprPage(c, fiber.StatusUnprocessableEntity, id, err)
	}
	if err != nil {
		return err
	}
	return h.showPreview(c, fiber.StatusOK, pv, "")
}

// eraseUser erases the person as the preview the form carries said; a preview that no longer
// holds shows the new one (409), a refusal the GDPR page with the reasons (422).
func (h *handler) eraseUser(c *fiber.Ctx) error {
	id, err := idParam(c, "user")
	if err != nil {
		return err
	}
	redact := c.FormValue("redact") == "on"
	actor := actorOf(c).Actor
	svc := h.GDPR
	_, err = svc.Erase(c.UserContext(), actor, id, redact, strings.TrimSpace(c.FormValue("fingerprint")))
	if errors.Is(err, gdpr.ErrChanged) {
		pv, perr := svc.PreviewErasure(c.UserContext(), actor, id, redact)
		if _, invalid := asValidation(perr); invalid {
			return h.gdprPage(c, fiber.StatusUnprocessableEntity, id, perr)
		}
		if perr != nil {
			return perr
		}
		return h.showPreview(c, fiber.StatusConflict, pv, h.Bundle.T(langOf(c), "gdpr.error.changed", nil))
	}
	if _, invalid := asValidation(err); invalid {
		return h.gdprPage(c, fiber.StatusUnprocessableEntity, id, err)
	}
	if err != nil {
		return err
	}
	return h.done(c, "/admin/users/"+itoa(id), "flash.gdpr_erased")
}

// showPreview renders an erasure's preview: what is removed or rewritten, what is kept.
func (h *handler) showPreview(c *fiber.Ctx, status int, pv *gdpr.Preview, problem string) error {
	p := h.page(c, "gdpr.preview_title")
	if problem != "" {
		p.Errors[""] = problem
	}
	lang, n := p.Lang, pv.Counts
	t := func(key string, pairs ...any) string { return h.Bundle.T(lang, key, i18n.Pairs(pairs...)) }
	var changed, kept []string
	changed = append(changed, t("gdpr.preview.account", "Pseudonym", pv.Pseudonym, "Login", pv.Login))
	if n.TwoFactor > 0 {
		changed = append(changed, t("gdpr.preview.two_factor"))
	}
	for _, x := range []struct {
		key string
		n   int
	}{
		{"gdpr.preview.memberships", n.Memberships}, {"gdpr.preview.sessions", n.Sessions},
		{"gdpr.preview.api_tokens", n.APITokens}, {"gdpr.preview.password_links", n.PasswordLinks},
		{"gdpr.preview.recovery_codes", n.RecoveryCodes}, {"gdpr.preview.invitations", n.Invitations},
		{"gdpr.preview.follows", n.Follows}, {"gdpr.preview.mails", n.Mails}, {"gdpr.preview.inbound", n.Inbound},
	} {
		if x.n > 0 {
			changed = append(changed, t(x.key, "Count", x.n))
		}
	}
	if n.Attachments > 0 {
		changed = append(changed, t("gdpr.preview.attachments", "Count", n.Attachments, "Size", fileSize(h.Bundle, lang, n.AttachmentBytes)))
	}
	for _, x := range []struct {
		key string
		n   int
	}{{"gdpr.preview.events", n.Events}, {"gdpr.preview.audit", n.Audit}, {"gdpr.preview.mentions", n.Mentions}} {
		if x.n > 0 {
			changed = append(changed, t(x.key, "Count", x.n))
		}
	}
	for _, x := range []struct {
		key string
		n   int
	}{{"gdpr.preview.incidents", n.Incidents}, {"gdpr.preview.changes", n.Changes},
		{"gdpr.preview.requests", n.Requests}, {"gdpr.preview.texts", n.Texts}} {
		switch {
		case x.n == 0:
		case pv.Redact:
			changed = append(changed, t(x.key+"_redacted", "Count", x.n))
		default:
			kept = append(kept, t(x.key, "Count", x.n))
		}
	}
	kept = append(kept, t("gdpr.preview.reports"))
	if pv.AssignedOpen > 0 {
		kept = append(kept, t("gdpr.preview.assigned", "Count", pv.AssignedOpen))
	}
	if len(pv.SalesRepOf) > 0 {
		kept = append(kept, t("gdpr.preview.sales_rep", "Tenants", strings.Join(pv.SalesRepOf, ", ")))
	}
	p.V["Preview"], p.V["Changed"], p.V["Kept"] = pv, changed, kept
	if pv.Redact {
		p.V["Notice"] = t("gdpr.preview.notice", "Notice", h.Bundle.T(h.GDPR.Lang, "gdpr.redacted", nil))
	}
	return h.renderStatus(c, status, "admin/gdpr_preview", p)
}
