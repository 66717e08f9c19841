package web

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/cloud"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/once"
)

// The Services tab: the service catalogue of the scoped tenant, each item with who may order
// it, its price note and whether it applies at once, and the tenant's service orders below it.
// An order is a change request of the service catalogue: once recorded, it is followed on its
// change request's page.

// showServices lists the scoped tenant's service catalogue by category, then its service
// orders, paged.
func (h *handler) showServices(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "service.list.title")
	if err != nil {
		return err
	}
	if p.Scope == nil {
		return apperr.ErrNotFound
	}
	ctx, actor, tenantID := c.UserContext(), actorOf(c), p.Scope.Tenant.ID
	cats, err := h.Changes.BrowseServices(ctx, actor, tenantID)
	if err != nil {
		return err
	}
	pg := pageOf(c)
	orders, total, err := h.Changes.Orders(ctx, actor, tenantID, pg)
	if err != nil {
		return err
	}
	p.V["Categories"], p.V["Orders"], p.V["Total"] = cats, orders, total
	p.V["Pager"] = countedPager(c, pg, total)
	return h.show(c, "customer/services", p)
}

// serviceOrderPage is the order form's page for the item the path names, on the scoped tenant:
// an unknown or retired item is not found (before any right is looked at: the catalogue is the
// same for every tenant); an item the customer may not order is refused with its reason.
func (h *handler) serviceOrderPage(c *fiber.Ctx) (*page, *change.Item, error) {
	p, err := h.customerPage(c, "service.order.title")
	if err != nil {
		return nil, nil, err
	}
	if p.Scope == nil || h.Changes.Services == nil {
		return nil, nil, apperr.ErrNotFound
	}
	if _, ok := h.Changes.Services.Orderable(c.Params("service")); !ok {
		return nil, nil, apperr.ErrNotFound
	}
	_, it, err := h.Changes.ServiceItem(c.UserContext(), actorOf(c), p.Scope.Tenant.ID, c.Params("service"))
	if err != nil {
		// A refusal is answered here: no item and no error tell the handler it is done.
		return nil, nil, h.serviceRefusal(c, p, err)
	}
	p.V["Item"], p.V["Regions"] = it, cloud.Regions()
	return p, it, nil
}

// serviceRefusal answers an order the rules refuse to this customer (only the referent, only
// the domain owner may order the item) with the 403 page and the localized reason; any other
// error takes the error path.
func (h *handler) serviceRefusal(c *fiber.Ctx, p *page, err error) error {
	var e *i18n.Error
	if !isRefusal(err) || !errors.As(err, &e) {
		return err
	}
	p.Title, p.Form, p.Errors = "error.page.403.title", map[string]string{}, map[string]string{}
	p.V = map[string]any{"Message": "error.page.403.text", "Status": fiber.StatusForbidden,
		"Details": []string{h.Bundle.Message(p.Lang, e)}}
	return h.renderStatus(c, fiber.StatusForbidden, "errors/error", p)
}

// showServiceOrder is the order form of one service item, with its notice, its price note and
// what happens once it is ordered.
func (h *handler) showServiceOrder(c *fiber.Ctx) error {
	p, it, err := h.serviceOrderPage(c)
	if err != nil || it == nil {
		return err
	}
	p.Form[once.Field] = once.NewToken()
	return h.show(c, "customer/service_order", p)
}

// orderService records the order sent from an item's form, checked again on the server, and
// goes to its change request; the form comes back with each message beside its field and the
// input kept. The form's one-time token makes a double submission one order.
func (h *handler) orderService(c *fiber.Ctx) error {
	p, it, err := h.serviceOrderPage(c)
	if err != nil || it == nil {
		return err
	}
	form := itemForm(c, it)
	for k, v := range form {
		p.Form[k] = v
	}
	keepOnce(c, p)
	r, err := h.Changes.Order(c.UserContext(), actorOf(c), p.Scope.Tenant.ID, it.Code, form, p.Form[once.Field])
	if err != nil {
		if isRefusal(err) {
			return h.serviceRefusal(c, p, err)
		}
		return h.invalid(c, err, "customer/service_order", p)
	}
	flash := "flash.service.ordered"
	switch {
	case it.Immediate:
		flash = "flash.service.applied"
	case it.Quoted():
		flash = "flash.service.quote"
	}
	return h.done(c, "/changes/"+itoa(r.ID), flash)
}

// isRefusal says whether err is a single localized refusal (who may order the item) rather than
// the form's validation failures.
func isRefusal(err error) bool {
	var es i18n.Errors
	if errors.As(err, &es) {
		return false
	}
	var e *i18n.Error
	return errors.As(err, &e)
}
