package change

import (
	"context"

	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Reply adds a public reply, or for staff an internal note, with attachments, to request id,
// through timeline.Write. A public reply by staff is mailed to the requester; a note is never
// shown or mailed to a customer.
func (s *Service) Reply(ctx context.Context, actor tenancy.Actor, id int64, body string, internal bool, files []timeline.Upload) error {
	now := s.now()
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		r, err := ByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := roleOn(ctx, tx, actor, r); err != nil {
			return err
		}
		e, err := timeline.Write(ctx, tx, r.Subject(), actor, body, internal, files, now)
		if err != nil {
			return err
		}
		if err := events.Emit(ctx, tx, s.Events, events.Event{Type: events.ChangeUpdated, TenantID: r.TenantID, Subject: r, Entry: e, Actor: actor}); err != nil {
			return err
		}
		if e.Kind != timeline.Reply || !actor.Staff() {
			return nil
		}
		data := s.mailData(r)
		data["Body"], data["Author"] = e.Body, actor.Name
		return s.notify(ctx, tx, actor, r, "change_reply", data, false, audience.Requester)
	})
}
