package incident

import (
	"testing"
	"time"

	"github.com/guichet/guichet/internal/sla"
)

func TestPriorityFollowsTheITILMatrix(t *testing.T) {
	for _, tc := range []struct {
		impact, urgency Level
		want            Priority
	}{
		{High, High, sla.P1},
		{High, Medium, sla.P2}, {Medium, High, sla.P2},
		{High, Low, sla.P3}, {Medium, Medium, sla.P3}, {Low, High, sla.P3},
		{Medium, Low, sla.P4}, {Low, Medium, sla.P4}, {Low, Low, sla.P4},
	} {
		if got := PriorityFor(tc.impact, tc.urgency); got != tc.want {
			t.Errorf("%s × %s = %s, want %s", tc.impact, tc.urgency, got, tc.want)
		}
	}
}

func TestTheStateMachine(t *testing.T) {
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	resolvedAt := func(d time.Duration) *time.Time { r := now.Add(-d); return &r }
	customer, reporter, staff := Actor{}, Actor{Reporter: true}, Actor{Staff: true}
	for _, tc := range []struct {
		name     string
		action   Action
		status   Status
		resolved *time.Time
		who      Actor
		err      string // "" when allowed
		next     Status
	}{
		{"reporter cancels a new incident", Cancel, New, nil, reporter, "", Cancelled},
		{"another member cannot cancel", Cancel, New, nil, customer, "incident.error.cancel_reporter", ""},
		{"cannot cancel once in progress", Cancel, InProgress, nil, reporter, "incident.error.cancel_state", ""},
		{"staff cannot cancel", Cancel, New, nil, staff, "incident.error.not_yours", ""},
		{"reopen within 7 days", Reopen, Resolved, resolvedAt(6 * 24 * time.Hour), customer, "", InProgress},
		{"reopen on the last instant", Reopen, Resolved, resolvedAt(ReopenWindow), customer, "", InProgress},
		{"reopen after 7 days", Reopen, Resolved, resolvedAt(ReopenWindow + time.Second), customer, "incident.error.reopen_expired", ""},
		{"reopen a closed incident", Reopen, Closed, resolvedAt(time.Hour), customer, "incident.error.reopen_state", ""},
		{"confirm a resolution", Confirm, Resolved, resolvedAt(time.Hour), customer, "", Closed},
		{"confirm an open incident", Confirm, InProgress, nil, customer, "incident.error.confirm_state", ""},
		{"customer reply while pending resumes", CustomerReply, PendingCustomer, nil, customer, "", InProgress},
		{"customer reply in progress", CustomerReply, InProgress, nil, customer, "", InProgress},
		{"customer reply on a resolved incident", CustomerReply, Resolved, resolvedAt(time.Hour), customer, "", Resolved},
		{"reply on a closed incident", CustomerReply, Closed, nil, customer, "incident.error.reply_closed", ""},
		{"staff reply on a cancelled incident", StaffReply, Cancelled, nil, staff, "incident.error.reply_closed", ""},
		{"customer cannot take", Take, New, nil, customer, "incident.error.not_yours", ""},
		{"take a new incident starts work", Take, New, nil, staff, "", InProgress},
		{"assign while pending keeps the state", Assign, PendingCustomer, nil, staff, "", PendingCustomer},
		{"cannot take a resolved incident", Take, Resolved, resolvedAt(time.Hour), staff, "incident.error.not_open", ""},
		{"reprioritize an open incident", Reprioritize, New, nil, staff, "", New},
		{"reprioritize a closed incident", Reprioritize, Closed, nil, staff, "incident.error.not_open", ""},
		{"wait on the customer", Wait, InProgress, nil, staff, "", PendingCustomer},
		{"cannot wait on a new incident", Wait, New, nil, staff, "incident.error.pending_state", ""},
		{"resume", Resume, PendingCustomer, nil, staff, "", InProgress},
		{"resume in progress", Resume, InProgress, nil, staff, "incident.error.resume_state", ""},
		{"resolve in progress", Resolve, InProgress, nil, staff, "", Resolved},
		{"resolve while pending", Resolve, PendingCustomer, nil, staff, "", Resolved},
		{"resolve a new incident", Resolve, New, nil, staff, "incident.error.resolve_state", ""},
		{"auto-close after 7 days", AutoClose, Resolved, resolvedAt(ReopenWindow), staff, "", Closed},
		{"no auto-close before", AutoClose, Resolved, resolvedAt(ReopenWindow - time.Second), staff, "incident.error.confirm_state", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inc := &Incident{Status: tc.status, ResolvedAt: tc.resolved}
			err := Check(tc.action, inc, tc.who, now)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %s", err.Key)
			case tc.err != "" && (err == nil || err.Key != tc.err):
				t.Fatalf("got %v, want %s", err, tc.err)
			case tc.err == "":
				if got := Next(tc.action, inc); got != tc.next {
					t.Fatalf("next = %s, want %s", got, tc.next)
				}
			}
		})
	}
}

func TestNumbers(t *testing.T) {
	if Number(42) != "INC0000042" {
		t.Fatal(Number(42))
	}
	for in, want := range map[string]int64{"INC0000042": 42, "inc42": 42, "INC": 0, "CHG0000042": 0, "INC-1": 0, "INC+1": 0, "INCabc": 0} {
		got, ok := ParseNumber(in)
		if got != want || ok != (want != 0) {
			t.Errorf("ParseNumber(%q) = %d, %v", in, got, ok)
		}
	}
}
