package contract

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Queue lists the pending requests of the sales desk, oldest first: a sales rep's tenants', or
// every tenant's for an admin.
func (s *Service) Queue(ctx context.Context, actor tenancy.Actor) ([]Request, error) {
	f, err := deskFilter(actor)
	if err != nil {
		return nil, err
	}
	f.State = Pending
	return Requests(ctx, s.DB, f)
}

// Decided lists the sales desk's latest decided requests, newest first.
func (s *Service) Decided(ctx context.Context, actor tenancy.Actor, limit int) ([]Request, error) {
	f, err := deskFilter(actor)
	if err != nil {
		return nil, err
	}
	f.Decided, f.Newest, f.Limit = true, true, limit
	return Requests(ctx, s.DB, f)
}

// deskFilter scopes the sales desk: a sales rep's tenants, every tenant for an admin.
func deskFilter(actor tenancy.Actor) (RequestFilter, error) {
	switch actor.Kind {
	case identity.Admin:
		return RequestFilter{}, nil
	case identity.Sales:
		return RequestFilter{SalesRepID: actor.UserID}, nil
	}
	return RequestFilter{}, apperr.ErrForbidden
}

// StaffView is a request as the sales desk reads it, with what accepting it now would do.
type StaffView struct {
	Request  *Request
	Entries  []timeline.Entry
	Overview *Overview
	// Preview is the period an acceptance now would add (support level), if the rules allow it.
	Preview *Period
	// Refusal is why accepting now would be refused, if the rules refuse it.
	Refusal *i18n.Error
}

// StaffRequest returns a request to its tenant's sales rep or an admin; another rep's request
// answers 404.
func (s *Service) StaffRequest(ctx context.Context, actor tenancy.Actor, id int64) (*StaffView, error) {
	r, err := RequestByID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if err := tenancy.StaffMayOn(actor, r.Tenant, tenancy.RightContract); err != nil {
		return nil, err
	}
	v := &StaffView{Request: r}
	if v.Entries, err = timeline.List(ctx, s.DB, r.Subject(), true); err != nil {
		return nil, err
	}
	now := s.now()
	if v.Overview, err = TenantOverview(ctx, s.DB, r.Tenant, now); err != nil {
		return nil, err
	}
	if r.State != Pending {
		return v, nil
	}
	switch r.Kind {
	case SupportLevel:
		if p, err := Accept(v.Overview.history, r.Level, now); err != nil {
			v.Refusal = forRep(err.(*i18n.Error))
		} else {
			v.Preview = &p
		}
	case Cancellation:
		v.Refusal = forRep(CheckCancellation(r.Tenant.Status))
	case MultiTenantBill:
		ts, err := tenancy.TenantsOf(ctx, s.DB, r.RequesterID)
		if err != nil {
			return nil, err
		}
		v.Refusal = forRep(CheckMultiTenantBill(len(ts)))
	}
	return v, nil
}

// repKeys are the refusals of an acceptance as the sales rep reads them: the rules speak to
// the customer ("your commitment", "you have"), the desk of the tenant and the requester.
var repKeys = map[string]string{
	"contract.error.unknown_level":           "sales.refusal.unknown_level",
	"contract.error.no_level":                "sales.refusal.no_level",
	"contract.error.same_level":              "sales.refusal.same_level",
	"contract.error.downgrade_in_commitment": "sales.refusal.downgrade_in_commitment",
	"contract.error.change_scheduled":        "sales.refusal.change_scheduled",
	"contract.error.multi_bill_tenants":      "sales.refusal.multi_bill_tenants",
	"contract.error.already_cancelled":       "sales.refusal.already_cancelled",
	"contract.error.cancellation_under_way":  "sales.refusal.cancellation_under_way",
}

// forRep rewords a refusal for the sales rep, keeping its field and arguments; nil stays nil,
// and a message that reads the same for both is kept.
func forRep(e *i18n.Error) *i18n.Error {
	if e == nil {
		return nil
	}
	if key, ok := repKeys[e.Key]; ok {
		return &i18n.Error{Key: key, Args: e.Args, Field: e.Field}
	}
	return e
}

// Decision is the sales rep's answer to a pending request.
type Decision struct {
	Accept bool
	Reason string // required to reject
	// Version is the request's version the rep read: a decision on a stale page, or without
	// its version (0), is refused with apperr.ErrStale.
	Version int
	// CancelOn is the day an accepted cancellation takes the tenant to cancelled (YYYY-MM-DD).
	CancelOn string
	// TenantCode is the code of the tenant an accepted order creates.
	TenantCode string
}

// Decide accepts or rejects a pending request for its tenant's sales rep or an admin. The rules
// are checked again; an accepted request's effect is applied in the same transaction as the
// decision, its timeline events and the mail to the requester and the referent.
func (s *Service) Decide(ctx context.Context, actor tenancy.Actor, id int64, d Decision) (*Request, error) {
	r, err := RequestByID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if err := tenancy.StaffMayOn(actor, r.Tenant, tenancy.RightContract); err != nil {
		return nil, err
	}
	if r.State != Pending || r.Version != d.Version {
		return nil, apperr.ErrStale
	}
	d.Reason = strings.TrimSpace(d.Reason)
	var es i18n.Errors
	switch {
	case !d.Accept && d.Reason == "":
		es.Add(i18n.FieldError("reason", "contract.error.reason_required"))
	case len([]rune(d.Reason)) > MaxReason:
		es.Add(i18n.FieldError("reason", "error.field.too_long", "Max", MaxReason))
	}
	if err := es.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// The request is locked, still pending at the version shown, before its effect runs:
		// a second click on "accept" waits here and is told the page is stale.
		var claimed []int64
		if err := db.ForUpdate(tx.NewSelect().Model((*Request)(nil)).Column("r.id").
			Where("r.id = ? AND r.version = ? AND r.state = ?", r.ID, d.Version, Pending)).Scan(ctx, &claimed); err != nil {
			return fmt.Errorf("contract: lock request %d: %w", r.ID, err)
		}
		if len(claimed) == 0 {
			return apperr.ErrStale
		}
		from := r.State
		r.DecisionReason, r.DecidedBy, r.DecidedAt, r.State = d.Reason, &actor.UserID, &now, Rejected
		var events []*timeline.Entry
		if d.Accept {
			r.State = Accepted
			var err error
			if events, err = s.apply(ctx, tx, actor, r, d, now); err != nil {
				return err
			}
		}
		if err := UpdateDecision(ctx, tx, r, d.Version, now); err != nil {
			return err
		}
		ev := timeline.NewEvent(r.Subject(), actor, now, "contract.event.state", timeline.Key, from.Key(), r.State.Key())
		ev.Body = r.DecisionReason
		for _, e := range append([]*timeline.Entry{ev}, events...) {
			if err := timeline.Record(ctx, tx, e); err != nil {
				return err
			}
		}
		if err := s.emitDecision(ctx, tx, actor, r, ev); err != nil {
			return err
		}
		return s.notice(ctx, tx, r, actor, "request_decided", false, map[string]any{"Accepted": r.State == Accepted},
			audience.Requester, audience.Referent)
	})
	var refused *i18n.Error
	if errors.As(err, &refused) {
		return nil, forRep(refused)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// emitDecision tells the webhooks of a decision, with its timeline event (and reason).
func (s *Service) emitDecision(ctx context.Context, tx bun.IDB, actor tenancy.Actor, r *Request, ev *timeline.Entry) error {
	typ := events.ContractRequestRejected
	if r.State == Accepted {
		typ = events.ContractRequestAccepted
	}
	return events.Emit(ctx, tx, s.Events, events.Event{Type: typ, TenantID: r.TenantID, Subject: r, Entry: ev, Actor: actor})
}

// apply carries out an accepted request's effect and returns the timeline events saying what
// it did. A rule that refuses now answers a field error and the transaction writes nothing.
func (s *Service) apply(ctx context.Context, tx bun.Tx, actor tenancy.Actor, r *Request, d Decision, now time.Time) ([]*timeline.Entry, error) {
	event := func(key string, vt timeline.ValueType, from, to string) *timeline.Entry {
		return timeline.NewEvent(r.Subject(), actor, now, key, vt, from, to)
	}
	switch r.Kind {
	case SupportLevel:
		history, err := History(ctx, tx, r.TenantID)
		if err != nil {
			return nil, err
		}
		p, err := Accept(history, r.Level, now)
		if err != nil {
			return nil, err
		}
		r.EffectiveOn, r.CommittedUntil = p.EffectiveFrom, p.CommittedUntil
		return []*timeline.Entry{event("contract.event.effective_on", timeline.Date, "", p.EffectiveFrom.String())},
			InsertPeriod(ctx, tx, r.TenantID, p)
	case Cancellation:
		return s.acceptCancellation(ctx, tx, r, d, now, event)
	case ReferentChange, OwnerChange:
		return s.changeHolder(ctx, tx, actor, r, event)
	case TenantOrder:
		return s.createOrderedTenant(ctx, tx, r, d, now, event)
	case MultiTenantBill:
		ts, err := tenancy.TenantsOf(ctx, tx, r.RequesterID)
		if err != nil {
			return nil, err
		}
		if e := CheckMultiTenantBill(len(ts)); e != nil {
			return nil, e
		}
	}
	return nil, nil
}

type eventFunc func(key string, vt timeline.ValueType, from, to string) *timeline.Entry

// acceptCancellation moves the tenant to cancellation_requested and records the day the rep set
// for its cancellation; a day that is today cancels it at once, a later one is left to RunDue.
func (s *Service) acceptCancellation(ctx context.Context, tx bun.Tx, r *Request, d Decision, now time.Time, event eventFunc) ([]*timeline.Entry, error) {
	t := r.Tenant
	if e := CheckCancellation(t.Status); e != nil {
		return nil, e
	}
	day, e := CheckCancellationDate(d.CancelOn, today(now))
	if e != nil {
		return nil, e
	}
	r.EffectiveOn = day
	events := []*timeline.Entry{event("contract.event.cancel_on", timeline.Date, "", day.String())}
	to := tenancy.TenantCancellationRequested
	if !day.After(today(now)) {
		to, r.AppliedAt = tenancy.TenantCancelled, &now
	}
	events = append(events, event("contract.event.tenant_status", timeline.Key, "tenant.status."+t.Status, "tenant.status."+to))
	return events, tenancy.MoveTo(ctx, tx, t, to)
}

// createOrderedTenant creates the tenant an accepted order asked for, with the code the rep
// gives: the requester is its referent and domain owner, its sales rep is the ordering tenant's,
// and the level wanted is in force from today in Paris.
func (s *Service) createOrderedTenant(ctx context.Context, tx bun.Tx, r *Request, d Decision, now time.Time, event eventFunc) ([]*timeline.Entry, error) {
	code := strings.ToUpper(strings.TrimSpace(d.TenantCode))
	switch {
	case code == "":
		return nil, i18n.FieldError("tenant_code", "error.field.required")
	case !tenancy.ValidTenantCode(code):
		return nil, i18n.FieldError("tenant_code", "error.tenant.code_format")
	}
	t := &tenancy.Tenant{Code: code, Name: r.ContractName, Status: tenancy.TenantActive, ReferentID: r.RequesterID,
		OwnerID: r.RequesterID, SalesRepID: r.Tenant.SalesRepID}
	if err := tenancy.InsertTenant(ctx, tx, t); err != nil {
		if _, ok := i18n.AsErrors(err); ok {
			return nil, i18n.FieldError("tenant_code", "error.tenant.code_taken")
		}
		return nil, err
	}
	m := &tenancy.Membership{TenantID: t.ID, UserID: r.RequesterID, Rights: tenancy.AllRights}
	if err := tenancy.InsertMembership(ctx, tx, m); err != nil {
		return nil, err
	}
	if err := InsertPeriod(ctx, tx, t.ID, NewPeriod(r.Level, today(now))); err != nil {
		return nil, err
	}
	r.NewTenantCode = code
	return []*timeline.Entry{event("contract.event.tenant_code", timeline.Text, "", code)}, nil
}
