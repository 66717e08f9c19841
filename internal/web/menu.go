package web

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
)

// menuCap bounds every count of the staff menu: a count at the cap reads "99+". A count costs
// the same on the millionth incident as on the first.
const menuCap = 100

// menuTTL is how long a staff member's menu counts are reused: a menu a few seconds late is
// fine, a query on every page view is not.
const menuTTL = 15 * time.Second

// staffCounts is what waits for a staff member, by entry of the menu ("" when none applies).
type staffCounts struct {
	Incidents string // agents: theirs and unassigned, new or in progress
	Changes   string // agents: approved or scheduled changes to work
	Approvals string // sales: submitted changes of their tenants
	Sales     string // sales: pending contract requests of their tenants
	// desk is what Incidents counts, for the admins' overview, which splits it.
	desk incident.DeskCounts
}

type menuEntry struct {
	at     time.Time
	counts staffCounts
}

// menuCache keeps each staff member's counts for menuTTL.
type menuCache struct {
	mu sync.Mutex
	m  map[int64]menuEntry
}

// countLabel writes n for the menu, "99+" from the cap.
func countLabel(n int) string {
	if n >= menuCap {
		return strconv.Itoa(menuCap-1) + "+"
	}
	return strconv.Itoa(n)
}

// staffMenu reads (or reuses) the counts of the staff member's menu. A failure leaves the
// menu without counts: the page itself still shows.
func (h *handler) staffMenu(c *fiber.Ctx, u *identity.User) staffCounts {
	now := time.Now()
	h.menu.mu.Lock()
	e, ok := h.menu.m[u.ID]
	h.menu.mu.Unlock()
	if ok && now.Sub(e.at) < menuTTL {
		return e.counts
	}
	counts, err := h.readStaffCounts(c.UserContext(), actorOf(c))
	if err != nil {
		h.Log.Warn("menu counts", "err", err)
		return staffCounts{}
	}
	h.menu.mu.Lock()
	if len(h.menu.m) > 10000 {
		h.menu.m = map[int64]menuEntry{}
	}
	h.menu.m[u.ID] = menuEntry{at: now, counts: counts}
	h.menu.mu.Unlock()
	return counts
}

func (h *handler) readStaffCounts(ctx context.Context, actor tenancy.Actor) (staffCounts, error) {
	var sc staffCounts
	one := paging.Page{Number: 1, Size: 1}
	k := actor.Kind
	if k == identity.Agent || k == identity.Admin {
		dc, err := h.Incidents.DeskCounts(ctx, actor, menuCap)
		if err != nil {
			return sc, err
		}
		sc.desk = dc
		sc.Incidents = countLabel(min(dc.Mine+dc.Unassigned, menuCap))
		_, n, err := h.Changes.Queue(ctx, actor, change.Filter{}, one)
		if err != nil {
			return sc, err
		}
		sc.Changes = countLabel(n)
	}
	if k == identity.Sales || k == identity.Admin {
		_, n, err := h.Changes.Approvals(ctx, actor, change.Filter{}, one)
		if err != nil {
			return sc, err
		}
		sc.Approvals = countLabel(n)
		rs, err := h.Contracts.Queue(ctx, actor)
		if err != nil {
			return sc, err
		}
		sc.Sales = countLabel(len(rs))
	}
	return sc, nil
}
