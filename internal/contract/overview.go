package contract

import (
	"context"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// Overview is what the Contract tab shows of a tenant on a day.
type Overview struct {
	Tenant    *tenancy.Tenant
	Today     calendar.Date
	Current   Period
	HasLevel  bool
	Committed bool // Today falls within Current's commitment
	Scheduled *Period
	History   []Period // newest first
	// Requests are the tenant's latest requests, newest first (Service.Overview only).
	Requests []Request
	// PendingLevel is the support-level request waiting for the sales rep, if any.
	PendingLevel *Request
	// Access is the reader's access (Service.Overview only): whether they may ask for a change.
	Access *tenancy.Access

	history []Period // oldest first, as the rules read it
}

// MayRequestLevel says why the reader may not ask for a support-level change (nil when they may).
func (o *Overview) MayRequestLevel() *i18n.Error {
	if o.Access == nil {
		return nil
	}
	return WhyNot(o.Access, SupportLevel)
}

// WhyNoLevel says why no support level at all can be asked for today, in the FAQ's words, or
// nil when one can (see WhyNoLevel).
func (o *Overview) WhyNoLevel() *i18n.Error {
	pending := o.PendingLevel != nil
	return WhyNoLevel(Choices(o.history, pending, o.Today), o.history, pending, o.Today)
}

// FABActive says whether File and Applicative Backup is active on the tenant.
func (o *Overview) FABActive() bool { return o.Tenant.FABActivatedAt != nil }

// FABSince is the Paris day File and Applicative Backup was activated on the tenant (the zero
// date while it is not active).
func (o *Overview) FABSince() calendar.Date {
	if o.Tenant.FABActivatedAt == nil {
		return calendar.Date{}
	}
	return calendar.ParisDate(*o.Tenant.FABActivatedAt)
}

// MayChangeReferences says whether the reader may order a change of the tenant's REF1 or of its
// contract name from the Services tab: the referent only, as the service catalogue says.
func (o *Overview) MayChangeReferences() bool {
	return o.Access != nil && o.Access.Referent && o.Tenant.Status != tenancy.TenantCancelled
}

// TenantOverview reads a tenant's support-level history and says where it stands on the Paris
// date of now. It does not authorize: callers have already found the tenant for their actor.
func TenantOverview(ctx context.Context, idb bun.IDB, t *tenancy.Tenant, now time.Time) (*Overview, error) {
	history, err := History(ctx, idb, t.ID)
	if err != nil {
		return nil, err
	}
	o := &Overview{Tenant: t, Today: calendar.ParisDate(now), history: history}
	o.Current, o.HasLevel = Current(history, o.Today)
	o.Committed = o.HasLevel && o.Current.Committed(o.Today)
	if next, ok := Scheduled(history, o.Today); ok {
		o.Scheduled = &next
	}
	for i := len(history) - 1; i >= 0; i-- {
		o.History = append(o.History, history[i])
	}
	return o, nil
}
