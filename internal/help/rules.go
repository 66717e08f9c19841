package help

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/i18n"
)

// Limits of an article.
const (
	MaxTitle = 200
	// MaxBody is the most characters a language version's body may have: a long guide, far
	// below what a paste by mistake (a log, a megabyte) would be.
	MaxBody = 50000
	// MaxClip is how much of a refused piece of Markdown a message repeats.
	MaxClip = 60
)

// Input is what a writer fills in to write or change an article.
type Input struct {
	Category   Category
	Visibility Visibility
	State      State
	TitleFR    string
	BodyFR     string
	TitleEN    string
	BodyEN     string
}

// clean makes a text field's one form: valid UTF-8, no control character but line breaks and
// tabs, one kind of line break, trimmed.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, s)
	return strings.TrimSpace(s)
}

// clip is s cut to MaxClip characters for a message.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= MaxClip {
		return s
	}
	return string([]rune(s)[:MaxClip]) + "…"
}

// Validate cleans the input (clean) and checks it, each failure beside its field (category,
// visibility, state, title_fr, body_fr, title_en, body_en):
//   - the category, visibility and state are among those offered;
//   - titles have at most MaxTitle characters on one line, bodies at most MaxBody characters, their
//     tables at most MaxTableColumns columns and MaxTableCells cells in all, and a body holds no
//     raw HTML, no image and no link but http, https, mailto or a desk path;
//   - at least one language has a title; a published article's languages are each complete: a
//     title with a body, or neither (the other language is then shown, with a notice).
func (in *Input) Validate() error {
	var es i18n.Errors
	in.TitleFR, in.TitleEN = clean(in.TitleFR), clean(in.TitleEN)
	in.BodyFR, in.BodyEN = clean(in.BodyFR), clean(in.BodyEN)
	if !in.Category.Valid() {
		es.Add(i18n.FieldError("category", "help.error.category"))
	}
	if !in.Visibility.Valid() {
		es.Add(i18n.FieldError("visibility", "help.error.visibility"))
	}
	if !in.State.Valid() {
		es.Add(i18n.FieldError("state", "help.error.state"))
	}
	for _, l := range Langs {
		title, body := in.TitleFR, in.BodyFR
		if l == "en" {
			title, body = in.TitleEN, in.BodyEN
		}
		switch {
		case utf8.RuneCountInString(title) > MaxTitle:
			es.Add(i18n.FieldError("title_"+l, "help.error.title_too_long", "Max", MaxTitle))
		case strings.ContainsRune(title, '\n'):
			es.Add(i18n.FieldError("title_"+l, "help.error.title_lines"))
		case in.State == Published && title == "" && body != "":
			es.Add(i18n.FieldError("title_"+l, "help.error.title_required"))
		}
		if n := utf8.RuneCountInString(body); n > MaxBody {
			es.Add(i18n.FieldError("body_"+l, "help.error.body_too_long", "Max", MaxBody, "Length", n))
			continue
		}
		if in.State == Published && body == "" && title != "" {
			es.Add(i18n.FieldError("body_"+l, "help.error.body_required"))
		}
		if !tablesFit(body) {
			es.Add(i18n.FieldError("body_"+l, "help.error.table", "Columns", MaxTableColumns, "Cells", MaxTableCells))
			continue
		}
		switch kind, what := hostile(body); kind {
		case "html":
			es.Add(i18n.FieldError("body_"+l, "help.error.html", "What", clip(what)))
		case "image":
			es.Add(i18n.FieldError("body_"+l, "help.error.image", "What", clip(what)))
		case "link":
			es.Add(i18n.FieldError("body_"+l, "help.error.link", "What", clip(what)))
		}
	}
	if in.TitleFR == "" && in.TitleEN == "" {
		es.Add(i18n.FieldError("title_fr", "help.error.no_language"))
	}
	return es.Err()
}
