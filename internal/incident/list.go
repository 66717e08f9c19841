package incident

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// listColumns are what lists show: everything but the description, which can be long.
const listColumns = "i.id, i.tenant_id, i.reporter_id, i.assignee_id, i.title, i.service, i.region, i.region_other, " +
	"i.impact, i.urgency, i.priority, i.status, i.level, i.version, i.sla_due_at, i.sla_risk_at, i.created_at, i.updated_at, i.resolved_at"

// maxPageSize bounds one page: a CSV export reads one long page of up to 100,000 rows.
const maxPageSize = 100000

// Filter narrows a list of incidents. Customers list one tenant, or every tenant where they
// hold the `incidents` right (AllTenants).
type Filter struct {
	TenantID int64
	// TenantIDs narrows to several tenants; for a customer Service.List fills it from
	// AllTenants, whatever the caller put there.
	TenantIDs []int64
	// AllTenants asks a customer's list across their tenants with the `incidents` right.
	AllTenants bool
	// TenantCode names the tenant of a staff list; Service.List reads it into TenantID.
	TenantCode string
	Status     Status
	Priority   Priority
	Text       string // full-text search over number, title, description and replies
	Unassigned bool
	AssigneeID int64
	SLA        string // "", "at_risk" or "breached"
	// Queue sorts by the nearest SLA due time and lists open incidents unless Status says
	// otherwise (the agents' queue); otherwise the latest update comes first.
	Queue bool
	// Staff searches internal notes too.
	Staff bool
}

// List returns page p of the incidents matching f, and whether another page follows. It counts
// nothing: a page costs the same on the millionth incident as on the first. A search (Text)
// lists the incidents with the most recent matching text first. It does not authorize: see
// Service.List.
func List(ctx context.Context, idb bun.IDB, f Filter, p paging.Page, now time.Time) ([]Incident, bool, error) {
	// Bounded here too, whatever the edge let through: page × size must never overflow.
	p = p.Within(maxPageSize)
	if q := timeline.ParseQuery(f.Text); len(q) > 0 {
		if f.TenantID == 0 && len(f.TenantIDs) > 0 && !f.Staff {
			return searchTenants(ctx, idb, f, p, q, now)
		}
		return search(ctx, idb, f, p, q, now)
	}
	var list []Incident
	q := filtered(idb, &list, f, now, "")
	if f.Queue {
		q = q.OrderExpr("i.sla_due_at, i.id")
	} else {
		q = q.OrderExpr("i.updated_at DESC, i.id DESC")
	}
	if p.Size > 0 {
		q = q.Limit(int64(p.Limit() + 1)).Offset(int64(p.Offset()))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, err
	}
	more := p.Size > 0 && len(list) > p.Size
	if more {
		list = list[:p.Size]
	}
	return list, more, nil
}

// filtered selects the incidents f lets through, with the names lists show. With plus "+" (see
// noIndex), the filters use no index, so that SQLite reads a search's candidates by id rather
// than walking a tenant's or a state's index past them.
func filtered(idb bun.IDB, list *[]Incident, f Filter, now time.Time, plus string) *bun.SelectQuery {
	q := idb.NewSelect().Model(list).ColumnExpr(listColumns).
		ColumnExpr("t.code AS tenant_code, t.name AS tenant_name, a.display_name AS assignee_name").
		Join("JOIN tenants AS t ON t.id = i.tenant_id").
		Join("LEFT JOIN users AS a ON a.id = i.assignee_id")
	if f.TenantID != 0 {
		q = q.Where(plus+"i.tenant_id = ?", f.TenantID)
	}
	if len(f.TenantIDs) > 0 {
		q = q.Where(plus+"i.tenant_id IN (?)", bun.In(f.TenantIDs))
	}
	switch {
	case f.Status != "":
		q = q.Where(plus+"i.status = ?", f.Status)
	case f.Queue:
		q = q.Where(plus + "i.status IN ('new', 'in_progress', 'pending_customer')")
	}
	if f.Priority != "" {
		q = q.Where(plus+"i.priority = ?", f.Priority)
	}
	if f.Unassigned {
		q = q.Where(plus + "i.assignee_id IS NULL")
	}
	if f.AssigneeID != 0 {
		q = q.Where(plus+"i.assignee_id = ?", f.AssigneeID)
	}
	switch f.SLA {
	case "breached":
		q = q.Where(plus+"i.sla_due_at <= ?", now.UTC())
	case "at_risk":
		q = q.Where(plus+"i.sla_risk_at <= ? AND i.sla_due_at > ?", now.UTC(), now.UTC())
	}
	return q
}

// Search limits: matches are read from the most recent in chunks, up to a bound that keeps the
// worst case fast. The index reads one tenant's texts (and, for customers, its public texts
// only), so the bound is met only when the filters other than the tenant (a status, an
// assignee) pass over tens of thousands of matching incidents.
const (
	searchChunk = 1000
	searchMax   = 50000
)

// search reads the full-text index from the most recent match backwards, in the reader's scope
// (the tenant of f; notes for staff only), keeps the matches of incidents' replies, notes and
// own texts, and filters their incidents with f until the page is full.
func search(ctx context.Context, idb bun.IDB, f Filter, p paging.Page, m timeline.Query, now time.Time) ([]Incident, bool, error) {
	want := p.Offset() + max(p.Size, 1) + 1
	if p.Size <= 0 {
		want = searchMax
	}
	kinds := []timeline.Kind{timeline.Reply, timeline.Event}
	if f.Staff {
		kinds = append(kinds, timeline.Note)
	}
	var found []Incident
	seen := map[int64]bool{}
	before := int64(1<<63 - 1)
	// The first chunk is about what the page needs, and each next one twice the last: a common
	// word fills a first page from its newest few matches, without reading a thousand of them
	// (which PostgreSQL, walking its primary key backwards, pays per row).
	chunk := min(searchChunk, max(2*want, 100))
	for read := 0; len(found) < want && read < searchMax; read, chunk = read+chunk, min(2*chunk, searchChunk) {
		rowids, err := timeline.Matches(ctx, idb, m, timeline.Scope{TenantID: f.TenantID, Notes: f.Staff}, before, chunk)
		if err != nil {
			return nil, false, err
		}
		if len(rowids) == 0 {
			break
		}
		before = rowids[len(rowids)-1]
		var subjects []int64
		plus := noIndex(idb)
		if err := idb.NewRaw("SELECT subject_id FROM timeline_entries WHERE id IN (?) AND "+plus+"subject_kind = ? AND "+plus+"kind IN (?) ORDER BY id DESC",
			bun.In(rowids), SubjectKind, bun.In(kinds)).Scan(ctx, &subjects); err != nil {
			return nil, false, err
		}
		var cands []int64
		for _, id := range subjects {
			if !seen[id] {
				seen[id] = true
				cands = append(cands, id)
			}
		}
		// The candidates are read in the order of their matches, no more at a time than the
		// page still needs: most pass the filter, so a page reads about its own rows.
		for len(cands) > 0 && len(found) < want {
			batch := cands[:min(len(cands), max(want-len(found), 10))]
			cands = cands[len(batch):]
			var list []Incident
			if err := filtered(idb, &list, f, now, noIndex(idb)).Where("i.id IN (?)", bun.In(batch)).Scan(ctx); err != nil {
				return nil, false, err
			}
			byID := make(map[int64]Incident, len(list))
			for _, inc := range list {
				byID[inc.ID] = inc
			}
			for _, id := range batch {
				if inc, ok := byID[id]; ok {
					found = append(found, inc)
				}
			}
		}
		if len(rowids) < chunk {
			break
		}
	}
	if p.Size <= 0 {
		return found, false, nil
	}
	from := min(p.Offset(), len(found))
	page := slices.Clone(found[from:min(from+p.Size, len(found))])
	return page, len(found) > from+p.Size, nil
}

// searchTenants is a customer's search across several tenants: the index is read in each
// tenant's public scope (a customer never reads the whole desk's), and the matches merged, the
// latest update first.
func searchTenants(ctx context.Context, idb bun.IDB, f Filter, p paging.Page, m timeline.Query, now time.Time) ([]Incident, bool, error) {
	want := paging.Page{Number: 1, Size: p.Offset() + max(p.Size, 1) + 1}
	if p.Size <= 0 {
		want.Size = searchMax
	}
	var all []Incident
	for _, id := range f.TenantIDs {
		one := f
		one.TenantID, one.TenantIDs = id, nil
		found, _, err := search(ctx, idb, one, want, m, now)
		if err != nil {
			return nil, false, err
		}
		all = append(all, found...)
	}
	slices.SortFunc(all, func(a, b Incident) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	if p.Size <= 0 {
		return all, false, nil
	}
	from := min(p.Offset(), len(all))
	page := slices.Clone(all[from:min(from+p.Size, len(all))])
	return page, len(all) > from+p.Size, nil
}

// noIndex is the prefix that keeps SQLite from using an index for a condition (a unary "+"
// on the column). PostgreSQL has no such hint, and no need of it: its planner reads the
// candidates by primary key when their ids are listed.
func noIndex(idb bun.IDB) string {
	if db.IsPG(idb) {
		return ""
	}
	return "+"
}
