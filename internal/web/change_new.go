package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/once"
)

// "Demander un changement" is one page in three steps: 1 the item, picked from the catalogue's
// grouped list; 2 the item's form; 3 the summary to validate. Each step has one primary button
// and a "Back" that keeps what was typed; none needs script.
const (
	stepChoose  = 1
	stepDetails = 2
	stepSummary = 3
)

// changeChoice is the item chosen, with its category and catalogue.
type changeChoice struct {
	Collection *change.Collection
	Category   *change.Category
	Item       *change.Item
}

// chooseChange reads an item code; an unknown code, or an item that cannot be ordered any more,
// answers 404; none is no choice yet.
func chooseChange(cat *change.Catalogue, item string) (changeChoice, error) {
	var ch changeChoice
	if item == "" {
		return ch, nil
	}
	it, ok := cat.Orderable(item)
	if !ok || it.Category() == nil {
		return ch, apperr.ErrNotFound
	}
	ch.Item, ch.Category = it, it.Category()
	ch.Collection = ch.Category.Collection()
	return ch, nil
}

// itemGroup is one heading of the list of items: a category, under its catalogue.
type itemGroup struct {
	Collection *change.Collection
	Category   *change.Category
	Items      []*change.Item
	// First says the group opens its catalogue: its heading comes before it.
	First bool
}

// itemList is the catalogue as step 1 lists it: the groups of items that can be ordered, and
// which headings to show (none for a level that has a single choice).
type itemList struct {
	Groups      []itemGroup
	Collections bool // more than one catalogue: a heading for each
	Categories  bool // more than one category: a heading for each
}

func listItems(cat *change.Catalogue) itemList {
	var l itemList
	collections, categories := 0, 0
	for _, col := range cat.Collections {
		first := true
		for _, c := range col.Categories {
			items := c.Offered()
			if len(items) == 0 {
				continue
			}
			if first {
				collections++
			}
			categories++
			l.Groups = append(l.Groups, itemGroup{Collection: col, Category: c, Items: items, First: first})
			first = false
		}
	}
	l.Collections, l.Categories = collections > 1, categories > 1
	return l
}

// newChangePage is the page of "Demander un changement" for the scoped tenant.
func (h *handler) newChangePage(c *fiber.Ctx) (*page, *change.Catalogue, error) {
	p, err := h.customerPage(c, "change.request_button")
	if err != nil {
		return nil, nil, err
	}
	if p.Scope == nil {
		return nil, nil, apperr.ErrNotFound
	}
	cat, err := h.Changes.Browse(c.UserContext(), actorOf(c), p.Scope.Tenant.ID)
	if err != nil {
		return nil, nil, err
	}
	p.V["Catalogue"], p.V["Regions"] = cat, cloud.Regions()
	return p, cat, nil
}

// showStep renders step n of the path on p, with status.
func (h *handler) showStep(c *fiber.Ctx, status, n int, p *page, cat *change.Catalogue) error {
	p.V["Step"] = n
	switch n {
	case stepChoose:
		p.V["Items"] = listItems(cat)
		return h.renderStatus(c, status, "customer/change_new", p)
	}
	// The item's form and summary offer the help articles that answer its name.
	if ch, ok := p.V["Choice"].(changeChoice); ok && ch.Item != nil {
		sg, err := h.suggestionsFor(c, help.FromChange, ch.Category.Label.In(p.Lang)+" "+ch.Item.Label.In(p.Lang))
		if err != nil {
			return err
		}
		p.V["Suggestions"] = sg
	}
	if n == stepDetails {
		return h.renderStatus(c, status, "customer/change_new", p)
	}
	p.Title = "change.summary.title"
	return h.renderStatus(c, status, "customer/change_summary", p)
}

// noItem is step 1 again when no item was picked.
func (h *handler) noItem(c *fiber.Ctx, p *page, cat *change.Catalogue) error {
	h.fieldErrors(p, i18n.Errors{i18n.FieldError("item", "change.new.error.no_item")})
	return h.showStep(c, fiber.StatusUnprocessableEntity, stepChoose, p, cat)
}

// showNewChange is step 1, or step 2 for the item a link or the step 1 form (?item=) names.
func (h *handler) showNewChange(c *fiber.Ctx) error {
	p, cat, err := h.newChangePage(c)
	if err != nil {
		return err
	}
	ch, err := chooseChange(cat, c.Query("item"))
	if err != nil {
		return err
	}
	p.V["Choice"] = ch
	if ch.Item == nil {
		if c.Context().QueryArgs().Has("item") {
			return h.noItem(c, p, cat)
		}
		return h.showStep(c, fiber.StatusOK, stepChoose, p, cat)
	}
	p.Form[once.Field] = once.NewToken()
	return h.showStep(c, fiber.StatusOK, stepDetails, p, cat)
}

// itemForm reads the values of the item's fields (named v_<code>); anything else is ignored.
func itemForm(c *fiber.Ctx, it *change.Item) map[string]string {
	form := make(map[string]string, len(it.Fields))
	for _, f := range it.Fields {
		form[f.Code] = c.FormValue("v_" + f.Code)
	}
	return form
}

// keepOnce carries the form's one-time token from step to step, and on to Valider.
func keepOnce(c *fiber.Ctx, p *page) {
	if p.Form[once.Field] = c.FormValue(once.Field); p.Form[once.Field] == "" {
		p.Form[once.Field] = once.NewToken()
	}
}

// changeForm reads the posted item and its values, and shows the item's form again on p.
func (h *handler) changeForm(c *fiber.Ctx, p *page, cat *change.Catalogue) (*change.Item, map[string]string, error) {
	ch, err := chooseChange(cat, c.FormValue("item"))
	if err != nil || ch.Item == nil {
		return nil, nil, apperr.ErrNotFound
	}
	p.V["Choice"] = ch
	form := itemForm(c, ch.Item)
	for k, v := range form {
		p.Form[k] = v
	}
	keepOnce(c, p)
	return ch.Item, form, nil
}

// carried are the values typed on step 2, kept as hidden fields while step 1 is shown again, so
// that they come back on the item's form (items of the same kind have the same fields): every
// v_<code> of a field of the catalogue, once, in catalogue order.
func carried(c *fiber.Ctx, cat *change.Catalogue) [][2]string {
	seen := map[string]bool{}
	var kept [][2]string
	for _, col := range cat.Collections {
		for _, ct := range col.Categories {
			for _, it := range ct.Items {
				for _, f := range it.Fields {
					if seen[f.Code] {
						continue
					}
					seen[f.Code] = true
					if v := c.FormValue("v_" + f.Code); v != "" {
						kept = append(kept, [2]string{"v_" + f.Code, v})
					}
				}
			}
		}
	}
	return kept
}

// reviewChange is the POST of the path: "Back" from step 2 (step=choose) shows step 1 with the
// input kept; step 1 posted with input kept (step=details) shows step 2; otherwise the item's
// form is checked on the server and the summary shown, or the form again with each message
// beside its field.
func (h *handler) reviewChange(c *fiber.Ctx) error {
	p, cat, err := h.newChangePage(c)
	if err != nil {
		return err
	}
	switch c.FormValue("step") {
	case "choose":
		ch, err := chooseChange(cat, c.FormValue("item"))
		if err != nil {
			return err
		}
		keepOnce(c, p)
		p.V["Choice"], p.V["Carry"] = ch, carried(c, cat)
		return h.showStep(c, fiber.StatusOK, stepChoose, p, cat)
	case "details":
		ch, err := chooseChange(cat, c.FormValue("item"))
		if err != nil {
			return err
		}
		if ch.Item == nil {
			keepOnce(c, p)
			p.V["Choice"], p.V["Carry"] = ch, carried(c, cat)
			return h.noItem(c, p, cat)
		}
		if _, _, err := h.changeForm(c, p, cat); err != nil {
			return err
		}
		return h.showStep(c, fiber.StatusOK, stepDetails, p, cat)
	}
	it, form, err := h.changeForm(c, p, cat)
	if err != nil {
		return err
	}
	_, vs, err := h.Changes.Check(c.UserContext(), actorOf(c), p.Scope.Tenant.ID, it.Code, form)
	if err != nil {
		if _, ok := asValidation(err); !ok {
			return err
		}
		h.fieldErrors(p, err)
		return h.showStep(c, fiber.StatusUnprocessableEntity, stepDetails, p, cat)
	}
	p.V["Item"], p.V["Values"], p.V["Rows"], p.V["PreApproved"] = it, vs, it.Rows(vs), it.PreApproved(vs)
	return h.showStep(c, fiber.StatusOK, stepSummary, p, cat)
}

// submitChange records the request validated on the summary, checked again on the server, and
// shows its number; "Back" (step=edit) goes back to the form with the values.
func (h *handler) submitChange(c *fiber.Ctx) error {
	p, cat, err := h.newChangePage(c)
	if err != nil {
		return err
	}
	it, form, err := h.changeForm(c, p, cat)
	if err != nil {
		return err
	}
	if c.FormValue("step") == "edit" {
		return h.showStep(c, fiber.StatusOK, stepDetails, p, cat)
	}
	r, err := h.Changes.SubmitOnce(c.UserContext(), actorOf(c), p.Scope.Tenant.ID, it.Code, form, p.Form[once.Field])
	if err != nil {
		if _, ok := asValidation(err); !ok {
			return err
		}
		h.fieldErrors(p, err)
		return h.showStep(c, fiber.StatusUnprocessableEntity, stepDetails, p, cat)
	}
	return h.done(c, "/changes/"+itoa(r.ID)+"/confirmation", "")
}

// showChangeConfirmation shows the number of a request just made, with a link to it.
func (h *handler) showChangeConfirmation(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "change.confirmation.title")
	if err != nil {
		return err
	}
	id, err := idParam(c, "change")
	if err != nil {
		return err
	}
	r, _, _, err := h.Changes.Get(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	p.V["Request"] = r
	return h.show(c, "customer/change_confirmation", p)
}
