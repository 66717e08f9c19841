package notify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/guichet/guichet/internal/lease"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/identity"
	"github.com/uptrace/bun"
)

// Worker delivers the outbox. Several workers (in several processes sharing the database) may
// run at once. A worker claims a batch under its own id with a lease it renews while it works,
// and takes each message again just before sending it, so that a message is sent by one worker
// at a time; each result is recorded as soon as the relay answered. A worker that is stopped
// finishes the message it is sending, records it and releases the rest; one that is killed
// leaves at most the message it was sending unrecorded, which is sent again (same Message-ID)
// once its lease runs out: at most one duplicate per killed worker, nothing lost.
type Worker struct {
	ID     string // the claims' owner; NewWorker makes a unique one
	DB     *bun.DB
	Sender Sender
	Log    *slog.Logger
	Now    func() time.Time
	Batch  int
	Lease  time.Duration // how long a claim holds unless renewed; renewed every Lease/3
	Poll   time.Duration // pause when nothing is due
	// StillReaches says why a customer recipient may no longer read a message about tenantID
	// that needs right ("" when they may), just before it is sent: the capabilities decide it
	// (app sets audience.StillReaches); nil sends every message.
	StillReaches func(ctx context.Context, userID, tenantID int64, right string) (reason string, err error)
}

// NewWorker returns a worker with the usual settings.
func NewWorker(db *bun.DB, s Sender, log *slog.Logger) *Worker {
	return &Worker{ID: "w-" + strings.ToLower(identity.NewToken()[:20]), DB: db, Sender: s, Log: log, Now: time.Now,
		Batch: 50, Lease: 15 * time.Second, Poll: 2 * time.Second}
}

// Run delivers until ctx ends; it returns once what it was sending is recorded.
func (w *Worker) Run(ctx context.Context) {
	for {
		n, err := w.RunOnce(ctx)
		if err != nil {
			w.Log.Error("outbox: delivery round failed", "err", err)
		}
		if n > 0 && err == nil && ctx.Err() == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(w.Poll):
		}
	}
}

// RunOnce claims the due messages and sends them one by one, recording each result before the
// next message; it returns how many results it recorded. When ctx ends it stops between two
// messages and gives back the claims on those it did not try.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if ctx.Err() != nil {
		return 0, nil
	}
	msgs, err := w.claim(ctx)
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	ids := make([]int64, len(msgs))
	for i, m := range msgs {
		ids[i] = m.ID
	}
	stopRenewing := w.renew(context.WithoutCancel(ctx), ids)
	defer stopRenewing()
	b := &round{w: w, ctx: ctx, rec: context.WithoutCancel(ctx), msgs: msgs}
	err = b.deliver()
	stopRenewing()
	if rerr := w.release(b.rec, b.untried()); rerr != nil {
		err = errors.Join(err, rerr)
	}
	return b.recorded, err
}

// round is one claimed batch being delivered.
type round struct {
	w        *Worker
	ctx      context.Context // ends when the worker must stop
	rec      context.Context // for the database: what was done is recorded even while stopping
	msgs     []*Message
	next     int // index of the first message not tried
	recorded int
}

func (b *round) deliver() error {
	if b.ctx.Err() != nil {
		return nil
	}
	conn, err := b.w.Sender.Open(b.ctx)
	if err != nil {
		if b.ctx.Err() != nil {
			return nil // stopping: the claims are given back untouched
		}
		return b.failAll(err)
	}
	defer conn.Close()
	for ; b.next < len(b.msgs); b.next++ {
		if b.ctx.Err() != nil {
			return nil
		}
		if err := b.one(conn, b.msgs[b.next]); err != nil {
			b.next++
			return err
		}
	}
	return nil
}

// one takes m, checks that its recipient may still read it, sends it and records the result.
func (b *round) one(conn Conn, m *Message) error {
	w := b.w
	mine, err := w.take(b.rec, m)
	if err != nil || !mine {
		return err
	}
	why, err := w.whyNotNow(b.rec, m)
	if err != nil {
		return err
	}
	if why != "" {
		if err := w.drop(b.rec, m, why); err != nil {
			return err
		}
		b.recorded++
		return nil
	}
	// A result that cannot be recorded leaves the claim to its lease: the message was tried.
	if err := w.record(b.rec, m, conn.Send(m)); err != nil {
		return err
	}
	b.recorded++
	return nil
}

// failAll records a failed attempt for every message: the relay could not be reached.
func (b *round) failAll(err error) error {
	for ; b.next < len(b.msgs); b.next++ {
		m := b.msgs[b.next]
		m.Attempts++
		if rerr := b.w.record(b.rec, m, err); rerr != nil {
			b.next++
			return rerr
		}
		b.recorded++
	}
	return nil
}

// untried returns the ids of the claimed messages the round did not try.
func (b *round) untried() []int64 {
	var ids []int64
	for _, m := range b.msgs[b.next:] {
		ids = append(ids, m.ID)
	}
	return ids
}

// due is what a worker may claim: pending, due, and not under another worker's live claim.
const due = "status = 'pending' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)"

// claim leases up to Batch due messages under the worker's id, in one statement. On
// PostgreSQL the subquery skips the rows another worker is claiming at that moment (FOR UPDATE
// SKIP LOCKED) rather than waiting for them; the conditions are repeated outside the subquery
// so that a row claimed meanwhile, re-read after its lock, no longer qualifies. On SQLite the
// statement runs alone.
func (w *Worker) claim(ctx context.Context) ([]*Message, error) {
	now := w.Now().UTC()
	var msgs []*Message
	sub := w.DB.NewSelect().Model((*Message)(nil)).Column("id").Where(due, now, now).
		Order("next_attempt_at", "id").Limit(int64(w.Batch))
	if db.IsPG(w.DB) {
		sub = sub.For("UPDATE SKIP LOCKED")
	}
	err := w.DB.NewUpdate().Model((*Message)(nil)).
		Set("claimed_until = ?", now.Add(w.Lease)).Set("claimed_by = ?", w.ID).
		Where("id IN (?)", sub).Where(due, now, now).
		Returning("*").Scan(ctx, &msgs)
	if err != nil {
		return nil, fmt.Errorf("notify: claim outbox: %w", err)
	}
	slices.SortFunc(msgs, func(a, b *Message) int {
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return msgs, nil
}

// renew extends the worker's claims on ids every Lease/3 until the returned function is called
// (which waits for the renewal under way, and may be called again).
func (w *Worker) renew(ctx context.Context, ids []int64) func() {
	return lease.Renew(ctx, w.Lease, func(ctx context.Context) error {
		_, err := w.DB.NewUpdate().Model((*Message)(nil)).Set("claimed_until = ?", w.Now().UTC().Add(w.Lease)).
			Where("id IN (?) AND claimed_by = ? AND status = ?", bun.In(ids), w.ID, StatusPending).Exec(ctx)
		return err
	}, func(err error) { w.Log.Warn("outbox: renew claims", "worker", w.ID, "err", err) })
}

// take confirms the worker still holds m just before sending it, for a fresh lease, and counts
// the attempt. A message whose claim was lost (it went to another worker) is left alone.
func (w *Worker) take(ctx context.Context, m *Message) (bool, error) {
	res, err := w.DB.NewUpdate().Model((*Message)(nil)).
		Set("claimed_until = ?", w.Now().UTC().Add(w.Lease)).Set("attempts = attempts + 1").
		Where("id = ? AND claimed_by = ? AND status = ?", m.ID, w.ID, StatusPending).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("notify: take message %d: %w", m.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("notify: take message %d: %w", m.ID, err)
	}
	if n == 1 {
		m.Attempts++
	}
	return n == 1, nil
}

// whyNotNow says why m's recipient may no longer read it ("" when they may), as StillReaches
// answers for a customer recipient of mail about a tenant. Addresses without an account and
// mail about an account itself are sent.
func (w *Worker) whyNotNow(ctx context.Context, m *Message) (string, error) {
	if m.RecipientUserID == nil || m.TenantID == nil || w.StillReaches == nil {
		return "", nil
	}
	why, err := w.StillReaches(ctx, *m.RecipientUserID, *m.TenantID, m.RequiredRight)
	if err != nil {
		return "", fmt.Errorf("notify: recipient of message %d: %w", m.ID, err)
	}
	return why, nil
}

// drop records that m is not sent, and why (a message key).
func (w *Worker) drop(ctx context.Context, m *Message, why string) error {
	w.Log.Info("outbox: message dropped", "message", m.ID, "recipient_user", *m.RecipientUserID, "reason", why)
	_, err := w.DB.NewUpdate().Model(m).WherePK().
		Set("status = ?", StatusDropped).Set("last_error = ?", why).
		Set("claimed_until = NULL").Set("claimed_by = ''").Exec(ctx)
	if err != nil {
		return fmt.Errorf("notify: record message %d dropped: %w", m.ID, err)
	}
	return nil
}

// record writes the outcome of one attempt.
func (w *Worker) record(ctx context.Context, m *Message, sendErr error) error {
	now := w.Now().UTC()
	q := w.DB.NewUpdate().Model(m).WherePK().Set("claimed_until = NULL").Set("claimed_by = ''").Set("attempts = ?", m.Attempts)
	switch {
	case sendErr == nil:
		q = q.Set("status = ?", StatusSent).Set("sent_at = ?", now).Set("last_error = ''")
	default:
		next := now.Add(lease.Backoff(m.Attempts))
		status := StatusPending
		var perm *PermanentError
		if errors.As(sendErr, &perm) || next.After(m.DeadlineAt) {
			status = StatusDead
		}
		// The reason is logged without the message body, which may hold a password link.
		w.Log.Warn("outbox: delivery failed", "message", m.ID, "attempt", m.Attempts, "status", status, "err", sendErr)
		q = q.Set("status = ?", status).Set("next_attempt_at = ?", next).Set("last_error = ?", clip(sendErr.Error(), 500))
		// Only while the claim is still this worker's: a late failure must not put back to
		// pending a message that another worker, after this one's lease lapsed, has sent.
		q = q.Where("claimed_by = ? AND status = ?", w.ID, StatusPending)
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("notify: record the result of message %d: %w", m.ID, err)
	}
	return nil
}

// release gives back the worker's claims on ids, which it did not try, so that they go out
// at once (from this process's successor or another) rather than when the lease runs out.
func (w *Worker) release(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := w.DB.NewUpdate().Model((*Message)(nil)).Set("claimed_until = NULL").Set("claimed_by = ''").
		Where("id IN (?) AND claimed_by = ? AND status = ?", bun.In(ids), w.ID, StatusPending).Exec(ctx)
	if err != nil {
		return fmt.Errorf("notify: release %d claimed messages: %w", len(ids), err)
	}
	return nil
}

func clip(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}
