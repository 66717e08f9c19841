package gdpr

import (
	"encoding/json"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// A mention is a way a person's name, address or login is written somewhere, and what replaces
// it: as is (mail text), escaped for HTML (mail HTML), or as a whole JSON string (audit entries,
// webhook payloads, API answers).
type mention struct{ old, new string }

// textMentions are the forms of each of words in plain text and HTML, each to be replaced by the
// same form of with.
func textMentions(with string, words ...string) []mention {
	var ms []mention
	seen := map[string]bool{}
	add := func(old, new string) {
		if old != "" && !seen[old] {
			seen[old] = true
			ms = append(ms, mention{old, new})
		}
	}
	for _, w := range words {
		if strings.TrimSpace(w) == "" {
			continue
		}
		add(w, with)
		add(template.HTMLEscapeString(w), template.HTMLEscapeString(with))
		// html/template writes a + as &#43; in text.
		add(strings.ReplaceAll(template.HTMLEscapeString(w), "+", "&#43;"), template.HTMLEscapeString(with))
	}
	return ms
}

// jsonMentions are each of words as a whole JSON string value ("John Doe"), as encoding/json
// writes it with or without HTML escaping, each to be replaced by with.
func jsonMentions(with string, words ...string) []mention {
	var ms []mention
	seen := map[string]bool{}
	for _, w := range words {
		if strings.TrimSpace(w) == "" {
			continue
		}
		for _, html := range []bool{true, false} {
			old, new := jsonString(w, html), jsonString(with, html)
			if !seen[old] {
				seen[old] = true
				ms = append(ms, mention{old, new})
			}
		}
	}
	return ms
}

func jsonString(s string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	enc.Encode(s) //nolint:errcheck // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// replaceWords replaces every mention in s that stands as a whole: no letter or digit right
// before or after it ("Al" is not replaced in "Already"). JSON mentions, quotes included, always
// stand as a whole.
func replaceWords(s string, ms []mention) string {
	for _, m := range ms {
		s = replaceWord(s, m.old, m.new)
	}
	return s
}

func replaceWord(s, old, new string) string {
	if old == "" || !strings.Contains(s, old) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(old):])
		if (i > 0 && wordRune(before)) || (i+len(old) < len(s) && wordRune(after)) {
			b.WriteString(s[:i+len(old)])
		} else {
			b.WriteString(s[:i])
			b.WriteString(new)
		}
		s = s[i+len(old):]
	}
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// containsAny is a condition true when any of columns holds any of the mentions, with its
// arguments; "1 = 0" when there is none to look for.
func containsAny(idb bun.IDB, columns []string, ms []mention) (string, []any) {
	fn := "instr(%s, ?) > 0"
	if db.IsPG(idb) {
		fn = "strpos(%s, ?) > 0"
	}
	var conds []string
	var args []any
	for _, c := range columns {
		for _, m := range ms {
			conds = append(conds, strings.Replace(fn, "%s", c, 1))
			args = append(args, m.old)
		}
	}
	if len(conds) == 0 {
		return "1 = 0", nil
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}
