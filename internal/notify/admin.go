package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html"
	"regexp"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/paging"
	"github.com/uptrace/bun"
)

// Outbox is the administrators' view of the mail queue: what waits, what went, what failed,
// one message as it will be sent, and a retry. Every use case is for admins only.
type Outbox struct {
	DB *bun.DB
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

func (o *Outbox) now() time.Time {
	if o.Now != nil {
		return o.Now().UTC()
	}
	return time.Now().UTC()
}

// List returns page p of the messages in status ("" for every status), newest first, and how
// many there are in all.
func (o *Outbox) List(ctx context.Context, actor identity.Actor, status string, p paging.Page) ([]Message, int, error) {
	if actor.Kind != identity.Admin {
		return nil, 0, apperr.ErrForbidden
	}
	var ms []Message
	q := o.DB.NewSelect().Model(&ms).
		ExcludeColumn("body_text", "body_html").Order("created_at DESC", "id DESC")
	if status != "" {
		q = q.Where("status = ?", status)
	}
	if p.Size > 0 {
		q = q.Limit(int64(p.Limit())).Offset(int64(p.Offset()))
	}
	n, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("notify: list outbox: %w", err)
	}
	return ms, int(n), nil
}

// Message returns one message as it will be sent, except that the secrets it carries (the
// token of a password link) read as hidden: the admin sees that there is a link, not one that
// opens someone's account.
func (o *Outbox) Message(ctx context.Context, actor identity.Actor, id int64, hidden string) (*Message, error) {
	m, err := outboxRow(ctx, o.DB, actor, id)
	if err != nil {
		return nil, err
	}
	m.BodyText = maskTokens(m.BodyText, hidden)
	m.BodyHTML = maskTokens(m.BodyHTML, html.EscapeString(hidden))
	return m, nil
}

func outboxRow(ctx context.Context, idb bun.IDB, actor identity.Actor, id int64) (*Message, error) {
	if actor.Kind != identity.Admin {
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
// identity.NewToken makes) in an http(s) URL, in its path or its query.
var tokenInLink = regexp.MustCompile(`(https?://[^\s"'<>]*?)[A-Za-z0-9_-]{32,}`)

// maskTokens replaces the token of every link in s with hidden.
func maskTokens(s, hidden string) string {
	return tokenInLink.ReplaceAllStringFunc(s, func(link string) string {
		return tokenInLink.FindStringSubmatch(link)[1] + hidden
	})
}

// Retry puts a dead message back in the queue, due at once, with a fresh retry window.
func (o *Outbox) Retry(ctx context.Context, actor identity.Actor, id int64) error {
	m, err := outboxRow(ctx, o.DB, actor, id)
	if err != nil {
		return err
	}
	if m.Status != StatusDead {
		return nil
	}
	now := o.now()
	_, err = o.DB.NewUpdate().Model(m).WherePK().Where("status = ?", StatusDead).
		Set("status = ?", StatusPending).Set("next_attempt_at = ?", now).
		Set("deadline_at = ?", now.Add(RetryWindow)).Set("claimed_until = NULL").Set("claimed_by = ''").Exec(ctx)
	if err != nil {
		return fmt.Errorf("notify: retry message %d: %w", id, err)
	}
	return nil
}
