package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/once"
	"github.com/guichet/guichet/internal/tenancy"
	"time"
)

// incidentsScope is the tenant chosen with Périmètre, which the Incidents tab needs with the
// `incidents` right.
func (h *handler) incidentsScope(c *fiber.Ctx) (*tenancy.Access, error) {
	scope, err := h.scope(c)
	switch {
	case err != nil:
		return nil, err
	case scope == nil:
		return nil, apperr.ErrNotFound
	case !scope.Rights.Incidents:
		return nil, apperr.ErrForbidden
	}
	return scope, nil
}

// incidentsPage is a page of the Incidents tab.
func (h *handler) incidentsPage(c *fiber.Ctx, title string) (*page, error) {
	if _, err := h.incidentsScope(c); err != nil {
		return nil, err
	}
	return h.customerPage(c, title)
}

// showIncidents is "Incidents récents": the scope's incidents, latest update first, filtered.
// The service authorizes: a customer without the `incidents` right gets 403, one without a
// tenant 404.
func (h *handler) showIncidents(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "incident.list.title")
	if err != nil {
		return err
	}
	f, q := incidentFilter(c, false)
	if p.Scope != nil {
		f.TenantID = p.Scope.Tenant.ID
	}
	pg := pageOf(c)
	list, more, err := h.Incidents.List(c.UserContext(), actorOf(c), f, pg)
	if err != nil {
		return err
	}
	p.V["Incidents"], p.V["Filter"] = incidentTable(h.incidentRows(p.Lang, list, false, time.Time{}), false, ""), q
	incidentChoices(p)
	p.V["Pager"], p.V["Export"] = morePager(c, pg, more), exportLink("/incidents", q)
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
	p.Form[once.Field] = once.NewToken()
	return h.show(c, "customer/incident_new", p)
}

// declareIncident is "Valider" on the form: the incident is declared, or the form comes back
// with the input kept and each message beside its field.
func (h *handler) declareIncident(c *fiber.Ctx) error {
	scope, err := h.scope(c)
	if err != nil {
		return err
	}
	form := formOf(c, "title", "description", "service", "region", "region_other", "impact", "urgency", "phone", once.Field)
	d := incident.Draft{Title: form["title"], Description: form["description"], Service: form["service"],
		Region: form["region"], RegionOther: form["region_other"], Impact: form["impact"], Urgency: form["urgency"],
		Phone: form["phone"], FormToken: form[once.Field]}
	files, err := h.uploads(c, "files")
	if err != nil {
		es, _ := asValidation(err)
		if derr := d.Validate(); derr != nil {
			more, _ := asValidation(derr)
			es = append(more, es...)
		}
		err = es
	} else {
		d.Files = files
		var inc *incident.Incident
		if inc, err = h.Incidents.Declare(c.UserContext(), actorOf(c), scope.Tenant.ID, d); err == nil {
			return c.Redirect("/incidents/"+inc.Number()+"/declared", fiber.StatusSeeOther)
		}
	}
	// The form comes back only when refused: build its page then.
	p, perr := h.incidentsPage(c, "incident.new.title")
	if perr != nil {
		return perr
	}
	incidentChoices(p)
	p.Form = form
	return h.invalid(c, err, "customer/incident_new", p)
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
