package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/paging"
)

// csvMax bounds one export.
const csvMax = 10000

// exportChanges sends the scoped tenant's change requests, or all the customer's tenants' with
// ?all=1, filtered as the list is, as CSV (see sendCSV), headers and values in the reader's
// language; the file is named after the tenant, or "all my tenants".
func (h *handler) exportChanges(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "change.list.title")
	if err != nil {
		return err
	}
	if p.Scope == nil {
		return apperr.ErrNotFound
	}
	rs, _, _, err := h.customerChanges(c, p, changeFilter(c, p), paging.Page{Number: 1, Size: csvMax})
	if err != nil {
		return err
	}
	part := p.Scope.Tenant.Code
	if p.V["All"] == true {
		part = h.Bundle.T(p.Lang, "change.csv.all_tenants", nil)
	}
	T := func(key string) string { return h.Bundle.T(p.Lang, key, nil) }
	header := []string{T("change.number"), T("change.tenant"), T("change.item"), T("change.csv.region"), T("change.csv.current"),
		T("change.csv.requested"), T("change.state"), T("change.requester"), T("change.created"), T("change.scheduled_on"), T("change.applied_value"), T("change.due.column")}
	rows := make([][]string, len(rs))
	for i := range rs {
		rows[i] = h.changeCSVRow(p.Lang, &rs[i])
	}
	tenantID := p.Scope.Tenant.ID
	if p.V["All"] == true {
		tenantID = 0
	}
	return h.sendExport(c, csvExport{Lang: p.Lang, Name: h.Bundle.T(p.Lang, "change.csv.file", nil), Parts: []string{part},
		Header: header, Rows: rows}, tenantID)
}

func (h *handler) changeCSVRow(lang string, r *change.Request) []string {
	s := r.Snapshot()
	num := func(code string) string {
		if n, ok := s.Values.Int(code); ok {
			return strconv.FormatInt(n, 10)
		}
		return ""
	}
	region := s.Values.Text(change.FieldRegion)
	scheduled := ""
	if !r.ScheduledOn.IsZero() {
		scheduled = r.ScheduledOn.String()
	}
	// The dates are ISO 8601, which a spreadsheet reads as dates in either language; the quota
	// values are whole numbers, so no decimal separator is written.
	return []string{r.Number(), r.TenantCode, s.Item.Label.In(lang), region, num(change.FieldCurrent), num(change.FieldRequested),
		h.Bundle.T(lang, r.State.Key(), nil), r.RequesterName, r.CreatedAt.In(calendar.Paris).Format("2006-01-02 15:04"), scheduled, r.AppliedValue,
		r.Due().Date.String()}
}
