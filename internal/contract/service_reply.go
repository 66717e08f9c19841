package contract

import (
	"context"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// CustomerRequest returns a request and its public timeline to a member of its tenant with the
// `contract` right; another tenant's request answers 404, as one that does not exist.
func (s *Service) CustomerRequest(ctx context.Context, actor tenancy.Actor, id int64) (*Request, []timeline.Entry, error) {
	r, err := RequestByID(ctx, s.DB, id)
	if err != nil {
		return nil, nil, err
	}
	if _, err := contractAccess(ctx, s.DB, actor, r.TenantID); err != nil {
		return nil, nil, err
	}
	es, err := timeline.List(ctx, s.DB, r.Subject(), false)
	return r, es, err
}

// CanRead says whether actor may read the request (and its attachments): nil when they may.
func (s *Service) CanRead(ctx context.Context, actor tenancy.Actor, id int64) error {
	r, err := RequestByID(ctx, s.DB, id)
	if err != nil {
		return err
	}
	if actor.Staff() {
		if err := tenancy.StaffMayOn(actor, r.Tenant, tenancy.RightContract); err != nil {
			return apperr.ErrNotFound
		}
		return nil
	}
	if _, err := contractAccess(ctx, s.DB, actor, r.TenantID); err != nil {
		return apperr.ErrNotFound
	}
	return nil
}

// Reply adds a public reply, with its files, to a request, through timeline.Write: by a member
// with the `contract` right, mailed to the sales rep; or by the sales rep (or an admin), mailed
// to the requester and the referent. Staff may write an internal note instead, which is never
// shown or mailed to a customer.
func (s *Service) Reply(ctx context.Context, actor tenancy.Actor, id int64, body string, internal bool, files []timeline.Upload) error {
	r, err := RequestByID(ctx, s.DB, id)
	if err != nil {
		return err
	}
	if actor.Staff() {
		err = tenancy.StaffMayOn(actor, r.Tenant, tenancy.RightContract)
	} else {
		_, err = contractAccess(ctx, s.DB, actor, r.TenantID)
	}
	if err != nil {
		return err
	}
	now := s.now()
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		e, err := timeline.Write(ctx, tx, r.Subject(), actor, body, internal, files, now)
		if err != nil {
			return err
		}
		if err := events.Emit(ctx, tx, s.Events, events.Event{Type: events.ContractRequestUpdated, TenantID: r.TenantID, Subject: r, Entry: e, Actor: actor}); err != nil {
			return err
		}
		data := map[string]any{"By": actor.Name, "Body": e.Body, "Files": len(files)}
		switch {
		case e.Internal():
			return nil
		case actor.Staff():
			return s.notice(ctx, tx, r, actor, "request_reply", false, data, audience.Requester, audience.Referent)
		default:
			return s.notice(ctx, tx, r, actor, "request_reply", false, data, audience.SalesRep)
		}
	})
}
