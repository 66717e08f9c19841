package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/incident"
)

// incidentsPage is a page of the Incidents tab: it needs a scope with the `incidents` right.
func (h *handler) incidentsPage(c *fiber.Ctx, title string) (*page, error) {
	p, err := h.customerPage(c, title)
	if err != nil {
		return nil, err
	}
	if p.Scope == nil {
		return nil, apperr.ErrNotFound
	}
	if !p.Scope.Rights.Incidents {
		return nil, apperr.ErrForbidden
	}
	return p, nil
}

// showIncidents is "Incidents récents": the scope's incidents, latest update first, filtered.
func (h *handler) showIncidents(c *fiber.Ctx) error {
	p, err := h.incidentsPage(c, "incident.list.title")
	if err != nil {
		return err
	}
	f, q := incidentFilter(c, false)
	f.TenantID = p.Scope.Tenant.ID
	list, more, err := incident.List(c.UserContext(), h.DB, f, time.Now())
	if err != nil {
		return err
	}
	p.V["Incidents"], p.V["Filter"] = list, q
	incidentChoices(p)
	pageLinks(p, "/incidents", q, f.Page, more)
	return h.show(c, "customer/incidents", p)
}

// showNewIncident is the "Déclarer un incident" form.
func (h *handler) showNewIncident(c *fiber.Ctx) error {
	p, err := h.incidentsPage(c, "incident.new.title")
	if err != nil {
		return err
	}
	incidentChoices(p)
	p.Form["region"], p.Form["impact"], p.Form["urgency"] = "eu-west-0", "medium", "medium"
	return h.show(c, "customer/incident_new", p)
}

// declareIncident is "Valider" on the form: the incident is declared, or the form comes back
// with the input kept and each message beside its field.
func (h *handler) declareIncident(c *fiber.Ctx) error {
	p, err := h.incidentsPage(c, "incident.new.title")
	if err != nil {
		return err
	}
	incidentChoices(p)
	p.Form = formOf(c, "title", "description", "service", "region", "region_other", "impact", "urgency", "phone")
	d := incident.Draft{Title: p.Form["title"], Description: p.Form["description"], Service: p.Form["service"],
		Region: p.Form["region"], RegionOther: p.Form["region_other"], Impact: p.Form["impact"], Urgency: p.Form["urgency"],
		Phone: p.Form["phone"]}
	files, ferr := h.uploads(c, "files")
	if ferr != nil {
		es, _ := asValidation(ferr)
		if derr := d.Validate(); derr != nil {
			more, _ := asValidation(derr)
			es = append(more, es...)
		}
		return h.invalid(c, es, "customer/incident_new", p)
	}
	d.Files = files
	inc, err := h.Incidents.Declare(c.UserContext(), actorOf(c), p.Scope.Tenant.ID, d)
	if err != nil {
		return h.invalid(c, err, "customer/incident_new", p)
	}
	return c.Redirect("/incidents/"+inc.Number()+"/declared", fiber.StatusSeeOther)
}

// showDeclared confirms a declaration with the incident's number and a link to it.
func (h *handler) showDeclared(c *fiber.Ctx) error {
	inc, err := h.incidentParam(c)
	if err != nil {
		return err
	}
	p, err := h.customerPage(c, "incident.declared.title")
	if err != nil {
		return err
	}
	p.V["Incident"] = inc
	return h.show(c, "customer/incident_declared", p)
}

// showIncident is an incident's page for a customer: its fields, SLA, timeline and actions.
func (h *handler) showIncident(c *fiber.Ctx) error {
	inc, err := h.incidentParam(c)
	if err != nil {
		return err
	}
	p, err := h.customerPage(c, "incident.page.title")
	if err != nil {
		return err
	}
	return h.showIncidentPage(c, p, inc, fiber.StatusOK)
}
