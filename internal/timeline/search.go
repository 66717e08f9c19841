package timeline

import (
	"strings"
	"unicode"
)

// MatchQuery turns what a reader typed into a safe FTS5 query: every word must appear, the last
// one as a prefix (so "disq" finds "disque"). It returns "" when nothing searchable is left.
// FTS5 syntax typed by the reader (quotes, NEAR, column filters) is treated as plain words.
func MatchQuery(q string) string {
	words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) > 12 {
		words = words[:12]
	}
	parts := make([]string, 0, len(words))
	for i, w := range words {
		p := `"` + w + `"`
		if i == len(words)-1 {
			p += "*"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " ")
}
