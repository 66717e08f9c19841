package incident

import (
	"context"
	"fmt"
	"slices"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// MarkReport marks incidents whose report row (package report) must be computed again, in the
// transaction that changes them: the report job computes and clears the marks. A mark made
// again while the job computes one counts up, so the job never clears a mark it has not read.
func MarkReport(ctx context.Context, idb bun.IDB, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	// In the order of their ids, the order the report job locks marks in (PostgreSQL).
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	rows := make([]reportMark, len(ids))
	for i, id := range ids {
		rows[i] = reportMark{IncidentID: id, Mark: 1}
	}
	_, err := idb.NewInsert().Model(&rows).
		On("CONFLICT (incident_id) DO UPDATE").Set("mark = report_dirty.mark + 1").Exec(ctx)
	if err != nil {
		return fmt.Errorf("incident: mark %d incidents for the reports: %w", len(ids), err)
	}
	return nil
}

type reportMark struct {
	bun.BaseModel `bun:"table:report_dirty,alias:report_dirty"`
	IncidentID    int64 `bun:"incident_id,pk"`
	Mark          int64 `bun:"mark"`
}

// SLAEntriesOf reads what SLATimeline reads of the timelines of several incidents at once (see
// slaEntries), by incident id.
func SLAEntriesOf(ctx context.Context, idb bun.IDB, ids []int64) (map[int64][]timeline.Entry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var es []timeline.Entry
	err := idb.NewSelect().Model(&es).
		Column("e.id", "e.subject_id", "e.kind", "e.event", "e.to_value", "e.actor_id", "e.created_at").
		ColumnExpr("u.kind AS actor_kind").
		Join("LEFT JOIN users AS u ON u.id = e.actor_id").
		Where("e.subject_kind = ? AND e.subject_id IN (?)", SubjectKind, bun.In(ids)).
		Where("(e.kind = ? AND e.event IN (?)) OR (e.kind = ? AND u.kind IN (?))",
			timeline.Event, bun.In([]string{EventCreated, EventPriority, EventStatus}),
			timeline.Reply, bun.In(identity.StaffKinds)).
		OrderExpr("e.subject_id, e.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("incident: read the SLA events of %d incidents: %w", len(ids), err)
	}
	out := make(map[int64][]timeline.Entry, len(ids))
	for _, e := range es {
		out[e.SubjectID] = append(out[e.SubjectID], e)
	}
	return out, nil
}
