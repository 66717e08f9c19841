package timeline

import (
	"strings"
	"unicode"
)

// MatchQuery turns what a reader typed into a safe FTS5 query: every word must appear, whole,
// in any case and with or without accents ("reseau" finds "réseau"). It returns "" when nothing
// searchable is left. FTS5 syntax typed by the reader (quotes, NEAR, column filters) is treated
// as plain words. Words are not prefixes: a prefix makes FTS5 merge every matching word's list
// before it can read the newest match, which costs seconds on a common word of a large desk.
func MatchQuery(q string) string {
	words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) > 12 {
		words = words[:12]
	}
	parts := make([]string, 0, len(words))
	for _, w := range words {
		parts = append(parts, `"`+w+`"`)
	}
	return strings.Join(parts, " ")
}
