package canned

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/timeline"
)

// Placeholders are the names a text may write between braces, in the order the form lists them:
// the reporter's display name, the incident's number, its title, the sending agent's display
// name, the incident's next SLA due time, and the link to the customer's page of the incident.
var Placeholders = []string{"customer_name", "incident_number", "title", "agent_name", "due_time", "link"}

// placeholder is a word between braces; braces around anything else ({ }, {"a": 1}) are text.
var placeholder = regexp.MustCompile(`\{([\p{L}\p{N}_]+)\}`)

// Unknown lists the placeholders of text that are not Placeholders, braces included, each once,
// in the order they come.
func Unknown(text string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if !slices.Contains(Placeholders, m[1]) && !slices.Contains(out, m[0]) {
			out = append(out, m[0])
		}
	}
	return out
}

// Fill writes each placeholder of text as its value. What a value says is not read again (a
// title that reads "{link}" stays as it was typed), and a placeholder without a value stays.
func Fill(text string, values map[string]string) string {
	return placeholder.ReplaceAllStringFunc(text, func(m string) string {
		if v, ok := values[m[1:len(m)-1]]; ok {
			return v
		}
		return m
	})
}

// NameKey is what two names must not share: the name in lower case.
func NameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// Draft is what a person fills in to write or change a canned response.
type Draft struct {
	Name, TextFR, TextEN string
	Action               Action
}

// Validate checks a draft, each failure beside its field (name, text_fr, text_en, action), and
// cleans it: the name trimmed, the texts with one kind of line break (timeline.CleanBody).
func (d *Draft) Validate() error {
	var es i18n.Errors
	d.Name = strings.TrimSpace(d.Name)
	switch n := utf8.RuneCountInString(d.Name); {
	case n == 0:
		es.Add(i18n.FieldError("name", "canned.error.name_required"))
	case n > MaxName:
		es.Add(i18n.FieldError("name", "canned.error.name_too_long", "Max", MaxName, "Length", n))
	case !utf8.ValidString(d.Name) || strings.ContainsFunc(d.Name, unicode.IsControl):
		es.Add(i18n.FieldError("name", "canned.error.name_invalid"))
	}
	d.TextFR, d.TextEN = timeline.CleanBody(d.TextFR), timeline.CleanBody(d.TextEN)
	if e := checkText("text_fr", "canned.error.text_fr_required", d.TextFR); e != nil {
		es.Add(e)
	}
	if e := checkText("text_en", "canned.error.text_en_required", d.TextEN); e != nil {
		es.Add(e)
	}
	if !slices.Contains(Actions, d.Action) {
		es.Add(i18n.FieldError("action", "canned.error.action"))
	}
	return es.Err()
}

// checkText checks one language's text, beside its field: written, not too long, and without a
// placeholder the desk does not know, which the message names.
func checkText(field, required, text string) *i18n.Error {
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return i18n.FieldError(field, required)
	case n > timeline.MaxBody:
		return i18n.FieldError(field, "canned.error.text_too_long", "Max", timeline.MaxBody, "Length", n)
	case !utf8.ValidString(text):
		return i18n.FieldError(field, "canned.error.text_invalid")
	}
	if u := Unknown(text); len(u) > 0 {
		return i18n.FieldError(field, "canned.error.placeholder_unknown", "Name", clip(u[0]))
	}
	return nil
}

// clip shortens what a message repeats of the input.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= MaxClip {
		return s
	}
	return string([]rune(s)[:MaxClip]) + "…"
}
