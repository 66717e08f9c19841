package incident

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/guichet/guichet/internal/account"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// listColumns are what lists show: everything but the description, which can be long.
const listColumns = "i.id, i.tenant_id, i.reporter_id, i.assignee_id, i.title, i.service, i.region, i.region_other, " +
	"i.impact, i.urgency, i.priority, i.status, i.level, i.version, i.sla_due_at, i.sla_risk_at, i.created_at, i.updated_at, i.resolved_at"

// Insert writes a new incident and indexes its number, title and description for search.
func Insert(ctx context.Context, idb bun.IDB, inc *Incident) error {
	if _, err := idb.NewInsert().Model(inc).Exec(ctx); err != nil {
		return err
	}
	if idb.Dialect().Name().String() == "sqlite" {
		_, err := idb.NewRaw("INSERT INTO incident_fts (rowid, number, title, description) VALUES (?, ?, ?, ?)",
			inc.ID, inc.Number(), inc.Title, inc.Description).Exec(ctx)
		return err
	}
	return nil
}

// ByID reads an incident with its tenant's code and its people's names. It does not authorize.
func ByID(ctx context.Context, idb bun.IDB, id int64) (*Incident, error) {
	inc := new(Incident)
	err := idb.NewSelect().Model(inc).
		ColumnExpr("i.*").
		ColumnExpr("t.code AS tenant_code, r.display_name AS reporter_name, a.display_name AS assignee_name").
		Join("JOIN tenants AS t ON t.id = i.tenant_id").
		Join("JOIN users AS r ON r.id = i.reporter_id").
		Join("LEFT JOIN users AS a ON a.id = i.assignee_id").
		Where("i.id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	return inc, err
}

// Update writes the incident's state if nobody changed it since version was read; otherwise it
// returns apperr.ErrStale and writes nothing.
func Update(ctx context.Context, idb bun.IDB, inc *Incident) error {
	read := inc.Version
	inc.Version++
	res, err := idb.NewUpdate().Model(inc).
		Column("assignee_id", "priority", "status", "version", "sla_due_at", "sla_risk_at", "sla_alert_at",
			"fr_breach_notified", "res_breach_notified", "updated_at", "resolved_at").
		WherePK().Where("version = ?", read).Exec(ctx)
	if err != nil {
		inc.Version = read
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		inc.Version = read
		if err != nil {
			return err
		}
		return apperr.ErrStale
	}
	return nil
}

// Filter narrows a list of incidents. Customers always list one tenant.
type Filter struct {
	TenantID   int64
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
	Staff   bool
	Page    int
	PerPage int
}

// List returns one page of incidents matching f, and whether another page follows. It counts
// nothing: a page costs the same on the millionth incident as on the first.
func List(ctx context.Context, idb bun.IDB, f Filter, now time.Time) ([]Incident, bool, error) {
	var list []Incident
	q := idb.NewSelect().Model(&list).ColumnExpr(listColumns).
		ColumnExpr("t.code AS tenant_code, a.display_name AS assignee_name").
		Join("JOIN tenants AS t ON t.id = i.tenant_id").
		Join("LEFT JOIN users AS a ON a.id = i.assignee_id")
	if f.TenantID != 0 {
		q = q.Where("i.tenant_id = ?", f.TenantID)
	}
	switch {
	case f.Status != "":
		q = q.Where("i.status = ?", f.Status)
	case f.Queue:
		q = q.Where("i.status IN ('new', 'in_progress', 'pending_customer')")
	}
	if f.Priority != "" {
		q = q.Where("i.priority = ?", f.Priority)
	}
	if f.Unassigned {
		q = q.Where("i.assignee_id IS NULL")
	}
	if f.AssigneeID != 0 {
		q = q.Where("i.assignee_id = ?", f.AssigneeID)
	}
	switch f.SLA {
	case "breached":
		q = q.Where("i.sla_due_at <= ?", now.UTC())
	case "at_risk":
		q = q.Where("i.sla_risk_at <= ? AND i.sla_due_at > ?", now.UTC(), now.UTC())
	}
	if m := timeline.MatchQuery(f.Text); m != "" {
		ids, capped, err := matching(ctx, idb, m, f.Staff)
		switch {
		case err != nil:
			return nil, false, err
		case len(ids) == 0:
			return nil, false, nil
		case !capped:
			// Few matches: read them by id, then filter and sort them.
			q = q.Where("i.id IN (?)", bun.In(ids))
		default:
			// Many matches: walk the list in its order and keep the matching ones, which are dense.
			q = q.Where("i.id IN (SELECT rowid FROM incident_fts WHERE incident_fts MATCH ?"+
				" UNION SELECT e.subject_id FROM timeline_entries AS e WHERE e.id IN (SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ?)"+
				" AND e.subject_kind = 'incident' AND e.kind IN (?))", m, m, bun.In(searchKinds(f.Staff)))
		}
	}
	if f.Queue {
		q = q.OrderExpr("i.sla_due_at, i.id")
	} else {
		q = q.OrderExpr("i.updated_at DESC, i.id DESC")
	}
	if f.PerPage > 0 {
		q = q.Limit(int64(f.PerPage + 1)).Offset(int64(max(f.Page-1, 0) * f.PerPage))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, false, err
	}
	more := f.PerPage > 0 && len(list) > f.PerPage
	if more {
		list = list[:f.PerPage]
	}
	return list, more, nil
}

// Agents lists the active staff who can be assigned incidents: agents and admins, by name.
func Agents(ctx context.Context, idb bun.IDB) ([]account.User, error) {
	var us []account.User
	err := idb.NewSelect().Model(&us).
		Where("kind IN (?) AND active = ?", bun.In([]account.Kind{account.Agent, account.Admin}), true).
		OrderExpr("display_name").Scan(ctx)
	return us, err
}

// DueForAlert returns up to limit incidents the breach job must look at, at now.
func DueForAlert(ctx context.Context, idb bun.IDB, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := idb.NewSelect().Model((*Incident)(nil)).Column("id").
		Where("sla_alert_at IS NOT NULL AND sla_alert_at <= ?", now.UTC()).
		OrderExpr("sla_alert_at").Limit(int64(limit)).Scan(ctx, &ids)
	return ids, err
}

// DueForClosing returns up to limit resolved incidents whose reopen window ended before now.
func DueForClosing(ctx context.Context, idb bun.IDB, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := idb.NewSelect().Model((*Incident)(nil)).Column("id").
		Where("status = 'resolved' AND resolved_at <= ?", now.UTC().Add(-ReopenWindow)).
		OrderExpr("resolved_at").Limit(int64(limit)).Scan(ctx, &ids)
	return ids, err
}

// matchCap is how many matches a search reads by id before it walks the list instead.
const matchCap = 5000

// searchKinds are the timeline entries a reader's search looks into: replies, and notes for staff.
func searchKinds(staff bool) []timeline.Kind {
	if staff {
		return []timeline.Kind{timeline.Reply, timeline.Note}
	}
	return []timeline.Kind{timeline.Reply}
}

// matching returns the ids of the incidents whose number, title, description or readable
// replies match the FTS5 query m, newest first; capped is true when there are more than matchCap.
func matching(ctx context.Context, idb bun.IDB, m string, staff bool) (ids []int64, capped bool, err error) {
	if err = idb.NewRaw("SELECT rowid FROM incident_fts WHERE incident_fts MATCH ? ORDER BY rowid DESC LIMIT ?", m, matchCap+1).
		Scan(ctx, &ids); err != nil {
		return nil, false, err
	}
	if len(ids) > matchCap {
		return nil, true, nil
	}
	var more []int64
	if err = idb.NewRaw("SELECT e.subject_id FROM timeline_entries AS e WHERE e.id IN"+
		" (SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ? ORDER BY rowid DESC LIMIT ?)"+
		" AND e.subject_kind = 'incident' AND e.kind IN (?)", m, matchCap+1, bun.In(searchKinds(staff))).Scan(ctx, &more); err != nil {
		return nil, false, err
	}
	if len(more) > matchCap {
		return nil, true, nil
	}
	return append(ids, more...), false, nil
}
