package webhook_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/webhook"
)

// fixture is a demo desk whose services emit to its webhook service, with a clock of its own.
type fixture struct {
	t   *testing.T
	a   *app.App
	svc *webhook.Service
	now time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	a := testutil.NewApp(t)
	f := &fixture{t: t, a: a, svc: a.Webhooks, now: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	f.svc.Now = func() time.Time { return f.now }
	// The receivers of the tests are on 127.0.0.1.
	f.svc.AllowPrivate = true
	return f
}

func (f *fixture) actor(login string) tenancy.Actor {
	f.t.Helper()
	u, err := identity.UserByLogin(f.t.Context(), f.a.DB, login)
	if err != nil {
		f.t.Fatal(err)
	}
	actor, err := tenancy.Resolve(f.t.Context(), f.a.DB, u)
	if err != nil {
		f.t.Fatal(err)
	}
	return actor
}

func (f *fixture) tenant(code string) int64 {
	f.t.Helper()
	tn, err := tenancy.TenantByCode(f.t.Context(), f.a.DB, code)
	if err != nil {
		f.t.Fatal(err)
	}
	return tn.ID
}

// register makes an endpoint of tenant code ("" for every tenant) as login, and returns it with
// its secret.
func (f *fixture) register(login, code, url string, events ...string) (*webhook.Webhook, string) {
	f.t.Helper()
	var id int64
	if code != "" {
		id = f.tenant(code)
	}
	w, secret, err := f.svc.Create(f.t.Context(), f.actor(login), id, webhook.Draft{URL: url, Events: events, Active: true})
	if err != nil {
		f.t.Fatalf("register %s for %q: %v", url, code, err)
	}
	return w, secret
}

// declare declares an incident on code as login.
func (f *fixture) declare(login, code, title string) *incident.Incident {
	f.t.Helper()
	inc, err := f.a.Incidents.Declare(f.t.Context(), f.actor(login), f.tenant(code), incident.Draft{Title: title,
		Description: "The API answers 502 since 9:00.", Service: "ecs", Region: "eu-west-0", Impact: "high", Urgency: "medium"})
	if err != nil {
		f.t.Fatal(err)
	}
	return inc
}

// deliveries reads every delivery of endpoint w, oldest first.
func (f *fixture) deliveries(w *webhook.Webhook) []webhook.Delivery {
	f.t.Helper()
	var ds []webhook.Delivery
	if err := f.a.DB.NewSelect().Model(&ds).Where("webhook_id = ?", w.ID).OrderExpr("id").Scan(f.t.Context()); err != nil {
		f.t.Fatal(err)
	}
	return ds
}

// delivery reads one delivery again.
func (f *fixture) delivery(id int64) webhook.Delivery {
	f.t.Helper()
	var d webhook.Delivery
	if err := f.a.DB.NewSelect().Model(&d).Where("id = ?", id).Scan(f.t.Context()); err != nil {
		f.t.Fatal(err)
	}
	return d
}

// payload decodes a delivery's body.
func payload(t *testing.T, d webhook.Delivery) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(d.Payload), &m); err != nil {
		t.Fatalf("payload %.200s: %v", d.Payload, err)
	}
	return m
}

// data is the payload's data object.
func data(t *testing.T, d webhook.Delivery) map[string]any {
	t.Helper()
	m, _ := payload(t, d)["data"].(map[string]any)
	if m == nil {
		t.Fatalf("no data in %.300s", d.Payload)
	}
	return m
}

func pageOf(size int) paging.Page { return paging.Page{Number: 1, Size: size} }

// received is one request an endpoint received.
type received struct {
	header http.Header
	body   []byte
	at     time.Time
}

// receiver is an in-process HTTPS endpoint answering with status (200 unless told otherwise).
type receiver struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int) int // the status of the n-th request (from 1)
	delay  time.Duration
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{answer: func(int) int { return http.StatusOK }}
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: body, at: time.Now()})
		n, answer, delay := len(r.got), r.answer, r.delay
		r.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-req.Context().Done():
			}
		}
		w.WriteHeader(answer(n))
	}))
	r.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes a test provokes
	r.srv.StartTLS()
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) URL() string { return r.srv.URL + "/hooks/guichet?token=abc" }

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

func (r *receiver) setAnswer(f func(n int) int) {
	r.mu.Lock()
	r.answer = f
	r.mu.Unlock()
}

// roots trusts the receiver's certificate.
func (r *receiver) roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(r.srv.Certificate())
	return pool
}

// worker returns a delivery worker of f's database trusting r, on f's clock.
func (f *fixture) worker(r *receiver) *webhook.Worker {
	w := webhook.NewWorker(f.a.DB, webhook.NewClient(r.roots(), true), slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.Now = func() time.Time { return f.now }
	return w
}

// runOnce runs one delivery round and returns how many results it recorded.
func runOnce(t *testing.T, w *webhook.Worker) int {
	t.Helper()
	n, err := w.RunOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// resolver answers every name with addrs.
type resolver []netip.Addr

func (r resolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	if len(r) == 0 {
		return nil, &netErr{}
	}
	return r, nil
}

type netErr struct{}

func (*netErr) Error() string { return "no such host" }
