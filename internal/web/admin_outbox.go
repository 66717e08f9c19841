package web

import (
	"slices"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/notify"
)

var outboxStatuses = []string{notify.StatusPending, notify.StatusSent, notify.StatusDead, notify.StatusDropped}

// showOutbox lists mail: what waits, what went, what failed for good, what was not sent
// because its recipient lost access. Like every outbox page, it is never cached.
func (h *handler) showOutbox(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	p := h.page(c, "admin.outbox.title")
	status := c.Query("status")
	if status != "" && !slices.Contains(outboxStatuses, status) {
		status = ""
	}
	p.Form["status"] = status
	pg := pageOf(c)
	ms, total, err := h.Outbox.List(c.UserContext(), actorOf(c).Actor, status, pg)
	if err != nil {
		return err
	}
	p.V["Messages"], p.V["Total"], p.V["Pager"] = ms, total, countedPager(c, pg, total)
	p.V["Statuses"], p.V["SMTP"] = outboxStatuses, h.Config.SMTP.Host != ""
	return h.show(c, "admin/outbox", p)
}

// outboxMessage reads the message of the path for the admin, its password links masked with
// a placeholder in the admin's language; the page is never cached.
func (h *handler) outboxMessage(c *fiber.Ctx) (*notify.Message, error) {
	c.Set(fiber.HeaderCacheControl, "no-store")
	id, err := idParam(c, "message")
	if err != nil {
		return nil, err
	}
	hidden := h.Bundle.T(langOf(c), "admin.outbox.link_hidden", nil)
	return h.Outbox.Message(c.UserContext(), actorOf(c).Actor, id, hidden)
}

// showOutboxMessage shows a message as it will be sent: headers, text part, HTML part.
func (h *handler) showOutboxMessage(c *fiber.Ctx) error {
	m, err := h.outboxMessage(c)
	if err != nil {
		return err
	}
	p := h.page(c, "admin.outbox.message_title")
	p.V["Message"], p.V["From"], p.V["SMTP"] = m, h.Config.MailFrom.String(), h.Config.SMTP.Host != ""
	p.V["ThreadRoot"] = h.Notifier.ThreadRoot(m.Thread)
	return h.show(c, "admin/outbox_message", p)
}

// showOutboxHTML serves a message's HTML part for the preview frame, sandboxed: no script, no
// form, nothing from the message can act on the desk.
func (h *handler) showOutboxHTML(c *fiber.Ctx) error {
	m, err := h.outboxMessage(c)
	if err != nil {
		return err
	}
	c.Set("Content-Security-Policy", "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:")
	c.Set("X-Frame-Options", "SAMEORIGIN")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.SendString(m.BodyHTML)
}

func (h *handler) retryMessage(c *fiber.Ctx) error {
	id, err := idParam(c, "message")
	if err != nil {
		return err
	}
	if err := h.Outbox.Retry(c.UserContext(), actorOf(c).Actor, id); err != nil {
		return err
	}
	return h.done(c, "/admin/outbox/"+itoa(id), "flash.retry_scheduled")
}
