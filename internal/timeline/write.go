package timeline

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// MaxBody is the longest reply or note, in characters, on any ticket.
const MaxBody = 20000

// CleanBody is the one newline rule of replies and notes: CRLF and a lone CR become LF, and the
// text is trimmed. Browsers send a textarea's line breaks as CRLF while its maxlength counts
// them as one character: the length is checked on the cleaned text, as the writer counted it.
func CleanBody(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.TrimSpace(s)
}

// CheckBody validates a cleaned reply or note, beside the form field "body": it must say
// something, in at most MaxBody characters.
func CheckBody(body string) *i18n.Error {
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		return i18n.FieldError("body", "timeline.error.body_required")
	case n > MaxBody:
		return i18n.FieldError("body", "timeline.error.body_too_long", "Max", MaxBody)
	}
	return nil
}

// Write is the one use case of writing on a ticket, whatever the ticket: a public reply, or an
// internal note when staff ask for one (internal; a customer never writes a note), with its
// files. The body is cleaned (CleanBody) and checked (CheckBody) first: a refusal writes
// nothing. The caller has authorized actor and applied its ticket's state rule, and sends its
// own mail from the entry returned, which carries the cleaned body.
func Write(ctx context.Context, idb bun.IDB, s Subject, actor tenancy.Actor, body string, internal bool, files []Upload, now time.Time) (*Entry, error) {
	body = CleanBody(body)
	if err := CheckBody(body); err != nil {
		return nil, err
	}
	kind := Reply
	if internal && actor.Staff() {
		kind = Note
	}
	e := New(s, kind, actor, now)
	e.Body = body
	o := OriginOf(ctx)
	e.Via = o.Via
	if err := Record(ctx, idb, e, files...); err != nil {
		return nil, err
	}
	if o.Recorded != nil {
		if err := o.Recorded(ctx, idb, e); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// ViaEmail marks an entry that came in by mail.
const ViaEmail = "email"

// Origin says where a reply written through Write comes from, when not from a form: the way it
// came (Via, shown on the timeline), and what to record with it in the same transaction
// (Recorded, given the entry written: inbound mail notes its message there, so that a reply
// and the record that its mail was handled commit together, or neither does).
type Origin struct {
	Via      string
	Recorded func(ctx context.Context, tx bun.IDB, e *Entry) error
}

type originKey struct{}

// WithOrigin returns ctx carrying o to the Write of the service the reply goes through: the
// services stay the one door for replies, whichever way they come in.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginOf returns the origin ctx carries (none: a form).
func OriginOf(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}
