package contract

import (
	"context"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// RunDue carries out what accepted requests left for a later day, as of now: on the day an
// accepted level takes effect, the referent is told (once); on the day an accepted cancellation
// falls, the tenant is cancelled. The level itself needs nothing: it is derived from the history
// by date. Each request is claimed by setting its applied_at in the transaction that does the
// work, so that two instances running this at once, or a run cut short, never do it twice. It
// returns how many requests it handled. When ctx ends it stops between two requests; the one
// under way is finished.
func (s *Service) RunDue(ctx context.Context, now time.Time) (int, error) {
	day := today(now)
	n := 0
	for _, kind := range []Kind{SupportLevel, Cancellation} {
		rs, err := DueRequests(ctx, s.DB, kind, day)
		if err != nil {
			return n, fmt.Errorf("contract: list due %s requests: %w", kind, err)
		}
		for _, r := range rs {
			if ctx.Err() != nil {
				return n, nil
			}
			done, err := s.applyDue(context.WithoutCancel(ctx), r.ID, now)
			if err != nil {
				return n, fmt.Errorf("contract: carry out request %d: %w", r.ID, err)
			}
			if done {
				n++
			}
		}
	}
	return n, nil
}

func (s *Service) applyDue(ctx context.Context, id int64, now time.Time) (bool, error) {
	done := false
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		claimed, err := ClaimApplied(ctx, tx, id, now)
		if err != nil || !claimed {
			return err
		}
		r, err := RequestByID(ctx, tx, id)
		if err != nil {
			return err
		}
		done = true
		applied := events.Event{Type: events.ContractRequestApplied, TenantID: r.TenantID, Subject: r, Actor: tenancy.System}
		if r.Kind == Cancellation {
			if err := cancelTenant(ctx, tx, r, now); err != nil {
				return err
			}
			return events.Emit(ctx, tx, s.Events, applied)
		}
		ev := timeline.NewEvent(r.Subject(), tenancy.System, now, "contract.event.level_in_force", timeline.Key, "", r.Level.Key())
		if err := timeline.Record(ctx, tx, ev); err != nil {
			return err
		}
		applied.Entry = ev
		if err := events.Emit(ctx, tx, s.Events, applied); err != nil {
			return err
		}
		return s.notice(ctx, tx, r, tenancy.System, "level_effective", true, nil, audience.Referent)
	})
	return done, err
}

// cancelTenant moves a tenant whose cancellation day has come to cancelled.
func cancelTenant(ctx context.Context, tx bun.Tx, r *Request, now time.Time) error {
	t := r.Tenant
	if t.Status == tenancy.TenantCancelled {
		return nil
	}
	ev := timeline.NewEvent(r.Subject(), tenancy.System, now, "contract.event.tenant_status", timeline.Key,
		"tenant.status."+t.Status, "tenant.status."+tenancy.TenantCancelled)
	if err := timeline.Record(ctx, tx, ev); err != nil {
		return err
	}
	return tenancy.MoveTo(ctx, tx, t, tenancy.TenantCancelled)
}
