package subscription_test

import (
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/subscription"
)

func TestEffectiveOn(t *testing.T) {
	tests := []struct {
		name string
		now  string // an instant, RFC 3339
		want calendar.Date
	}{
		{"mid-month", "2026-05-15T10:00:00Z", calendar.NewDate(2026, 6, 1)},
		{"first day of a month", "2026-05-01T10:00:00Z", calendar.NewDate(2026, 6, 1)},
		{"last day of a month", "2026-04-30T12:00:00Z", calendar.NewDate(2026, 5, 1)},
		{"31 December", "2026-12-31T12:00:00Z", calendar.NewDate(2027, 1, 1)},
		{"29 February of a leap year", "2028-02-29T12:00:00Z", calendar.NewDate(2028, 3, 1)},
		{"28 February of a leap year", "2028-02-28T12:00:00Z", calendar.NewDate(2028, 3, 1)},
		{"28 February of a common year", "2027-02-28T12:00:00Z", calendar.NewDate(2027, 3, 1)},
		// Winter: Paris is UTC+1.
		{"31 January 23:59 in Paris", "2027-01-31T22:59:00Z", calendar.NewDate(2027, 2, 1)},
		{"1 February 00:00 in Paris", "2027-01-31T23:00:00Z", calendar.NewDate(2027, 3, 1)},
		{"1 February 00:30 in Paris, still 31 January in UTC", "2027-01-31T23:30:00Z", calendar.NewDate(2027, 3, 1)},
		{"1 January 00:30 in Paris, still 31 December in UTC", "2026-12-31T23:30:00Z", calendar.NewDate(2027, 2, 1)},
		// Summer: Paris is UTC+2.
		{"30 June 23:59 in Paris", "2026-06-30T21:59:00Z", calendar.NewDate(2026, 7, 1)},
		{"1 July 00:30 in Paris, still 30 June in UTC", "2026-06-30T22:30:00Z", calendar.NewDate(2026, 8, 1)},
		{"the same instant written in Paris time", "2026-07-01T00:30:00+02:00", calendar.NewDate(2026, 8, 1)},
		// The night summer time begins (29 March 2026, 02:00 → 03:00) and ends (25 October).
		{"31 March 23:59 in Paris, summer", "2026-03-31T21:59:00Z", calendar.NewDate(2026, 4, 1)},
		{"31 October 23:59 in Paris, winter again", "2026-10-31T22:59:00Z", calendar.NewDate(2026, 11, 1)},
		{"1 November 00:00 in Paris", "2026-10-31T23:00:00Z", calendar.NewDate(2026, 12, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now, err := time.Parse(time.RFC3339, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			if got := subscription.EffectiveOn(now); got != tt.want {
				t.Errorf("EffectiveOn(%s) = %s, want %s", tt.now, got, tt.want)
			}
		})
	}
}

func TestAddMonthsClamped(t *testing.T) {
	d := calendar.NewDate
	tests := []struct {
		from calendar.Date
		n    int
		want calendar.Date
	}{
		{d(2027, 1, 31), 1, d(2027, 2, 28)},
		{d(2028, 1, 31), 1, d(2028, 2, 29)}, // a leap year
		{d(2028, 2, 29), 12, d(2029, 2, 28)},
		{d(2028, 2, 29), 48, d(2032, 2, 29)},
		{d(2026, 10, 31), 1, d(2026, 11, 30)},
		{d(2026, 12, 31), 2, d(2027, 2, 28)},
		{d(2026, 12, 15), 1, d(2027, 1, 15)},
		{d(2027, 1, 31), 13, d(2028, 2, 29)},
		{d(2026, 3, 15), 0, d(2026, 3, 15)},
		{d(2026, 1, 1), 36, d(2029, 1, 1)},
		{d(2027, 3, 31), -1, d(2027, 2, 28)},
	}
	for _, tt := range tests {
		if got := subscription.AddMonthsClamped(tt.from, tt.n); got != tt.want {
			t.Errorf("AddMonthsClamped(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestEndsOn(t *testing.T) {
	d := calendar.NewDate
	tests := []struct {
		start  calendar.Date
		months int
		want   calendar.Date
	}{
		{d(2027, 1, 31), 1, d(2027, 2, 27)},
		{d(2028, 1, 31), 1, d(2028, 2, 28)}, // a leap year
		{d(2026, 3, 1), 12, d(2027, 2, 28)},
		{d(2027, 3, 1), 12, d(2028, 2, 29)},
		{d(2026, 1, 15), 36, d(2029, 1, 14)},
		{d(2026, 12, 1), 1, d(2026, 12, 31)},
	}
	for _, tt := range tests {
		s := &subscription.Subscription{StartedOn: tt.start, TermMonths: tt.months}
		if got := s.EndsOn(); got != tt.want {
			t.Errorf("started %s for %d months: ends on %s, want %s", tt.start, tt.months, got, tt.want)
		}
	}
}

func TestCheckCancel(t *testing.T) {
	pending := func(ns ...int) []subscription.Cancellation {
		var cs []subscription.Cancellation
		for _, n := range ns {
			cs = append(cs, subscription.Cancellation{Instances: n})
		}
		return cs
	}
	tests := []struct {
		name            string
		instances       int
		pending         []subscription.Cancellation
		n               int
		wantKey         string
		wantCancellable int
	}{
		{"some", 5, nil, 2, "", 5},
		{"all", 5, nil, 5, "", 5},
		{"the rest", 5, pending(2), 3, "", 3},
		{"more than left", 5, nil, 6, "subscription.error.instances_max", 5},
		{"more than left after a cancellation", 5, pending(2), 4, "subscription.error.instances_max", 3},
		{"zero", 5, nil, 0, "subscription.error.instances_min", 5},
		{"negative", 5, nil, -1, "subscription.error.instances_min", 5},
		{"already cancelled", 0, nil, 1, "subscription.error.cancelled", 0},
		{"already cancelled, asked for nothing", 0, nil, 0, "subscription.error.cancelled", 0},
		{"all scheduled", 5, pending(2, 3), 1, "subscription.error.all_scheduled", 0},
		{"all scheduled in one", 5, pending(5), 1, "subscription.error.all_scheduled", 0},
		{"more scheduled than left", 3, pending(4), 1, "subscription.error.all_scheduled", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &subscription.Subscription{Instances: tt.instances, Pending: tt.pending}
			if got := s.Cancellable(); got != tt.wantCancellable {
				t.Errorf("Cancellable = %d, want %d", got, tt.wantCancellable)
			}
			err := subscription.CheckCancel(s, tt.n)
			if tt.wantKey == "" {
				if err != nil {
					t.Fatalf("CheckCancel(%d) = %v", tt.n, err)
				}
				return
			}
			if err == nil || err.Key != tt.wantKey || err.Field != "instances" {
				t.Fatalf("CheckCancel(%d) = %v, want instances: %s", tt.n, err, tt.wantKey)
			}
			if tt.wantKey == "subscription.error.instances_max" && err.Args["Count"] != tt.wantCancellable {
				t.Errorf("instances_max says %v left, want %d", err.Args["Count"], tt.wantCancellable)
			}
		})
	}
}

func TestSubscriptionState(t *testing.T) {
	s := &subscription.Subscription{Instances: 5, Pending: []subscription.Cancellation{{Instances: 2}, {Instances: 1}}}
	if s.Scheduled() != 3 || s.Cancellable() != 2 || s.Cancelled() {
		t.Errorf("5 with 2 and 1 scheduled: scheduled %d, cancellable %d, cancelled %v", s.Scheduled(), s.Cancellable(), s.Cancelled())
	}
	if !(&subscription.Subscription{}).Cancelled() {
		t.Error("no instance left is not cancelled")
	}
	for _, k := range subscription.Kinds {
		if !k.Valid() || k.Key() != "subscription.kind."+string(k) {
			t.Errorf("kind %q: valid %v, key %q", k, k.Valid(), k.Key())
		}
	}
	if subscription.Kind("ecs").Valid() {
		t.Error("an unknown kind is valid")
	}
}
