package sla

import (
	"testing"
	"time"
)

func TestParseSpan(t *testing.T) {
	const day = 9 * time.Hour // a working day of 09:00–18:00
	tests := []struct {
		in   string
		want time.Duration // zero: must be rejected
	}{
		{"15m", 15 * time.Minute},
		{"4h", 4 * time.Hour},
		{"1h30m", 90 * time.Minute},
		{"2d", 18 * time.Hour},
		{"1d4h", 13 * time.Hour},
		{"", 0},
		{"4", 0},
		{"4x", 0},
		{"h", 0},
		{"30m4h", 0},
		{"1.5h", 0},
		{"-1h", 0},
		{"0m", 0},
		{"0d0h", 0},
		{"4 h", 0},
	}
	for _, tt := range tests {
		sp, err := parseSpan(tt.in)
		switch {
		case tt.want == 0 && err == nil:
			t.Errorf("parseSpan(%q) accepted, want an error", tt.in)
		case tt.want != 0 && err != nil:
			t.Errorf("parseSpan(%q): %v", tt.in, err)
		case tt.want != 0 && sp.counted(day) != tt.want:
			t.Errorf("parseSpan(%q) = %s, want %s", tt.in, sp.counted(day), tt.want)
		}
	}
}
