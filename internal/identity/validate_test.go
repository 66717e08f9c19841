package identity_test

import (
	"testing"

	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/testutil"
)

func TestHasControl(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Marie Dupont", false},
		{"Zoé Ç’à « x » — ok", false},
		{"王小明", false},
		{"محمد", false}, // right-to-left letters are letters, not controls
		{"\uFFFD", false},
		{"", false},
		{"a\x00b", true},
		{"a\rb", true},
		{"a\nb", true},
		{"a\tb", true},
		{"a\x7fb", true},
		{"a\u0085b", true}, // NEL, a C1 control
		{"a\u009bb", true}, // CSI
		{"a\u2028b", true}, // line separator
		{"a\u2029b", true}, // paragraph separator
		{"a\u202Eb", true}, // right-to-left override
		{"a\u202Ab", true}, // left-to-right embedding
		{"a\u2066b", true}, // left-to-right isolate
		{"a\u2069b", true}, // pop directional isolate
		{"a\u200Eb", true}, // left-to-right mark
		{"a\u200Fb", true}, // right-to-left mark
		{"a\u061Cb", true}, // Arabic letter mark
		{"a\xffb", true},   // not UTF-8
		{"a\xc3", true},    // truncated UTF-8
	}
	for _, tt := range tests {
		if got := identity.HasControl(tt.in); got != tt.want {
			t.Errorf("HasControl(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// The one check every display name goes through, exported for the other capabilities (the
// contract forms that create a referent or a domain owner).
func TestCheckDisplayName(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"Jean Dupont", nil},
		{"", []string{"holder_name:error.field.required"}},
		{"Jean\r\nBcc: a@b.c", []string{"holder_name:error.field.control"}},
		{"Jean \u202Eevil", []string{"holder_name:error.field.control"}},
	}
	for _, tt := range tests {
		var es i18n.Errors
		identity.CheckDisplayName(&es, "holder_name", tt.name)
		if tt.want == nil {
			if err := es.Err(); err != nil {
				t.Errorf("CheckDisplayName(%q) = %v", tt.name, err)
			}
			continue
		}
		testutil.WantFields(t, es.Err(), tt.want...)
	}
}
