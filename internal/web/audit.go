package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
)

// The audit log's pages: admins read the whole log under /admin/audit, a tenant's referent the
// entries about the tenant chosen with Périmètre under /audit (the service authorizes: another
// member gets its 403, another customer's tenant its 404). Both filter by period, action and
// person, page by a cursor, and export what the filter selects as CSV, an export the log
// records before the file is sent. Nothing on these pages changes an entry.

// auditFields are the filter's fields, in the form's order.
var auditFields = []string{"from", "to", "action", "actor", "subject", "tenant"}

// auditQuery reads the filter of the query string, and the form as typed (trimmed), to show it
// again. A customer's page has no tenant field: the tenant is the scope's.
func auditQuery(c *fiber.Ctx, admin bool) (audit.Query, map[string]string) {
	form := make(map[string]string, len(auditFields))
	for _, n := range auditFields {
		if n == "tenant" && !admin {
			continue
		}
		form[n] = strings.TrimSpace(c.Query(n))
	}
	return audit.Query{From: form["from"], To: form["to"], Action: form["action"], Actor: form["actor"],
		Subject: form["subject"], Tenant: form["tenant"], Before: c.Query("before")}, form
}

// auditLink is base with the filter of form and, when positive, the cursor.
func auditLink(base string, form map[string]string, before int64) string {
	v := url.Values{}
	for _, n := range auditFields {
		if s := form[n]; s != "" {
			v.Set(n, s)
		}
	}
	if before > 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

// showAuditLog is the whole log for an admin.
func (h *handler) showAuditLog(c *fiber.Ctx) error {
	p := h.page(c, "audit.title")
	q, form := auditQuery(c, true)
	p.Form = form
	f, err := audit.ParseFilter(q)
	var es []audit.Entry
	var next int64
	if err == nil {
		es, next, err = h.Audit.ListForAdmin(c.UserContext(), actorOf(c).Actor, f)
	}
	return h.renderAudit(c, p, "admin/audit", "/admin/audit", f, es, next, err)
}

// showTenantAudit is the entries about the scope's tenant, for its referent.
func (h *handler) showTenantAudit(c *fiber.Ctx) error {
	p, err := h.customerPage(c, "audit.title")
	if err != nil {
		return err
	}
	if p.Scope == nil {
		return apperr.ErrNotFound
	}
	p.V["AuditTab"] = true
	q, form := auditQuery(c, false)
	p.Form = form
	tenantID := p.Scope.Tenant.ID
	f, err := audit.ParseFilter(q)
	if err != nil {
		// The reader is refused before what they typed.
		if aerr := h.Audit.CanReadTenant(c.UserContext(), actorOf(c), tenantID); aerr != nil {
			return aerr
		}
	}
	var es []audit.Entry
	var next int64
	if err == nil {
		es, next, err = h.Audit.ListForTenant(c.UserContext(), actorOf(c), tenantID, f)
	}
	return h.renderAudit(c, p, "customer/audit", "/audit", f, es, next, err)
}

// renderAudit shows a page of the log, or the form again with its refusals beside their fields
// (422) when the filter was refused.
func (h *handler) renderAudit(c *fiber.Ctx, p *page, name, base string, f audit.Filter, es []audit.Entry, next int64, err error) error {
	p.V["Groups"], p.V["Base"] = audit.ActionGroups(), base
	if err != nil {
		if _, ok := asValidation(err); !ok {
			return err
		}
		h.fieldErrors(p, err)
		return h.renderStatus(c, fiber.StatusUnprocessableEntity, name, p)
	}
	p.V["Lines"] = audit.NewPresenter(h.Bundle, p.Lang).Lines(es)
	p.V["Filtered"] = !f.Empty()
	p.V["Export"] = auditLink(base+"/export.csv", p.Form, 0)
	if next > 0 {
		p.V["Older"] = auditLink(base, p.Form, next)
	}
	if f.Before > 0 {
		p.V["Newest"] = auditLink(base, p.Form, 0)
	}
	return h.show(c, name, p)
}

// exportAuditLog is an admin's export of what the filter selects.
func (h *handler) exportAuditLog(c *fiber.Ctx) error {
	q, _ := auditQuery(c, true)
	f, err := audit.ParseFilter(q)
	if err != nil {
		return err
	}
	es, err := h.Audit.ExportForAdmin(c.UserContext(), actorOf(c).Actor, f)
	if err != nil {
		return err
	}
	var parts []string
	if f.TenantCode != "" {
		parts = append(parts, f.TenantCode)
	}
	return h.sendAuditCSV(c, es, parts...)
}

// exportTenantAudit is a referent's export of the entries about the scope's tenant.
func (h *handler) exportTenantAudit(c *fiber.Ctx) error {
	scope, err := h.scope(c)
	if err != nil {
		return err
	}
	q, _ := auditQuery(c, false)
	f, err := audit.ParseFilter(q)
	if err != nil {
		if aerr := h.Audit.CanReadTenant(c.UserContext(), actorOf(c), scope.Tenant.ID); aerr != nil {
			return aerr
		}
		return err
	}
	es, err := h.Audit.ExportForTenant(c.UserContext(), actorOf(c), scope.Tenant.ID, f)
	if err != nil {
		return err
	}
	return h.sendAuditCSV(c, es, scope.Tenant.Code)
}

// sendAuditCSV sends entries as the reader's spreadsheet (see sendCSV).
func (h *handler) sendAuditCSV(c *fiber.Ctx, es []audit.Entry, parts ...string) error {
	lang := langOf(c)
	header, rows := audit.NewPresenter(h.Bundle, lang).CSV(es)
	return sendCSV(c, csvExport{Lang: lang, Name: h.Bundle.T(lang, "audit.csv.file", nil), Parts: parts, Header: header, Rows: rows})
}
