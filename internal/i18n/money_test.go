package i18n_test

import (
	"testing"

	"github.com/guichet/guichet/internal/i18n"
)

func TestFormatEuros(t *testing.T) {
	tests := []struct {
		lang  string
		cents int64
		want  string
	}{
		{"fr", 123450, "1\u00a0234,50\u00a0€"},
		{"en", 123450, "€1,234.50"},
		{"fr", 5, "0,05\u00a0€"},
		{"en", 5, "€0.05"},
		{"fr", 99900, "999,00\u00a0€"},
		{"en", 100000, "€1,000.00"},
		{"fr", 1_000_000_000, "10\u00a0000\u00a0000,00\u00a0€"},
		{"en", 1_000_000_000, "€10,000,000.00"},
		{"en", 12345678901, "€123,456,789.01"},
		{"fr", -123450, "-1\u00a0234,50\u00a0€"},
		{"de", 123450, "€1,234.50"}, // any other language reads as English
	}
	for _, tc := range tests {
		if got := i18n.FormatEuros(tc.lang, tc.cents); got != tc.want {
			t.Errorf("FormatEuros(%q, %d) = %q, want %q", tc.lang, tc.cents, got, tc.want)
		}
	}
}

func TestParseCents(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1234.50", 123450, true},
		{"0.05", 5, true},
		{"10000000.00", 1_000_000_000, true},
		{"1234.5", 0, false},
		{"1234", 0, false},
		{".50", 0, false},
		{"1 234.50", 0, false},
		{"-1.00", 0, false},
		{"1,234.50", 0, false},
		{"", 0, false},
	}
	for _, tc := range tests {
		got, ok := i18n.ParseCents(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseCents(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
