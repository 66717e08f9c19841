package contract_test

import (
	"context"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/testutil"
)

// TestFileNeverWithoutALevel: a support-level request names its level; no level, blanks or an
// unknown one is refused beside the level field, and where no level can be asked for at all
// the refusal says why. Nothing is written.
func TestFileNeverWithoutALevel(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	s := service(a, time.Now())
	marie := actor(t, a, "Marie.Dupont")
	t1, t3 := tenant(t, a, "OCB0000001"), tenant(t, a, "OCB0000003") // Premium committed; Standard after its commitment
	cases := []struct {
		tenantID int64
		level    string
		key      string
	}{
		{t3.ID, "", "contract.error.level_required"},
		{t3.ID, "   ", "contract.error.level_required"},
		{t3.ID, "gold", "contract.error.unknown_level"},
		{t1.ID, "", "contract.form.none.top_committed"},
		{t1.ID, "gold", "contract.form.none.top_committed"},
		{t1.ID, "basic", "contract.error.downgrade_in_commitment"},
	}
	for _, c := range cases {
		_, err := s.File(ctx, marie, c.tenantID, contract.Form{Kind: contract.SupportLevel, Level: c.level, Details: "x"})
		es, ok := i18n.AsErrors(err)
		if !ok || len(es) != 1 || es[0].Field != "level" || es[0].Key != c.key {
			t.Errorf("tenant %d, level %q: %v, want level=%s", c.tenantID, c.level, err, c.key)
		}
	}
	if n := count(t, a, "SELECT COUNT(*) FROM contract_requests"); n != 0 {
		t.Fatalf("%d requests written", n)
	}
	fp, err := s.Form(ctx, marie, t1.ID, contract.SupportLevel)
	if err != nil || fp.NoChoice == nil || fp.NoChoice.Key != "contract.form.none.top_committed" {
		t.Fatalf("form of a tenant where no level can be asked for: %+v, %v", fp, err)
	}
	if fp, err = s.Form(ctx, marie, t3.ID, contract.SupportLevel); err != nil || fp.NoChoice != nil {
		t.Fatalf("form of a tenant where a level can be asked for: %+v, %v", fp, err)
	}
	r, err := s.File(ctx, marie, t3.ID, contract.Form{Kind: contract.SupportLevel, Level: " premium "})
	if err != nil || r.Level != contract.Premium || r.FromLevel != contract.Standard {
		t.Fatalf("filed %+v, %v", r, err)
	}
	// With that request pending, a form without a level is told so.
	_, err = s.File(ctx, marie, t3.ID, contract.Form{Kind: contract.SupportLevel})
	if es, _ := i18n.AsErrors(err); len(es) != 1 || es[0].Key != "contract.error.request_pending" {
		t.Errorf("no level while one is pending: %v", err)
	}
}

// TestAcceptRefusedInTheRepsWords: a request written before the level was required names no
// level; the desk says it cannot be accepted, in the rep's words, before and at the click.
func TestAcceptRefusedInTheRepsWords(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	s := service(a, time.Now())
	t3 := tenant(t, a, "OCB0000003")
	old := &contract.Request{TenantID: t3.ID, Kind: contract.SupportLevel, RequesterID: t3.ReferentID}
	if err := contract.InsertRequest(ctx, a.DB, old, time.Now()); err != nil {
		t.Fatal(err)
	}
	sophie := actor(t, a, "Sophie.Commerciale")
	v, err := s.StaffRequest(ctx, sophie, old.ID)
	if err != nil || v.Preview != nil || v.Refusal == nil || v.Refusal.Key != "sales.refusal.unknown_level" {
		t.Fatalf("staff view: %+v, %v", v, err)
	}
	_, err = s.Decide(ctx, sophie, old.ID, contract.Decision{Accept: true, Version: old.Version})
	if es, _ := i18n.AsErrors(err); len(es) != 1 || es[0].Key != "sales.refusal.unknown_level" {
		t.Fatalf("accept: %v", err)
	}
	if n := count(t, a, "SELECT COUNT(*) FROM support_levels WHERE tenant_id = ?", t3.ID); n != 1 {
		t.Fatalf("%d periods after a refused acceptance", n)
	}
	if _, err := s.Decide(ctx, sophie, old.ID, contract.Decision{Reason: "Sans niveau", Version: old.Version}); err != nil {
		t.Fatalf("reject: %v", err)
	}
}
