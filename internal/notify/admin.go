package notify

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/guichet/guichet/internal/account"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/uptrace/bun"
)

// OutboxFilter selects messages for the admin's Outbox page.
type OutboxFilter struct {
	Status string // "" for all
	Limit  int
	Offset int
}

// Outbox lists messages, newest first, with the total (admins only).
func Outbox(ctx context.Context, idb bun.IDB, actor account.Actor, f OutboxFilter) ([]Message, int, error) {
	if actor.Kind != account.Admin {
		return nil, 0, apperr.ErrForbidden
	}
	var ms []Message
	q := idb.NewSelect().Model(&ms).
		ExcludeColumn("body_text", "body_html").Order("created_at DESC", "id DESC")
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Limit > 0 {
		q = q.Limit(int64(f.Limit)).Offset(int64(f.Offset))
	}
	n, err := q.ScanAndCount(ctx)
	return ms, int(n), err
}

// OutboxMessage returns one message as it will be sent (admins only).
func OutboxMessage(ctx context.Context, idb bun.IDB, actor account.Actor, id int64) (*Message, error) {
	if actor.Kind != account.Admin {
		return nil, apperr.ErrForbidden
	}
	m := new(Message)
	err := idb.NewSelect().Model(m).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	return m, err
}

// RetryNow puts a dead message back in the queue, due at once, with a fresh retry window.
func RetryNow(ctx context.Context, idb bun.IDB, actor account.Actor, id int64, now time.Time) error {
	m, err := OutboxMessage(ctx, idb, actor, id)
	if err != nil {
		return err
	}
	if m.Status != StatusDead {
		return nil
	}
	now = now.UTC()
	_, err = idb.NewUpdate().Model(m).WherePK().
		Set("status = ?", StatusPending).Set("next_attempt_at = ?", now).
		Set("deadline_at = ?", now.Add(RetryWindow)).Set("claimed_until = NULL").Exec(ctx)
	return err
}
