package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
)

// showQueue is the agents' queue across tenants, the nearest SLA due time first.
func (h *handler) showQueue(c *fiber.Ctx) error {
	p := h.page(c, "incident.queue.title")
	f, q := incidentFilter(c, true)
	pg := pageOf(c)
	list, more, err := h.queue(c, p, f, pg)
	if err != nil {
		return err
	}
	p.V["Incidents"], p.V["Filter"] = incidentTable(h.incidentRows(p.Lang, list, true, time.Now()), incidentColumns(h, p.Lang, true, true)), q
	incidentChoices(p)
	p.V["Pager"], p.V["Export"] = morePager(c, pg, more), exportLink("/staff/incidents", q)
	return h.show(c, "staff/incidents", p)
}

// queue reads page pg of the queue; a tenant code no tenant has lists nothing, with its message
// beside the field.
func (h *handler) queue(c *fiber.Ctx, p *page, f incident.Filter, pg paging.Page) ([]incident.Incident, bool, error) {
	list, more, err := h.Incidents.List(c.UserContext(), actorOf(c), f, pg)
	if _, refused := asValidation(err); refused {
		h.fieldErrors(p, err)
		return nil, false, nil
	}
	return list, more, err
}

// showStaffIncident is an incident's page for an agent: every action its state allows.
func (h *handler) showStaffIncident(c *fiber.Ctx) error {
	inc, err := h.incidentParam(c)
	if err != nil {
		return err
	}
	p := h.page(c, "incident.page.title")
	return h.showIncidentPage(c, p, inc, fiber.StatusOK)
}
