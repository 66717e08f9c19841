package major

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// Lock holds major incident majorID's row until the transaction ends, on PostgreSQL: the breach
// job takes it before the incident's, as the fan-out and the links do. It implements
// incident.Majors.
func (s *Service) Lock(ctx context.Context, tx bun.IDB, majorID int64) error {
	err := lock(ctx, tx, majorID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil // gone meanwhile: nothing to wait for
	}
	return err
}

// BreachGrouped takes the SLA breach of an incident linked to a major incident, in the breach
// job's transaction: the first breach among the linked incidents sends one alert about the major
// incident, to its author and the support leads; the later ones are grouped into it and mail
// nobody. It reports whether the breach was taken (false: the incident is linked to nothing and
// is alerted on its own). It implements incident.Majors.
func (s *Service) BreachGrouped(ctx context.Context, tx bun.IDB, inc *incident.Incident, target string, due time.Time) (bool, error) {
	if inc.MajorID == nil {
		return false, nil
	}
	id := *inc.MajorID // locked by the caller (Lock), before the incident
	var state State
	if err := tx.NewSelect().Model((*Major)(nil)).Column("m.state").Where("m.id = ?", id).Scan(ctx, &state); err != nil {
		return false, fmt.Errorf("major: read major incident %d: %w", id, err)
	}
	if state == Resolved {
		return false, nil // a reopened incident of an outage over: alerted on its own
	}
	now := s.now()
	res, err := tx.NewUpdate().Model((*Major)(nil)).Set("breach_alerted_at = ?", now).
		Where("id = ? AND breach_alerted_at IS NULL", id).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("major: claim the breach alert of major incident %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return true, err // alerted already: grouped into that alert
	}
	m, err := byID(ctx, tx, id)
	if err != nil {
		return false, err
	}
	var linked int64
	if linked, err = tx.NewSelect().TableExpr("incidents").Where("major_id = ?", id).Count(ctx); err != nil {
		return false, fmt.Errorf("major: count incidents linked to major incident %d: %w", id, err)
	}
	rs, err := s.Audience.To(ctx, tx, audience.Event{TenantID: inc.TenantID, Right: tenancy.RightIncidents, Actor: tenancy.System,
		AssigneeID: m.CreatedBy}, audience.Assignee, audience.SupportLeads)
	if err != nil || len(rs) == 0 {
		return true, err
	}
	for _, rc := range rs {
		data := map[string]any{"Number": m.Number(), "Title": m.Title(rc.Lang), "Incident": inc.Number(), "TargetKey": target,
			"Due": due, "Linked": linked, "Link": s.Notifier.Link("/staff/major/" + m.Number())}
		if err := s.Notifier.Enqueue(ctx, tx, notify.Notice{Kind: "major_breach", Thread: "major-" + strconv.FormatInt(id, 10), Data: data}, rc); err != nil {
			return false, err
		}
	}
	return true, nil
}
