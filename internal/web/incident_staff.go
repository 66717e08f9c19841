package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/account"
	"github.com/guichet/guichet/internal/incident"
)

// showQueue is the agents' queue across tenants, the nearest SLA due time first.
func (h *handler) showQueue(c *fiber.Ctx) error {
	p := h.page(c, "incident.queue.title")
	f, q := h.queueFilter(c, p)
	now := time.Now()
	list, more, err := incident.List(c.UserContext(), h.DB, f, now)
	if err != nil {
		return err
	}
	p.V["Incidents"], p.V["Filter"], p.V["Now"] = list, q, now
	incidentChoices(p)
	pageLinks(p, "/staff/incidents", q, f.Page, more)
	return h.show(c, "staff/incidents", p)
}

// queueFilter reads the queue's filters; a tenant is named by its code.
func (h *handler) queueFilter(c *fiber.Ctx, p *page) (incident.Filter, map[string]string) {
	f, q := incidentFilter(c, true)
	if code := q["tenant"]; code != "" {
		t, err := account.TenantByCode(c.UserContext(), h.DB, code)
		if err != nil {
			p.Errors["tenant"] = h.Bundle.T(p.Lang, "incident.error.tenant_filter", map[string]any{"Code": code})
			f.TenantID = -1
		} else {
			f.TenantID = t.ID
		}
	}
	return f, q
}

// showStaffIncident is an incident's page for an agent: every action its state allows.
func (h *handler) showStaffIncident(c *fiber.Ctx) error {
	inc, err := h.incidentParam(c)
	if err != nil {
		return err
	}
	p := h.page(c, "incident.page.title")
	p.Form["assignee"] = strconv.FormatInt(actorOf(c).UserID, 10)
	return h.showIncidentPage(c, p, inc, fiber.StatusOK)
}
