package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/contract"
)

// contractRoutes declares the routes of this capability; registerRoutes calls it.
func (h *handler) contractRoutes(r *router) {
	for _, k := range contract.Kinds() {
		r.get("/contract/"+k.Slug(), customer, h.showRequestForm(k))
		r.post("/contract/"+k.Slug(), customer, h.fileRequest(k))
	}
	r.get("/contract/requests/:request", customer, h.showRequest)
	r.post("/contract/requests/:request/reply", customer, h.replyRequest)

	r.get("/staff/sales", sales, h.showSalesDesk)
	r.get("/staff/sales/:request", sales, h.showSalesRequest)
	r.post("/staff/sales/:request/accept", sales, h.acceptRequest)
	r.post("/staff/sales/:request/reject", sales, h.rejectRequest)
	r.post("/staff/sales/:request/reply", sales, h.replySalesRequest)

	h.readable(contract.TimelineKind, func(c *fiber.Ctx, id int64) error {
		return h.Contracts.CanRead(c.UserContext(), actorOf(c), id)
	})
}

func requestPath(id int64) string { return "/contract/requests/" + strconv.FormatInt(id, 10) }

func salesPath(id int64) string { return "/staff/sales/" + strconv.FormatInt(id, 10) }
