package web

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/tenancy"
)

// itoa writes an id into a path: the one copy, for every handler of the web edge; the
// services use strconv directly.
func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func (h *handler) tenantForm(p *page) {
	p.V["Levels"], p.V["Statuses"] = contract.Levels(), tenancy.TenantStatuses
}

func (h *handler) showNewTenant(c *fiber.Ctx) error {
	p := h.page(c, "admin.tenant_new.title")
	p.Form["effective_from"] = calendar.ParisDate(time.Now()).String()
	p.Form["level"] = string(contract.Standard)
	h.tenantForm(p)
	return h.show(c, "admin/tenant_new", p)
}

// createTenant onboards a tenant with its current support level and commitment.
func (h *handler) createTenant(c *fiber.Ctx) error {
	p := h.page(c, "admin.tenant_new.title")
	p.Form = formOf(c, "code", "name", "referent", "owner", "sales_rep", "level", "effective_from", "committed_until")
	h.tenantForm(p)
	in := contract.NewTenant{Code: p.Form["code"], Name: p.Form["name"], ReferentLogin: p.Form["referent"],
		OwnerLogin: p.Form["owner"], SalesRepLogin: p.Form["sales_rep"], Level: p.Form["level"],
		EffectiveFrom: p.Form["effective_from"], CommittedUntil: p.Form["committed_until"]}
	t, err := h.Contracts.Onboard(c.UserContext(), actorOf(c), in)
	if err != nil {
		return h.invalid(c, err, "admin/tenant_new", p)
	}
	return h.done(c, "/staff/tenants/"+itoa(t.ID), "flash.tenant_created")
}

func (h *handler) showEditTenant(c *fiber.Ctx) error {
	id, err := idParam(c, "tenant")
	if err != nil {
		return err
	}
	t, err := h.Tenancy.StaffTenant(c.UserContext(), actorOf(c), id)
	if err != nil {
		return err
	}
	p := h.page(c, "admin.tenant_edit.title")
	p.Form = map[string]string{"name": t.Name, "status": t.Status}
	if t.SalesRep != nil {
		p.Form["sales_rep"] = t.SalesRep.Login
	}
	p.V["Tenant"] = t
	h.tenantForm(p)
	return h.show(c, "admin/tenant_edit", p)
}

func (h *handler) saveTenant(c *fiber.Ctx) error {
	id, err := idParam(c, "tenant")
	if err != nil {
		return err
	}
	p := h.page(c, "admin.tenant_edit.title")
	p.Form = formOf(c, "name", "status", "sales_rep")
	h.tenantForm(p)
	t, err := h.Tenancy.UpdateTenantDetails(c.UserContext(), actorOf(c), id,
		tenancy.TenantEdit{Name: p.Form["name"], Status: p.Form["status"], SalesRepLogin: p.Form["sales_rep"]})
	if err != nil {
		if _, ok := asValidation(err); !ok {
			return err
		}
		cur, lerr := h.Tenancy.StaffTenant(c.UserContext(), actorOf(c), id)
		if lerr != nil {
			return lerr
		}
		p.V["Tenant"] = cur
		return h.invalid(c, err, "admin/tenant_edit", p)
	}
	return h.done(c, "/staff/tenants/"+itoa(t.ID), "flash.saved")
}
