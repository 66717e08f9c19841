package web

import (
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
