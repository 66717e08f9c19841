package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/contract"
)

// showContract is the Contract tab: the tenant's support level, its commitment and history, the
// pending or scheduled change, the way to ask for one (or why the reader may not), the
// tenant's requests and the sales forms.
func (h *handler) showContract(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "contract.title")
	if err != nil {
		return err
	}
	if p.Scope == nil {
		return apperr.ErrNotFound
	}
	o, err := h.Contracts.Overview(c.UserContext(), actorOf(c), p.Scope.Tenant.ID)
	if err != nil {
		return err
	}
	p.V["Contract"], p.V["Levels"], p.V["SalesForms"] = o, contract.Levels(), contract.SalesForms()
	return h.show(c, "customer/contract", p)
}
