package incident

import (
	"context"
	"errors"
	"time"

	"github.com/guichet/guichet/internal/account"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// batch is how many incidents a job handles per transaction.
const batch = 100

// CloseResolved closes the incidents resolved more than 7 days before now, as the system. It is
// idempotent: each incident is re-read and re-checked in its own transaction, so two instances
// running it at once close each incident once. It returns how many it closed.
func (s *Service) CloseResolved(ctx context.Context, now time.Time) (int, error) {
	closed := 0
	for {
		ids, err := DueForClosing(ctx, s.DB, now, batch)
		if err != nil || len(ids) == 0 {
			return closed, err
		}
		for _, id := range ids {
			did := false
			err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				inc, err := ByID(ctx, tx, id)
				if err != nil {
					return err
				}
				if Check(AutoClose, inc, Actor{Staff: true}, now) != nil {
					return nil // reopened or closed meanwhile
				}
				did = true
				return s.apply(ctx, tx, account.System, inc, Act{Action: AutoClose}, now)
			})
			switch {
			case errors.Is(err, apperr.ErrStale):
			case err != nil:
				return closed, err
			case did:
				closed++
			}
		}
		if len(ids) < batch {
			return closed, nil
		}
	}
}

// NotifyBreaches tells the assignee, or the support leads when nobody is assigned, of each SLA
// target an incident has breached, once per target: the flag is written in the transaction that
// writes the mail. It returns how many breaches it notified.
func (s *Service) NotifyBreaches(ctx context.Context, now time.Time) (int, error) {
	told := 0
	for {
		ids, err := DueForAlert(ctx, s.DB, now, batch)
		if err != nil || len(ids) == 0 {
			return told, err
		}
		for _, id := range ids {
			err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
				n, err := s.breach(ctx, tx, id, now)
				told += n
				return err
			})
			if err != nil {
				return told, err
			}
		}
		if len(ids) < batch {
			return told, nil
		}
	}
}

func (s *Service) breach(ctx context.Context, tx bun.Tx, id int64, now time.Time) (int, error) {
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
	role := notify.Assignee
	if !inc.Assigned() {
		role = notify.SupportLeads
	}
	told := 0
	for _, t := range []struct {
		m    sla.Measure
		flag *bool
		key  string
	}{{ev.FirstResponse, &inc.FRBreachNotified, "sla.first_response"}, {ev.Resolution, &inc.ResBreachNotified, "sla.resolution"}} {
		if t.m.State != sla.Breached || *t.flag {
			continue
		}
		data := map[string]any{"TargetKey": t.key, "Due": t.m.Due}
		if err := s.notify(ctx, tx, inc, account.System, "incident_breach", false, data, role); err != nil {
			return 0, err
		}
		*t.flag = true
		told++
	}
	inc.Derive(ev)
	if inc.SLAAlertAt != nil && !inc.SLAAlertAt.After(now) {
		later := now.Add(time.Minute) // due to the instant but not yet breached: look again soon
		inc.SLAAlertAt = &later
	}
	_, err = tx.NewUpdate().Model(inc).Column("sla_alert_at", "sla_due_at", "sla_risk_at", "fr_breach_notified", "res_breach_notified").
		WherePK().Exec(ctx)
	return told, err
}
