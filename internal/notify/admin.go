package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"regexp"
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
	if err != nil {
		return nil, 0, fmt.Errorf("notify: list outbox: %w", err)
	}
	return ms, int(n), nil
}

// OutboxMessage returns one message as it will be sent (admins only), except that the secrets
// it carries (the token of a password link) read as hidden: the admin sees that there is a
// link, not one that opens someone's account.
func OutboxMessage(ctx context.Context, idb bun.IDB, actor account.Actor, id int64, hidden string) (*Message, error) {
	m, err := outboxRow(ctx, idb, actor, id)
	if err != nil {
		return nil, err
	}
	m.BodyText = maskTokens(m.BodyText, hidden)
	m.BodyHTML = maskTokens(m.BodyHTML, html.EscapeString(hidden))
	return m, nil
}

func outboxRow(ctx context.Context, idb bun.IDB, actor account.Actor, id int64) (*Message, error) {
	if actor.Kind != account.Admin {
		return nil, apperr.ErrForbidden
	}
	m := new(Message)
	err := idb.NewSelect().Model(m).Where("id = ?", id).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("notify: read outbox message %d: %w", id, err)
	}
	return m, nil
}

// tokenInLink is a secret in a link: a run of 32 or more URL-safe base64 characters (what
// account.NewToken makes) in an http(s) URL, in its path or its query.
var tokenInLink = regexp.MustCompile(`(https?://[^\s"'<>]*?)[A-Za-z0-9_-]{32,}`)

// maskTokens replaces the token of every link in s with hidden.
func maskTokens(s, hidden string) string {
	return tokenInLink.ReplaceAllStringFunc(s, func(link string) string {
		return tokenInLink.FindStringSubmatch(link)[1] + hidden
	})
}

// RetryNow puts a dead message back in the queue, due at once, with a fresh retry window.
func RetryNow(ctx context.Context, idb bun.IDB, actor account.Actor, id int64, now time.Time) error {
	m, err := outboxRow(ctx, idb, actor, id)
	if err != nil {
		return err
	}
	if m.Status != StatusDead {
		return nil
	}
	now = now.UTC()
	_, err = idb.NewUpdate().Model(m).WherePK().
		Set("status = ?", StatusPending).Set("next_attempt_at = ?", now).
		Set("deadline_at = ?", now.Add(RetryWindow)).Set("claimed_until = NULL").Set("claimed_by = ''").Exec(ctx)
	if err != nil {
		return fmt.Errorf("notify: retry message %d: %w", id, err)
	}
	return nil
}
