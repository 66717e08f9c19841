package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
)

// showQueue is the agents' queue across tenants, the nearest SLA due time first, with the
// control that links selected incidents to an active major incident (renderQueue).
func (h *handler) showQueue(c *fiber.Ctx) error {
	return h.renderQueue(c, h.page(c, "incident.queue.title"), fiber.StatusOK, time.Now())
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

// showStaffIncident is an incident's page for an agent: every action its state allows, and the
// public reply filled with the canned response ?canned= names.
func (h *handler) showStaffIncident(c *fiber.Ctx) error {
	inc, err := h.incidentParam(c)
	if err != nil {
		return err
	}
	p := h.page(c, "incident.page.title")
	status, err := h.insertCanned(c, p, inc)
	if err != nil {
		return err
	}
	if status, err = h.insertArticle(c, p, inc, status); err != nil {
		return err
	}
	return h.showIncidentPage(c, p, inc, status)
}
