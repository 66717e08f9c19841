package i18n_test

import (
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/locales"
)

func bundle(t *testing.T) *i18n.Bundle {
	t.Helper()
	b, err := i18n.Load(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFormatDate(t *testing.T) {
	b := bundle(t)
	tests := []struct {
		lang string
		date calendar.Date
		want string
	}{
		{"fr", calendar.NewDate(2027, time.June, 1), "1er juin 2027"},
		{"en", calendar.NewDate(2027, time.June, 1), "1 June 2027"},
		{"fr", calendar.NewDate(2026, time.August, 2), "2 août 2026"},
		{"en", calendar.NewDate(2026, time.December, 31), "31 December 2026"},
		{"fr", calendar.NewDate(2027, time.February, 21), "21 février 2027"},
		{"de", calendar.NewDate(2027, time.June, 1), "1er juin 2027"}, // unknown language: French
		{"fr", calendar.Date{}, ""},
		{"en", calendar.Date{}, ""},
	}
	for _, tt := range tests {
		if got := b.FormatDate(tt.lang, tt.date); got != tt.want {
			t.Errorf("FormatDate(%s, %v) = %q, want %q", tt.lang, tt.date, got, tt.want)
		}
	}
}

func TestFormatDateTimeInParis(t *testing.T) {
	b := bundle(t)
	tests := []struct {
		lang string
		utc  time.Time
		want string
	}{
		// Winter, UTC+1.
		{"fr", time.Date(2026, 11, 24, 21, 8, 0, 0, time.UTC), "24 nov. 2026 à 22:08 (UTC+1)"},
		{"en", time.Date(2026, 11, 24, 21, 8, 0, 0, time.UTC), "24 Nov 2026, 22:08 (UTC+1)"},
		{"fr", time.Date(2027, 1, 31, 23, 30, 0, 0, time.UTC), "1er févr. 2027 à 00:30 (UTC+1)"},
		{"en", time.Date(2027, 1, 31, 23, 30, 0, 0, time.UTC), "1 Feb 2027, 00:30 (UTC+1)"},
		// Summer, UTC+2.
		{"fr", time.Date(2027, 6, 1, 8, 5, 0, 0, time.UTC), "1er juin 2027 à 10:05 (UTC+2)"},
		{"en", time.Date(2027, 6, 1, 8, 5, 0, 0, time.UTC), "1 Jun 2027, 10:05 (UTC+2)"},
		{"fr", time.Date(2027, 6, 30, 22, 30, 59, 0, time.UTC), "1er juil. 2027 à 00:30 (UTC+2)"},
		{"en", time.Date(2027, 6, 30, 22, 30, 59, 0, time.UTC), "1 Jul 2027, 00:30 (UTC+2)"},
		// The instant's zone does not matter.
		{"en", time.Date(2027, 6, 1, 3, 5, 0, 0, time.FixedZone("EST", -5*3600)), "1 Jun 2027, 10:05 (UTC+2)"},
		{"fr", time.Time{}, ""},
	}
	for _, tt := range tests {
		if got := b.FormatDateTime(tt.lang, tt.utc); got != tt.want {
			t.Errorf("FormatDateTime(%s, %v) = %q, want %q", tt.lang, tt.utc, got, tt.want)
		}
	}
}

func TestPlural(t *testing.T) {
	b := bundle(t)
	tests := []struct {
		lang  string
		count any
		want  string
	}{
		{"fr", 0, "0 tenant"},
		{"fr", 1, "1 tenant"},
		{"fr", 2, "2 tenants"},
		{"fr", 1000, "1000 tenants"},
		{"en", 0, "0 tenants"},
		{"en", 1, "1 tenant"},
		{"en", 2, "2 tenants"},
		{"en", int64(1), "1 tenant"},
	}
	for _, tt := range tests {
		if got := b.T(tt.lang, "staff.tenants.count", i18n.Pairs("Count", tt.count)); got != tt.want {
			t.Errorf("T(%s, staff.tenants.count, Count=%v) = %q, want %q", tt.lang, tt.count, got, tt.want)
		}
	}
}

func TestTranslate(t *testing.T) {
	b := bundle(t)
	if got := b.T("en", "nav.home", nil); got != "Home" {
		t.Errorf("T(en) = %q", got)
	}
	if got, en := b.T("fr", "nav.home", nil), b.T("en", "nav.home", nil); got == en || got == "nav.home" {
		t.Errorf("T(fr) = %q: want a French sentence", got)
	}
	if got := b.T("en", "no.such.key", nil); got != "no.such.key" {
		t.Errorf("missing key = %q, want the key", got)
	}
	if got, fr := b.T("xx", "error.login.invalid", nil), b.T("fr", "error.login.invalid", nil); got != fr {
		t.Errorf("unknown language = %q, want French %q", got, fr)
	}
	if got := b.Message("en", i18n.FieldError("password", "error.password.too_short", "Min", 10)); got != "At least 10 characters." {
		t.Errorf("Message = %q", got)
	}
	if !b.Has("fr", "staff.tenants.count") || !b.Has("en", "date.month.1") || b.Has("en", "no.such.key") {
		t.Error("Has")
	}
}

// Dates and instants among a message's arguments are written in the reader's language.
func TestDateArguments(t *testing.T) {
	b := bundle(t)
	day := calendar.NewDate(2027, time.June, 1)
	at := time.Date(2026, 11, 24, 21, 8, 0, 0, time.UTC)
	args := i18n.Pairs("Date", day)
	if got := b.T("en", "contract.since", args); got != "since 1 June 2027" {
		t.Errorf("en = %q", got)
	}
	if got := b.T("fr", "contract.since", args); got != "depuis le 1er juin 2027" {
		t.Errorf("fr = %q", got)
	}
	if args["Date"] != day {
		t.Error("T changed the caller's arguments")
	}
	if got := b.T("en", "admin.locked.since", i18n.Pairs("Date", at)); got != "This account has been locked since 24 Nov 2026, 22:08 (UTC+1)." {
		t.Errorf("instant = %q", got)
	}
}
