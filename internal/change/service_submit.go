package change

import (
	"context"
	"strconv"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/once"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Orderable returns an item a customer with the changes right on tenant may order; an unknown or
// retired item code answers apperr.ErrNotFound.
func (s *Service) Orderable(ctx context.Context, actor tenancy.Actor, tenantID int64, code string) (*Item, error) {
	_, it, err := s.orderable(ctx, actor, tenantID, code)
	return it, err
}

func (s *Service) orderable(ctx context.Context, actor tenancy.Actor, tenantID int64, code string) (*tenancy.Access, *Item, error) {
	a, err := customerAccess(ctx, s.DB, actor, tenantID)
	if err != nil {
		return nil, nil, err
	}
	it, ok := s.Catalogue.Orderable(code)
	if !ok {
		return nil, nil, apperr.ErrNotFound
	}
	return a, it, nil
}

// Check validates a form for item code on tenant, as the summary page shows it before the
// requester validates: the item and the accepted values, or every failure beside its field.
func (s *Service) Check(ctx context.Context, actor tenancy.Actor, tenantID int64, code string, form map[string]string) (*Item, Values, error) {
	_, it, vs, err := s.check(ctx, actor, tenantID, code, form)
	return it, vs, err
}

func (s *Service) check(ctx context.Context, actor tenancy.Actor, tenantID int64, code string, form map[string]string) (*tenancy.Access, *Item, Values, error) {
	a, it, err := s.orderable(ctx, actor, tenantID, code)
	if err != nil {
		return nil, nil, nil, err
	}
	vs, errs := it.Validate(form, today(s.now()))
	if errs != nil {
		return a, it, nil, errs
	}
	return a, it, vs, nil
}

// Submit records a change request for item code on tenant with the form's values, checked again
// on the server. A request within the item's pre-approval rule is approved at once; otherwise
// the tenant's sales rep is asked to decide.
func (s *Service) Submit(ctx context.Context, actor tenancy.Actor, tenantID int64, code string, form map[string]string) (*Request, error) {
	return s.SubmitOnce(ctx, actor, tenantID, code, form, "")
}

// SubmitOnce is Submit for a form with a one-time token: the same form sent twice records one
// request, and the second sending gets the first request back.
func (s *Service) SubmitOnce(ctx context.Context, actor tenancy.Actor, tenantID int64, code string, form map[string]string, token string) (*Request, error) {
	a, it, vs, err := s.check(ctx, actor, tenantID, code, form)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r := &Request{TenantID: tenantID, RequesterID: actor.UserID, ItemCode: it.Code, State: Submitted,
		Version: 1, CreatedAt: now, UpdatedAt: now, TenantCode: a.Tenant.Code, TenantName: a.Tenant.Name, RequesterName: actor.Name}
	if err := r.setSnapshot(it.Snapshot(vs)); err != nil {
		return nil, err
	}
	pre := it.PreApproved(vs)
	if pre {
		r.State, r.ApprovedAt = Approved, &now
	}
	var first int64
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		id, sent, err := once.Find(ctx, tx, actor.UserID, token, SubjectKind)
		if err != nil || sent {
			first = id
			return err
		}
		if err := Insert(ctx, tx, r); err != nil {
			return err
		}
		if err := once.Record(ctx, tx, actor.UserID, token, SubjectKind, r.ID, now); err != nil {
			return err
		}
		if err := timeline.Record(ctx, tx, timeline.NewEvent(r.Subject(), actor, now, EventSubmitted, timeline.Text, "", "")); err != nil {
			return err
		}
		if pre {
			e := timeline.NewEvent(r.Subject(), tenancy.Actor{}, now, EventPreApproved, timeline.Key, Submitted.Key(), Approved.Key())
			if err := timeline.Record(ctx, tx, e); err != nil {
				return err
			}
		}
		if err := events.Emit(ctx, tx, s.Events, events.Event{Type: events.ChangeSubmitted, TenantID: tenantID, Subject: r, Actor: actor}); err != nil {
			return err
		}
		return s.notifySubmitted(ctx, tx, actor, a.Tenant, r, pre)
	})
	if id, twin := once.Repeated(ctx, s.DB, err, actor.UserID, token, SubjectKind); twin {
		first, err = id, nil
	}
	if err != nil {
		return nil, err
	}
	if first != 0 {
		first, _, _, err := s.Get(ctx, actor, first)
		return first, err
	}
	return r, nil
}

// notifySubmitted tells the requester and the referent; and the sales rep when they must decide.
func (s *Service) notifySubmitted(ctx context.Context, tx bun.IDB, actor tenancy.Actor, t *tenancy.Tenant, r *Request, pre bool) error {
	data := s.mailData(r)
	data["PreApproved"] = pre
	if err := s.notifyOn(ctx, tx, actor, t, r, "change_submitted", data, true, audience.Requester, audience.Referent); err != nil {
		return err
	}
	if pre {
		return nil
	}
	staff := s.mailData(r)
	staff["Link"] = s.Notifier.Link("/staff/changes/" + strconv.FormatInt(r.ID, 10))
	return s.notifyOn(ctx, tx, actor, t, r, "change_approval_needed", staff, false, audience.SalesRep)
}

// notify writes the notice kind for the roles, each recipient in their own language.
func (s *Service) notify(ctx context.Context, tx bun.IDB, actor tenancy.Actor, r *Request, kind string, data map[string]any, confirm bool, roles ...audience.Role) error {
	return s.notifyOn(ctx, tx, actor, nil, r, kind, data, confirm, roles...)
}

// notifyOn is notify when the caller holds r's tenant t, with its people (nil: the audience
// finds it).
func (s *Service) notifyOn(ctx context.Context, tx bun.IDB, actor tenancy.Actor, t *tenancy.Tenant, r *Request, kind string, data map[string]any, confirm bool, roles ...audience.Role) error {
	rs, err := s.Audience.To(ctx, tx, audience.Event{Tenant: t, TenantID: r.TenantID, Right: r.Right(), Actor: actor,
		Confirm: confirm, RequesterID: r.RequesterID}, roles...)
	if err != nil {
		return err
	}
	return s.Notifier.Enqueue(ctx, tx, notify.Notice{Kind: kind, Thread: "change-" + strconv.FormatInt(r.ID, 10), Data: data}, rs...)
}

// mailData is what every change mail shows: the number, the item in the reader's language (the
// templates pick it from Item), the values and a link to the request.
func (s *Service) mailData(r *Request) map[string]any {
	snap := r.Snapshot()
	return map[string]any{
		"Number": r.Number(),
		"Item":   snap.Item.Label,
		"Rows":   snap.Rows(),
		"Tenant": r.TenantCode,
		"Link":   s.Notifier.Link("/changes/" + strconv.FormatInt(r.ID, 10)),
		// Service orders' mails say "service", not "change item".
		"Service": r.IsService(),
	}
}

// Browse returns the catalogue to a customer with the changes right on tenant.
func (s *Service) Browse(ctx context.Context, actor tenancy.Actor, tenantID int64) (*Catalogue, error) {
	if _, err := customerAccess(ctx, s.DB, actor, tenantID); err != nil {
		return nil, err
	}
	return s.Catalogue, nil
}
