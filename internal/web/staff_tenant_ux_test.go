package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
)

// TestStaffTenantUXListsTheTenantsWork: the staff page of a tenant lists its incidents (open
// first), change requests and contract requests, each to the staff who may read them, with
// links to their staff pages, and nothing of another tenant; breadcrumbs lead back to the list.
func TestStaffTenantUXListsTheTenantsWork(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	a, b := d.tenant(t, "OCB0000001"), d.tenant(t, "OCB0000004")
	closed := d.declare(t, "Marie.Dupont", a.ID, "Ancienne panne du tenant A")
	open := d.declare(t, "Marie.Dupont", a.ID, "Panne ouverte du tenant A")
	foreign := d.declare(t, "Paul.Martin", b.ID, "Panne du tenant B")
	marie := d.user(t, "Marie.Dupont")
	if _, err := d.Incidents.Do(ctx, tenancy.ActorOf(marie), closed.ID, incident.Act{Action: incident.Cancel, Version: closed.Version}); err != nil {
		t.Fatal(err)
	}
	chgA := mustChange(t, d, a.ID, "ecs_instances", "10", "12")
	chgB := mustChange(t, d, b.ID, "ecs_instances", "10", "14")
	reqA := filed(t, "order on A", inScope(t, d, "Marie.Dupont", "OCB0000001").Post("/contract/order", url.Values{"contract_name": {"Recette A"}, "level": {"basic"}}))
	reqB := filed(t, "order on B", inScope(t, d, "Paul.Martin", "OCB0000004").Post("/contract/order", url.Values{"contract_name": {"Recette B"}, "level": {"basic"}}))

	page := "/staff/tenants/" + id(a.ID)
	incidentLink := func(inc *incident.Incident) string { return `href="/staff/incidents/` + inc.Number() + `"` }
	for _, c := range []struct {
		login                         string
		incidents, changes, requests  bool
		crumbs, incidentsH, changesH  string
		requestsH, queueLink, noThere string
	}{
		{"Alice.Agent", true, true, false, "Breadcrumb", "Recent incidents", "Recent change requests", "Contract requests", "All open incidents of OCB0000001 in the queue", ""},
		{"Sophie.Commerciale", false, true, true, "Fil d’Ariane", "Incidents récents", "Demandes de changement récentes", "Demandes commerciales", "", ""},
		{"admin", true, true, true, "Breadcrumb", "Recent incidents", "Recent change requests", "Contract requests", "All open incidents of OCB0000001 in the queue", ""},
	} {
		t.Run(c.login, func(t *testing.T) {
			r := d.as(t, c.login).Get(page)
			wantStatus(t, "tenant page", r, 200)
			wantBody(t, "breadcrumbs", r, `<nav class="crumbs" aria-label="`+c.crumbs+`"><ol><li><a href="/staff/tenants">`, `<li aria-current="page">OCB0000001</li>`)
			// Another tenant's work never shows.
			wantNoBody(t, "tenant A's page", r, foreign.Number(), foreign.Title, chgB.Number(), `href="/staff/sales/`+reqB+`"`, "Recette B")
			if c.incidents {
				wantBody(t, "incidents", r, c.incidentsH, incidentLink(open), incidentLink(closed), `class="badge st-new"`, `class="badge st-cancelled"`,
					`href="/staff/incidents?tenant=OCB0000001"`, c.queueLink)
				if strings.Index(r.Body, open.Number()) > strings.Index(r.Body, closed.Number()) {
					t.Error("the cancelled incident comes before the open one")
				}
			} else {
				wantNoBody(t, "incidents", r, c.incidentsH, open.Number())
			}
			if c.changes {
				wantBody(t, "changes", r, c.changesH, `href="/staff/changes/`+id(chgA.ID)+`"`, chgA.Number(), `class="badge change-`+string(chgA.State)+`"`)
			}
			if c.requests {
				wantBody(t, "requests", r, c.requestsH, `href="/staff/sales/`+reqA+`"`, `class="badge state-pending"`)
			} else {
				wantNoBody(t, "requests", r, c.requestsH, `href="/staff/sales/`+reqA+`"`)
			}
		})
	}

	// Tenant B's page lists B's work only; customers are refused the page.
	r := d.as(t, "admin").Get("/staff/tenants/" + id(b.ID))
	wantBody(t, "tenant B", r, foreign.Number(), chgB.Number(), `href="/staff/sales/`+reqB+`"`)
	wantNoBody(t, "tenant B", r, open.Number(), closed.Number(), chgA.Number(), `href="/staff/sales/`+reqA+`"`)
	wantStatus(t, "a customer", d.as(t, "Marie.Dupont").Get(page), 403)

	// A tenant without any work says so.
	empty := d.tenant(t, "OCB0000002")
	r = d.as(t, "admin").Get("/staff/tenants/" + id(empty.ID))
	wantBody(t, "empty tenant", r, "No incident on this tenant.", "No change request on this tenant.", "No contract request on this tenant.")
}
