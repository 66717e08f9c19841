package change_test

import (
	"context"
	"errors"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/timeline"
)

// A step always carries the version its page was opened at: none (0) is stale and writes
// nothing; who may take the step is still checked first.
func TestAStepWithoutItsVersionIsStale(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	r, _ := f.svc.Submit(ctx, f.marie, f.t1.ID, "rds_instances", quota("2", "40"))
	_, _, before, _ := f.svc.Get(ctx, f.sophie, r.ID)
	for _, in := range []change.StepInput{{Action: change.Approve}, {Action: change.Reject, Reason: "non"}, {Action: change.Approve, Version: 2}} {
		if _, err := f.svc.Act(ctx, f.sophie, r.ID, in); !errors.Is(err, apperr.ErrStale) {
			t.Errorf("%s at version %d: %v, want stale", in.Action, in.Version, err)
		}
	}
	if _, err := f.svc.Act(ctx, f.marie, r.ID, change.StepInput{Action: change.Cancel}); !errors.Is(err, apperr.ErrStale) {
		t.Errorf("cancel without its version: %v", err)
	}
	if _, err := f.svc.Act(ctx, f.alice, r.ID, change.StepInput{Action: change.Approve}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("agent approves without a version: %v, want forbidden", err)
	}
	got, _, after, _ := f.svc.Get(ctx, f.sophie, r.ID)
	if got.State != change.Submitted || got.Version != 1 || len(after) != len(before) {
		t.Fatalf("stale steps wrote: %s v%d, %d entries", got.State, got.Version, len(after)-len(before))
	}
}

// Replies follow the timeline's one rule; a customer asking for a note writes a reply.
func TestRepliesFollowTheTimelineRule(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	r, _ := f.svc.Submit(ctx, f.marie, f.t1.ID, "rds_instances", quota("2", "40"))
	err := f.svc.Reply(ctx, f.marie, r.ID, "\r\n", false, nil)
	if es, ok := i18n.AsErrors(err); !ok || es[0].Key != "timeline.error.body_required" || es[0].Field != "body" {
		t.Errorf("empty reply: %v", err)
	}
	if err := f.svc.Reply(ctx, f.marie, r.ID, "un\rdeux", true, nil); err != nil {
		t.Fatal(err)
	}
	_, _, es, _ := f.svc.Get(ctx, f.marie, r.ID)
	if last := es[len(es)-1]; last.Kind != timeline.Reply || last.Body != "un\ndeux" {
		t.Fatalf("customer's reply stored as %s %q", last.Kind, last.Body)
	}
}
