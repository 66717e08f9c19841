// Package fold gives text the one form searches compare: lower case, without accents, with the
// ligatures of French written out ("Élodie" and "ELODIE" → "elodie", "Œuvre" → "oeuvre"). The
// full-text index and the substring filters of both databases use it, so that a search means
// the same on SQLite and PostgreSQL whatever the server's locale or extensions.
package fold

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ligatures are letters that fold to two: no decomposition takes their accent-free form apart.
var ligatures = map[rune]string{'œ': "oe", 'Œ': "oe", 'æ': "ae", 'Æ': "ae", 'ß': "ss", 'ẞ': "ss"}

// String returns s folded: lower case, combining marks removed, ligatures written out.
func String(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case ligatures[r] != "":
			b.WriteString(ligatures[r])
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return norm.NFC.String(b.String())
}

// Words splits s into its folded words: runs of letters and digits. Everything else separates
// words, as the full-text tokenizers do.
func Words(s string) []string {
	return strings.FieldsFunc(String(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Letters lists the letters String changes other than by ASCII lower-casing, with what each
// becomes as one rune: the table PostgreSQL's guichet_fold function translates with
// (ligatures, which become two letters, are replaced before the translation). It covers the
// Latin-1 Supplement and Latin Extended-A blocks.
func Letters() (from, to string) {
	var f, t strings.Builder
	for r := rune(0xC0); r <= 0x17F; r++ {
		if !unicode.IsLetter(r) || ligatures[r] != "" {
			continue
		}
		folded := String(string(r))
		if utf8.RuneCountInString(folded) != 1 || folded == string(r) {
			continue
		}
		f.WriteRune(r)
		t.WriteString(folded)
	}
	return f.String(), t.String()
}
