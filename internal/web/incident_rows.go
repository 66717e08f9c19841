package web

import (
	"html"
	"html/template"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/incident"
)

// incidentRow is one line of an incident list, as plain text the template only writes out:
// every translation, date and state is worked out here, once per row, instead of by function
// calls of the template (each a reflective call, a lookup and an allocation), which made most
// of a list page's time.
type incidentRow struct {
	Number, Title, TenantCode string
	Status, StatusLabel       string // the status's CSS suffix and its words
	Priority                  string
	Assignee                  string // "" when nobody is assigned
	Updated                   string
	Due, SLA, SLALabel        string // the due time, its state's CSS suffix and words; "" without one
}

// incidentRows prepares list for a page in lang; staff rows carry the SLA state at now.
func (h *handler) incidentRows(lang string, list []incident.Incident, staff bool, now time.Time) []incidentRow {
	rows := make([]incidentRow, len(list))
	for i := range list {
		inc := &list[i]
		r := &rows[i]
		r.Number, r.Title, r.TenantCode, r.Priority = inc.Number(), inc.Title, inc.TenantCode, string(inc.Priority)
		r.Status, r.StatusLabel = string(inc.Status), h.Bundle.T(lang, incident.StatusKey(inc.Status), nil)
		r.Assignee = inc.AssigneeName
		r.Updated = h.Bundle.FormatDateTime(lang, inc.UpdatedAt)
		if staff && inc.HasDue() {
			st := string(inc.SLAState(now))
			r.Due, r.SLA, r.SLALabel = h.Bundle.FormatDateTime(lang, inc.SLADueAt), st, h.Bundle.T(lang, "sla.state."+st, nil)
		}
	}
	return rows
}

// incidentTable is the rows of an incident list as the body of its table. At a list's 50 rows,
// the template's contextual escaping (two or three reflective calls for every value it writes)
// cost more than the page's queries; the rows are written here instead, every value escaped
// (html.EscapeString: text and quoted attributes alike; numbers, states and priorities are the
// program's own words), the same markup the template wrote.
func incidentTable(rows []incidentRow, staff bool, unassigned string) template.HTML {
	var b strings.Builder
	b.Grow(len(rows) * 400)
	esc := html.EscapeString
	href := "/incidents/"
	if staff {
		href = "/staff/incidents/"
	}
	for i := range rows {
		r := &rows[i]
		b.WriteString("<tr>\n    <td><a href=\"")
		b.WriteString(href + esc(r.Number) + "\">" + esc(r.Number) + "</a></td>\n")
		if staff {
			b.WriteString("    <td>" + esc(r.TenantCode) + "</td>\n")
		}
		b.WriteString("    <td>" + esc(r.Title) + "</td>\n")
		b.WriteString("    <td><span class=\"badge st-" + esc(r.Status) + "\">" + esc(r.StatusLabel) + "</span></td>\n")
		b.WriteString("    <td><span class=\"badge prio-" + esc(r.Priority) + "\">" + esc(r.Priority) + "</span></td>\n")
		if staff {
			if r.Assignee != "" {
				b.WriteString("    <td>" + esc(r.Assignee) + "</td>\n")
			} else {
				b.WriteString("    <td><em>" + esc(unassigned) + "</em></td>\n")
			}
			if r.Due != "" {
				b.WriteString("    <td><span class=\"badge sla-" + esc(r.SLA) + "\">" + esc(r.SLALabel) + "</span> " + esc(r.Due) + "</td>\n")
			} else {
				b.WriteString("    <td>—</td>\n")
			}
		} else {
			b.WriteString("    <td>" + esc(r.Updated) + "</td>\n")
		}
		b.WriteString("  </tr>\n")
	}
	return template.HTML(b.String()) //nolint:gosec // every value above is escaped
}
