package sla

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaultPolicyTargets(t *testing.T) {
	p := loadDefault(t)
	tests := []struct {
		level    Level
		priority Priority
		want     Target
		calendar string
	}{
		{Premium, P1, Target{15 * time.Minute, 4 * time.Hour}, "sla.calendar.24x7"},
		{Premium, P4, Target{4 * time.Hour, 120 * time.Hour}, "sla.calendar.24x7"},
		{Business, P2, Target{2 * time.Hour, 24 * time.Hour}, "sla.calendar.24x7"},
		{Business, P3, Target{4 * time.Hour, 27 * time.Hour}, "sla.calendar.business_hours"},
		{Standard, P4, Target{18 * time.Hour, 90 * time.Hour}, "sla.calendar.business_hours"},
	}
	for _, tt := range tests {
		got, ok := p.Target(tt.level, tt.priority)
		if !ok || got != tt.want {
			t.Errorf("Target(%s, %s) = %+v, %v, want %+v", tt.level, tt.priority, got, ok, tt.want)
		}
		if key := p.Calendar(tt.level, tt.priority).Key(); key != tt.calendar {
			t.Errorf("Calendar(%s, %s) = %s, want %s", tt.level, tt.priority, key, tt.calendar)
		}
	}
	if _, ok := p.Target(Basic, P1); ok {
		t.Error("Basic has a target")
	}
	if cal := p.Calendar(Basic, P1); cal != nil {
		t.Errorf("Basic has calendar %v", cal)
	}
}

func TestLoadPolicyErrors(t *testing.T) {
	tests := []struct {
		name    string
		old     string // replaced in the default file...
		new     string // ...by this
		problem string
	}{
		{"unknown level", "[targets.premium]", "[targets.gold]", "targets.gold: unknown support level"},
		{"basic", "[targets.premium]", "[targets.basic]\nP1 = { first_response = \"1h\", resolution = \"1d\" }\n[targets.premium]", "targets.basic: Basic has no target"},
		{"unknown priority", "P4 = { first_response = \"4h\"", "P5 = { first_response = \"4h\"", "targets.premium.P5: unknown priority"},
		{"missing target", "P4 = { first_response = \"4h\", resolution = \"5d\" }", "", "targets.premium.P4: missing target"},
		{"malformed duration", `resolution = "4h" }`, `resolution = "4x" }`, `targets.premium.P1.resolution: malformed duration "4x"`},
		{"zero duration", `first_response = "15m"`, `first_response = "0m"`, `targets.premium.P1.first_response: duration "0m" is zero`},
		{"missing duration", `first_response = "15m", `, "", "targets.premium.P1.first_response: missing"},
		{"misspelt key", `first_response = "15m"`, `first_reponse = "15m"`, "targets.premium.P1.first_reponse: unknown key"},
		{"response after resolution", `first_response = "15m"`, `first_response = "5h"`, `targets.premium.P1: first_response "5h" is longer than resolution "4h"`},
		{"malformed hour", `open = "09:00"`, `open = "9h"`, `hours.open: malformed time "9h"`},
		{"hour out of range", `close = "18:00"`, `close = "25:00"`, `hours.close: malformed time "25:00"`},
		{"open after close", `open = "09:00"`, `open = "19:00"`, `hours: open "19:00" must be before close "18:00"`},
		{"unknown day", `"mon", "tue"`, `"monday", "tue"`, `hours.days: unknown day "monday"`},
		{"no day", `days = ["mon", "tue", "wed", "thu", "fri"]`, `days = []`, "hours.days: missing"},
		{"unknown time zone", `timezone = "Europe/Paris"`, `timezone = "Europe/Lutece"`, `hours.timezone: unknown time zone "Europe/Lutece"`},
		{"malformed extra date", `extra = []`, `extra = ["2025-02-30"]`, `holidays.extra[0]: malformed date "2025-02-30"`},
		{"not TOML", `[hours]`, `[hours`, "sla policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(defaultPolicy, tt.old) {
				t.Fatalf("the default policy has no %q to replace", tt.old)
			}
			path := writePolicy(t, strings.Replace(defaultPolicy, tt.old, tt.new, 1))
			_, err := LoadPolicy(path)
			if err == nil || !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("LoadPolicy error = %v, want one naming %q", err, tt.problem)
			}
		})
	}
}

func TestLoadPolicyMissingFile(t *testing.T) {
	if _, err := LoadPolicy(filepath.Join(t.TempDir(), "none.toml")); err == nil {
		t.Error("a missing file loaded")
	}
}

// A file replaces the default: here French holidays are off, 22 April is off, hours are 08–12.
func TestLoadPolicyOverride(t *testing.T) {
	text := strings.NewReplacer(
		"french = true", "french = false",
		"extra = []", `extra = ["2025-04-22"]`,
		`open = "09:00"`, `open = "08:00"`,
		`close = "18:00"`, `close = "12:00"`,
	).Replace(defaultPolicy)
	p, err := LoadPolicy(writePolicy(t, text))
	if err != nil {
		t.Fatal(err)
	}
	// Standard P4: "2d" is now two 4-hour days.
	if got, _ := p.Target(Standard, P4); got.FirstResponse != 8*time.Hour {
		t.Errorf("Standard P4 first response = %s, want 8h", got.FirstResponse)
	}
	// Friday 11:00 + 3h: Fri 1h, Easter Monday 2025 worked 2h → Monday 10:00, 22 April unused.
	cal := p.Calendar(Standard, P1)
	sameInstant(t, "Add", cal.Add(at(2025, 4, 18, 11, 0), 3*time.Hour), at(2025, 4, 21, 10, 0))
	// Monday 11:00 + 2h: Mon 1h, Tuesday 22 off → Wednesday 08:00 + 1h.
	sameInstant(t, "Add", cal.Add(at(2025, 4, 21, 11, 0), 2*time.Hour), at(2025, 4, 23, 9, 0))
}

func writePolicy(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
