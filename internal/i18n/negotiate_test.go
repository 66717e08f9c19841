package i18n_test

import (
	"testing"

	"github.com/guichet/guichet/internal/i18n"
)

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name                                  string
		preference, cookie, accept, def, want string
	}{
		{"preference first", "en", "fr", "fr-FR", "fr", "en"},
		{"preference fr over everything", "fr", "en", "en-GB,en;q=0.9", "en", "fr"},
		{"cookie without preference", "", "en", "fr-FR,fr;q=0.9", "fr", "en"},
		{"cookie fr", "", "fr", "en", "en", "fr"},
		{"unknown preference ignored", "de", "en", "fr", "fr", "en"},
		{"unknown cookie ignored", "", "xx", "en-US", "fr", "en"},
		{"upper-case cookie ignored", "", "EN", "", "fr", "fr"},
		{"header en-GB", "", "", "en-GB,en;q=0.9", "fr", "en"},
		{"header fr-CA", "", "", "fr-CA", "en", "fr"},
		{"header fr-BE with en", "", "", "fr-BE,fr;q=0.9,en;q=0.8", "en", "fr"},
		{"header quality order", "", "", "en;q=0.5,fr;q=0.9", "en", "fr"},
		{"header de with fallback en", "", "", "de-DE,de;q=0.9,en;q=0.5", "fr", "en"},
		{"header de only: default", "", "", "de", "fr", "fr"},
		{"header de only: default en", "", "", "de", "en", "en"},
		{"header wildcard: default", "", "", "*", "en", "en"},
		{"header garbage", "", "", "!!!,;;q=abc", "en", "en"},
		{"header too long tag", "", "", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "fr", "fr"},
		{"nothing: default", "", "", "", "en", "en"},
		{"nothing: default fr", "", "", "", "fr", "fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := i18n.Negotiate(tt.preference, tt.cookie, tt.accept, tt.def); got != tt.want {
				t.Errorf("Negotiate(%q, %q, %q, %q) = %q, want %q", tt.preference, tt.cookie, tt.accept, tt.def, got, tt.want)
			}
		})
	}
}
