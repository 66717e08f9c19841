package change

import (
	"errors"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
)

func TestNext(t *testing.T) {
	tests := []struct {
		from    State
		action  Action
		by      Role
		want    State
		wantErr error  // apperr.ErrForbidden
		wantKey string // a localized refusal
	}{
		{Submitted, Approve, RoleSalesRep, Approved, nil, ""},
		{Submitted, Approve, RoleAdmin, Approved, nil, ""},
		{Submitted, Approve, RoleAgent, "", apperr.ErrForbidden, ""},
		{Submitted, Approve, RoleRequester, "", apperr.ErrForbidden, ""},
		{Approved, Approve, RoleSalesRep, "", nil, "change.error.cannot_approve"},
		{Submitted, Reject, RoleSalesRep, Rejected, nil, ""},
		{Submitted, Reject, RoleAdmin, Rejected, nil, ""},
		{Approved, Reject, RoleSalesRep, "", nil, "change.error.cannot_reject"},
		{Submitted, Reject, RoleMember, "", apperr.ErrForbidden, ""},
		{Approved, Schedule, RoleAgent, Scheduled, nil, ""},
		{Scheduled, Schedule, RoleAgent, Scheduled, nil, ""},
		{Approved, Schedule, RoleAdmin, Scheduled, nil, ""},
		{Submitted, Schedule, RoleAgent, "", nil, "change.error.cannot_schedule"},
		{Approved, Schedule, RoleSalesRep, "", apperr.ErrForbidden, ""},
		{Scheduled, Implement, RoleAgent, Implemented, nil, ""},
		{Approved, Implement, RoleAgent, "", nil, "change.error.cannot_implement"},
		{Scheduled, Implement, RoleRequester, "", apperr.ErrForbidden, ""},
		{Implemented, Close, RoleAgent, Closed, nil, ""},
		{Implemented, Close, RoleAdmin, Closed, nil, ""},
		{Scheduled, Close, RoleAgent, "", nil, "change.error.cannot_close"},
		{Submitted, Cancel, RoleRequester, Cancelled, nil, ""},
		{Approved, Cancel, RoleRequester, Cancelled, nil, ""},
		{Scheduled, Cancel, RoleRequester, Cancelled, nil, ""},
		{Implemented, Cancel, RoleRequester, "", nil, "change.error.cannot_cancel"},
		{Closed, Cancel, RoleRequester, "", nil, "change.error.cannot_cancel"},
		{Rejected, Cancel, RoleRequester, "", nil, "change.error.cannot_cancel"},
		{Cancelled, Cancel, RoleRequester, "", nil, "change.error.cannot_cancel"},
		{Submitted, Cancel, RoleMember, "", apperr.ErrForbidden, ""},
		{Submitted, Cancel, RoleAgent, "", apperr.ErrForbidden, ""},
		{Submitted, Action("explode"), RoleAdmin, "", apperr.ErrForbidden, ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"/"+string(tt.action)+"/"+string(tt.by), func(t *testing.T) {
			got, err := Next(tt.from, tt.action, tt.by)
			switch {
			case tt.wantErr != nil:
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, %v; want %v", got, err, tt.wantErr)
				}
			case tt.wantKey != "":
				var e *i18n.Error
				if !errors.As(err, &e) || e.Key != tt.wantKey {
					t.Fatalf("got %v, %v; want %s", got, err, tt.wantKey)
				}
			default:
				if err != nil || got != tt.want {
					t.Fatalf("got %v, %v; want %v", got, err, tt.want)
				}
				if !Allowed(tt.from, tt.action, tt.by) {
					t.Error("Allowed disagrees with Next")
				}
			}
		})
	}
}

// TestNoWayOutOfFinalStates: rejected, closed and cancelled requests take no step at all.
func TestNoWayOutOfFinalStates(t *testing.T) {
	roles := []Role{RoleRequester, RoleMember, RoleSalesRep, RoleAgent, RoleAdmin}
	for _, st := range []State{Rejected, Closed, Cancelled} {
		for a := range steps {
			for _, r := range roles {
				if Allowed(st, a, r) {
					t.Errorf("%s may %s a %s request", r, a, st)
				}
			}
		}
	}
}

func TestNumber(t *testing.T) {
	if got := Number(1); got != "CHG0000001" {
		t.Errorf("Number(1) = %s", got)
	}
	for in, want := range map[string]int64{"CHG0000012": 12, "chg12": 12, " 7 ": 7} {
		if got, ok := ParseNumber(in); !ok || got != want {
			t.Errorf("ParseNumber(%q) = %d, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "CHG", "INC0000001", "-3", "0"} {
		if _, ok := ParseNumber(in); ok {
			t.Errorf("ParseNumber(%q) accepted", in)
		}
	}
}
