package webhook_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/webhook"
)

// stop signals the desk and waits for it to exit.
func stop(t *testing.T, d *testutil.Desk, sig syscall.Signal) {
	t.Helper()
	if err := d.Cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	d.Wait(t)
}

// TestKilledWhileDeliveringLosesNothing runs the real program with five events to deliver to an
// endpoint that holds every request without answering, kills it (SIGKILL) while its posts are
// under way, starts it again with the endpoint answering, and checks that every event arrives,
// signed, once the dead process's claims have lapsed: at least once, nothing lost.
func TestKilledWhileDeliveringLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	bin := testutil.GuichetBinary(t)
	ctx := context.Background()

	var mu sync.Mutex
	hold := true
	type post struct {
		eventID, signature string
		body               []byte
		held               bool
	}
	var posts []post
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		held := hold
		posts = append(posts, post{r.Header.Get(webhook.HeaderEventID), r.Header.Get(webhook.HeaderSignature), body, held})
		mu.Unlock()
		if held {
			<-r.Context().Done() // until the desk dies
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "receiver.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}

	// The endpoint and five events, written by the program's own services.
	dsn := testutil.NewDemoDatabase(t)
	a, err := app.Open(ctx, testutil.Config(dsn), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	a.Webhooks.AllowPrivate = true
	actor := func(login string) tenancy.Actor {
		u, err := identity.UserByLogin(ctx, a.DB, login)
		if err != nil {
			t.Fatal(err)
		}
		return tenancy.ActorOf(u)
	}
	_, secret, err := a.Webhooks.Create(ctx, actor("admin"), 0, webhook.Draft{URL: srv.URL + "/hook", Events: []string{"incident.declared"}, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	t1, err := tenancy.TenantByCode(ctx, a.DB, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}
	const events = 5
	for i := range events {
		if _, err := a.Incidents.Declare(ctx, actor("John.Doe"), t1.ID, incident.Draft{Title: fmt.Sprintf("Alert %d", i),
			Description: "From monitoring.", Service: "ecs", Region: "eu-west-0", Impact: "high", Urgency: "high"}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	if err := a.DB.NewSelect().Model((*webhook.Delivery)(nil)).Column("event_id").Scan(ctx, &ids); err != nil {
		t.Fatal(err)
	}
	a.Close()
	if len(ids) != events {
		t.Fatalf("%d deliveries written, want %d", len(ids), events)
	}

	env := append(os.Environ(), "GUICHET_DATABASE="+dsn, "GUICHET_ADDR=127.0.0.1:0", "GUICHET_LOG_LEVEL=info",
		"GUICHET_WEBHOOK_ALLOW_PRIVATE=true", "GUICHET_WEBHOOK_CA_FILE="+ca, "GUICHET_SMTP_HOST=")
	first := testutil.StartDesk(t, bin, env)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(posts)
		mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing posted in 20 s\n%s", first.Logs())
		}
	}
	time.Sleep(200 * time.Millisecond) // the worker's other posts get under way
	stop(t, first, syscall.SIGKILL)
	mu.Lock()
	inFlight := len(posts)
	hold = false
	mu.Unlock()

	bdb, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if n := testutil.Count(t, bdb, "webhook_deliveries", "status = ?", webhook.StatusPending); n != events {
		t.Fatalf("after the kill, %d deliveries pending, want %d", n, events)
	}

	second := testutil.StartDesk(t, bin, env)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if testutil.Count(t, bdb, "webhook_deliveries", "status = ?", webhook.StatusDelivered) == events {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not every delivery went within 60 s of the restart\nfirst run:\n%s\nsecond run:\n%s", first.Logs(), second.Logs())
		}
	}
	stop(t, second, syscall.SIGTERM)

	mu.Lock()
	defer mu.Unlock()
	after := map[string]int{}
	for _, p := range posts {
		if p.held {
			continue
		}
		if !webhook.Verify(secret, p.signature, p.body, time.Now(), 5*time.Minute) {
			t.Errorf("event %s: the signature does not verify", p.eventID)
		}
		after[p.eventID]++
	}
	for _, id := range ids {
		if after[id] == 0 {
			t.Errorf("event %s lost", id)
		}
	}
	t.Logf("%d posts under way when the desk was killed; after the restart %d posts for %d events", inFlight, len(posts)-inFlight, len(after))
}
