package web

import (
	"errors"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
)

// staffTenantRecent is how many incidents, change requests and contract requests the staff
// page of a tenant lists of each.
const staffTenantRecent = 10

// showStaffTenants lists tenants with search: a sales rep's own, or all for agents and admins.
func (h *handler) showStaffTenants(c *fiber.Ctx) error {
	p := h.page(c, "staff.tenants.title")
	p.Form["q"] = c.Query("q")
	pg := pageOf(c)
	ts, total, err := h.Contracts.Tenants(c.UserContext(), actorOf(c), p.Form["q"], pg)
	if err != nil {
		return err
	}
	p.V["Tenants"], p.V["Total"], p.V["Pager"] = ts, total, countedPager(c, pg, total)
	return h.show(c, "staff/tenants", p)
}

// showStaffTenant shows one tenant to staff: its roles, members and support-level history, and
// the tenant's recent incidents (open ones first), change requests and contract requests, each
// list shown to the staff who may read it (agents and admins the incidents; everyone the
// changes; sales reps and admins the contract requests).
func (h *handler) showStaffTenant(c *fiber.Ctx) error {
	id, err := idParam(c, "tenant")
	if err != nil {
		return err
	}
	ctx, actor := c.UserContext(), actorOf(c)
	card, err := h.Contracts.StaffTenant(ctx, actor, id)
	if err != nil {
		return err
	}
	p := h.page(c, "staff.tenant.title")
	p.V["Tenant"], p.V["Members"], p.V["Contract"] = card.Tenant, card.Members, card.Contract

	incs, err := h.staffTenantIncidents(c, card.Tenant.ID)
	if p.V["ShowIncidents"], err = readable(err); err != nil {
		return err
	}
	p.V["Incidents"], p.V["Now"] = incs, time.Now()
	p.V["IncidentQueue"] = "/staff/incidents?" + url.Values{"tenant": {card.Tenant.Code}}.Encode()
	changes, total, err := h.Changes.StaffTenantList(ctx, actor, card.Tenant.ID, staffTenantRecent)
	if p.V["ShowChanges"], err = readable(err); err != nil {
		return err
	}
	p.V["Changes"], p.V["ChangeTotal"] = changes, total
	requests, err := h.Contracts.StaffTenantRequests(ctx, actor, card.Tenant.ID, staffTenantRecent)
	if p.V["ShowRequests"], err = readable(err); err != nil {
		return err
	}
	p.V["Requests"] = requests
	return h.show(c, "staff/tenant", p)
}

// readable says whether a list was read; the refusal of a list the reader may not read is no
// error: the page does not show that list.
func readable(err error) (bool, error) {
	if errors.Is(err, apperr.ErrForbidden) || errors.Is(err, apperr.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// staffTenantIncidents lists the tenant's open incidents, nearest due first, then its latest
// others, up to staffTenantRecent in all: an empty list (not nil) when it has none.
func (h *handler) staffTenantIncidents(c *fiber.Ctx, tenantID int64) ([]incident.Incident, error) {
	ctx, actor := c.UserContext(), actorOf(c)
	pg := paging.Page{Number: 1, Size: staffTenantRecent}
	open, _, err := h.Incidents.List(ctx, actor, incident.Filter{TenantID: tenantID, Queue: true}, pg)
	if err != nil {
		return nil, err
	}
	list := append(make([]incident.Incident, 0, staffTenantRecent), open...)
	if len(list) < staffTenantRecent {
		// The latest ones include open incidents already listed: read enough to fill the list.
		pg.Size = staffTenantRecent + len(open)
		latest, _, err := h.Incidents.List(ctx, actor, incident.Filter{TenantID: tenantID}, pg)
		if err != nil {
			return nil, err
		}
		for i := range latest {
			if len(list) < staffTenantRecent && !latest[i].IsOpen() {
				list = append(list, latest[i])
			}
		}
	}
	return list, nil
}
