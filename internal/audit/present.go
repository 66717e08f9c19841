package audit

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
)

// Line is an entry as a reader reads it, in their language: the page's table row and the
// export's line are written from it.
type Line struct {
	Entry
	// Who is who acted: a person's name and login, or the program's label in the reader's
	// words; WhoIsData says it is neither (a label the desk does not know, shown as written).
	Who       string
	WhoIsData bool
	// ActionLabel is the action's label, or its code for an action the locales do not know.
	ActionLabel string
	Changes     []FieldChange
}

// FieldChange is one value an entry records: its label, what it was and what it became (each
// empty when the entry has none: a value set for the first time, or removed).
type FieldChange struct {
	Label         string
	Before, After string
	// HasBefore and HasAfter say whether the entry records the value on either side.
	HasBefore, HasAfter bool
}

// Presenter writes entries for a reader of one language; it remembers which keys the locales
// know, as an export asks the same questions many times.
type Presenter struct {
	b     *i18n.Bundle
	lang  string
	known map[string]string // key → translation; "" when the locales lack it
}

// NewPresenter returns a Presenter writing for a reader of lang.
func NewPresenter(b *i18n.Bundle, lang string) *Presenter {
	return &Presenter{b: b, lang: lang, known: map[string]string{}}
}

// t translates key when the locales have it; "" otherwise.
func (p *Presenter) t(key string) string {
	if s, ok := p.known[key]; ok {
		return s
	}
	s := ""
	if p.b.Has(p.lang, key) {
		s = p.b.T(p.lang, key, nil)
	}
	p.known[key] = s
	return s
}

// Line writes e for the reader.
func (p *Presenter) Line(e Entry) Line {
	l := Line{Entry: e, ActionLabel: p.ActionLabel(e.Action)}
	l.Who, l.WhoIsData = p.who(e)
	l.Changes = p.Changes(e.Action, e.Before, e.After)
	return l
}

// Lines writes every entry for the reader.
func (p *Presenter) Lines(es []Entry) []Line {
	out := make([]Line, len(es))
	for i, e := range es {
		out[i] = p.Line(e)
	}
	return out
}

// ActionLabel is the label of action ("audit.action.<action>"), or the action itself.
func (p *Presenter) ActionLabel(action string) string {
	if s := p.t("audit.action." + action); s != "" {
		return s
	}
	return action
}

// who names the actor: a person, or the program (« tâche backup.daily », « ligne de commande »).
func (p *Presenter) who(e Entry) (string, bool) {
	if e.ActorID != nil {
		if e.ActorName != "" {
			return e.ActorName, true
		}
		return "#" + strconv.FormatInt(*e.ActorID, 10), true
	}
	label := strings.TrimSpace(e.ActorLabel)
	switch {
	case label == "" || label == "system" || label == "Guichet":
		return p.b.T(p.lang, "audit.actor.program", nil), false
	case label == "command line":
		return p.b.T(p.lang, "audit.actor.command_line", nil), false
	case strings.HasPrefix(label, "command line (") && strings.HasSuffix(label, ")"):
		name := strings.TrimSuffix(strings.TrimPrefix(label, "command line ("), ")")
		return p.b.T(p.lang, "audit.actor.command", map[string]any{"Name": name}), false
	case label == "start-up" || label == "startup":
		return p.b.T(p.lang, "audit.actor.startup", nil), false
	case strings.HasPrefix(label, "job "):
		return p.b.T(p.lang, "audit.actor.job", map[string]any{"Name": strings.TrimPrefix(label, "job ")}), false
	}
	return label, true
}

// fieldOrder is the order the known values come in; others follow by name.
var fieldOrder = []string{"login", "name", "email", "kind", "lang", "active", "referent", "owner",
	"incidents", "changes", "contract", "users", "services", "backup_console", "status", "scope", "expires",
	"revoked", "two_factor", "recovery_codes", "failed_logins", "locked", "invitation",
	"from", "to", "action", "actor", "subject", "tenant", "rows"}

// Changes reads the before and after (JSON objects) of an entry of action as one change per
// value, each with its label in the reader's language where it is a value the desk knows, else
// its name. Text that is not a JSON object is shown as it is, in one change without a label.
func (p *Presenter) Changes(action, before, after string) []FieldChange {
	b, bok := object(before)
	a, aok := object(after)
	if !bok || !aok {
		return []FieldChange{{Before: before, After: after, HasBefore: before != "", HasAfter: after != ""}}
	}
	keys := slices.Collect(maps.Keys(b))
	for k := range a {
		if _, ok := b[k]; !ok {
			keys = append(keys, k)
		}
	}
	rank := func(k string) int {
		if i := slices.Index(fieldOrder, k); i >= 0 {
			return i
		}
		return len(fieldOrder)
	}
	slices.SortFunc(keys, func(x, y string) int {
		if d := rank(x) - rank(y); d != 0 {
			return d
		}
		return strings.Compare(x, y)
	})
	out := make([]FieldChange, 0, len(keys))
	for _, k := range keys {
		c := FieldChange{Label: p.FieldLabel(k)}
		var bv, av any
		bv, c.HasBefore = b[k]
		av, c.HasAfter = a[k]
		if c.HasBefore {
			c.Before = p.Value(action, k, bv)
		}
		if c.HasAfter {
			c.After = p.Value(action, k, av)
		}
		out = append(out, c)
	}
	return out
}

// object reads s as a JSON object; "" is the empty one.
func object(s string) (map[string]any, bool) {
	if strings.TrimSpace(s) == "" {
		return map[string]any{}, true
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

// FieldLabel is the label of a value an entry records ("audit.field.<key>"), or its name.
func (p *Presenter) FieldLabel(key string) string {
	if s := p.t("audit.field." + key); s != "" {
		return s
	}
	return key
}

// valueKeys are the prefixes of the message keys that name the values of a field.
var valueKeys = map[string]string{
	"kind":   "kind.",
	"lang":   "lang.",
	"scope":  "token.scope.",
	"action": "audit.action.",
}

// statusKeys name the statuses of the actions of a family.
var statusKeys = map[string]string{
	"invitation": "audit.invitation_status.",
	"tenant":     "tenant.status.",
}

// Value writes a value of the field key of an entry of action for the reader: yes or no, a
// kind, a language, an action, a status or a day in their words; numbers and text as they are.
func (p *Presenter) Value(action, key string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return p.b.T(p.lang, "common.yes", nil)
		}
		return p.b.T(p.lang, "common.no", nil)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case string:
		prefix := valueKeys[key]
		if key == "status" {
			prefix = statusKeys[family(action)]
		}
		if prefix != "" {
			if s := p.t(prefix + x); s != "" {
				return s
			}
		}
		if len(x) == len("2006-01-02") {
			if d, err := calendar.ParseDate(x); err == nil {
				return p.b.FormatDate(p.lang, d)
			}
		}
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// CSV is the export of es for the reader: its header and one row per entry. The instants are
// in Paris time; before and after hold one "value: what" line per value.
func (p *Presenter) CSV(es []Entry) (header []string, rows [][]string) {
	for _, k := range []string{"audit.column.when", "audit.column.who", "audit.column.ip", "audit.column.action",
		"audit.column.action_code", "audit.column.tenant", "audit.column.subject", "audit.column.object",
		"audit.column.before", "audit.column.after"} {
		header = append(header, p.b.T(p.lang, k, nil))
	}
	rows = make([][]string, 0, len(es))
	for _, e := range es {
		l := p.Line(e)
		var before, after []string
		for _, c := range l.Changes {
			if c.HasBefore {
				before = append(before, p.pair(c.Label, c.Before))
			}
			if c.HasAfter {
				after = append(after, p.pair(c.Label, c.After))
			}
		}
		rows = append(rows, []string{e.At.In(calendar.Paris).Format("2006-01-02 15:04:05"), l.Who, e.IP, l.ActionLabel,
			e.Action, e.TenantCode, e.SubjectName, e.Object, strings.Join(before, "\n"), strings.Join(after, "\n")})
	}
	return header, rows
}

// pair writes "label: value" for the reader ("libellé : valeur" in French); a change without a
// label is its value alone.
func (p *Presenter) pair(label, value string) string {
	if label == "" {
		return value
	}
	return p.b.T(p.lang, "audit.csv.pair", map[string]any{"Field": label, "Value": value})
}
