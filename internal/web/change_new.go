package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/once"
)

// changeChoice is where the requester stands in the catalogue: the catalogue, category and item
// chosen so far, from the lists of "Demander un changement".
type changeChoice struct {
	Collection *change.Collection
	Category   *change.Category
	Item       *change.Item
}

// chooseChange reads the choices; an unknown code, or an item that cannot be ordered any more,
// answers 404. An item alone says its category and catalogue.
func chooseChange(cat *change.Catalogue, collection, category, item string) (changeChoice, error) {
	var ch changeChoice
	if item != "" {
		it, ok := cat.Orderable(item)
		if !ok || it.Category() == nil {
			return ch, apperr.ErrNotFound
		}
		ch.Item, ch.Category = it, it.Category()
		ch.Collection = ch.Category.Collection()
		return ch, nil
	}
	if collection == "" {
		return ch, nil
	}
	col, ok := cat.Collection(collection)
	if !ok {
		return ch, apperr.ErrNotFound
	}
	ch.Collection = col
	if category == "" {
		return ch, nil
	}
	if ch.Category, ok = col.Category(category); !ok {
		return ch, apperr.ErrNotFound
	}
	return ch, nil
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

// showNewChange walks the catalogue: catalogue → category → item → the item's form.
func (h *handler) showNewChange(c *fiber.Ctx) error {
	p, cat, err := h.newChangePage(c)
	if err != nil {
		return err
	}
	ch, err := chooseChange(cat, c.Query("catalogue"), c.Query("category"), c.Query("item"))
	if err != nil {
		return err
	}
	p.V["Choice"] = ch
	return h.show(c, "customer/change_new", p)
}

// itemForm reads the values of the item's fields (named v_<code>); anything else is ignored.
func itemForm(c *fiber.Ctx, it *change.Item) map[string]string {
	form := make(map[string]string, len(it.Fields))
	for _, f := range it.Fields {
		form[f.Code] = c.FormValue("v_" + f.Code)
	}
	return form
}

// changeForm reads the posted item and its values, and shows the item's form again on p.
func (h *handler) changeForm(c *fiber.Ctx, p *page, cat *change.Catalogue) (*change.Item, map[string]string, error) {
	ch, err := chooseChange(cat, "", "", c.FormValue("item"))
	if err != nil || ch.Item == nil {
		return nil, nil, apperr.ErrNotFound
	}
	p.V["Choice"] = ch
	form := itemForm(c, ch.Item)
	for k, v := range form {
		p.Form[k] = v
	}
	// The one-time token travels from the summary back to the form and on to Valider.
	if p.Form[once.Field] = c.FormValue(once.Field); p.Form[once.Field] == "" {
		p.Form[once.Field] = once.NewToken()
	}
	return ch.Item, form, nil
}

// reviewChange checks the form on the server and shows the summary to validate, or the form
// again with each message beside its field.
func (h *handler) reviewChange(c *fiber.Ctx) error {
	p, cat, err := h.newChangePage(c)
	if err != nil {
		return err
	}
	it, form, err := h.changeForm(c, p, cat)
	if err != nil {
		return err
	}
	_, vs, err := h.Changes.Check(c.UserContext(), actorOf(c), p.Scope.Tenant.ID, it.Code, form)
	if err != nil {
		return h.invalid(c, err, "customer/change_new", p)
	}
	p.Title = "change.summary.title"
	p.V["Item"], p.V["Values"], p.V["Rows"], p.V["PreApproved"] = it, vs, it.Rows(vs), it.PreApproved(vs)
	return h.show(c, "customer/change_summary", p)
}

// submitChange records the request validated on the summary, checked again on the server, and
// shows its number; "Modifier" goes back to the form with the values.
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
		return h.show(c, "customer/change_new", p)
	}
	r, err := h.Changes.SubmitOnce(c.UserContext(), actorOf(c), p.Scope.Tenant.ID, it.Code, form, p.Form[once.Field])
	if err != nil {
		return h.invalid(c, err, "customer/change_new", p)
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
