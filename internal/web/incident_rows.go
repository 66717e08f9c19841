package web

import (
	"html"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/incident"
)

// incidentRow is one line of an incident list, as plain text the template only writes out:
// every translation, date and state is worked out here, once per row, instead of by function
// calls of the template (each a reflective call, a lookup and an allocation), which made most
// of a list page's time.
type incidentRow struct {
	ID                        int64
	Number, Title, TenantCode string
	Status, StatusLabel       string // the status's CSS suffix and its words
	Priority                  string
	Assignee                  string // "" when nobody is assigned
	Updated                   string
	Due, SLA, SLALabel        string // the due time, its state's CSS suffix and words; "" without one
	// Checked and SelectLabel are the row's box in the queue's selection (incidentCols.Select):
	// whether it is ticked, and the words that name it.
	Checked     bool
	SelectLabel string
}

// incidentRows prepares list for a page in lang, with each row's SLA state at now; staff read
// the states in their own words.
func (h *handler) incidentRows(lang string, list []incident.Incident, staff bool, now time.Time) []incidentRow {
	rows := make([]incidentRow, len(list))
	for i := range list {
		inc := &list[i]
		r := &rows[i]
		r.ID, r.Number, r.Title, r.TenantCode, r.Priority = inc.ID, inc.Number(), inc.Title, inc.TenantCode, string(inc.Priority)
		r.Status, r.StatusLabel = string(inc.Status), h.Bundle.T(lang, incident.StatusKeyFor(inc.Status, staff), nil)
		r.Assignee = inc.AssigneeName
		r.Updated = h.Bundle.FormatDateTime(lang, inc.UpdatedAt)
		if inc.HasDue() {
			st := string(inc.SLAState(now))
			r.Due, r.SLA, r.SLALabel = h.Bundle.FormatDateTime(lang, inc.SLADueAt), st, h.Bundle.T(lang, "sla.state."+st, nil)
		}
	}
	return rows
}

// incidentCols says which columns an incident list has, and their headers (each cell repeats
// its column's header in data-label, for the phone's stacked cards).
type incidentCols struct {
	Staff  bool // the agents' queue: staff links, assignee column
	Tenant bool // a tenant column (the queue; a customer's "all my tenants" list)
	// Select puts a box first on each row, which selects the incident for the queue's form
	// bulk-link (an active major incident to link them to).
	Select bool
	// Unassigned is the words of a row nobody is assigned to.
	Unassigned string
	// Number, TenantCode, Title, Status, Priority, Assignee, Due and Updated are the headers.
	Number, TenantCode, Title, Status, Priority, Assignee, Due, Updated string
}

// incidentColumns are the columns of a list in lang.
func incidentColumns(h *handler, lang string, staff, tenant bool) incidentCols {
	tr := func(k string) string { return h.Bundle.T(lang, k, nil) }
	return incidentCols{Staff: staff, Tenant: tenant || staff, Unassigned: tr("incident.unassigned"),
		Number: tr("incident.field.number"), TenantCode: tr("incident.field.tenant"), Title: tr("incident.field.title"),
		Status: tr("incident.field.status"), Priority: tr("incident.field.priority"), Assignee: tr("incident.field.assignee"),
		Due: tr("incident.field.due"), Updated: tr("incident.field.updated")}
}

// incidentTable is the rows of an incident list as the body of its table. At a list's 50 rows,
// the template's contextual escaping (two or three reflective calls for every value it writes)
// cost more than the page's queries; the rows are written here instead, every value escaped
// (html.EscapeString: text and quoted attributes alike; numbers, states and priorities are the
// program's own words), the same markup the template wrote. A breached due time is marked in
// words, not only by its colour.
func incidentTable(rows []incidentRow, cols incidentCols) template.HTML {
	var b strings.Builder
	b.Grow(len(rows) * 600)
	esc := html.EscapeString
	href := "/incidents/"
	if cols.Staff {
		href = "/staff/incidents/"
	}
	cell := func(label, inner string) {
		b.WriteString("    <td data-label=\"" + esc(label) + "\">" + inner + "</td>\n")
	}
	for i := range rows {
		r := &rows[i]
		b.WriteString("<tr>\n")
		if cols.Select {
			id := strconv.FormatInt(r.ID, 10)
			b.WriteString("    <td><input type=\"checkbox\" name=\"incident\" value=\"" + id + "\" form=\"bulk-link\" id=\"sel-" + id + "\"")
			if r.Checked {
				b.WriteString(" checked")
			}
			b.WriteString("><label for=\"sel-" + id + "\" class=\"sr-only\">" + esc(r.SelectLabel) + "</label></td>\n")
		}
		b.WriteString("    <td><a href=\"")
		b.WriteString(href + esc(r.Number) + "\">" + esc(r.Number) + "</a></td>\n")
		if cols.Tenant {
			cell(cols.TenantCode, esc(r.TenantCode))
		}
		cell(cols.Title, "<span data-user-content>"+esc(r.Title)+"</span>")
		cell(cols.Status, "<span class=\"badge st-"+esc(r.Status)+"\">"+esc(r.StatusLabel)+"</span>")
		cell(cols.Priority, "<span class=\"badge prio-"+esc(r.Priority)+"\">"+esc(r.Priority)+"</span>")
		if cols.Staff {
			if r.Assignee != "" {
				cell(cols.Assignee, esc(r.Assignee))
			} else {
				cell(cols.Assignee, "<em>"+esc(cols.Unassigned)+"</em>")
			}
		}
		if r.Due != "" {
			cell(cols.Due, "<span class=\"badge sla-"+esc(r.SLA)+"\">"+esc(r.SLALabel)+"</span> "+esc(r.Due))
		} else {
			cell(cols.Due, "—")
		}
		if !cols.Staff {
			cell(cols.Updated, esc(r.Updated))
		}
		b.WriteString("  </tr>\n")
	}
	return template.HTML(b.String()) //nolint:gosec // every value above is escaped
}

// renderQueue renders the agents' queue with status: the page of it the query asks for, its SLA
// states at now, with the control that links selected incidents to an active major incident
// (offerBulkLink).
func (h *handler) renderQueue(c *fiber.Ctx, p *page, status int, now time.Time) error {
	f, q := incidentFilter(c, true)
	pg := pageOf(c)
	list, more, err := h.queue(c, p, f, pg)
	if err != nil {
		return err
	}
	rows, cols := h.incidentRows(p.Lang, list, true, now), incidentColumns(h, p.Lang, true, true)
	if err := h.offerBulkLink(c, p, rows, &cols); err != nil {
		return err
	}
	p.V["Incidents"], p.V["Filter"] = incidentTable(rows, cols), q
	incidentChoices(p)
	p.V["Pager"], p.V["Export"] = pagerOn(c, "/staff/incidents", pg, more), exportLink("/staff/incidents", q)
	return h.renderStatus(c, status, "staff/incidents", p)
}
