package contract

import (
	"reflect"
	"testing"

	"github.com/guichet/guichet/internal/calendar"
)

func TestLevels(t *testing.T) {
	if got, want := Levels(), []Level{Basic, Standard, Business, Premium}; !reflect.DeepEqual(got, want) {
		t.Errorf("Levels = %v, want %v", got, want)
	}
	if got, want := Paid(), []Level{Standard, Business, Premium}; !reflect.DeepEqual(got, want) {
		t.Errorf("Paid = %v, want %v", got, want)
	}
	if Basic.Compare(Standard) >= 0 || Premium.Compare(Business) <= 0 || Business.Compare(Business) != 0 {
		t.Error("levels are not ordered Basic < Standard < Business < Premium")
	}
	if l, ok := ParseLevel("business"); !ok || l != Business {
		t.Errorf(`ParseLevel("business") = %q, %v`, l, ok)
	}
	for _, s := range []string{"", "gold", "Premium"} {
		if l, ok := ParseLevel(s); ok {
			t.Errorf("ParseLevel(%q) = %q, want refused", s, l)
		}
	}
	if Premium.Key() != "contract.level.premium" || Basic.DescriptionKey() != "contract.level_description.basic" {
		t.Errorf("keys: %q, %q", Premium.Key(), Basic.DescriptionKey())
	}
	if Business.Name() != "Business" {
		t.Errorf("Name = %q", Business.Name())
	}
}

func TestNewPeriod(t *testing.T) {
	tests := []struct {
		level Level
		from  string
		until string // "" for no commitment
	}{
		{Standard, "2025-12-01", "2026-05-31"},
		{Premium, "2027-09-01", "2028-02-29"},
		{Premium, "2025-09-01", "2026-02-28"},
		{Business, "2027-08-31", "2028-02-28"}, // a tenant created on 31 August: no overflow into March
		{Business, "2026-03-15", "2026-09-14"},
		{Basic, "2026-03-15", ""},
	}
	for _, tt := range tests {
		p := NewPeriod(tt.level, mustDate(t, tt.from))
		if p.Level != tt.level || p.EffectiveFrom.String() != tt.from || p.CommittedUntil.String() != tt.until {
			t.Errorf("NewPeriod(%s, %s) = %+v, want committed until %q", tt.level, tt.from, p, tt.until)
		}
	}
}

func TestCurrentAndScheduled(t *testing.T) {
	tests := []struct {
		today, current, scheduled string // "" when there is none
	}{
		{"2025-03-13", "", "2025-03-14"},
		{"2025-03-14", "2025-03-14", "2025-12-01"}, // shuffled history: order must not matter
		{"2026-03-31", "2025-12-01", "2026-04-01"},
		{"2026-04-01", "2026-04-01", ""},
	}
	history := []Period{upgradeScheduled[2], upgradeScheduled[0], upgradeScheduled[1]}
	for _, tt := range tests {
		today := mustDate(t, tt.today)
		cur, ok := Current(history, today)
		if got := cur.EffectiveFrom.String(); got != tt.current || ok != (tt.current != "") {
			t.Errorf("Current on %s = %s, %v; want %q", tt.today, got, ok, tt.current)
		}
		next, ok := Scheduled(history, today)
		if got := next.EffectiveFrom.String(); got != tt.scheduled || ok != (tt.scheduled != "") {
			t.Errorf("Scheduled on %s = %s, %v; want %q", tt.today, got, ok, tt.scheduled)
		}
	}
}

func mustDate(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
