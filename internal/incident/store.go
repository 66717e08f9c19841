package incident

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Insert writes a new incident.
func Insert(ctx context.Context, idb bun.IDB, inc *Incident) error {
	if _, err := idb.NewInsert().Model(inc).Exec(ctx); err != nil {
		return fmt.Errorf("incident: insert incident: %w", err)
	}
	return MarkReport(ctx, idb, inc.ID)
}

// SearchDoc is the incident's own row of the full-text index: its number, title and
// description, under the id of its creation event, in its tenant's scope.
func SearchDoc(inc *Incident, createdEntryID int64) timeline.Doc {
	return timeline.TicketDoc(createdEntryID, inc.TenantID, inc.Number(), inc.Title, inc.Description)
}

// WithNames selects incidents (into dest, an *Incident or a *[]Incident) with their tenant's
// code and name and their people's names, for the caller's conditions. It does not authorize.
func WithNames(idb bun.IDB, dest any) *bun.SelectQuery {
	return idb.NewSelect().Model(dest).
		ColumnExpr("i.*").
		ColumnExpr("t.code AS tenant_code, t.name AS tenant_name, r.display_name AS reporter_name, a.display_name AS assignee_name").
		Join("JOIN tenants AS t ON t.id = i.tenant_id").
		Join("JOIN users AS r ON r.id = i.reporter_id").
		Join("LEFT JOIN users AS a ON a.id = i.assignee_id")
}

// ByID reads an incident with its tenant's code and its people's names. It does not authorize.
func ByID(ctx context.Context, idb bun.IDB, id int64) (*Incident, error) {
	inc := new(Incident)
	err := WithNames(idb, inc).Where("i.id = ?", id).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, apperr.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("incident: read incident %d: %w", id, err)
	}
	return inc, nil
}

// Lock holds incident id's row until the transaction ends, on PostgreSQL, so that what the
// transaction reads of it next is what it writes over: a user's action and a job working on the
// same incident take turns, as SQLite's one writer makes them do.
func Lock(ctx context.Context, tx bun.IDB, id int64) error {
	if !db.IsPG(tx) {
		return nil // the transaction holds SQLite's one write lock already
	}
	var got []int64
	if err := db.ForUpdate(tx.NewSelect().Model((*Incident)(nil)).Column("i.id").Where("i.id = ?", id)).Scan(ctx, &got); err != nil {
		return fmt.Errorf("incident: lock incident %d: %w", id, err)
	}
	return nil
}

// Update writes the incident's state if nobody changed it since version was read; otherwise it
// returns apperr.ErrStale and writes nothing.
func Update(ctx context.Context, idb bun.IDB, inc *Incident) error {
	read := inc.Version
	inc.Version++
	res, err := idb.NewUpdate().Model(inc).
		// The breach flags are the breach job's alone (claimBreach): written back from a copy read
		// before the job's commit, they would tell a breach twice.
		Column("assignee_id", "priority", "status", "version", "sla_due_at", "sla_risk_at", "sla_alert_at",
			"updated_at", "resolved_at").
		WherePK().Where("version = ?", read).Exec(ctx)
	if err != nil {
		inc.Version = read
		return fmt.Errorf("incident: update incident %d: %w", inc.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		inc.Version = read
		return fmt.Errorf("incident: update incident %d: rows affected: %w", inc.ID, err)
	}
	if n != 1 {
		inc.Version = read
		return apperr.ErrStale
	}
	return MarkReport(ctx, idb, inc.ID)
}

// Agents lists the active staff who can be assigned incidents: agents and admins, by name.
func Agents(ctx context.Context, idb bun.IDB) ([]identity.User, error) {
	var us []identity.User
	err := idb.NewSelect().Model(&us).
		Where("kind IN (?) AND active = ?", bun.In([]identity.Kind{identity.Agent, identity.Admin}), true).
		OrderExpr("display_name").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("incident: list agents: %w", err)
	}
	return us, nil
}

// DueForAlert returns up to limit incidents the breach job must look at, at now.
func DueForAlert(ctx context.Context, idb bun.IDB, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := idb.NewSelect().Model((*Incident)(nil)).Column("id").
		Where("sla_alert_at IS NOT NULL AND sla_alert_at <= ?", now.UTC()).
		OrderExpr("sla_alert_at").Limit(int64(limit)).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("incident: list incidents due for an SLA alert: %w", err)
	}
	return ids, nil
}

// DueForClosing returns up to limit resolved incidents whose reopen window ended before now.
func DueForClosing(ctx context.Context, idb bun.IDB, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	err := idb.NewSelect().Model((*Incident)(nil)).Column("id").
		Where("status = 'resolved' AND resolved_at <= ?", now.UTC().Add(-ReopenWindow)).
		OrderExpr("resolved_at").Limit(int64(limit)).Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("incident: list incidents due for closing: %w", err)
	}
	return ids, nil
}
