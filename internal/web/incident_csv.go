package web

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
)

// csvLimit bounds one export; a filter narrows a larger list.
const csvLimit = 100000

// exportIncidents is the customer list as CSV, with the same filters, for the scope's tenant.
// With ?all=1, every tenant of the customer's with the `incidents` right.
func (h *handler) exportIncidents(c *fiber.Ctx) error {
	f, _ := incidentFilter(c, false)
	if f.AllTenants {
		return h.writeIncidentsCSV(c, langOf(c), f)
	}
	scope, err := h.scope(c)
	if err != nil {
		return err
	}
	f.TenantID = scope.Tenant.ID
	return h.writeIncidentsCSV(c, langOf(c), f, scope.Tenant.Code)
}

// exportQueue is the agents' queue as CSV, with the same filters.
func (h *handler) exportQueue(c *fiber.Ctx) error {
	f, _ := incidentFilter(c, true)
	return h.writeIncidentsCSV(c, langOf(c), f)
}

// writeIncidentsCSV sends a list as CSV (see sendCSV), headers and values in the reader's
// language; parts follow the file's name (the tenant's code for a customer's export).
func (h *handler) writeIncidentsCSV(c *fiber.Ctx, lang string, f incident.Filter, parts ...string) error {
	list, _, err := h.Incidents.List(c.UserContext(), actorOf(c), f, paging.Page{Number: 1, Size: csvLimit})
	if _, refused := asValidation(err); refused {
		list, err = nil, nil // a tenant code no tenant has: nothing to export
	}
	if err != nil {
		return err
	}
	tr := func(key string) string { return h.Bundle.T(lang, key, nil) }
	header := []string{"incident.field.number", "incident.field.title", "incident.field.status", "incident.field.priority",
		"incident.field.service", "incident.field.region", "incident.field.tenant", "incident.field.assignee",
		"incident.field.created", "incident.field.updated"}
	for i, k := range header {
		header[i] = tr(k)
	}
	stamp := func(t time.Time) string { return t.In(calendar.Paris).Format("2006-01-02 15:04") }
	rows := make([][]string, 0, len(list))
	for _, inc := range list {
		region := inc.RegionOther
		if region == "" {
			region = tr("cloud.region." + inc.Region)
		}
		rows = append(rows, []string{inc.Number(), inc.Title, tr(incident.StatusKeyFor(inc.Status, actorOf(c).Staff())), string(inc.Priority),
			tr("cloud.service." + inc.Service), region, inc.TenantCode, inc.AssigneeName, stamp(inc.CreatedAt), stamp(inc.UpdatedAt)})
	}
	return h.sendExport(c, csvExport{Lang: lang, Name: h.Bundle.T(lang, "incident.csv.file", nil), Parts: parts, Header: header, Rows: rows}, f.TenantID)
}
