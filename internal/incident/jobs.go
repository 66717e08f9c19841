package incident

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// batch is how many incidents a job handles per transaction.
const batch = 100

// CloseResolved closes the incidents resolved more than 7 days before now, as the system. It is
// idempotent: each incident is re-read and re-checked in its own transaction, whose write is
// conditional on the version read (apperr.ErrStale otherwise), so two instances running it at
// once close each incident once. When ctx ends it stops between two incidents; the one under
// way is finished. It returns how many it closed.
func (s *Service) CloseResolved(ctx context.Context, now time.Time) (int, error) {
	closed := 0
	for {
		ids, err := DueForClosing(ctx, s.DB, now, batch)
		if err != nil {
			return closed, fmt.Errorf("incident: list incidents to close: %w", err)
		}
		if len(ids) == 0 {
			return closed, nil
		}
		for _, id := range ids {
			if ctx.Err() != nil {
				return closed, nil
			}
			did := false
			err := s.DB.RunInTx(context.WithoutCancel(ctx), nil, func(ctx context.Context, tx bun.Tx) error {
				if err := Lock(ctx, tx, id); err != nil {
					return err
				}
				inc, err := ByID(ctx, tx, id)
				if err != nil {
					return err
				}
				if Check(AutoClose, inc, Actor{Staff: true}, now) != nil {
					return nil // reopened or closed meanwhile
				}
				did = true
				return s.apply(ctx, tx, tenancy.System, inc, Act{Action: AutoClose}, now)
			})
			switch {
			case errors.Is(err, apperr.ErrStale):
			case err != nil:
				return closed, fmt.Errorf("incident: close incident %d: %w", id, err)
			case did:
				closed++
			}
		}
		if len(ids) < batch {
			return closed, nil
		}
	}
}

// NotifyBreaches tells the assignee and the support leads, once each, of each SLA target an
// incident has breached, once per target: the breach is claimed (its flag set by a conditional
// update) in the transaction that writes the mail, so that several instances running the job at
// once tell it once. When ctx ends it stops between two incidents. It returns how many breaches
// it notified.
func (s *Service) NotifyBreaches(ctx context.Context, now time.Time) (int, error) {
	told := 0
	for {
		ids, err := DueForAlert(ctx, s.DB, now, batch)
		if err != nil {
			return told, fmt.Errorf("incident: list incidents to check for breaches: %w", err)
		}
		if len(ids) == 0 {
			return told, nil
		}
		for _, id := range ids {
			if ctx.Err() != nil {
				return told, nil
			}
			n := 0
			err := s.DB.RunInTx(context.WithoutCancel(ctx), nil, func(ctx context.Context, tx bun.Tx) error {
				var err error
				n, err = s.breach(ctx, tx, id, now)
				return err
			})
			if err != nil {
				return told, fmt.Errorf("incident: notify breaches of incident %d: %w", id, err)
			}
			told += n
		}
		if len(ids) < batch {
			return told, nil
		}
	}
}

func (s *Service) breach(ctx context.Context, tx bun.Tx, id int64, now time.Time) (int, error) {
	// A linked incident's major incident is locked before the incident, in the order a fan-out
	// locks them (major incident, then its incidents): the two never wait for each other.
	if s.Majors != nil {
		var majorID *int64
		if err := tx.NewSelect().Model((*Incident)(nil)).Column("major_id").Where("id = ?", id).Scan(ctx, &majorID); err != nil {
			return 0, fmt.Errorf("incident: major incident of incident %d: %w", id, err)
		}
		if majorID != nil {
			if err := s.Majors.Lock(ctx, tx, *majorID); err != nil {
				return 0, err
			}
		}
	}
	if err := Lock(ctx, tx, id); err != nil {
		return 0, err
	}
	inc, err := ByID(ctx, tx, id)
	if err != nil {
		return 0, err
	}
	es, err := timeline.List(ctx, tx, inc.Subject(), true)
	if err != nil {
		return 0, err
	}
	ev, err := s.Policy.Evaluate(inc.Level, SLATimeline(inc, es), now)
	if err != nil {
		return 0, err
	}
	told := 0
	for _, t := range []struct {
		m      sla.Measure
		flag   *bool
		column string
		key    string
	}{{ev.FirstResponse, &inc.FRBreachNotified, "fr_breach_notified", "sla.first_response"},
		{ev.Resolution, &inc.ResBreachNotified, "res_breach_notified", "sla.resolution"}} {
		if t.m.State != sla.Breached || *t.flag {
			continue
		}
		claimed, err := claimBreach(ctx, tx, inc.ID, t.column)
		if err != nil {
			return 0, err
		}
		*t.flag = true
		if !claimed {
			continue // another instance told it
		}
		if s.Majors != nil {
			grouped, err := s.Majors.BreachGrouped(ctx, tx, inc, t.key, t.m.Due)
			if err != nil {
				return 0, err
			}
			if grouped { // the major incident's one alert stands for it
				told++
				continue
			}
		}
		data := map[string]any{"TargetKey": t.key, "Due": t.m.Due}
		if err := s.notify(ctx, tx, inc, nil, tenancy.System, "incident_breach", false, data, audience.Assignee, audience.SupportLeads); err != nil {
			return 0, err
		}
		told++
	}
	inc.Derive(ev)
	if inc.SLAAlertAt != nil && !inc.SLAAlertAt.After(now) {
		later := now.Add(time.Minute) // due to the instant but not yet breached: look again soon
		inc.SLAAlertAt = &later
	}
	if _, err = tx.NewUpdate().Model(inc).Column("sla_alert_at", "sla_due_at", "sla_risk_at").WherePK().Exec(ctx); err != nil {
		return 0, fmt.Errorf("incident: write SLA instants: %w", err)
	}
	return told, nil
}

// claimBreach sets an incident's breach flag (column) unless it is set already, and reports
// whether this call set it: the one that does tells the breach.
func claimBreach(ctx context.Context, tx bun.Tx, id int64, column string) (bool, error) {
	res, err := tx.NewUpdate().Model((*Incident)(nil)).Set("? = ?", bun.Ident(column), true).
		Where("id = ? AND ? = ?", id, bun.Ident(column), false).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("incident: claim %s of incident %d: %w", column, id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("incident: claim %s of incident %d: %w", column, id, err)
	}
	return n == 1, nil
}
