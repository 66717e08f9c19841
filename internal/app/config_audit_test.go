package app_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/testutil"
)

// At start-up the desk records each catalogue and policy it loaded that differs from the last
// recorded: the first start records the three, a restart with the same ones nothing, a policy
// read from a file (even with the same content) its new source.
func TestStartUpRecordsTheCataloguesAndPolicyLoaded(t *testing.T) {
	dsn := testutil.NewDemoDatabase(t)
	ctx := context.Background()
	open := func(policy string) *app.App {
		cfg := testutil.Config(dsn)
		cfg.SLAPolicy = policy
		a, err := app.Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	entries := func(a *app.App) []audit.Entry {
		var es []audit.Entry
		if err := a.DB.NewSelect().Model(&es).Where("action = ?", audit.ConfigLoaded).OrderExpr("id").Scan(ctx); err != nil {
			t.Fatal(err)
		}
		return es
	}
	a := open("")
	if err := a.RecordConfig(ctx); err != nil {
		t.Fatal(err)
	}
	es := entries(a)
	if len(es) != 3 || es[0].Object != "catalogue" || es[1].Object != "services" || es[2].Object != "sla_policy" {
		t.Fatalf("first start recorded %+v", es)
	}
	for _, e := range es {
		if e.ActorID != nil || e.ActorLabel != "start-up" || e.Before != "" {
			t.Errorf("%s: by %v %q, before %q", e.Object, e.ActorID, e.ActorLabel, e.Before)
		}
	}
	if err := open("").RecordConfig(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(entries(a)); n != 3 {
		t.Errorf("a restart with the same configuration recorded %d entries more", n-3)
	}
	policy := filepath.Join(t.TempDir(), "policy.toml")
	data, err := os.ReadFile("../sla/policy.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(policy, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := open(policy).RecordConfig(ctx); err != nil {
		t.Fatal(err)
	}
	es = entries(a)
	if len(es) != 4 || es[3].Object != "sla_policy" {
		t.Fatalf("after the policy's move: %+v", es)
	}
	if es[3].Before == "" || es[3].After == es[2].After {
		t.Errorf("the new source is not said: before %s after %s", es[3].Before, es[3].After)
	}
}
