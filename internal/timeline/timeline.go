// Package timeline is what every ticket shares: events (who, when, what, before → after),
// public replies, internal notes and attachments. Incidents, change requests and contract
// requests each write their history here; the timeline is their audit trail.
package timeline

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// Subject is the ticket an entry belongs to: its kind ("incident", "change", "request") and id.
// TenantID, when set, puts the texts of the subject's entries in the full-text index, scoped
// by that tenant (see Doc): incidents set it, being what the desk searches; other tickets are
// not indexed.
type Subject struct {
	Kind     string
	ID       int64
	TenantID int64
}

// Kind tells events, public replies and internal notes apart.
type Kind string

// The kinds of entry.
const (
	Event Kind = "event" // something changed: Event names what, From and To say how
	Reply Kind = "reply" // a public reply, shown and mailed to the customer
	Note  Kind = "note"  // an internal note: staff only, never shown or mailed to a customer
)

// ValueType says how an event's From and To are shown.
type ValueType string

// The value types.
const (
	Text ValueType = ""     // shown as written (a name, a number)
	Key  ValueType = "key"  // a message key, translated for the reader
	Date ValueType = "date" // a civil date YYYY-MM-DD, formatted for the reader
)

// Entry is one line of a ticket's timeline.
type Entry struct {
	bun.BaseModel `bun:"table:timeline_entries,alias:e"`

	ID          int64  `bun:"id,pk,autoincrement"`
	SubjectKind string `bun:"subject_kind"`
	SubjectID   int64  `bun:"subject_id"`
	Kind        Kind   `bun:"kind"`
	// Event is the message key describing an event, given From and To as arguments
	// (for instance "timeline.incident.status" = "Status: {{.From}} → {{.To}}").
	Event     string    `bun:"event"`
	ValueType ValueType `bun:"value_type"`
	From      string    `bun:"from_value"`
	To        string    `bun:"to_value"`
	// Body is a reply's or note's text, or the reason given with an event.
	Body      string    `bun:"body"`
	ActorID   *int64    `bun:"actor_id"`
	CreatedAt time.Time `bun:"created_at"`
	// Via is how the entry came in: "" from a form, ViaEmail by mail.
	Via string `bun:"via"`

	// Read with the entry: the actor's name and kind ("" for the system).
	ActorName string        `bun:"actor_name,scanonly"`
	ActorKind identity.Kind `bun:"actor_kind,scanonly"`
	// Attachments are the entry's files, without their content.
	Attachments []Attachment `bun:"-"`
	// TenantID is the subject's tenant when the subject is searched (Subject.TenantID), as
	// New copies it: the search index scopes the entry's text by it. It is not a column.
	TenantID int64 `bun:"-"`
}

// Internal reports whether only staff may read the entry.
func (e *Entry) Internal() bool { return e.Kind == Note }

// ByStaff reports whether staff (or the system) wrote the entry.
func (e *Entry) ByStaff() bool { return e.ActorID == nil || e.ActorKind.Staff() }

// New starts an entry of kind on subject by actor at now; the caller fills the rest.
func New(s Subject, kind Kind, actor tenancy.Actor, now time.Time) *Entry {
	e := &Entry{SubjectKind: s.Kind, SubjectID: s.ID, Kind: kind, CreatedAt: now.UTC(), TenantID: s.TenantID}
	if actor.UserID != 0 {
		id := actor.UserID
		e.ActorID = &id
	}
	return e
}

// NewEvent is an event entry: what changed (a message key) from what to what.
func NewEvent(s Subject, actor tenancy.Actor, now time.Time, event string, vt ValueType, from, to string) *Entry {
	e := New(s, Event, actor, now)
	e.Event, e.ValueType, e.From, e.To = event, vt, from, to
	return e
}

// Record writes e and its attachments in the caller's transaction, and indexes what EntryDoc
// says of it for full-text search.
func Record(ctx context.Context, idb bun.IDB, e *Entry, files ...Upload) error {
	if _, err := idb.NewInsert().Model(e).Exec(ctx); err != nil {
		return fmt.Errorf("timeline: insert %s entry on %s %d: %w", e.Kind, e.SubjectKind, e.SubjectID, err)
	}
	if d, ok := EntryDoc(e); ok {
		if err := Index(ctx, idb, d); err != nil {
			return err
		}
	}
	for _, f := range files {
		a := &Attachment{EntryID: e.ID, SubjectKind: e.SubjectKind, SubjectID: e.SubjectID, Internal: e.Internal(),
			Name: f.Name, ContentType: f.ContentType, Size: int64(len(f.Data)), Data: f.Data, CreatedAt: e.CreatedAt}
		if _, err := idb.NewInsert().Model(a).Exec(ctx); err != nil {
			return fmt.Errorf("timeline: insert attachment of entry %d: %w", e.ID, err)
		}
		a.Data = nil
		e.Attachments = append(e.Attachments, *a)
	}
	return nil
}

// RecordAll writes entries without files in one statement (a fan-out's hundreds of events on
// as many tickets), setting their ids, and indexes what EntryDoc says of each.
func RecordAll(ctx context.Context, idb bun.IDB, es []*Entry) error {
	if len(es) == 0 {
		return nil
	}
	if _, err := idb.NewInsert().Model(&es).Exec(ctx); err != nil {
		return fmt.Errorf("timeline: insert %d entries: %w", len(es), err)
	}
	var docs []Doc
	for _, e := range es {
		if e.ID == 0 {
			return fmt.Errorf("timeline: an entry on %s %d was written without its id", e.SubjectKind, e.SubjectID)
		}
		if d, ok := EntryDoc(e); ok {
			docs = append(docs, d)
		}
	}
	return Index(ctx, idb, docs...)
}

// List returns a subject's timeline, oldest first, with each entry's attachments (without their
// content). Internal notes are left out unless staff is true.
func List(ctx context.Context, idb bun.IDB, s Subject, staff bool) ([]Entry, error) {
	var es []Entry
	q := idb.NewSelect().Model(&es).
		ColumnExpr("e.*").
		ColumnExpr("u.display_name AS actor_name, u.kind AS actor_kind").
		Join("LEFT JOIN users AS u ON u.id = e.actor_id").
		Where("e.subject_kind = ? AND e.subject_id = ?", s.Kind, s.ID).
		OrderExpr("e.id")
	if !staff {
		q = q.Where("e.kind <> ?", Note)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("timeline: list entries of %s %d: %w", s.Kind, s.ID, err)
	}
	if len(es) == 0 {
		return es, nil
	}
	var as []Attachment
	aq := idb.NewSelect().Model(&as).ExcludeColumn("data").
		Where("subject_kind = ? AND subject_id = ?", s.Kind, s.ID).OrderExpr("id")
	if !staff {
		aq = aq.Where("internal = ?", false)
	}
	if err := aq.Scan(ctx); err != nil {
		return nil, fmt.Errorf("timeline: list attachments of %s %d: %w", s.Kind, s.ID, err)
	}
	at := make(map[int64]int, len(es))
	for i := range es {
		at[es[i].ID] = i
	}
	for _, a := range as {
		if i, ok := at[a.EntryID]; ok {
			es[i].Attachments = append(es[i].Attachments, a)
		}
	}
	return es, nil
}

// Attachment is a file attached to an entry, stored in the database.
type Attachment struct {
	bun.BaseModel `bun:"table:attachments,alias:a"`

	ID          int64     `bun:"id,pk,autoincrement"`
	EntryID     int64     `bun:"entry_id"`
	SubjectKind string    `bun:"subject_kind"`
	SubjectID   int64     `bun:"subject_id"`
	Internal    bool      `bun:"internal"`
	Name        string    `bun:"name"`
	ContentType string    `bun:"content_type"`
	Size        int64     `bun:"size"`
	Data        []byte    `bun:"data"`
	CreatedAt   time.Time `bun:"created_at"`
	// PurgedAt is when the retention job emptied the file (package retention); nil while it is
	// kept. A purged file keeps its row, name and size, so the timeline still says it was there.
	PurgedAt *time.Time `bun:"purged_at"`
}

// Subject returns the ticket the attachment belongs to.
func (a *Attachment) Subject() Subject { return Subject{Kind: a.SubjectKind, ID: a.SubjectID} }

// PurgedOn is the day, in Paris, the file was purged (the zero Date while it is kept).
func (a Attachment) PurgedOn() calendar.Date {
	if a.PurgedAt == nil {
		return calendar.Date{}
	}
	return calendar.ParisDate(*a.PurgedAt)
}

// AttachmentByID reads an attachment with its content. It does not authorize: the caller checks
// that the reader may read the attachment's subject, and staff for an internal one.
func AttachmentByID(ctx context.Context, idb bun.IDB, id int64) (*Attachment, error) {
	a := new(Attachment)
	err := idb.NewSelect().Model(a).Where("id = ?", id).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, apperr.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("timeline: read attachment %d: %w", id, err)
	}
	return a, nil
}
