package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/inbound"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/replyaddr"
)

// inboundStatuses are the statuses of inbound mail, in the order of the page's counts and filter.
var inboundStatuses = []inbound.Status{inbound.Quarantined, inbound.Handled, inbound.Ignored, inbound.Attached, inbound.Discarded}

// inboundSources are the ways mail comes in, each shown on the page even before its first read.
var inboundSources = []inbound.Source{inbound.SourceIMAP, inbound.SourcePipe}

// allStatuses is the filter's value for every status; no value at all is the quarantine, what
// waits for an admin.
const allStatuses = "all"

// inboundCount is one status and how many messages are in it, for the page's counts.
type inboundCount struct {
	Status string
	Count  int
}

// inboundFetch is the last read of one way in; Fetch is nil before its first read.
type inboundFetch struct {
	Source string
	Fetch  *inbound.Fetch
}

// showInbound lists inbound mail: the last read of each way in, the counts by status and the
// messages of one status, the quarantine first. Never cached, like the outbox.
func (h *handler) showInbound(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	ctx, actor := c.UserContext(), actorOf(c).Actor
	p := h.page(c, "admin.inbound.title")
	sum, err := h.Inbound.Summary(ctx, actor)
	if err != nil {
		return err
	}
	status, filter := inbound.Quarantined, c.Query("status")
	switch {
	case filter == allStatuses:
		status = ""
	case validInboundStatus(filter):
		status = inbound.Status(filter)
	default:
		filter = string(inbound.Quarantined)
	}
	p.Form["status"] = filter
	pg := pageOf(c)
	ms, total, err := h.Inbound.List(ctx, actor, status, pg)
	if err != nil {
		return err
	}
	counts := make([]inboundCount, len(inboundStatuses))
	for i, s := range inboundStatuses {
		counts[i] = inboundCount{string(s), sum.Counts[s]}
	}
	fetches := make([]inboundFetch, len(inboundSources))
	for i, src := range inboundSources {
		fetches[i].Source = string(src)
		for j := range sum.Fetches {
			if sum.Fetches[j].Source == src {
				fetches[i].Fetch = &sum.Fetches[j]
			}
		}
	}
	p.V["Messages"], p.V["Total"], p.V["Pager"] = ms, total, countedPager(c, pg, total)
	p.V["Counts"], p.V["Fetches"], p.V["Statuses"] = counts, fetches, inboundStatuses
	p.V["Support"] = ""
	if h.Config.ReplyTo != nil {
		p.V["Support"] = h.Config.ReplyTo.Address
	}
	return h.show(c, "admin/inbound", p)
}

func validInboundStatus(s string) bool {
	for _, st := range inboundStatuses {
		if string(st) == s {
			return true
		}
	}
	return false
}

// inboundTicket is the ticket a message is about or became, with its staff page.
type inboundTicket struct {
	Number, URL string
}

// ticketOf names the ticket of kind and id and its staff page ("" for an unknown kind).
func ticketOf(kind string, id int64) inboundTicket {
	switch kind {
	case replyaddr.Incident:
		n := incident.Number(id)
		return inboundTicket{n, "/staff/incidents/" + n}
	case replyaddr.Change:
		return inboundTicket{change.Number(id), "/staff/changes/" + itoa(id)}
	case replyaddr.Request:
		return inboundTicket{contract.FormatNumber(id), salesPath(id)}
	}
	return inboundTicket{}
}

// showInboundMessage shows one message to an admin, with the forms that decide on it when it
// is quarantined.
func (h *handler) showInboundMessage(c *fiber.Ctx) error {
	id, err := idParam(c, "inbound")
	if err != nil {
		return err
	}
	m, err := h.Inbound.Message(c.UserContext(), actorOf(c).Actor, id)
	if err != nil {
		return err
	}
	return h.renderInboundMessage(c, fiber.StatusOK, h.page(c, "admin.inbound.message_title"), m)
}

// renderInboundMessage renders message m on p with status: the ticket it is about, the user it
// came from and the admin who decided on it; the attach form starts with that ticket and user.
func (h *handler) renderInboundMessage(c *fiber.Ctx, status int, p *page, m *inbound.Message) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	ctx, actor := c.UserContext(), actorOf(c).Actor
	p.V["Message"] = m
	if m.SubjectKind != "" && m.SubjectID != nil {
		if t := ticketOf(m.SubjectKind, *m.SubjectID); t.URL != "" {
			p.V["Ticket"] = t
		}
	}
	user := func(id *int64) (*identity.User, error) {
		if id == nil {
			return nil, nil
		}
		u, err := h.Identity.User(ctx, actor, *id)
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, nil
		}
		return u, err
	}
	from, err := user(m.UserID)
	if err != nil {
		return err
	}
	by, err := user(m.DecidedBy)
	if err != nil {
		return err
	}
	p.V["User"], p.V["DecidedBy"] = from, by
	if _, kept := p.Form["number"]; !kept && m.Status == inbound.Quarantined {
		if t, ok := p.V["Ticket"].(inboundTicket); ok {
			p.Form["number"] = t.Number
		}
		if from != nil {
			p.Form["login"] = from.Login
		}
	}
	return h.renderStatus(c, status, "admin/inbound_message", p)
}

// attachInbound writes a quarantined message on a ticket as a user: as a public reply through
// the ticket's service, with that user's rights.
func (h *handler) attachInbound(c *fiber.Ctx) error {
	id, err := idParam(c, "inbound")
	if err != nil {
		return err
	}
	form := formOf(c, "number", "login")
	if _, err := h.Inbound.Attach(c.UserContext(), actorOf(c).Actor, id, form["number"], form["login"]); err != nil {
		return h.inboundRefused(c, id, form, err)
	}
	return h.done(c, "/admin/inbound/"+itoa(id), "flash.inbound.attached")
}

// discardInbound sets a quarantined message aside for good.
func (h *handler) discardInbound(c *fiber.Ctx) error {
	id, err := idParam(c, "inbound")
	if err != nil {
		return err
	}
	if err := h.Inbound.Discard(c.UserContext(), actorOf(c).Actor, id); err != nil {
		return h.inboundRefused(c, id, map[string]string{}, err)
	}
	return h.done(c, "/admin/inbound/"+itoa(id), "flash.inbound.discarded")
}

// inboundRefused shows the message again after a refusal (see refusal): a decision another
// admin made first is a 409 with the message as it is now; a number or login refused is a 422
// with the input kept and each reason beside its field. What the ticket's service refuses
// (a closed ticket, a file) is about the ticket: it goes beside the number.
func (h *handler) inboundRefused(c *fiber.Ctx, id int64, form map[string]string, err error) error {
	if !refused(err) {
		return err
	}
	m, merr := h.Inbound.Message(c.UserContext(), actorOf(c).Actor, id)
	if merr != nil {
		return merr
	}
	p := h.page(c, "admin.inbound.message_title")
	p.Form = form
	status := h.refusal(p, err, i18n.NewError("inbound.error.stale"))
	for field, msg := range p.Errors {
		if field != "" && field != "number" && field != "login" {
			delete(p.Errors, field)
			if _, taken := p.Errors["number"]; !taken {
				p.Errors["number"] = msg
			} else {
				p.Errors[""] = msg
			}
		}
	}
	if status == fiber.StatusConflict {
		p.Form = map[string]string{}
	}
	return h.renderInboundMessage(c, status, p, m)
}

// downloadInboundRaw serves a message as it came in, for an admin.
func (h *handler) downloadInboundRaw(c *fiber.Ctx) error {
	id, err := idParam(c, "inbound")
	if err != nil {
		return err
	}
	raw, err := h.Inbound.Raw(c.UserContext(), actorOf(c).Actor, id)
	if err != nil {
		return err
	}
	return sendMail(c, "message-"+itoa(id)+".eml", raw)
}

// downloadOriginal serves staff the mail a timeline entry came from, quotes and signature
// included. Anyone else gets the 404 of an entry that came by no mail.
func (h *handler) downloadOriginal(c *fiber.Ctx) error {
	id, err := idParam(c, "entry")
	if err != nil {
		return err
	}
	raw, err := h.Inbound.Original(c.UserContext(), actorOf(c).Actor, id)
	if err != nil {
		return err
	}
	return sendMail(c, "original-"+itoa(id)+".eml", raw)
}

// sendMail serves raw as a .eml download: never shown by the browser, never sniffed.
func sendMail(c *fiber.Ctx, name string, raw []byte) error {
	c.Set(fiber.HeaderContentType, "message/rfc822")
	c.Set(fiber.HeaderContentDisposition, attachmentDisposition(name))
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set(fiber.HeaderCacheControl, "private, no-store")
	return c.Send(raw)
}
