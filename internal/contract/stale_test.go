package contract_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

// A decision always carries the version its page was opened at: none (0) or another is stale
// (apperr.ErrStale, which the edges map to 409) and writes nothing.
func TestADecisionWithoutItsVersionIsStale(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	now := time.Now().UTC()
	marie, sophie := actor(t, a, "Marie.Dupont"), actor(t, a, "Sophie.Commerciale")
	r, err := service(a, now).File(ctx, marie, tenant(t, a, "OCB0000003").ID, contract.Form{Kind: contract.SupportLevel, Level: "premium"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []contract.Decision{{Accept: true}, {Reason: "non"}, {Accept: true, Version: 2}} {
		if _, err := service(a, now).Decide(ctx, sophie, r.ID, d); !errors.Is(err, apperr.ErrStale) {
			t.Errorf("decision at version %d: %v, want stale", d.Version, err)
		}
	}
	got, err := contract.RequestByID(ctx, a.DB, r.ID)
	if err != nil || got.State != contract.Pending || got.Version != 1 {
		t.Fatalf("stale decisions wrote: %+v, %v", got, err)
	}
}

// Replies follow the timeline's one rule: CRLF stored as LF, the same keys as every ticket.
func TestRepliesFollowTheTimelineRule(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	now := time.Now().UTC()
	marie := actor(t, a, "Marie.Dupont")
	r, err := service(a, now).File(ctx, marie, tenant(t, a, "OCB0000003").ID, contract.Form{Kind: contract.SupportLevel, Level: "premium"})
	if err != nil {
		t.Fatal(err)
	}
	err = service(a, now).Reply(ctx, marie, r.ID, " \r\n", false, nil)
	if es, ok := i18n.AsErrors(err); !ok || es[0].Key != "timeline.error.body_required" || es[0].Field != "body" {
		t.Errorf("empty reply: %v", err)
	}
	if err := service(a, now).Reply(ctx, marie, r.ID, "un\r\ndeux\r\n", true, nil); err != nil {
		t.Fatal(err)
	}
	_, es, _ := service(a, now).CustomerRequest(ctx, marie, r.ID)
	if last := es[len(es)-1]; last.Kind != timeline.Reply || last.Body != "un\ndeux" {
		t.Fatalf("customer's reply stored as %s %q", last.Kind, last.Body)
	}
}
