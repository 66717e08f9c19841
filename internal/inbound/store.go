package inbound

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"
)

// Message is one inbound mail as recorded (inbound_messages).
type Message struct {
	bun.BaseModel `bun:"table:inbound_messages,alias:im"`

	ID          int64      `bun:"id,pk,autoincrement"`
	MessageID   string     `bun:"message_id"`
	Source      Source     `bun:"source"`
	Sender      string     `bun:"sender"`
	Subject     string     `bun:"subject"`
	Status      Status     `bun:"status"`
	Reason      string     `bun:"reason"`
	Detail      string     `bun:"detail"`
	SubjectKind string     `bun:"subject_kind"`
	SubjectID   *int64     `bun:"subject_id"`
	EntryID     *int64     `bun:"entry_id"`
	UserID      *int64     `bun:"user_id"`
	BodyText    string     `bun:"body_text"`
	Raw         []byte     `bun:"raw"`
	RawSize     int64      `bun:"raw_size"`
	ReceivedAt  time.Time  `bun:"received_at"`
	DecidedBy   *int64     `bun:"decided_by"`
	DecidedAt   *time.Time `bun:"decided_at"`
}

func (m *Message) outcome(duplicate bool) Outcome {
	return Outcome{ID: m.ID, Status: m.Status, Reason: m.Reason, Duplicate: duplicate}
}

// byMessageID reads the record of the message with Message-ID id, without its raw text.
func byMessageID(ctx context.Context, idb bun.IDB, id string) (*Message, bool, error) {
	m := new(Message)
	err := idb.NewSelect().Model(m).ExcludeColumn("raw").Where("message_id = ?", id).Limit(1).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("inbound: read message %q: %w", id, err)
	}
	return m, true, nil
}

// Fetch is the last read of one way in, for the admin page.
type Fetch struct {
	bun.BaseModel `bun:"table:inbound_fetches,alias:f"`

	Source      Source     `bun:"source,pk"`
	LastAt      time.Time  `bun:"last_at"`
	Handled     int        `bun:"handled"`
	LastError   string     `bun:"last_error"`
	LastErrorAt *time.Time `bun:"last_error_at"`
}

// RecordFetch notes a read of source at at: how many messages it handed over, and its error.
// An error stays shown until a later read succeeds.
func RecordFetch(ctx context.Context, idb bun.IDB, source Source, at time.Time, handled int, fetchErr error) error {
	f := &Fetch{Source: source, LastAt: at.UTC(), Handled: handled}
	q := idb.NewInsert().Model(f).On("CONFLICT (source) DO UPDATE").
		Set("last_at = EXCLUDED.last_at").Set("handled = EXCLUDED.handled")
	if fetchErr != nil {
		f.LastError, f.LastErrorAt = fetchErr.Error(), &f.LastAt
		q = q.Set("last_error = EXCLUDED.last_error").Set("last_error_at = EXCLUDED.last_error_at")
	} else {
		q = q.Set("last_error = ''")
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("inbound: record the read of %s: %w", source, err)
	}
	return nil
}
