package web

import (
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/inbound"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/paging"
)

// overviewTile is one figure of the admins' overview and the page that deals with it.
type overviewTile struct {
	Label, Help string // message keys
	Count       string
	Path        string
	Alert       bool // something is wrong: it is shown first and marked
}

// showAdminOverview is where admins land: what waits in every queue of the desk, and what went
// wrong with accounts and mail, each with the page that deals with it. Read afresh, uncached.
func (h *handler) showAdminOverview(c *fiber.Ctx) error {
	ctx, actor := c.UserContext(), actorOf(c)
	p := h.page(c, "admin.overview.title")
	one := paging.Page{Number: 1, Size: 1}
	counts, err := h.readStaffCounts(ctx, actor)
	if err != nil {
		return err
	}
	_, locked, err := h.Identity.ListUsers(ctx, actor.Actor, identity.UserFilter{Locked: true, Limit: 1})
	if err != nil {
		return err
	}
	_, dead, err := h.Outbox.List(ctx, actor.Actor, notify.StatusDead, one)
	if err != nil {
		return err
	}
	_, quarantined, err := h.Inbound.List(ctx, actor.Actor, inbound.Quarantined, one)
	if err != nil {
		return err
	}
	tiles := []overviewTile{
		{Label: "admin.overview.unassigned", Help: "admin.overview.unassigned_help", Count: countLabel(counts.desk.Unassigned), Path: "/staff/incidents?who=unassigned"},
		{Label: "admin.overview.changes", Help: "admin.overview.changes_help", Count: counts.Changes, Path: "/staff/changes"},
		{Label: "admin.overview.approvals", Help: "admin.overview.approvals_help", Count: counts.Approvals, Path: "/staff/approvals"},
		{Label: "admin.overview.sales", Help: "admin.overview.sales_help", Count: counts.Sales, Path: "/staff/sales"},
		{Label: "admin.overview.locked", Help: "admin.overview.locked_help", Count: countLabel(locked), Path: "/admin/locked", Alert: locked > 0},
		{Label: "admin.overview.dead", Help: "admin.overview.dead_help", Count: countLabel(dead), Path: "/admin/outbox?status=" + notify.StatusDead, Alert: dead > 0},
		{Label: "admin.overview.quarantined", Help: "admin.overview.quarantined_help", Count: countLabel(quarantined), Path: "/admin/inbound?status=" + string(inbound.Quarantined), Alert: quarantined > 0},
	}
	p.V["Tiles"] = tiles
	return h.show(c, "admin/overview", p)
}
