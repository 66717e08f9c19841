package change

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// StepInput is a step asked for on a request, with what the step needs.
type StepInput struct {
	Action Action
	// Version is the request's version when the form was shown: a step taken on a stale page,
	// or without its version (0), is refused with apperr.ErrStale.
	Version int
	Reason  string // reject: why, required
	Date    string // schedule: the day, YYYY-MM-DD, today or later
	Value   string // implement: the value applied, a whole number for a quota item
	// quote: the amount excluding tax, in euros (1234.50 or 1 234,50), and the last day the
	// customer may accept it, YYYY-MM-DD, today or later
	Amount     string
	ValidUntil string
}

// The limits of what staff write with a step.
var (
	reasonMax = int64(2000)
	valueMax  = int64(200)
	zero      = int64(0)
)

// Act takes a step on request id: approve or reject (the tenant's sales rep or an admin),
// schedule, implement or close (an agent or an admin), cancel (the requester, before
// implementation). Who may take the step is checked first, then the version, then the state
// rule and the input. The step, its timeline events and its mail are one transaction.
func (s *Service) Act(ctx context.Context, actor tenancy.Actor, id int64, in StepInput) (*Request, error) {
	now := s.now()
	var r *Request
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if r, err = ByID(ctx, tx, id); err != nil {
			return err
		}
		role, err := roleOn(ctx, tx, actor, r)
		if err != nil {
			return err
		}
		to, err := Next(r.State, in.Action, role)
		if errors.Is(err, apperr.ErrForbidden) {
			return err
		}
		if in.Version != r.Version {
			return apperr.ErrStale
		}
		if err != nil {
			return err
		}
		if err := ItemAllows(&r.Snapshot().Item, in.Action); err != nil {
			return err
		}
		switch in.Action {
		case Quote:
			cents, until, err := quoteValues(in, today(now))
			if err != nil {
				return err
			}
			r.QuoteCents, r.QuoteValidUntil = &cents, until
		case Accept:
			if !QuoteOpen(r.QuoteValidUntil, today(now)) {
				return i18n.Errors{i18n.FieldError("quote", "change.error.quote_expired", "Date", r.QuoteValidUntil)}
			}
		}
		v, err := stepValue(r, in, now)
		if err != nil {
			return err
		}
		return s.apply(ctx, tx, actor, r, in.Action, to, v, now)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// stepValue checks what the step needs, beside the form's fields reason, date and value.
func stepValue(r *Request, in StepInput, now time.Time) (Value, error) {
	var f *Field
	raw := ""
	switch in.Action {
	case Reject:
		f, raw = &Field{Code: "reason", Type: TypeTextarea, Required: true, Max: &reasonMax}, in.Reason
	case Schedule:
		f, raw = &Field{Code: "date", Type: TypeDate, Required: true}, in.Date
	case Implement:
		f, raw = &Field{Code: "value", Type: TypeText, Required: true, Max: &valueMax}, in.Value
		if r.Snapshot().Item.Kind == KindQuota {
			f = &Field{Code: "value", Type: TypeInt, Required: true, Min: &zero}
		}
		if r.IsService() {
			f.Required = false // the order's effect is what is applied
		}
	default:
		return Value{}, nil
	}
	v, _, err := f.parse(raw, today(now))
	if err != nil {
		return Value{}, i18n.Errors{err}
	}
	return v, nil
}

// apply writes the step, its events and its mail.
func (s *Service) apply(ctx context.Context, tx bun.IDB, actor tenancy.Actor, r *Request, a Action, to State, v Value, now time.Time) error {
	from := r.State
	r.State, r.UpdatedAt = to, now
	cols := []string{"state"}
	var events []*timeline.Entry
	state := timeline.NewEvent(r.Subject(), actor, now, EventState, timeline.Key, from.Key(), to.Key())
	if from != to {
		events = append(events, state)
	}
	switch a {
	case Approve, Accept:
		r.ApprovedAt = &now
		cols = append(cols, "approved_at")
	case Quote:
		cols = append(cols, "quote_cents", "quote_valid_until")
		events = append(events,
			timeline.NewEvent(r.Subject(), actor, now, EventQuoted, timeline.Text, "", FormatCents(*r.QuoteCents)+" EUR"),
			timeline.NewEvent(r.Subject(), actor, now, EventQuoteUntil, timeline.Date, "", r.QuoteValidUntil.String()))
	case Reject:
		r.Reason, state.Body = v.Text, v.Text
		cols = append(cols, "reason")
	case Schedule:
		old := ""
		if !r.ScheduledOn.IsZero() {
			old = r.ScheduledOn.String()
		}
		r.ScheduledOn = v.Date
		cols = append(cols, "scheduled_on")
		events = append(events, timeline.NewEvent(r.Subject(), actor, now, EventScheduledOn, timeline.Date, old, v.Date.String()))
	case Implement:
		r.AppliedValue, r.ImplementedAt = v.String(), &now
		cols = append(cols, "applied_value", "implemented_at")
		if r.AppliedValue != "" || !r.IsService() {
			events = append(events, timeline.NewEvent(r.Subject(), actor, now, EventApplied, timeline.Text, "", r.AppliedValue))
		}
		if r.IsService() {
			e, err := s.effect(ctx, tx, r, actor, now)
			if err != nil {
				return err
			}
			events = append(events, e)
		}
	}
	if err := Update(ctx, tx, r, cols...); err != nil {
		return err
	}
	for _, e := range events {
		if err := timeline.Record(ctx, tx, e); err != nil {
			return err
		}
	}
	if err := s.emitStep(ctx, tx, actor, r, a, events); err != nil {
		return err
	}
	return s.notifyStep(ctx, tx, actor, r, a)
}

// stepEvents are the webhooks' event of each step.
var stepEvents = map[Action]string{Approve: events.ChangeApproved, Reject: events.ChangeRejected, Schedule: events.ChangeScheduled,
	Implement: events.ChangeImplemented, Close: events.ChangeClosed, Cancel: events.ChangeCancelled,
	Accept: events.ChangeApproved, Decline: events.ChangeRejected}

// emitStep tells the webhooks of a step, with its first timeline entry.
func (s *Service) emitStep(ctx context.Context, tx bun.IDB, actor tenancy.Actor, r *Request, a Action, es []*timeline.Entry) error {
	typ, ok := stepEvents[a]
	if !ok {
		return nil // a quote is between the sales rep and the customer
	}
	e := events.Event{Type: typ, TenantID: r.TenantID, Subject: r, Actor: actor}
	if len(es) > 0 {
		e.Entry = es[0]
	}
	return events.Emit(ctx, tx, s.Events, e)
}

// notifyStep tells the people concerned: approved, rejected or implemented → requester and
// referent; scheduled → requester.
func (s *Service) notifyStep(ctx context.Context, tx bun.IDB, actor tenancy.Actor, r *Request, a Action) error {
	data := s.mailData(r)
	switch a {
	case Approve:
		return s.notify(ctx, tx, actor, r, "change_approved", data, false, audience.Requester, audience.Referent)
	case Reject:
		data["Reason"] = r.Reason
		return s.notify(ctx, tx, actor, r, "change_rejected", data, false, audience.Requester, audience.Referent)
	case Schedule:
		data["Date"] = r.ScheduledOn
		return s.notify(ctx, tx, actor, r, "change_scheduled", data, false, audience.Requester)
	case Implement:
		data["Value"] = r.AppliedValue
		return s.notify(ctx, tx, actor, r, "change_implemented", data, false, audience.Requester, audience.Referent)
	case Quote:
		data["Amount"], data["ValidUntil"] = FormatCents(*r.QuoteCents), r.QuoteValidUntil
		return s.notify(ctx, tx, actor, r, "service_quoted", data, false, audience.Requester, audience.Referent)
	case Accept, Decline:
		staff := s.mailData(r)
		staff["Link"] = s.Notifier.Link("/staff/changes/" + strconv.FormatInt(r.ID, 10))
		staff["Accepted"] = a == Accept
		return s.notify(ctx, tx, actor, r, "service_quote_answered", staff, false, audience.SalesRep)
	}
	return nil
}
