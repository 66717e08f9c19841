package web

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/canned"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/incident"
)

// The canned responses' pages: agents and admins keep the library under /staff/canned, and
// insert a response on an incident's page, where its text comes filled in for the incident in
// the reporter's language. The service refuses anyone else.

// cannedPage starts a page of the library, with the actions the form offers.
func (h *handler) cannedPage(c *fiber.Ctx, title string) *page {
	p := h.page(c, title)
	p.V["Actions"] = canned.Actions
	return p
}

// showCannedList lists the canned responses by name, with their action and how often they
// were sent.
func (h *handler) showCannedList(c *fiber.Ctx) error {
	rs, err := h.Canned.List(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	p := h.cannedPage(c, "canned.page.title")
	p.V["Responses"] = rs
	return h.show(c, "staff/canned_list", p)
}

// showNewCanned is the form that writes a canned response.
func (h *handler) showNewCanned(c *fiber.Ctx) error {
	return h.show(c, "staff/canned_edit", h.cannedPage(c, "canned.page.new_title"))
}

// readCannedForm reads a canned response's form onto p (kept for showing it again) and returns
// the draft it makes.
func readCannedForm(c *fiber.Ctx, p *page) canned.Draft {
	p.Form = formOf(c, "name", "text_fr", "text_en", "action", "version")
	return canned.Draft{Name: p.Form["name"], TextFR: p.Form["text_fr"], TextEN: p.Form["text_en"], Action: canned.Action(p.Form["action"])}
}

// createCanned writes a canned response; refused input comes back on the form.
func (h *handler) createCanned(c *fiber.Ctx) error {
	p := h.cannedPage(c, "canned.page.new_title")
	d := readCannedForm(c, p)
	if _, err := h.Canned.Create(c.UserContext(), actorOf(c), d); err != nil {
		return h.invalid(c, err, "staff/canned_edit", p)
	}
	return h.done(c, "/staff/canned", "flash.canned.created")
}

// showCanned is a canned response's page: its form, and its deletion.
func (h *handler) showCanned(c *fiber.Ctx) error {
	id, err := idParam(c, "canned")
	if err != nil {
		return err
	}
	r, err := h.Canned.Get(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	p := h.cannedPage(c, "canned.page.edit_title")
	p.Form = map[string]string{"name": r.Name, "text_fr": r.TextFR, "text_en": r.TextEN, "action": string(r.Action)}
	return h.renderCanned(c, fiber.StatusOK, p, r)
}

// renderCanned shows a response's page with the form on p, which carries the version it was
// read at: the response's current one unless the form already holds one.
func (h *handler) renderCanned(c *fiber.Ctx, status int, p *page, r *canned.Response) error {
	if p.Form["version"] == "" {
		p.Form["version"] = strconv.Itoa(r.Version)
	}
	p.V["Response"] = r
	return h.renderStatus(c, status, "staff/canned_edit", p)
}

// saveCanned changes a canned response read at the form's version. Refused input comes back
// with each message beside its field (422); a response changed since comes back as it is now,
// the input kept (409).
func (h *handler) saveCanned(c *fiber.Ctx) error {
	id, err := idParam(c, "canned")
	if err != nil {
		return err
	}
	p := h.cannedPage(c, "canned.page.edit_title")
	d := readCannedForm(c, p)
	version, _ := strconv.Atoi(p.Form["version"]) // missing or unreadable: 0, refused as stale
	if _, err := h.Canned.Update(c.UserContext(), actorOf(c), id, version, d); err != nil {
		if !refused(err) {
			return err
		}
		r, gerr := h.Canned.Get(c.UserContext(), actorOf(c), id)
		if gerr != nil {
			return gerr
		}
		return h.renderCanned(c, h.refusal(p, err, i18n.NewError("canned.error.stale")), p, r)
	}
	return h.done(c, "/staff/canned", "flash.canned.saved")
}

// deleteCanned removes a canned response once the agent confirmed it.
func (h *handler) deleteCanned(c *fiber.Ctx) error {
	id, err := idParam(c, "canned")
	if err != nil {
		return err
	}
	r, err := h.Canned.Get(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	if ok, err := h.confirmed(c, h.page(c, "canned.page.edit_title"), cannedDeletion(r)); !ok {
		return err
	}
	if err := h.Canned.Delete(c.UserContext(), actorOf(c), id); err != nil {
		return err
	}
	return h.done(c, "/staff/canned", "flash.canned.deleted")
}

// cannedDeletion is the question deleting r asks.
func cannedDeletion(r *canned.Response) confirmation {
	return confirmation{Question: "canned.delete.question", Consequence: "canned.delete.consequence",
		Args: map[string]any{"Name": r.Name}, Button: "canned.delete.button", Back: "/staff/canned/" + itoa(r.ID)}
}

// insertCanned answers an incident page asked with ?canned=ID: the public reply comes filled
// with that response's text for the incident, in the reporter's language, and carries the
// response's id. A response that does not exist (or no longer does) is a 404 with its message
// beside the choice of responses; on an incident no one may reply to, the request is ignored.
func (h *handler) insertCanned(c *fiber.Ctx, p *page, inc *incident.Incident) (int, error) {
	q := c.Query("canned")
	actor := actorOf(c)
	if q == "" || incident.Check(incident.StaffReply, inc, incident.Who(actor, inc), time.Now()) != nil {
		return fiber.StatusOK, nil
	}
	err := apperr.ErrNotFound
	var f *canned.Filled
	if id, perr := strconv.ParseInt(q, 10, 64); perr == nil && id > 0 {
		f, err = h.Canned.Fill(c.UserContext(), actor, id, inc.ID)
	}
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		p.Errors["canned"] = h.Bundle.T(p.Lang, "canned.error.gone", nil)
		return fiber.StatusNotFound, nil
	case err != nil:
		return 0, err
	}
	p.Form["body"], p.Form["visibility"], p.Form["canned"] = f.Text, "public", itoa(f.Response.ID)
	p.V["CannedLang"] = f.Lang
	return fiber.StatusOK, nil
}

// offerCanned puts on a staff incident page the responses an agent may insert, and the one its
// public reply was written from (p.Form's canned, dropped when it is gone). Without any response
// to choose from, a message about the choice goes to the top of the page.
func (h *handler) offerCanned(c *fiber.Ctx, p *page) error {
	rs, err := h.Canned.List(c.UserContext(), actorOf(c))
	if err != nil {
		return err
	}
	p.V["CannedList"] = rs
	if msg, ok := p.Errors["canned"]; ok && len(rs) == 0 {
		delete(p.Errors, "canned")
		p.Errors[""] = msg
	}
	if p.Form["canned"] == "" {
		return nil
	}
	for i := range rs {
		if itoa(rs[i].ID) == p.Form["canned"] {
			p.V["Canned"] = &rs[i]
			return nil
		}
	}
	delete(p.Form, "canned")
	return nil
}

// cannedReply reads the canned response a staff's public reply was written from (the form's
// canned) and puts the action it applies on act. It returns the response's id, 0 for none. A
// response that is gone refuses the reply beside its text, which is kept.
func (h *handler) cannedReply(c *fiber.Ctx, form map[string]string, act *incident.Act) (int64, error) {
	if form["canned"] == "" || act.Internal || !actorOf(c).Staff() {
		delete(form, "canned")
		return 0, nil
	}
	err := apperr.ErrNotFound
	var r *canned.Response
	id, perr := strconv.ParseInt(form["canned"], 10, 64)
	if perr == nil && id > 0 {
		r, err = h.Canned.Get(c.UserContext(), actorOf(c), id)
	}
	switch {
	case errors.Is(err, apperr.ErrNotFound):
		delete(form, "canned")
		return 0, i18n.FieldError("body", "canned.error.gone")
	case err != nil:
		return 0, err
	}
	act.Then = r.Action.Then()
	return id, nil
}

// countCanned counts a reply sent with canned response id. The reply is sent: a failure to count
// is logged, not shown.
func (h *handler) countCanned(c *fiber.Ctx, id int64) {
	if id == 0 {
		return
	}
	if err := h.Canned.Used(c.UserContext(), actorOf(c), id); err != nil && !errors.Is(err, apperr.ErrNotFound) {
		h.Log.Error("count a canned response's use", "request_id", requestID(c), "canned", id, "err", err)
	}
}
