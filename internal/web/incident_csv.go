package web

import (
	"bytes"
	"encoding/csv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/incident"
)

// csvLimit bounds one export; a filter narrows a larger list.
const csvLimit = 100000

// exportIncidents is the customer list as CSV, with the same filters, for the scope's tenant.
func (h *handler) exportIncidents(c *fiber.Ctx) error {
	p, err := h.incidentsPage(c, "incident.list.title")
	if err != nil {
		return err
	}
	f, _ := incidentFilter(c, false)
	f.TenantID = p.Scope.Tenant.ID
	return h.writeIncidentsCSV(c, p, f, "incidents-"+p.Scope.Tenant.Code)
}

// exportQueue is the agents' queue as CSV, with the same filters.
func (h *handler) exportQueue(c *fiber.Ctx) error {
	p := h.page(c, "incident.queue.title")
	f, _ := h.queueFilter(c, p)
	return h.writeIncidentsCSV(c, p, f, "incidents")
}

// writeIncidentsCSV writes a list as CSV that Excel opens as is: UTF-8 with a byte-order mark,
// headers and values in the reader's language, and the list separator of that language's Excel
// (a semicolon in French, a comma in English).
func (h *handler) writeIncidentsCSV(c *fiber.Ctx, p *page, f incident.Filter, name string) error {
	f.Page, f.PerPage = 1, csvLimit
	list, _, err := incident.List(c.UserContext(), h.DB, f, time.Now())
	if err != nil {
		return err
	}
	tr := func(key string) string { return h.Bundle.T(p.Lang, key, nil) }
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	if p.Lang == "fr" {
		w.Comma = ';'
	}
	header := []string{"incident.field.number", "incident.field.title", "incident.field.status", "incident.field.priority",
		"incident.field.service", "incident.field.region", "incident.field.tenant", "incident.field.assignee",
		"incident.field.created", "incident.field.updated"}
	for i, k := range header {
		header[i] = tr(k)
	}
	w.Write(header)
	stamp := func(t time.Time) string { return t.In(calendar.Paris).Format("2006-01-02 15:04") }
	for _, inc := range list {
		region := inc.RegionOther
		if region == "" {
			region = tr("cloud.region." + inc.Region)
		}
		w.Write([]string{inc.Number(), inc.Title, tr(incident.StatusKey(inc.Status)), string(inc.Priority),
			tr("cloud.service." + inc.Service), region, inc.TenantCode, inc.AssigneeName, stamp(inc.CreatedAt), stamp(inc.UpdatedAt)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+"-"+time.Now().In(calendar.Paris).Format("2006-01-02")+`.csv"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(buf.Bytes())
}
