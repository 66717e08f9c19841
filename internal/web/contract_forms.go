package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/contract"
)

// requestFields are the fields of every request form; each kind reads its own.
var requestFields = []string{"level", "details", "holder_name", "holder_email", "holder_lang", "contract_name", "acknowledged"}

// showRequestForm is the form of one kind of request for the scoped tenant: the support-level
// change with the levels allowed and why the others are not, or a sales form. Who may not file
// it reads why instead of the form.
func (h *handler) showRequestForm(k contract.Kind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := h.customerPage(c, "contract.title")
		if err != nil {
			return err
		}
		return h.renderRequestForm(c, fiber.StatusOK, p, k)
	}
}

func (h *handler) renderRequestForm(c *fiber.Ctx, status int, p *page, k contract.Kind) error {
	if p.Scope == nil {
		return apperr.ErrNotFound
	}
	fp, err := h.Contracts.Form(c.UserContext(), actorOf(c), p.Scope.Tenant.ID, k)
	if err != nil {
		return err
	}
	p.Title = k.Key()
	p.V["Page"], p.V["Kind"], p.V["Levels"] = fp, string(k), contract.Levels()
	h.explainForm(p, fp)
	p.V["Action"] = "/contract/" + k.Slug()
	p.V["TargetHours"] = int(contract.OrderTarget.Hours())
	p.V["MinTenants"] = contract.MinTenantsForMultiBill
	if p.Form["holder_lang"] == "" {
		p.Form["holder_lang"] = p.Lang
	}
	return h.renderStatus(c, status, "customer/request_form", p)
}

// fileRequest files the form; bad input is shown again beside its fields with nothing written.
func (h *handler) fileRequest(k contract.Kind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p, err := h.customerPage(c, "contract.title")
		if err != nil {
			return err
		}
		if p.Scope == nil {
			return apperr.ErrNotFound
		}
		p.Form = formOf(c, requestFields...)
		in := contract.Form{Kind: k, Level: p.Form["level"], Details: c.FormValue("details"),
			HolderName: p.Form["holder_name"], HolderEmail: p.Form["holder_email"], HolderLang: p.Form["holder_lang"],
			ContractName: p.Form["contract_name"], Acknowledged: p.Form["acknowledged"] == "on"}
		r, err := h.Contracts.File(c.UserContext(), actorOf(c), p.Scope.Tenant.ID, in)
		if err != nil {
			if _, ok := asValidation(err); !ok {
				return err
			}
			p.Form["details"] = c.FormValue("details")
			h.fieldErrors(p, err)
			return h.renderRequestForm(c, fiber.StatusUnprocessableEntity, p, k)
		}
		to := requestPath(r.ID)
		return h.done(c, to, "flash.contract.request_filed")
	}
}

// showRequest is a request's page for the customer: what was asked, where it stands, its
// public timeline and the reply box.
func (h *handler) showRequest(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "contract.request.title")
	if err != nil {
		return err
	}
	return h.renderRequest(c, fiber.StatusOK, p)
}

func (h *handler) renderRequest(c *fiber.Ctx, status int, p *page) error {
	id, err := idParam(c, "request")
	if err != nil {
		return err
	}
	r, entries, err := h.Contracts.CustomerRequest(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	p.V["Request"], p.V["Entries"] = r, entries
	return h.renderStatus(c, status, "customer/request_show", p)
}

// replyRequest adds the customer's reply, with its files, to the request.
func (h *handler) replyRequest(c *fiber.Ctx) error {
	id, err := idParam(c, "request")
	if err != nil {
		return err
	}
	in, err := h.readReply(c, false)
	if err == nil {
		err = h.Contracts.Reply(c.UserContext(), actorOf(c), id, in.Body, in.Internal, in.Files)
	}
	if err != nil {
		if _, ok := asValidation(err); !ok {
			return err
		}
		p, perr := h.customerPage(c, "contract.request.title")
		if perr != nil {
			return perr
		}
		in.keep(p)
		h.fieldErrors(p, err)
		return h.renderRequest(c, fiber.StatusUnprocessableEntity, p)
	}
	to := requestPath(id) + "#reply"
	return h.done(c, to, "flash.contract.reply_sent")
}

// choiceView is a level of the support-level form, offered or with the reason it is not.
type choiceView struct {
	Level   contract.Level
	Allowed bool
	Reason  string
}

// explainForm translates for the reader why the form cannot be filed, if it cannot: who may file
// it, a pending request, a rule that refuses it whatever is typed. The form itself is shown when
// nothing stops it, or again with the messages beside its fields after a refusal.
func (h *handler) explainForm(p *page, fp *contract.FormPage) {
	t := fp.Access.Tenant
	names := map[string]any{"Referent": "", "Owner": ""}
	if t.Referent != nil {
		names["Referent"] = t.Referent.DisplayName
	}
	if t.Owner != nil {
		names["Owner"] = t.Owner.DisplayName
	}
	why, blocked, none := "", "", ""
	if fp.Why != nil {
		why = h.Bundle.T(p.Lang, fp.Why.Key, names)
	}
	switch {
	case fp.Pending != nil:
		blocked = h.Bundle.T(p.Lang, "contract.form.pending", map[string]any{"Number": fp.Pending.Number()})
	case fp.Refusal != nil:
		blocked = h.Bundle.Message(p.Lang, fp.Refusal)
	case fp.NoChoice != nil:
		// No level can be asked for: no empty choice and no button, the reason instead.
		none = h.Bundle.Message(p.Lang, fp.NoChoice)
	}
	choices := make([]choiceView, len(fp.Choices))
	for i, c := range fp.Choices {
		choices[i] = choiceView{Level: c.Level, Allowed: c.Allowed()}
		if c.Reason != nil {
			choices[i].Reason = h.Bundle.Message(p.Lang, c.Reason)
		}
	}
	p.V["Why"], p.V["Blocked"], p.V["NoChoice"], p.V["Choices"] = why, blocked, none, choices
	// A refused form comes back with what was typed, unless nothing could be chosen in it.
	p.V["ShowForm"] = why == "" && fp.NoChoice == nil && (blocked == "" || len(p.Errors) > 0)
}
