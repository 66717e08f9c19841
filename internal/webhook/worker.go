package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/guichet/guichet/internal/lease"

	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// Worker posts the pending deliveries, as the outbox worker sends mail. Several workers (in
// several processes sharing the database) may run at once: a worker claims a batch under its own
// id with a lease it renews while it works, and takes each delivery again just before posting it
// (counting the attempt), so that a delivery is posted by one worker at a time; each result is
// recorded as soon as the endpoint answered. A worker that is stopped finishes the posts under
// way, records them and releases the rest; one that is killed leaves its posts under way
// unrecorded, and they are posted again once its lease runs out: at least once, nothing lost.
type Worker struct {
	ID     string // the claims' owner; NewWorker makes a unique one
	DB     *bun.DB
	Client *http.Client // NewClient's
	Log    *slog.Logger
	Now    func() time.Time
	Batch  int
	// Parallel is how many posts one worker makes at once (a slow endpoint holds one of them).
	Parallel int
	Lease    time.Duration // how long a claim holds unless renewed; renewed every Lease/3
	Poll     time.Duration // pause when nothing is due
}

// NewWorker returns a worker with the usual settings.
func NewWorker(db *bun.DB, client *http.Client, log *slog.Logger) *Worker {
	return &Worker{ID: "wh-" + randomHex(10), DB: db, Client: client, Log: log, Now: time.Now,
		Batch: 20, Parallel: 4, Lease: 2 * Timeout, Poll: 2 * time.Second}
}

// Run delivers until ctx ends; it returns once what it was posting is recorded.
func (w *Worker) Run(ctx context.Context) {
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil { // a round cut short by the stop is no failure
			w.Log.Error("webhooks: delivery round failed", "err", err)
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

// target is a claimed delivery with what posting it needs from its endpoint.
type target struct {
	Delivery `bun:",extend"`
	URL      string `bun:"url"`
	Secret   string `bun:"secret"`
}

// RunOnce claims the due deliveries and posts them, Parallel at once, recording each result as
// it comes; it returns how many results it recorded. When ctx ends it starts no new post, and
// gives back the claims on the deliveries it did not try.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	if ctx.Err() != nil {
		return 0, nil
	}
	ts, err := w.claim(ctx)
	if err != nil || len(ts) == 0 {
		return 0, err
	}
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	rec := context.WithoutCancel(ctx) // what was done is recorded even while stopping
	stopRenewing := w.renew(rec, ids)
	defer stopRenewing()

	var (
		mu       sync.Mutex
		next     int
		recorded int
		errs     []error
		wg       sync.WaitGroup
	)
	for range max(w.Parallel, 1) {
		wg.Go(func() {
			for {
				mu.Lock()
				if next >= len(ts) || ctx.Err() != nil {
					mu.Unlock()
					return
				}
				t := ts[next]
				next++
				mu.Unlock()
				done, err := w.one(ctx, rec, t)
				mu.Lock()
				if done {
					recorded++
				}
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	stopRenewing()
	var untried []int64
	for _, t := range ts[next:] {
		untried = append(untried, t.ID)
	}
	if err := w.release(rec, untried); err != nil {
		errs = append(errs, err)
	}
	return recorded, errors.Join(errs...)
}

// due is what a worker may claim: pending, due, not under another worker's live claim, of an
// active endpoint (an endpoint switched off keeps its deliveries until it is switched on again).
const due = "status = 'pending' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) " +
	"AND webhook_id IN (SELECT id FROM webhooks WHERE active = TRUE)"

// claim leases up to Batch due deliveries under the worker's id, in one statement (see the
// outbox worker: SKIP LOCKED on PostgreSQL, the conditions repeated outside the subquery), then
// reads them with their endpoint's address and secret.
func (w *Worker) claim(ctx context.Context) ([]*target, error) {
	now := w.Now().UTC()
	sub := w.DB.NewSelect().Model((*Delivery)(nil)).Column("d.id").Where(due, now, now).
		Order("d.next_attempt_at", "d.id").Limit(int64(w.Batch))
	if db.IsPG(w.DB) {
		sub = sub.For("UPDATE SKIP LOCKED")
	}
	var ids []int64
	err := w.DB.NewUpdate().Model((*Delivery)(nil)).
		Set("claimed_until = ?", now.Add(w.Lease)).Set("claimed_by = ?", w.ID).
		Where("id IN (?)", sub).Where(due, now, now).
		Returning("id").Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("webhook: claim deliveries: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var ts []*target
	err = w.DB.NewSelect().Model(&ts).ColumnExpr("d.*").ColumnExpr("w.url, w.secret").
		Join("JOIN webhooks AS w ON w.id = d.webhook_id").
		Where("d.id IN (?) AND d.claimed_by = ?", bun.In(ids), w.ID).
		Order("d.next_attempt_at", "d.id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("webhook: read claimed deliveries: %w", err)
	}
	return ts, nil
}

// renew extends the worker's claims on ids every Lease/3 until the returned function is called
// (which waits for the renewal under way, and may be called again).
func (w *Worker) renew(ctx context.Context, ids []int64) func() {
	return lease.Renew(ctx, w.Lease, func(ctx context.Context) error {
		_, err := w.DB.NewUpdate().Model((*Delivery)(nil)).Set("claimed_until = ?", w.Now().UTC().Add(w.Lease)).
			Where("id IN (?) AND claimed_by = ? AND status = ?", bun.In(ids), w.ID, StatusPending).Exec(ctx)
		return err
	}, func(err error) { w.Log.Warn("webhooks: renew claims", "worker", w.ID, "err", err) })
}

// one takes t, posts it and records the result; done reports whether a result was recorded.
func (w *Worker) one(ctx, rec context.Context, t *target) (done bool, err error) {
	mine, err := w.take(rec, t)
	if err != nil || !mine {
		return false, err
	}
	code, postErr := w.post(ctx, t)
	// A result that cannot be recorded leaves the claim to its lease: the delivery was tried.
	if err := w.record(rec, t, code, postErr); err != nil {
		return false, err
	}
	return true, nil
}

// take confirms the worker still holds t just before posting it, for a fresh lease, and counts
// the attempt. A delivery whose claim was lost (it went to another worker) is left alone.
func (w *Worker) take(ctx context.Context, t *target) (bool, error) {
	res, err := w.DB.NewUpdate().Model((*Delivery)(nil)).
		Set("claimed_until = ?", w.Now().UTC().Add(w.Lease)).Set("attempts = attempts + 1").
		Where("id = ? AND claimed_by = ? AND status = ?", t.ID, w.ID, StatusPending).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("webhook: take delivery %d: %w", t.ID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("webhook: take delivery %d: %w", t.ID, err)
	}
	if n == 1 {
		t.Attempts++
	}
	return n == 1, nil
}

// post sends t's payload to its endpoint, signed, and returns the answer's status.
func (w *Worker) post(ctx context.Context, t *target) (int, error) {
	u, err := url.Parse(t.URL)
	if err != nil || u.Scheme != "https" {
		return 0, errors.New("the endpoint's address is not an https URL")
	}
	// A stop lets the post under way finish (within Timeout): it is recorded, not repeated.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), Timeout)
	defer cancel()
	body := []byte(t.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Guichet-Webhook/1")
	req.Header.Set(HeaderEvent, t.EventType)
	req.Header.Set(HeaderEventID, t.EventID)
	req.Header.Set(HeaderSignature, Sign(t.Secret, w.Now(), body))
	resp, err := w.Client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) //nolint:errcheck // the answer's body says nothing we keep
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("the endpoint answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// record writes the outcome of one attempt: a 2xx answer is delivered; anything else is tried
// again after backoff, or is dead when the next try would come after the retry window.
func (w *Worker) record(ctx context.Context, t *target, code int, postErr error) error {
	now := w.Now().UTC()
	q := w.DB.NewUpdate().Model((*Delivery)(nil)).Where("id = ?", t.ID).
		Set("claimed_until = NULL").Set("claimed_by = ''").Set("attempts = ?", t.Attempts).
		Set("last_status = ?", code).Set("updated_at = ?", now)
	if postErr == nil {
		q = q.Set("status = ?", StatusDelivered).Set("delivered_at = ?", now).Set("last_error = ''")
	} else {
		next := now.Add(lease.Backoff(t.Attempts))
		status := StatusPending
		if next.After(t.DeadlineAt) {
			status = StatusDead
		}
		w.Log.Warn("webhooks: delivery failed", "delivery", t.ID, "webhook", t.WebhookID, "event", t.EventID,
			"attempt", t.Attempts, "status", status, "err", postErr)
		q = q.Set("status = ?", status).Set("next_attempt_at = ?", next).Set("last_error = ?", clip(reason(postErr), 500))
		// Only while the claim is still this worker's: a late failure must not put back to
		// pending a delivery that another worker, after this one's lease lapsed, delivered.
		q = q.Where("claimed_by = ? AND status = ?", w.ID, StatusPending)
	}
	if _, err := q.Exec(ctx); err != nil {
		return fmt.Errorf("webhook: record the result of delivery %d: %w", t.ID, err)
	}
	return nil
}

// reason is what the log says of a failure, without the URL (which may hold a token of the
// receiver's) that net/http puts in its errors.
func reason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
		if ue.Timeout() {
			return "no answer within " + strconv.Itoa(int(Timeout/time.Second)) + " s"
		}
	}
	return strings.TrimSpace(err.Error())
}

// release gives back the worker's claims on ids, which it did not try, so that they go out at
// once (from this process's successor or another) rather than when the lease runs out.
func (w *Worker) release(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := w.DB.NewUpdate().Model((*Delivery)(nil)).Set("claimed_until = NULL").Set("claimed_by = ''").
		Where("id IN (?) AND claimed_by = ? AND status = ?", bun.In(ids), w.ID, StatusPending).Exec(ctx)
	if err != nil {
		return fmt.Errorf("webhook: release %d claimed deliveries: %w", len(ids), err)
	}
	return nil
}
