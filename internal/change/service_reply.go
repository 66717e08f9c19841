package change

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/account"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// ReplyMax is the longest reply or note, in characters.
const ReplyMax = 20000

// Reply adds a public reply, or for staff an internal note, with attachments, to request id.
// A public reply by staff is mailed to the requester; a note is never shown or mailed to a
// customer.
func (s *Service) Reply(ctx context.Context, actor account.Actor, id int64, body string, internal bool, files []timeline.Upload) error {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	var es i18n.Errors
	switch {
	case body == "":
		es.Add(i18n.FieldError("body", "timeline.error.body_required"))
	case utf8.RuneCountInString(body) > ReplyMax:
		es.Add(i18n.FieldError("body", "timeline.error.body_too_long", "Max", ReplyMax))
	}
	now := s.now()
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		r, err := ByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := roleOn(ctx, tx, actor, r); err != nil {
			return err
		}
		if err := es.Err(); err != nil {
			return err
		}
		kind := timeline.Reply
		if internal && actor.Staff() {
			kind = timeline.Note
		}
		e := timeline.New(r.Subject(), kind, actor, now)
		e.Body = body
		if err := timeline.Record(ctx, tx, e, files...); err != nil {
			return err
		}
		if kind != timeline.Reply || !actor.Staff() {
			return nil
		}
		data := s.mailData(r)
		data["Body"], data["Author"] = body, actor.Name
		return s.notify(ctx, tx, actor, r, "change_reply", data, false, notify.Requester)
	})
}
