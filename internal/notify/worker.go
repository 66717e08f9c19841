package notify

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Worker delivers the outbox. Several workers (in several processes sharing the database) may
// run at once: a claim is a lease written in one statement, so a message is claimed by one
// worker at a time; a worker that dies mid-batch lets its lease expire, and the message is sent
// again with the same Message-ID (delivery is at least once).
type Worker struct {
	DB     *bun.DB
	Sender Sender
	Log    *slog.Logger
	Now    func() time.Time
	Batch  int
	Lease  time.Duration // longer than a batch can take to send
	Poll   time.Duration // pause when nothing is due
}

// NewWorker returns a worker with the usual settings.
func NewWorker(db *bun.DB, s Sender, log *slog.Logger) *Worker {
	return &Worker{DB: db, Sender: s, Log: log, Now: time.Now, Batch: 50, Lease: 5 * time.Minute, Poll: 2 * time.Second}
}

// Run delivers until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Error("outbox: delivery round failed", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(w.Poll):
		}
	}
}

// RunOnce claims the due messages, sends them and records the outcome; it returns how many
// it handled.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	msgs, err := w.claim(ctx)
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	errs := w.Sender.Send(ctx, msgs)
	// What was sent is recorded even when the process is stopping, or it would be sent again.
	rec := context.WithoutCancel(ctx)
	for i, m := range msgs {
		if err := w.record(rec, m, errs[i]); err != nil {
			return i, err
		}
	}
	return len(msgs), nil
}

// claim leases up to Batch due messages. The conditions are repeated outside the subquery so
// that a concurrent claimer's row, re-read after its lock, no longer qualifies.
func (w *Worker) claim(ctx context.Context) ([]*Message, error) {
	now := w.Now().UTC()
	var msgs []*Message
	due := "status = 'pending' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)"
	sub := w.DB.NewSelect().Model((*Message)(nil)).Column("id").Where(due, now, now).
		Order("next_attempt_at", "id").Limit(int64(w.Batch))
	err := w.DB.NewUpdate().Model((*Message)(nil)).
		Set("claimed_until = ?", now.Add(w.Lease)).
		Set("attempts = attempts + 1").
		Where("id IN (?)", sub).Where(due, now, now).
		Returning("*").Scan(ctx, &msgs)
	return msgs, err
}

// record writes the outcome of one attempt.
func (w *Worker) record(ctx context.Context, m *Message, sendErr error) error {
	now := w.Now().UTC()
	q := w.DB.NewUpdate().Model(m).WherePK().Set("claimed_until = NULL")
	switch {
	case sendErr == nil:
		q = q.Set("status = ?", StatusSent).Set("sent_at = ?", now).Set("last_error = ''")
	default:
		next := now.Add(backoff(m.Attempts))
		status := StatusPending
		var perm *PermanentError
		if errors.As(sendErr, &perm) || next.After(m.DeadlineAt) {
			status = StatusDead
		}
		// The reason is logged without the message body, which may hold a password link.
		w.Log.Warn("outbox: delivery failed", "message", m.ID, "attempt", m.Attempts, "status", status, "err", sendErr)
		q = q.Set("status = ?", status).Set("next_attempt_at = ?", next).Set("last_error = ?", clip(sendErr.Error(), 500))
	}
	_, err := q.Exec(ctx)
	return err
}

// backoff is 30 s doubled at each attempt, at most an hour, with ±20 % jitter so that a relay
// coming back is not hit by every message at once.
func backoff(attempt int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	d = min(d, time.Hour)
	return d + time.Duration((rand.Float64()*0.4-0.2)*float64(d))
}

func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}
