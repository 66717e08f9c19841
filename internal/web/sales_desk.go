package web

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/i18n"
)

// queueRow is one request of the sales desk with its age.
type queueRow struct {
	contract.Request
	AgeKey string // contract.age.under_hour, contract.age.hours or contract.age.days
	// AgeArgs are AgeKey's arguments: a Count only for the keys with plural forms, since a
	// Count chooses among them (French "one" covers 0 and 1) and a plain message has none.
	AgeArgs map[string]any
	Overdue bool
}

func queueRows(rs []contract.Request, now time.Time) []queueRow {
	out := make([]queueRow, len(rs))
	for i, r := range rs {
		row := queueRow{Request: r, Overdue: r.Overdue(now)}
		age := r.Age(now)
		switch {
		case age < time.Hour:
			row.AgeKey = "contract.age.under_hour"
		case age < 48*time.Hour:
			row.AgeKey, row.AgeArgs = "contract.age.hours", map[string]any{"Count": int(age.Hours())}
		default:
			row.AgeKey, row.AgeArgs = "contract.age.days", map[string]any{"Count": int(age.Hours() / 24)}
		}
		out[i] = row
	}
	return out
}

// showSalesDesk lists the pending requests of the rep's tenants (every tenant's for an admin),
// oldest first with their age, and the latest decided ones.
func (h *handler) showSalesDesk(c *fiber.Ctx) error {
	p := h.page(c, "sales.title")
	svc := h.Contracts
	pending, err := svc.Queue(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	decided, err := svc.Decided(c.UserContext(), actorOf(c), 20)
	if err != nil {
		return err
	}
	now := time.Now()
	p.V["Pending"], p.V["Decided"] = queueRows(pending, now), decided
	return h.show(c, "staff/sales_desk", p)
}

// showSalesRequest is a request's page for the sales desk, with the decision forms.
func (h *handler) showSalesRequest(c *fiber.Ctx) error {
	return h.renderSalesRequest(c, fiber.StatusOK, h.page(c, "sales.request.title"))
}

func (h *handler) renderSalesRequest(c *fiber.Ctx, status int, p *page) error {
	id, err := idParam(c, "request")
	if err != nil {
		return err
	}
	v, err := h.Contracts.StaffRequest(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	p.V["View"], p.V["Request"] = v, v.Request
	if v.Refusal != nil {
		p.V["Refusal"] = h.Bundle.Message(p.Lang, v.Refusal)
	}
	if _, ok := p.Form["version"]; !ok {
		p.Form["version"] = strconv.Itoa(v.Request.Version)
	}
	if p.Form["cancel_on"] == "" && v.Request.Kind == contract.Cancellation {
		p.Form["cancel_on"] = v.Overview.Today.FirstOfNextMonth().String()
	}
	return h.renderStatus(c, status, "staff/sales_request", p)
}

func (h *handler) acceptRequest(c *fiber.Ctx) error { return h.decide(c, true) }
func (h *handler) rejectRequest(c *fiber.Ctx) error { return h.decide(c, false) }

// decide accepts or rejects the request; a refusal (a rule, a stale page, a missing reason)
// shows the page again with the rep's input and the message beside its field.
func (h *handler) decide(c *fiber.Ctx, accept bool) error {
	id, err := idParam(c, "request")
	if err != nil {
		return err
	}
	p := h.page(c, "sales.request.title")
	p.Form = formOf(c, "version", "cancel_on", "tenant_code")
	p.Form["reason"] = c.FormValue("reason")
	version, _ := strconv.Atoi(p.Form["version"]) // missing or unreadable: 0, refused as stale
	d := contract.Decision{Accept: accept, Reason: p.Form["reason"], Version: version,
		CancelOn: p.Form["cancel_on"], TenantCode: p.Form["tenant_code"]}
	if _, err := h.Contracts.Decide(c.UserContext(), actorOf(c), id, d); err != nil {
		if !refused(err) {
			return err
		}
		if errors.Is(err, apperr.ErrStale) {
			p.Form["body"] = p.Form["reason"] // the request is decided: keep the rep's words for a reply
		}
		return h.renderSalesRequest(c, h.refusal(p, h.decisionRefusal(p.Lang, err), i18n.NewError("contract.error.stale")), p)
	}
	flash := "flash.contract.rejected"
	if accept {
		flash = "flash.contract.accepted"
	}
	to := salesPath(id)
	return h.done(c, to, flash)
}

// replySalesRequest adds the rep's public reply or internal note, with its files.
func (h *handler) replySalesRequest(c *fiber.Ctx) error {
	id, err := idParam(c, "request")
	if err != nil {
		return err
	}
	in, err := h.readReply(c, true)
	if err == nil {
		err = h.Contracts.Reply(c.UserContext(), actorOf(c), id, in.Body, in.Internal, in.Files)
	}
	if err != nil {
		if _, ok := asValidation(err); !ok {
			return err
		}
		p := h.page(c, "sales.request.title")
		in.keep(p)
		h.fieldErrors(p, err)
		return h.renderSalesRequest(c, fiber.StatusUnprocessableEntity, p)
	}
	to := salesPath(id) + "#reply"
	return h.done(c, to, "flash.contract.reply_sent")
}

// decisionFields are the fields of the decision form; a refusal about anything else (the
// rules on the tenant's level, the requester's tenants, the new holder) concerns the whole
// decision: it is put at the top of the page, a rule's refusal in the desk's sentence.
var decisionFields = map[string]bool{"": true, "reason": true, "cancel_on": true, "tenant_code": true}

func (h *handler) decisionRefusal(lang string, err error) error {
	es, ok := i18n.AsErrors(err)
	if !ok {
		return err
	}
	out := make(i18n.Errors, 0, len(es))
	for _, e := range es {
		if !decisionFields[e.Field] {
			e = &i18n.Error{Key: e.Key, Args: e.Args}
			if strings.HasPrefix(e.Key, "sales.refusal.") {
				e = i18n.NewError("sales.refusal", "Reason", h.Bundle.Message(lang, e))
			}
		}
		out.Add(e)
	}
	return out
}
