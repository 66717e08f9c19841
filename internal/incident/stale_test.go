package incident_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/sla"
	"github.com/guichet/guichet/internal/timeline"
)

// A step always carries the version its page was opened at: none (0) is stale and writes
// nothing. Replies carry none.
func TestAStepWithoutItsVersionIsStale(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	john, alice := f.actor("John.Doe"), f.actor("Alice.Agent")
	inc, err := f.svc.Declare(ctx, john, f.tenant("OCB0000001"), draft())
	if err != nil {
		t.Fatal(err)
	}
	es, _ := f.svc.Timeline(ctx, alice, inc)
	mails := len(outbox(t, f))
	for _, act := range []incident.Act{{Action: incident.Take}, {Action: incident.Reprioritize, Priority: sla.P1, Body: "urgent"},
		{Action: incident.Take, Version: inc.Version + 1}} {
		if _, err := f.svc.Do(ctx, alice, inc.ID, act); !errors.Is(err, apperr.ErrStale) {
			t.Fatalf("%s at version %d: %v, want stale", act.Action, act.Version, err)
		}
	}
	if _, err := f.svc.Do(ctx, john, inc.ID, incident.Act{Action: incident.Cancel}); !errors.Is(err, apperr.ErrStale) {
		t.Fatalf("customer's cancel without its version: %v", err)
	}
	got, _ := f.svc.Get(ctx, alice, inc.ID)
	after, _ := f.svc.Timeline(ctx, alice, got)
	if got.Version != inc.Version || got.Status != incident.New || got.AssigneeID != nil || len(after) != len(es) || len(outbox(t, f)) != mails {
		t.Fatalf("stale steps wrote: %+v, %d entries, %d mails", got, len(after)-len(es), len(outbox(t, f))-mails)
	}
	if _, err := f.svc.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reply, Body: "Nous regardons."}); err != nil {
		t.Fatalf("a reply needs no version: %v", err)
	}
}

// Replies follow the timeline's one rule: the same keys as every ticket, CRLF stored as LF.
func TestRepliesFollowTheTimelineRule(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	john, alice := f.actor("John.Doe"), f.actor("Alice.Agent")
	inc, err := f.svc.Declare(ctx, john, f.tenant("OCB0000001"), draft())
	if err != nil {
		t.Fatal(err)
	}
	for body, key := range map[string]string{" \r\n ": "timeline.error.body_required", strings.Repeat("a", timeline.MaxBody+1): "timeline.error.body_too_long"} {
		_, err := f.svc.Do(ctx, john, inc.ID, incident.Act{Action: incident.Reply, Body: body})
		if es, ok := i18n.AsErrors(err); !ok || es[0].Key != key || es[0].Field != "body" {
			t.Errorf("reply of %d characters: %v, want %s", len(body), err, key)
		}
	}
	if _, err := f.svc.Do(ctx, john, inc.ID, incident.Act{Action: incident.Reply, Body: "un\r\ndeux\r\n", Internal: true}); err != nil {
		t.Fatal(err)
	}
	es, _ := f.svc.Timeline(ctx, alice, inc)
	last := es[len(es)-1]
	if last.Kind != timeline.Reply || last.Body != "un\ndeux" {
		t.Fatalf("customer's reply stored as %s %q", last.Kind, last.Body)
	}
	ms := outbox(t, f)
	if m := ms[len(ms)-1]; m.Kind != "incident_customer_reply" || !strings.Contains(m.BodyText, "deux") || strings.Contains(m.BodyText, "\r") {
		t.Errorf("last mail %s: %q", m.Kind, m.BodyText)
	}
}
