package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/webhook"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestDeliveryIsSignedAndDelivered: the endpoint receives the payload once, with the event's
// headers and a signature its secret verifies; the delivery is recorded as delivered.
func TestDeliveryIsSignedAndDelivered(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t)
	w, secret := f.register("Marie.Dupont", "OCB0000001", r.URL(), "incident.declared")
	inc := f.declare("John.Doe", "OCB0000001", "Object storage is slow")
	if n := runOnce(t, f.worker(r)); n != 1 {
		t.Fatalf("%d results recorded", n)
	}
	got := r.requests()
	if len(got) != 1 {
		t.Fatalf("the endpoint got %d requests", len(got))
	}
	ds := f.deliveries(w)
	req, d := got[0], ds[0]
	if req.header.Get("Content-Type") != "application/json" || req.header.Get(webhook.HeaderEvent) != "incident.declared" ||
		req.header.Get(webhook.HeaderEventID) != d.EventID {
		t.Errorf("headers %v", req.header)
	}
	if string(req.body) != d.Payload {
		t.Errorf("body %s, payload %s", req.body, d.Payload)
	}
	if !webhook.Verify(secret, req.header.Get(webhook.HeaderSignature), req.body, f.now, 5*time.Minute) {
		t.Errorf("the signature %q does not verify", req.header.Get(webhook.HeaderSignature))
	}
	if webhook.Verify("whsec_another", req.header.Get(webhook.HeaderSignature), req.body, f.now, 5*time.Minute) {
		t.Error("another secret verifies the signature")
	}
	var p struct {
		ID        string    `json:"id"`
		Type      string    `json:"type"`
		CreatedAt time.Time `json:"created_at"`
		Tenant    string    `json:"tenant"`
		Data      struct {
			Number string `json:"number"`
		} `json:"data"`
	}
	if err := json.Unmarshal(req.body, &p); err != nil {
		t.Fatal(err)
	}
	if p.ID != d.EventID || p.Type != "incident.declared" || !p.CreatedAt.Equal(f.now) || p.Tenant != "OCB0000001" || p.Data.Number != inc.Number() ||
		!strings.Contains(string(req.body), `"created_at":"2026-12-02T09:00:00Z"`) {
		t.Errorf("payload %s", req.body)
	}
	d = f.delivery(d.ID)
	if d.Status != webhook.StatusDelivered || d.Attempts != 1 || d.LastStatus != 200 || d.DeliveredAt == nil || d.ClaimedBy != "" || d.ClaimedUntil != nil {
		t.Errorf("recorded %+v", d)
	}
	if n := runOnce(t, f.worker(r)); n != 0 || len(r.requests()) != 1 {
		t.Errorf("a delivered event went again: %d", n)
	}
}

// TestFailuresAreRetriedWithBackoff: a 500, a redirect or no answer in time is tried again after
// 30 s, then 60 s, ...; a 2xx ends it.
func TestFailuresAreRetriedWithBackoff(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t)
	r.setAnswer(func(n int) int {
		switch n {
		case 1:
			return http.StatusInternalServerError
		case 2:
			return http.StatusFound
		case 3:
			return http.StatusTooManyRequests
		}
		return http.StatusNoContent
	})
	w, _ := f.register("Marie.Dupont", "OCB0000001", r.URL(), "incident.*")
	f.declare("John.Doe", "OCB0000001", "Database unreachable")
	wk := f.worker(r)
	start := f.now
	for i, want := range []struct {
		status  string
		code    int
		backoff time.Duration
	}{{webhook.StatusPending, 500, 30 * time.Second}, {webhook.StatusPending, 302, time.Minute}, {webhook.StatusPending, 429, 2 * time.Minute},
		{webhook.StatusDelivered, 204, 0}} {
		if n := runOnce(t, wk); n != 1 {
			t.Fatalf("attempt %d: %d results", i+1, n)
		}
		d := f.deliveries(w)[0]
		if d.Status != want.status || d.Attempts != i+1 || d.LastStatus != want.code {
			t.Fatalf("attempt %d: %+v", i+1, d)
		}
		if want.backoff == 0 {
			break
		}
		if wait := d.NextAttemptAt.Sub(f.now); wait < want.backoff*8/10 || wait > want.backoff*12/10 || !strings.Contains(d.LastError, fmt.Sprint(want.code)) {
			t.Fatalf("attempt %d: next in %v (want %v ± 20 %%), error %q", i+1, wait, want.backoff, d.LastError)
		}
		// Not due yet: nothing goes.
		if n := runOnce(t, wk); n != 0 {
			t.Fatalf("attempt %d: tried again at once", i+1)
		}
		f.now = d.NextAttemptAt.Add(time.Second)
	}
	if n := len(r.requests()); n != 4 {
		t.Errorf("the endpoint got %d requests, want 4", n)
	}
	if f.now.Sub(start) > 5*time.Minute {
		t.Errorf("delivered after %v", f.now.Sub(start))
	}
}

// TestNoAnswerInTimeIsAFailure: an endpoint that does not answer within the client's timeout
// is tried again later.
func TestNoAnswerInTimeIsAFailure(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t)
	r.delay = 3 * time.Second
	w, _ := f.register("Marie.Dupont", "OCB0000001", r.URL(), "incident.*")
	f.declare("John.Doe", "OCB0000001", "Slow endpoint")
	wk := f.worker(r)
	wk.Client.Timeout = 200 * time.Millisecond
	start := time.Now()
	if n := runOnce(t, wk); n != 1 {
		t.Fatalf("%d results", n)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the attempt took %v", took)
	}
	d := f.deliveries(w)[0]
	if d.Status != webhook.StatusPending || d.Attempts != 1 || d.LastStatus != 0 || !strings.Contains(d.LastError, "no answer") {
		t.Errorf("after a timeout: %+v", d)
	}
	if strings.Contains(d.LastError, "token=abc") {
		t.Errorf("the error shows the URL: %q", d.LastError)
	}
}

// TestDeadAfterTheWindowAndRedelivered: a delivery that keeps failing is dead once its next try
// would come more than 24 hours after the event; redelivering makes it pending again, with a
// new window, and it goes; a delivered one can be redelivered too.
func TestDeadAfterTheWindowAndRedelivered(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t)
	r.setAnswer(func(int) int { return http.StatusServiceUnavailable })
	w, _ := f.register("Marie.Dupont", "OCB0000001", r.URL(), "incident.*")
	f.declare("John.Doe", "OCB0000001", "Network partition")
	event := f.now
	wk := f.worker(r)
	f.now = event.Add(23 * time.Hour)
	runOnce(t, wk)
	if d := f.deliveries(w)[0]; d.Status != webhook.StatusPending {
		t.Fatalf("23 h after the event: %+v", d)
	}
	f.now = event.Add(webhook.RetryWindow - 10*time.Second)
	runOnce(t, wk)
	d := f.deliveries(w)[0]
	if d.Status != webhook.StatusDead || d.Attempts != 2 || d.LastStatus != 503 {
		t.Fatalf("at the end of the window: %+v", d)
	}
	f.now = event.Add(48 * time.Hour)
	if n := runOnce(t, wk); n != 0 {
		t.Fatalf("a dead delivery was tried: %d", n)
	}

	marie := f.actor("Marie.Dupont")
	r.setAnswer(func(int) int { return http.StatusOK })
	got, err := f.svc.Redeliver(t.Context(), marie, w.ID, d.ID)
	if err != nil || got.Status != webhook.StatusPending || got.Attempts != 0 || !got.DeadlineAt.Equal(f.now.Add(webhook.RetryWindow)) || got.LastError != "" {
		t.Fatalf("redelivered: %+v, %v", got, err)
	}
	if n := runOnce(t, wk); n != 1 {
		t.Fatalf("the redelivery went %d times", n)
	}
	if d := f.delivery(d.ID); d.Status != webhook.StatusDelivered {
		t.Fatalf("after the redelivery: %+v", d)
	}
	if _, err := f.svc.Redeliver(t.Context(), marie, w.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	runOnce(t, wk)
	reqs := r.requests()
	if len(reqs) != 4 || reqs[3].header.Get(webhook.HeaderEventID) != d.EventID || string(reqs[3].body) != string(reqs[0].body) {
		t.Errorf("the endpoint got %d requests; the last is of event %s", len(reqs), reqs[len(reqs)-1].header.Get(webhook.HeaderEventID))
	}
	// Another endpoint's delivery is not found through this one.
	other, _ := f.register("Marie.Dupont", "OCB0000001", r.URL(), "incident.*")
	if _, err := f.svc.Redeliver(t.Context(), marie, other.ID, d.ID); err == nil {
		t.Error("a delivery redelivered through another endpoint")
	}
	// The log, latest first, by status.
	ds, more, err := f.svc.Deliveries(t.Context(), marie, w.ID, webhook.StatusDelivered, pageOf(10))
	if err != nil || more || len(ds) != 1 || ds[0].ID != d.ID {
		t.Errorf("the log: %+v, %v, %v", ds, more, err)
	}
}

// TestSwitchedOffEndpointsKeepTheirDeliveries: an endpoint switched off gets nothing; switched on
// again, it gets what waited; a new address applies to what is pending.
func TestSwitchedOffEndpointsKeepTheirDeliveries(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t)
	w, _ := f.register("Marie.Dupont", "OCB0000001", "https://127.0.0.1:9/old", "incident.*")
	f.declare("John.Doe", "OCB0000001", "Quota reached")
	marie := f.actor("Marie.Dupont")
	w, err := f.svc.Update(t.Context(), marie, w.ID, w.Version, webhook.Draft{URL: r.URL(), Events: w.Events(), Active: false})
	if err != nil {
		t.Fatal(err)
	}
	wk := f.worker(r)
	if n := runOnce(t, wk); n != 0 {
		t.Fatalf("a switched-off endpoint got %d", n)
	}
	if _, err := f.svc.Update(t.Context(), marie, w.ID, w.Version, webhook.Draft{URL: r.URL(), Events: w.Events(), Active: true}); err != nil {
		t.Fatal(err)
	}
	if n := runOnce(t, wk); n != 1 || len(r.requests()) != 1 {
		t.Fatalf("switched on again: %d results, %d requests", n, len(r.requests()))
	}
}

// TestWorkersShareTheQueue: several workers at once post each delivery once.
func TestWorkersShareTheQueue(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t)
	r.delay = 20 * time.Millisecond
	f.register("Marie.Dupont", "OCB0000001", r.URL(), "incident.*")
	f.register("admin", "", r.URL(), "incident.declared")
	const n = 15
	for i := range n {
		f.declare("John.Doe", "OCB0000001", fmt.Sprintf("Incident %d", i))
	}
	var wg sync.WaitGroup
	for range 3 {
		wk := f.worker(r)
		wk.Batch = 4
		wg.Go(func() {
			for range 20 {
				if _, err := wk.RunOnce(context.Background()); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	// Each event went to both endpoints, once each.
	seen := map[string]int{}
	for _, req := range r.requests() {
		seen[req.header.Get(webhook.HeaderEventID)]++
	}
	for id, k := range seen {
		if k != 2 {
			t.Errorf("event %s posted %d times, want 2", id, k)
		}
	}
	if len(seen) != n {
		t.Errorf("%d events posted, want %d", len(seen), n)
	}
	if got := testutil.Count(t, f.a.DB, "webhook_deliveries", "status = ?", webhook.StatusDelivered); got != 2*n {
		t.Errorf("%d delivered, want %d", got, 2*n)
	}
	if len(r.requests()) != 2*n {
		t.Errorf("the endpoints got %d requests for %d deliveries", len(r.requests()), 2*n)
	}
}

// TestAClaimOfAKilledWorkerLapses: a delivery claimed by a worker that died is left alone until
// its lease runs out, then posted by another.
func TestAClaimOfAKilledWorkerLapses(t *testing.T) {
	f := newFixture(t)
	r := newReceiver(t)
	w, _ := f.register("Marie.Dupont", "OCB0000001", r.URL(), "incident.*")
	f.declare("John.Doe", "OCB0000001", "Killed mid-post")
	wk := f.worker(r)
	// What a worker killed while posting leaves behind: its claim, and the attempt counted.
	if _, err := f.a.DB.NewRaw("UPDATE webhook_deliveries SET claimed_by = 'wh-dead', claimed_until = ?, attempts = 1 WHERE webhook_id = ?",
		f.now.Add(wk.Lease), w.ID).Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n := runOnce(t, wk); n != 0 {
		t.Fatalf("a live claim was taken over: %d", n)
	}
	f.now = f.now.Add(wk.Lease + time.Second)
	if n := runOnce(t, wk); n != 1 {
		t.Fatalf("after the lease: %d", n)
	}
	if d := f.deliveries(w)[0]; d.Status != webhook.StatusDelivered || d.Attempts != 2 || len(r.requests()) != 1 {
		t.Errorf("after the lease: %+v, %d requests", d, len(r.requests()))
	}
}

// TestSweepForgetsOldDeliveries: deliveries are kept a month after their window.
func TestSweepForgetsOldDeliveries(t *testing.T) {
	f := newFixture(t)
	w, _ := f.register("Marie.Dupont", "OCB0000001", hookURL, "incident.*")
	f.declare("John.Doe", "OCB0000001", "Old")
	f.now = f.now.Add(time.Hour)
	f.declare("John.Doe", "OCB0000001", "Newer")
	n, err := f.svc.Sweep(t.Context(), f.now.Add(-time.Hour).Add(webhook.RetryWindow+webhook.Keep+time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("swept %d, %v", n, err)
	}
	if ds := f.deliveries(w); len(ds) != 1 || !strings.Contains(ds[0].Payload, "Newer") {
		t.Errorf("left %d", len(ds))
	}
}
