package inbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Admin is the administrators' view of inbound mail: the last read of each way in, counts, the
// messages by status, one message, and what becomes of a quarantined one (attached to a ticket
// as a user, or discarded). Staff read the original of a reply that came in by mail.
type Admin struct {
	Handler *Handler
}

// Summary is the top of the Inbound mail page.
type Summary struct {
	// Fetches are the last reads, by way in (imap, pipe).
	Fetches []Fetch
	// Counts are the messages by status.
	Counts map[Status]int
}

func admin(actor identity.Actor) error {
	if actor.Kind != identity.Admin {
		return apperr.ErrForbidden
	}
	return nil
}

// Summary returns the last reads and the counts of messages by status.
func (a *Admin) Summary(ctx context.Context, actor identity.Actor) (*Summary, error) {
	if err := admin(actor); err != nil {
		return nil, err
	}
	s := &Summary{Counts: map[Status]int{}}
	if err := a.Handler.DB.NewSelect().Model(&s.Fetches).Order("source").Scan(ctx); err != nil {
		return nil, fmt.Errorf("inbound: read the last reads: %w", err)
	}
	var rows []struct {
		Status Status `bun:"status"`
		N      int    `bun:"n"`
	}
	if err := a.Handler.DB.NewSelect().Model((*Message)(nil)).Column("status").ColumnExpr("count(*) AS n").
		Group("status").Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("inbound: count messages: %w", err)
	}
	for _, r := range rows {
		s.Counts[r.Status] = r.N
	}
	return s, nil
}

// List returns page p of the messages in status ("" for all), newest first, without their
// text, and how many there are.
func (a *Admin) List(ctx context.Context, actor identity.Actor, status Status, p paging.Page) ([]Message, int, error) {
	if err := admin(actor); err != nil {
		return nil, 0, err
	}
	var ms []Message
	q := a.Handler.DB.NewSelect().Model(&ms).ExcludeColumn("raw", "body_text").Order("received_at DESC", "id DESC")
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if p.Size > 0 {
		q = q.Limit(int64(p.Limit())).Offset(int64(p.Offset()))
	}
	n, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("inbound: list messages: %w", err)
	}
	return ms, int(n), nil
}

// Message returns one message with its text, without the raw original.
func (a *Admin) Message(ctx context.Context, actor identity.Actor, id int64) (*Message, error) {
	if err := admin(actor); err != nil {
		return nil, err
	}
	return messageByID(ctx, a.Handler.DB, id, false)
}

func messageByID(ctx context.Context, idb bun.IDB, id int64, raw bool) (*Message, error) {
	m := new(Message)
	q := idb.NewSelect().Model(m).Where("id = ?", id)
	if !raw {
		q = q.ExcludeColumn("raw")
	}
	err := q.Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("inbound: read message %d: %w", id, err)
	}
	return m, nil
}

// Raw returns a message as it came in, for an admin to download.
func (a *Admin) Raw(ctx context.Context, actor identity.Actor, id int64) ([]byte, error) {
	if err := admin(actor); err != nil {
		return nil, err
	}
	m, err := messageByID(ctx, a.Handler.DB, id, true)
	if err != nil {
		return nil, err
	}
	return m.Raw, nil
}

// Original returns the mail a timeline entry came from, quotes and signature included, for
// staff: the "original message" of a reply by mail. Customers get apperr.ErrNotFound, as for
// an entry that came by no mail.
func (a *Admin) Original(ctx context.Context, actor identity.Actor, entryID int64) ([]byte, error) {
	if !actor.Staff() {
		return nil, apperr.ErrNotFound
	}
	m := new(Message)
	err := a.Handler.DB.NewSelect().Model(m).Column("raw").Where("entry_id = ?", entryID).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("inbound: read the original of entry %d: %w", entryID, err)
	}
	return m.Raw, nil
}

// Discard sets a quarantined message aside for good. A message no longer quarantined (another
// admin decided first) is apperr.ErrStale.
func (a *Admin) Discard(ctx context.Context, actor identity.Actor, id int64) error {
	if err := admin(actor); err != nil {
		return err
	}
	if _, err := messageByID(ctx, a.Handler.DB, id, false); err != nil {
		return err
	}
	return decide(ctx, a.Handler.DB, id, actor.UserID, Discarded, nil, a.Handler.now())
}

// decide moves quarantined message id to status, if it still is quarantined.
func decide(ctx context.Context, idb bun.IDB, id, by int64, status Status, entry *timeline.Entry, now time.Time) error {
	q := idb.NewUpdate().Model((*Message)(nil)).Set("status = ?", status).Set("decided_by = ?", by).Set("decided_at = ?", now).
		Where("id = ? AND status = ?", id, Quarantined)
	if entry != nil {
		q = q.Set("entry_id = ?", entry.ID).Set("subject_kind = ?", entry.SubjectKind).Set("subject_id = ?", entry.SubjectID)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return fmt.Errorf("inbound: decide on message %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(err, apperr.ErrStale)
	}
	return nil
}

// ticketNumber reads a ticket number (INC0000042, CHG0000007, REQ0000003) as a thread kind and
// id.
var ticketNumber = regexp.MustCompile(`^(INC|CHG|REQ)0*([1-9][0-9]{0,17})$`)

// Attach writes a quarantined message on the ticket number names, as a public reply by the
// user with login, through the ticket's service (so the user must be allowed to write there,
// and the ticket's mail goes out as for any reply). Its text and files are read again from the
// original, as the handler reads them.
func (a *Admin) Attach(ctx context.Context, actor identity.Actor, id int64, number, login string) (*Message, error) {
	if err := admin(actor); err != nil {
		return nil, err
	}
	m, err := messageByID(ctx, a.Handler.DB, id, true)
	if err != nil {
		return nil, err
	}
	if m.Status != Quarantined {
		return nil, apperr.ErrStale
	}
	var es i18n.Errors
	match := ticketNumber.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(number)))
	if match == nil {
		es.Add(i18n.FieldError("number", "inbound.error.number"))
	}
	u, uerr := identity.UserByLogin(ctx, a.Handler.DB, strings.TrimSpace(login))
	switch {
	case errors.Is(uerr, apperr.ErrNotFound):
		es.Add(i18n.FieldError("login", "inbound.error.login"))
	case uerr != nil:
		return nil, uerr
	}
	if err := es.Err(); err != nil {
		return nil, err
	}
	ticketID, _ := strconv.ParseInt(match[2], 10, 64)
	p, err := Parse(m.Raw)
	if err != nil {
		return nil, i18n.FieldError("number", "inbound.error.unreadable")
	}
	body, files, why, _ := a.Handler.content(p, u.Lang)
	if why != "" {
		return nil, i18n.FieldError("number", why)
	}
	who, err := tenancy.Resolve(ctx, a.Handler.DB, u)
	if err != nil {
		return nil, err
	}
	now := a.Handler.now()
	ctx = timeline.WithOrigin(ctx, timeline.Origin{Via: timeline.ViaEmail, Recorded: func(ctx context.Context, tx bun.IDB, e *timeline.Entry) error {
		return decide(ctx, tx, m.ID, actor.UserID, Attached, e, now)
	}})
	switch match[1] {
	case "INC":
		_, err = a.Handler.Incidents.Do(ctx, who, ticketID, incident.Act{Action: incident.Reply, Body: body, Files: files})
	case "CHG":
		err = a.Handler.Changes.Reply(ctx, who, ticketID, body, false, files)
	case "REQ":
		err = a.Handler.Contracts.Reply(ctx, who, ticketID, body, false, files)
	}
	switch {
	case errors.Is(err, apperr.ErrNotFound) || errors.Is(err, apperr.ErrForbidden):
		// The ticket does not exist, or the user may not write on it: either way, not as them.
		return nil, i18n.FieldError("login", "inbound.error.not_allowed", "Login", u.Login, "Number", strings.ToUpper(number))
	case err != nil:
		return nil, err
	}
	m.Raw = nil
	return messageByID(ctx, a.Handler.DB, id, false)
}
