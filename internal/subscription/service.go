package subscription

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// Service holds the Subscriptions tab's use cases.
type Service struct {
	DB       *bun.DB
	Notifier *notify.Notifier
	Audience *audience.Roster
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// List returns the tenant's subscriptions to a customer with the services right on it (403
// without it, 404 for a tenant that is not theirs), or to staff who may see the tenant.
func (s *Service) List(ctx context.Context, actor tenancy.Actor, tenantID int64) ([]*Subscription, error) {
	if _, err := tenancy.May(ctx, s.DB, actor, tenantID, tenancy.RightServices); err != nil {
		return nil, err
	}
	return OfTenant(ctx, s.DB, tenantID)
}

// Get returns a subscription the actor may read; another tenant's is not found.
func (s *Service) Get(ctx context.Context, actor tenancy.Actor, id int64) (*Subscription, error) {
	sub, err := ByID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if err := tenancy.Allowed(ctx, s.DB, actor, sub.TenantID, tenancy.RightServices); err != nil {
		return nil, err
	}
	return sub, nil
}

// CancelInput is a cancellation asked for from the Subscriptions tab.
type CancelInput struct {
	// Instances is the number typed (or "all"); Version the subscription's when the form was
	// shown: a cancellation sent from a stale page is refused with apperr.ErrStale.
	Instances string
	Version   int
}

// Cancel schedules the cancellation of some or all of a subscription's instances, effective on
// the first day of the next month in Paris, for a customer with the services right on its
// tenant; the requester and the referent are told by mail. More instances than are left, or a
// subscription already cancelled, gets a localized message beside the field and writes nothing.
func (s *Service) Cancel(ctx context.Context, actor tenancy.Actor, id int64, in CancelInput) (*Cancellation, error) {
	if actor.Kind != identity.Customer {
		return nil, apperr.ErrNotFound
	}
	sub, err := ByID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	a, err := tenancy.May(ctx, s.DB, actor, sub.TenantID, tenancy.RightServices)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var c *Cancellation
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		cur, err := ByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.Version != cur.Version {
			return apperr.ErrStale
		}
		n, perr := parseInstances(in.Instances, cur)
		if perr != nil {
			return i18n.Errors{perr}
		}
		if e := CheckCancel(cur, n); e != nil {
			return i18n.Errors{e}
		}
		if err := bump(ctx, tx, cur, now); err != nil {
			return err
		}
		c = &Cancellation{SubscriptionID: cur.ID, TenantID: cur.TenantID, Instances: n, RequestedBy: actor.UserID,
			RequestedAt: now, EffectiveOn: EffectiveOn(now)}
		if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
			return fmt.Errorf("subscription: insert cancellation: %w", err)
		}
		return s.tell(ctx, tx, actor, a.Tenant, cur, c)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// parseInstances reads how many instances to cancel: a whole number, or "all" for every one
// left.
func parseInstances(raw string, sub *Subscription) (int, *i18n.Error) {
	raw = strings.TrimSpace(raw)
	if raw == "all" {
		return sub.Cancellable(), nil
	}
	if raw == "" {
		return 0, i18n.FieldError("instances", "subscription.error.instances_required")
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		return 0, i18n.FieldError("instances", "subscription.error.instances_number")
	}
	return n, nil
}

// tell writes the cancellation's mail to the requester and the referent, each in their language.
func (s *Service) tell(ctx context.Context, tx bun.IDB, actor tenancy.Actor, t *tenancy.Tenant, sub *Subscription, c *Cancellation) error {
	if s.Notifier == nil || s.Audience == nil {
		return nil
	}
	rs, err := s.Audience.To(ctx, tx, audience.Event{Tenant: t, TenantID: sub.TenantID, Right: tenancy.RightServices, Actor: actor,
		Confirm: true, RequesterID: actor.UserID}, audience.Requester, audience.Referent)
	if err != nil {
		return err
	}
	data := map[string]any{
		"Tenant": t.Code, "Kind": sub.Kind.Key(), "Template": sub.Template, "Region": "cloud.region." + sub.Region,
		"Instances": c.Instances, "Left": sub.Instances - sub.Scheduled() - c.Instances, "Date": c.EffectiveOn,
		"Link": s.Notifier.Link("/subscriptions"),
	}
	return s.Notifier.Enqueue(ctx, tx, notify.Notice{Kind: "subscription_cancelled", Thread: "subscription-" + strconv.FormatInt(sub.ID, 10), Data: data}, rs...)
}

// ApplyDue applies the cancellations whose day has come (in Paris): each takes its instances off
// its subscription once, whichever instance's jobs runner gets to it first. It returns how many
// it applied.
func (s *Service) ApplyDue(ctx context.Context) (int, error) {
	now := s.now()
	cs, err := due(ctx, s.DB, calendar.ParisDate(now), 500)
	if err != nil {
		return 0, err
	}
	applied := 0
	for _, c := range cs {
		err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			res, err := tx.NewUpdate().Model((*Cancellation)(nil)).Set("applied_at = ?", now).
				Where("id = ? AND applied_at IS NULL", c.ID).Exec(ctx)
			if err != nil {
				return fmt.Errorf("subscription: apply cancellation %d: %w", c.ID, err)
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return nil // another instance applied it
			}
			_, err = tx.NewUpdate().Model((*Subscription)(nil)).
				Set("instances = CASE WHEN instances > ? THEN instances - ? ELSE 0 END", c.Instances, c.Instances).
				Set("version = version + 1").Set("updated_at = ?", now).
				Where("id = ?", c.SubscriptionID).Exec(ctx)
			if err != nil {
				return fmt.Errorf("subscription: take %d instances off %d: %w", c.Instances, c.SubscriptionID, err)
			}
			applied++
			return nil
		})
		if err != nil {
			return applied, err
		}
	}
	return applied, nil
}
