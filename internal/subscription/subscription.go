// Package subscription owns a tenant's subscriptions (reserved ECS instances, Workspace
// reservations), made by service orders, and their cancellations: some or all of a
// subscription's instances, effective on the first day of the next month in Paris, applied once
// by the jobs runner.
package subscription

import (
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/uptrace/bun"
)

// Kind is what a subscription reserves.
type Kind string

// The kinds of subscription.
const (
	ECSStandard Kind = "ecs_standard" // standard reserved Elastic Cloud Server instances
	ECSFlexible Kind = "ecs_flexible" // flexible reserved Elastic Cloud Server instances
	Workspace   Kind = "workspace"    // Workspace desktops
)

// Kinds lists the kinds, for the locale test.
var Kinds = []Kind{ECSStandard, ECSFlexible, Workspace}

// Key is the translation key of the kind's name.
func (k Kind) Key() string { return "subscription.kind." + string(k) }

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Subscription is one reservation of a tenant: instances of a template in a region, for a term
// of months from its start. Instances goes down as cancellations take effect; 0 is cancelled.
type Subscription struct {
	bun.BaseModel `bun:"table:subscriptions,alias:sub"`

	ID         int64         `bun:"id,pk,autoincrement"`
	TenantID   int64         `bun:"tenant_id"`
	OrderID    *int64        `bun:"order_id"`
	Kind       Kind          `bun:"kind"`
	Region     string        `bun:"region"`
	Template   string        `bun:"template"`
	Instances  int           `bun:"instances"`
	StartedOn  calendar.Date `bun:"started_on"`
	TermMonths int           `bun:"term_months"`
	Version    int           `bun:"version"`
	CreatedAt  time.Time     `bun:"created_at"`
	UpdatedAt  time.Time     `bun:"updated_at"`

	// Pending are the cancellations scheduled and not yet applied, soonest first.
	Pending []Cancellation `bun:"-"`
}

// Cancellation is the cancellation of some of a subscription's instances, effective on a day.
type Cancellation struct {
	bun.BaseModel `bun:"table:subscription_cancellations,alias:sc"`

	ID             int64         `bun:"id,pk,autoincrement"`
	SubscriptionID int64         `bun:"subscription_id"`
	TenantID       int64         `bun:"tenant_id"`
	Instances      int           `bun:"instances"`
	RequestedBy    int64         `bun:"requested_by"`
	RequestedAt    time.Time     `bun:"requested_at"`
	EffectiveOn    calendar.Date `bun:"effective_on"`
	AppliedAt      *time.Time    `bun:"applied_at"`
}

// EndsOn is the last day of the subscription's term: the term's months after its start,
// clamped to the month's last day, minus one day (started 31 January for 1 month: 27 February,
// or 28 in a leap year).
func (s *Subscription) EndsOn() calendar.Date {
	return AddMonthsClamped(s.StartedOn, s.TermMonths).AddDays(-1)
}

// AddMonthsClamped adds n months to d, keeping the day or, when the month is shorter, its last.
func AddMonthsClamped(d calendar.Date, n int) calendar.Date {
	first := calendar.NewDate(d.Year, d.Month+time.Month(n), 1)
	last := first.AddMonths(1).AddDays(-1)
	if d.Day > last.Day {
		return last
	}
	return calendar.NewDate(first.Year, first.Month, d.Day)
}

// Scheduled is how many instances the pending cancellations take off.
func (s *Subscription) Scheduled() int {
	n := 0
	for _, c := range s.Pending {
		n += c.Instances
	}
	return n
}

// Cancellable is how many instances may still be cancelled.
func (s *Subscription) Cancellable() int { return max(s.Instances-s.Scheduled(), 0) }

// Cancelled reports whether no instance is left.
func (s *Subscription) Cancelled() bool { return s.Instances <= 0 }

// EffectiveOn is the day a cancellation asked for at now takes effect: the first day of the
// month after now's day in Paris (asked on 31 January at 23:30 UTC, already 1 February in
// Paris: 1 March).
func EffectiveOn(now time.Time) calendar.Date { return calendar.ParisDate(now).FirstOfNextMonth() }

// CheckCancel says whether n instances of s may be cancelled now: a localized message beside
// the field instances, or nil.
func CheckCancel(s *Subscription, n int) *i18n.Error {
	switch {
	case s.Cancelled():
		return i18n.FieldError("instances", "subscription.error.cancelled")
	case s.Cancellable() == 0:
		return i18n.FieldError("instances", "subscription.error.all_scheduled")
	case n < 1:
		return i18n.FieldError("instances", "subscription.error.instances_min")
	case n > s.Cancellable():
		return i18n.FieldError("instances", "subscription.error.instances_max", "Count", s.Cancellable())
	}
	return nil
}
