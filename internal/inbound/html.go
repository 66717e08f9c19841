package inbound

import (
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText converts an HTML body to plain text for reading, never for display as HTML:
// script, style and other hidden content is dropped, entities are decoded, whitespace
// collapses as a browser would, block elements become line breaks (paragraphs a blank line),
// list items start with "- ", blockquotes become "> " lines (so that StripQuotes sees
// them), links keep their text followed by their http(s) address when it differs, images
// are dropped.
func htmlToText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var t htmlText
	hidden := 0      // depth inside <template>, whose content is not shown
	skipRaw := false // the next text token is the raw content of <script>, <style>…
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		raw := skipRaw
		skipRaw = false
		switch tt {
		case html.TextToken:
			if !raw && hidden == 0 {
				t.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			switch {
			case hiddenRaw[a]:
				skipRaw = true
				continue
			case a == atom.Template:
				if tt == html.StartTagToken {
					hidden++
				}
				continue
			}
			href := ""
			if a == atom.A && hasAttr {
				href = attr(z, "href")
			}
			t.start(a, href)
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if a == atom.Template {
				if hidden > 0 {
					hidden--
				}
				continue
			}
			t.end(a)
		}
	}
	return t.result()
}

// hiddenRaw are the elements the tokenizer reads as raw text that a mail reader does not
// show (scripts being off, noscript's content is what would be shown, but it is raw markup).
var hiddenRaw = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Title: true, atom.Noscript: true,
	atom.Iframe: true, atom.Noembed: true, atom.Noframes: true,
}

// blockBreaks is how many line breaks an element puts around itself.
var blockBreaks = map[atom.Atom]int{
	atom.P: 2, atom.H1: 2, atom.H2: 2, atom.H3: 2, atom.H4: 2, atom.H5: 2, atom.H6: 2,
	atom.Pre: 2, atom.Table: 2, atom.Ul: 2, atom.Ol: 2, atom.Dl: 2, atom.Hr: 2,
	atom.Div: 1, atom.Li: 1, atom.Tr: 1, atom.Blockquote: 1, atom.Address: 1, atom.Article: 1,
	atom.Aside: 1, atom.Center: 1, atom.Dd: 1, atom.Dt: 1, atom.Details: 1, atom.Dialog: 1,
	atom.Fieldset: 1, atom.Figcaption: 1, atom.Figure: 1, atom.Footer: 1, atom.Form: 1,
	atom.Header: 1, atom.Main: 1, atom.Nav: 1, atom.Section: 1, atom.Summary: 1,
	atom.Caption: 1, atom.Body: 1, atom.Html: 1,
}

func attr(z *html.Tokenizer, key string) string {
	for {
		k, v, more := z.TagAttr()
		if string(k) == key {
			return string(v)
		}
		if !more {
			return ""
		}
	}
}

// htmlText accumulates the text of an HTML document.
type htmlText struct {
	b       strings.Builder
	breaks  int  // line breaks due before the next text
	space   bool // a space is due before the next word
	bullet  bool // "- " is due before the next text
	started bool // some text was written
	quote   int  // blockquote depth
	pre     int  // <pre> depth
	href    string
	linkAt  int // b.Len() when the current link started
}

func (t *htmlText) lineBreaks(n int) {
	if t.started && n > t.breaks {
		t.breaks = n
	}
}

func (t *htmlText) start(a atom.Atom, href string) {
	switch a {
	case atom.Br:
		if t.started {
			t.breaks++
		}
		return
	case atom.Td, atom.Th:
		t.space = true
		return
	case atom.Blockquote:
		t.lineBreaks(1)
		t.quote++
		return
	case atom.Pre:
		t.pre++
	case atom.Li:
		t.lineBreaks(1)
		t.bullet = true
		return
	case atom.A:
		t.href, t.linkAt = href, t.b.Len()
		return
	}
	if n, ok := blockBreaks[a]; ok {
		t.lineBreaks(n)
	}
}

func (t *htmlText) end(a atom.Atom) {
	switch a {
	case atom.Blockquote:
		if t.quote > 0 {
			t.quote--
		}
	case atom.Pre:
		if t.pre > 0 {
			t.pre--
		}
	case atom.A:
		t.endLink()
		return
	case atom.Td, atom.Th:
		t.space = true
		return
	}
	if n, ok := blockBreaks[a]; ok {
		t.lineBreaks(n)
	}
}

// endLink writes the link's address after its text when it says more than the text.
func (t *htmlText) endLink() {
	href := strings.TrimSpace(t.href)
	t.href = ""
	lower := strings.ToLower(href)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return
	}
	if t.linkAt > t.b.Len() {
		return
	}
	label := strings.TrimSpace(t.b.String()[t.linkAt:])
	if label == "" || label == href || strings.TrimSuffix(label, "/") == strings.TrimSuffix(strings.SplitN(href, "://", 2)[1], "/") {
		return
	}
	t.write(" (" + strings.Join(strings.Fields(href), "") + ")")
}

// text writes a text token, whitespace collapsed outside <pre>.
func (t *htmlText) text(s string) {
	if t.pre > 0 {
		for i, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
			if i > 0 {
				t.breaks++
			}
			if line != "" {
				t.write(line)
			}
		}
		return
	}
	if s != "" && isHTMLSpace(s[0]) {
		t.space = true
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return r < 0x80 && isHTMLSpace(byte(r)) })
	for i, w := range words {
		if i > 0 {
			t.space = true
		}
		t.write(strings.ReplaceAll(w, "\u00a0", " "))
	}
	if s != "" && isHTMLSpace(s[len(s)-1]) {
		t.space = true
	}
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// write writes s after the due line breaks, quote prefix, bullet or space.
func (t *htmlText) write(s string) {
	prefix := strings.Repeat("> ", t.quote)
	if t.breaks > 0 {
		for i := 0; i < t.breaks; i++ {
			t.b.WriteString("\n")
			if i < t.breaks-1 && t.quote > 0 {
				t.b.WriteString(strings.TrimSpace(prefix))
			}
		}
		t.breaks, t.space = 0, false
		t.b.WriteString(prefix)
	} else if !t.started {
		t.b.WriteString(prefix)
		t.space = false
	}
	if t.bullet {
		t.b.WriteString("- ")
		t.bullet, t.space = false, false
	}
	if t.space {
		t.b.WriteString(" ")
		t.space = false
	}
	t.b.WriteString(s)
	t.started = true
}

var manyBlankLines = regexp.MustCompile(`\n{3,}`)

// result trims trailing spaces and keeps at most one blank line in a row.
func (t *htmlText) result() string {
	lines := strings.Split(t.b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\u00a0")
	}
	return strings.TrimSpace(manyBlankLines.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}
