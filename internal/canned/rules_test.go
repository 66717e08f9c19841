package canned_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/canned"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/timeline"
)

func TestUnknownPlaceholders(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"none", "Bonjour, nous regardons.", nil},
		{"every known one", "{customer_name} {incident_number} {title} {agent_name} {due_time} {link}", nil},
		{"one unknown", "Bonjour {nom_client},", []string{"{nom_client}"}},
		{"case counts", "Hello {Customer_Name}", []string{"{Customer_Name}"}},
		{"each once, in order", "{foo} {bar} {foo} {title}", []string{"{foo}", "{bar}"}},
		{"accented word", "{échéance}", []string{"{échéance}"}},
		{"braces around other things are text", `{ } {} {"a": 1} {two words} {a-b}`, nil},
		{"inside doubled braces", "{{title}} {{x}}", []string{"{x}"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := canned.Unknown(tc.text); !slices.Equal(got, tc.want) {
				t.Errorf("Unknown(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestFill(t *testing.T) {
	values := map[string]string{"customer_name": "Marie Dupont", "incident_number": "INC0000042", "title": "Volume {link} perdu",
		"agent_name": "Alice Agent", "due_time": "24 nov. 2026 à 22:08 (UTC+1)", "link": "https://guichet.example/incidents/INC0000042"}
	for _, tc := range []struct {
		name, text, want string
	}{
		{"no placeholder", "Merci.", "Merci."},
		{"each placeholder", "Bonjour {customer_name}, {incident_number} ({title}) : {agent_name}, avant le {due_time}, {link}",
			"Bonjour Marie Dupont, INC0000042 (Volume {link} perdu) : Alice Agent, avant le 24 nov. 2026 à 22:08 (UTC+1), https://guichet.example/incidents/INC0000042"},
		{"twice", "{title} / {title}", "Volume {link} perdu / Volume {link} perdu"},
		{"a value is not read again", "{title}", "Volume {link} perdu"},
		{"an unknown one stays", "{foo} {customer_name}", "{foo} Marie Dupont"},
		{"lines kept", "Bonjour {customer_name},\n\nCordialement,\n{agent_name}", "Bonjour Marie Dupont,\n\nCordialement,\nAlice Agent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := canned.Fill(tc.text, values); got != tc.want {
				t.Errorf("Fill(%q) =\n %q, want\n %q", tc.text, got, tc.want)
			}
		})
	}
}

// fieldKeys maps each field of a validation error to its message key, and its arguments.
func fieldKeys(t *testing.T, err error) map[string]*i18n.Error {
	t.Helper()
	out := map[string]*i18n.Error{}
	if err == nil {
		return out
	}
	es, ok := i18n.AsErrors(err)
	if !ok {
		t.Fatalf("not a validation error: %v", err)
	}
	for _, e := range es {
		out[e.Field] = e
	}
	return out
}

func TestDraftValidate(t *testing.T) {
	ok := canned.Draft{Name: "Accusé de réception", TextFR: "Bonjour {customer_name},", TextEN: "Hello {customer_name},"}
	with := func(f func(d *canned.Draft)) canned.Draft {
		d := ok
		f(&d)
		return d
	}
	for _, tc := range []struct {
		name  string
		draft canned.Draft
		want  map[string]string // field → key
	}{
		{"valid", ok, nil},
		{"valid with each action", with(func(d *canned.Draft) { d.Action = canned.Resolve }), nil},
		{"waiting", with(func(d *canned.Draft) { d.Action = canned.Pending }), nil},
		{"everything missing", canned.Draft{}, map[string]string{"name": "canned.error.name_required",
			"text_fr": "canned.error.text_fr_required", "text_en": "canned.error.text_en_required"}},
		{"blank texts", with(func(d *canned.Draft) { d.TextFR, d.TextEN = " \r\n ", "\t" }), map[string]string{
			"text_fr": "canned.error.text_fr_required", "text_en": "canned.error.text_en_required"}},
		{"English missing", with(func(d *canned.Draft) { d.TextEN = "" }), map[string]string{"text_en": "canned.error.text_en_required"}},
		{"name too long", with(func(d *canned.Draft) { d.Name = strings.Repeat("é", canned.MaxName+1) }), map[string]string{"name": "canned.error.name_too_long"}},
		{"name at the limit", with(func(d *canned.Draft) { d.Name = strings.Repeat("é", canned.MaxName) }), nil},
		{"name on two lines", with(func(d *canned.Draft) { d.Name = "a\nb" }), map[string]string{"name": "canned.error.name_invalid"}},
		{"text too long", with(func(d *canned.Draft) { d.TextFR = strings.Repeat("a", timeline.MaxBody+1) }), map[string]string{"text_fr": "canned.error.text_too_long"}},
		{"text at the limit once CRLF counts one", with(func(d *canned.Draft) { d.TextFR = strings.Repeat("a\r\n", timeline.MaxBody/2) }), nil},
		{"unknown placeholder in French", with(func(d *canned.Draft) { d.TextFR = "Bonjour {nom_client}" }), map[string]string{"text_fr": "canned.error.placeholder_unknown"}},
		{"unknown placeholder in English", with(func(d *canned.Draft) { d.TextEN = "Due {deadline}" }), map[string]string{"text_en": "canned.error.placeholder_unknown"}},
		{"unknown action", with(func(d *canned.Draft) { d.Action = "close" }), map[string]string{"action": "canned.error.action"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.draft
			got := fieldKeys(t, d.Validate())
			if len(got) != len(tc.want) {
				t.Errorf("errors %v, want %v", got, tc.want)
			}
			for f, key := range tc.want {
				if got[f] == nil || got[f].Key != key {
					t.Errorf("field %s: %v, want %s", f, got[f], key)
				}
			}
		})
	}
}

// The message of an unknown placeholder names it, braces included, clipped when long.
func TestUnknownPlaceholderIsNamed(t *testing.T) {
	for text, want := range map[string]string{
		"Bonjour {nom_client} et {autre}":   "{nom_client}",
		"{" + strings.Repeat("x", 60) + "}": "{" + strings.Repeat("x", canned.MaxClip-1) + "…",
	} {
		d := canned.Draft{Name: "n", TextFR: text, TextEN: "Hello"}
		e := fieldKeys(t, d.Validate())["text_fr"]
		if e == nil || e.Args["Name"] != want {
			t.Errorf("%q: %v %v, want the name %q", text, e, e.Args, want)
		}
	}
}

// Validate cleans what it keeps: the name trimmed, the texts with LF line breaks, trimmed.
func TestDraftValidateCleans(t *testing.T) {
	d := canned.Draft{Name: "  Attente  ", TextFR: "\r\nLigne 1\r\nLigne 2\r\n", TextEN: " Line 1\rLine 2 "}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
	if d.Name != "Attente" || d.TextFR != "Ligne 1\nLigne 2" || d.TextEN != "Line 1\nLine 2" {
		t.Errorf("kept %q %q %q", d.Name, d.TextFR, d.TextEN)
	}
}

func TestNameKeyAndActions(t *testing.T) {
	if canned.NameKey(" Été Chargé ") != canned.NameKey("ÉTÉ CHARGÉ") {
		t.Error("names differing in case have different keys")
	}
	for a, then := range map[canned.Action]string{canned.None: "", canned.Pending: "pending", canned.Resolve: "resolve"} {
		if string(a.Then()) != then {
			t.Errorf("%q.Then() = %q", a, a.Then())
		}
	}
	if canned.None.Key() != "canned.action.none" || canned.Pending.Key() != "canned.action.pending" {
		t.Error("action keys")
	}
}
