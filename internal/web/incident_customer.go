package web

import (
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/once"
	"github.com/guichet/guichet/internal/tenancy"
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

// showIncidents is "Incidents récents": the scope's incidents, latest update first, filtered;
// with ?all=1, the incidents of every tenant where the customer has the `incidents` right, each
// with its tenant. The service authorizes: a customer without the `incidents` right gets 403,
// one without a tenant 404.
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
	if !f.AllTenants {
		// The "all my tenants" view is offered to a customer with the right on several tenants.
		ts, err := h.Incidents.IncidentTenants(c.UserContext(), actorOf(c))
		if err != nil {
			return err
		}
		p.V["Several"] = len(ts) > 1
	}
	p.V["All"] = f.AllTenants
	banner := tenantIDs(p.Tenants)
	if !f.AllTenants && p.Scope != nil {
		banner = []int64{p.Scope.Tenant.ID}
	}
	if err := h.majorBanner(c, p, banner...); err != nil {
		return err
	}
	p.V["Incidents"] = incidentTable(h.incidentRows(p.Lang, list, false, time.Now()), incidentColumns(h, p.Lang, false, f.AllTenants))
	p.V["Filter"] = q
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
	if err := h.newIncidentChoices(c, p); err != nil {
		return err
	}
	p.Form["region"], p.Form["impact"], p.Form["urgency"] = "eu-west-0", "medium", "medium"
	p.Form[once.Field] = once.NewToken()
	h.sameProblem(p, "", "", "")
	return h.show(c, "customer/incident_new", p)
}

// newIncidentChoices are the declaration form's choices and the terms the incident will be
// held to: a level without any target says so before the customer declares.
func (h *handler) newIncidentChoices(c *fiber.Ctx, p *page) error {
	incidentChoices(p)
	if err := h.majorBanner(c, p, p.Scope.Tenant.ID); err != nil {
		return err
	}
	terms, err := h.Incidents.DeclareTerms(c.UserContext(), actorOf(c), p.Scope.Tenant.ID)
	if err != nil {
		return err
	}
	p.V["Terms"] = terms
	return nil
}

// declareIncident is "Valider" on the form: the incident is declared, or the form comes back
// with the input kept, the files sent kept for the session, and each message beside its field.
func (h *handler) declareIncident(c *fiber.Ctx) error {
	scope, err := h.scope(c)
	if err != nil {
		return err
	}
	form := formOf(c, "title", "description", "service", "region", "region_other", "impact", "urgency", "phone", once.Field, "seen", "suggested")
	d := incident.Draft{Title: form["title"], Description: form["description"], Service: form["service"],
		Region: form["region"], RegionOther: form["region_other"], Impact: form["impact"], Urgency: form["urgency"],
		Phone: form["phone"], FormToken: form[once.Field]}
	// « C'est le même problème : me tenir informé » sends the major incident to link to.
	if v := c.FormValue("major"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return apperr.ErrNotFound
		}
		d.MajorID = id
	}
	ff, err := h.readFormFiles(c, "files")
	if err == nil {
		if ask, aerr := h.askSameProblem(c, scope, d, form, ff); aerr != nil || ask {
			return aerr
		}
		if ask, aerr := h.askArticles(c, d, form, ff); aerr != nil || ask {
			return aerr
		}
	}
	if err != nil {
		es, ok := asValidation(err)
		if !ok {
			return err
		}
		if derr := d.Validate(); derr != nil {
			more, _ := asValidation(derr)
			es = append(more, es...)
		}
		err = es
	} else if d.Files, err = h.attachable(c, ff); err == nil {
		var inc *incident.Incident
		if inc, err = h.Incidents.Declare(c.UserContext(), actorOf(c), scope.Tenant.ID, d); err == nil {
			h.attached(c, ff)
			return c.Redirect("/incidents/"+inc.Number()+"/declared", fiber.StatusSeeOther)
		}
	}
	if _, ok := asValidation(err); !ok {
		return err
	}
	// The form comes back only when refused: build its page then.
	p, perr := h.incidentsPage(c, "incident.new.title")
	if perr != nil {
		return perr
	}
	if err := h.newIncidentChoices(c, p); err != nil {
		return err
	}
	p.Form = form
	h.sameProblem(p, d.Service, d.Region, form["seen"])
	if err := h.keepFiles(c, p, ff); err != nil {
		return err
	}
	sg, serr := h.suggestionsFor(c, help.FromIncident, d.Title)
	if serr != nil {
		return serr
	}
	p.V["Suggestions"] = sg
	return h.invalid(c, err, "customer/incident_new", p)
}

// askSameProblem shows the declaration form again, before anything is declared, when the
// service and region chosen match an active major incident of the tenant that the customer has
// not been told of on the form yet (without script, the form can only say so once sent): it
// then offers « C'est le même problème : me tenir informé » or a separate incident. It reports
// whether it did.
func (h *handler) askSameProblem(c *fiber.Ctx, scope *tenancy.Access, d incident.Draft, form map[string]string, ff formFiles) (bool, error) {
	if d.MajorID != 0 || scope == nil {
		return false, nil
	}
	// Most declarations match no major incident: they are asked nothing, and read nothing more.
	ms, err := h.Majors.Matching(c.UserContext(), actorOf(c), scope.Tenant.ID, d.Service, d.Region)
	if err != nil || len(ms) == 0 {
		return false, err
	}
	p, err := h.incidentsPage(c, "incident.new.title")
	if err != nil {
		return false, err
	}
	if err := h.newIncidentChoices(c, p); err != nil {
		return false, err
	}
	if len(h.sameProblem(p, d.Service, d.Region, form["seen"])) == 0 {
		return false, nil
	}
	p.Form = form
	p.V["Asking"] = true
	if err := h.keepFiles(c, p, ff); err != nil { // the files chosen wait for the answer
		return true, err
	}
	return true, h.show(c, "customer/incident_new", p)
}

// askArticles shows the declaration form again, before anything is declared, with the help
// articles that best answer its title, when the customer has not been offered them yet: without
// script, the form can only offer them once sent (with script, they appear as the title is
// typed, and the form says so with suggested). The customer then opens one, gives up with
// « Cela répond à ma question », or declares with Valider. It reports whether it did.
func (h *handler) askArticles(c *fiber.Ctx, d incident.Draft, form map[string]string, ff formFiles) (bool, error) {
	if form["suggested"] != "" {
		return false, nil
	}
	if check := d; check.Validate() != nil { // refused input comes back with its messages first
		return false, nil
	}
	sg, err := h.suggestionsFor(c, help.FromIncident, d.Title)
	if err != nil || sg == nil {
		return false, err
	}
	p, err := h.incidentsPage(c, "incident.new.title")
	if err != nil {
		return false, err
	}
	if err := h.newIncidentChoices(c, p); err != nil {
		return false, err
	}
	p.Form = form
	p.Form["suggested"] = "1"
	h.sameProblem(p, d.Service, d.Region, form["seen"])
	p.V["Suggestions"], p.V["Reviewing"] = sg, true
	if err := h.keepFiles(c, p, ff); err != nil { // the files chosen wait for the answer
		return true, err
	}
	return true, h.show(c, "customer/incident_new", p)
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
	m, err := h.majorOf(c, inc)
	if err != nil {
		return err
	}
	p.V["Major"] = m
	return h.show(c, "customer/incident_declared", p)
}

// showIncident is an incident's page for a customer: its fields, SLA, timeline and actions. An
// incident of another of the customer's tenants (a link from a mail) switches Périmètre to its
// tenant, so that the tabs, the list and the declaration form that follow are that tenant's.
func (h *handler) showIncident(c *fiber.Ctx) error {
	inc, err := h.incidentParam(c)
	if err != nil {
		return err
	}
	p, err := h.customerPage(c, "incident.page.title")
	if err != nil {
		return err
	}
	if (p.Scope == nil || p.Scope.Tenant.ID != inc.TenantID) && c.Method() == fiber.MethodGet {
		if p, err = h.switchScope(c, p, inc.TenantID); err != nil {
			return err
		}
	}
	return h.showIncidentPage(c, p, inc, fiber.StatusOK)
}

// switchScope makes tenantID, one of the scope selector's tenants, the session's scope, and
// builds the page again under it, saying so. A tenant the selector does not list leaves the
// scope as it is.
func (h *handler) switchScope(c *fiber.Ctx, p *page, tenantID int64) (*page, error) {
	sess := currentSession(c)
	if sess == nil || !slices.ContainsFunc(p.Tenants, func(t tenancy.Tenant) bool { return t.ID == tenantID }) {
		return p, nil
	}
	if err := h.Tenancy.SetScope(c.UserContext(), actorOf(c), sess, tenantID); err != nil {
		return nil, err
	}
	c.Locals("scope", nil) // resolved again, under the new scope
	np, err := h.customerPage(c, p.Title)
	if err != nil {
		return nil, err
	}
	np.Flash = p.Flash
	if np.Scope != nil {
		np.V["ScopeSwitched"] = np.Scope.Tenant
	}
	return np, nil
}
