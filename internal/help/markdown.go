package help

import (
	"bytes"
	"html"
	"html/template"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Articles are Markdown (CommonMark with tables, strikethrough and bare links made links). The
// writer's raw HTML is refused on saving (Check) and never rendered: goldmark leaves it out, and
// bluemonday's policy for user content cleans what goldmark writes, as the net under both.

// markdown parses and renders articles. Headings move one level down: the page's title is the
// only h1, so an article's "# Title" is an h2.
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(headingShift{}, 100))),
)

// sanitizer is bluemonday's policy for user content: no script, no event handler, no style, and
// only http, https and mailto links, marked nofollow when they leave the desk.
var sanitizer = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.RequireNoReferrerOnFullyQualifiedLinks(true)
	return p
}()

// untabled parses and renders like markdown without tables: for a body whose tables are over
// the limits (tableCells), which a parser with tables would pad to millions of cells.
var untabled = goldmark.New(
	goldmark.WithExtensions(extension.Strikethrough, extension.Linkify),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(headingShift{}, 100))),
)

// Limits of an article's tables: the parser pads every row to the columns of the table's
// delimiter row, so a few kilobytes of Markdown could make millions of cells.
const (
	MaxTableColumns = 20
	MaxTableCells   = 5000
)

// tableCells bounds, in one pass over md's lines, what its tables could make: the most columns
// of a delimiter row ("| --- | :-: |"), and the cells of every table if each row were padded to
// them (a table's rows taken as the lines that follow it up to a blank one).
func tableCells(md string) (columns, cells int) {
	lines := strings.Split(md, "\n")
	// below[i]: the lines from i on up to the next blank one.
	below := make([]int, len(lines)+1)
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.TrimSpace(lines[i]) != "" {
			below[i] = below[i+1] + 1
		}
	}
	for i, line := range lines {
		if c := delimiterColumns(line); c > 0 {
			columns = max(columns, c)
			cells += c * (2 + below[i+1]) // the header row, the delimiter row, the rows below
		}
	}
	return columns, cells
}

// delimiterColumns is the number of columns of a table's delimiter row, 0 when line is not one:
// cells of dashes with optional colons, separated by pipes, at least one pipe. The row may stand
// in a quote or a list item ("> |-|-|", "- |-|-|"): the line is read with and without what could
// be their markers, and the most columns count.
func delimiterColumns(line string) int {
	return max(rowColumns(line), rowColumns(containerless(line)))
}

// containerless is line without the markers of the quotes and list items it may stand in.
func containerless(line string) string {
	for {
		t := strings.TrimLeft(line, " \t")
		if strings.HasPrefix(t, ">") {
			line = t[1:]
			continue
		}
		if len(t) > 1 && strings.ContainsRune("-*+", rune(t[0])) && (t[1] == ' ' || t[1] == '\t') {
			line = t[2:]
			continue
		}
		digits := len(t) - len(strings.TrimLeft(t, "0123456789"))
		if digits > 0 && len(t) > digits+1 && strings.ContainsRune(".)", rune(t[digits])) && (t[digits+1] == ' ' || t[digits+1] == '\t') {
			line = t[digits+2:]
			continue
		}
		return t
	}
}

// rowColumns is delimiterColumns of line as it is.
func rowColumns(line string) int {
	t := strings.TrimSpace(line)
	if !strings.Contains(t, "|") || !strings.Contains(t, "-") {
		return 0
	}
	t = strings.TrimSuffix(strings.TrimPrefix(t, "|"), "|")
	n := 0
	for cell := range strings.SplitSeq(t, "|") {
		cell = strings.TrimSpace(cell)
		cell = strings.TrimSuffix(strings.TrimPrefix(cell, ":"), ":")
		if cell == "" || strings.Trim(cell, "-") != "" {
			return 0
		}
		n++
	}
	return n
}

// tablesFit reports whether md's tables are within the limits.
func tablesFit(md string) bool {
	columns, cells := tableCells(md)
	return columns <= MaxTableColumns && cells <= MaxTableCells
}

// engine is the Markdown parser and renderer for md: with tables when they fit the limits.
func engine(md string) goldmark.Markdown {
	if tablesFit(md) {
		return markdown
	}
	return untabled
}

type headingShift struct{}

func (headingShift) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering && h.Level < 6 {
			h.Level++
		}
		return ast.WalkContinue, nil
	})
}

// Render is the HTML of an article's Markdown body, sanitized. Each table comes in a box that
// scrolls sideways on a narrow screen and can take the focus to be scrolled with the keyboard,
// named tableLabel for screen readers ("" for a box without a name, outside pages).
func Render(md, tableLabel string) template.HTML {
	var b bytes.Buffer
	if err := engine(md).Convert([]byte(md), &b); err != nil {
		// goldmark's renderer fails only when its writer does, and a buffer does not.
		return template.HTML(template.HTMLEscapeString(md))
	}
	out := string(sanitizer.SanitizeBytes(b.Bytes()))
	if strings.Contains(out, "<table>") {
		// Added after sanitizing: the writer's text never reaches these attributes.
		open := `<div class="tablewrap" tabindex="0">`
		if tableLabel != "" {
			open = `<div class="tablewrap" role="region" tabindex="0" aria-label="` + html.EscapeString(tableLabel) + `">`
		}
		out = strings.ReplaceAll(strings.ReplaceAll(out, "<table>", open+"<table>"), "</table>", "</table></div>")
	}
	return template.HTML(out)
}

// Plain is the text of an article's Markdown body as a reader reads it: the words of its
// paragraphs, headings, lists, tables and links, without the markup, one block a line. The
// search index reads it, and excerpts are cut from it.
func Plain(md string) string {
	src := []byte(md)
	doc := engine(md).Parser().Parse(text.NewReader(src))
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Text:
			if entering {
				b.Write(n.Segment.Value(src))
				if n.SoftLineBreak() || n.HardLineBreak() {
					b.WriteByte(' ')
				}
			}
		case *ast.String:
			if entering {
				b.Write(n.Value)
			}
		case *ast.AutoLink:
			if entering {
				b.Write(n.Label(src))
			}
		case *ast.CodeSpan:
			if entering {
				for c := n.FirstChild(); c != nil; c = c.NextSibling() {
					if t, ok := c.(*ast.Text); ok {
						b.Write(t.Segment.Value(src))
					}
				}
				return ast.WalkSkipChildren, nil
			}
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			if entering {
				lines := n.Lines()
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					b.Write(seg.Value(src))
				}
			}
		case *ast.HTMLBlock, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		}
		if !entering && n.Type() == ast.TypeBlock && b.Len() > 0 && !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// Excerpt is the start of plain, at most max characters, cut at a word, on one line.
func Excerpt(plain string, max int) string {
	// The words up to the first that goes past max, with the length up to each.
	var words []string
	var ends []int
	n := 0
	for w := range strings.FieldsSeq(plain) {
		if n > 0 {
			n++
		}
		n += utf8.RuneCountInString(w)
		words, ends = append(words, w), append(ends, n)
		if n > max {
			break
		}
	}
	if n <= max {
		return strings.Join(words, " ")
	}
	// Cut: the words that leave room for "…".
	k := len(words)
	for k > 0 && ends[k-1] > max-1 {
		k--
	}
	if k == 0 { // a first word longer than max
		return string([]rune(words[0])[:max]) + "…"
	}
	return strings.TrimRight(strings.Join(words[:k], " "), ",;:.") + "…"
}

// hostile is the first thing in md an article may not hold, and what it is: raw HTML ("html"),
// an image ("image"), or a link whose address is neither http, https, mailto nor a path of the
// desk ("link"). It returns "" for Markdown that is fine. md's tables fit the limits (Validate
// checks them first): it is parsed with tables.
func hostile(md string) (kind, what string) {
	src := []byte(md)
	doc := markdown.Parser().Parse(text.NewReader(src))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || kind != "" {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.HTMLBlock:
			var b strings.Builder
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				b.Write(seg.Value(src))
			}
			kind, what = "html", b.String()
		case *ast.RawHTML:
			var b strings.Builder
			for i := 0; i < n.Segments.Len(); i++ {
				seg := n.Segments.At(i)
				b.Write(seg.Value(src))
			}
			kind, what = "html", b.String()
		case *ast.Image:
			kind, what = "image", string(n.Destination)
		case *ast.Link:
			if !safeURL(string(n.Destination)) {
				kind, what = "link", string(n.Destination)
			}
		case *ast.AutoLink:
			if n.AutoLinkType != ast.AutoLinkEmail && !safeURL(string(n.URL(src))) { // an e-mail address renders as a mailto link
				kind, what = "link", string(n.URL(src))
			}
		}
		return ast.WalkContinue, nil
	})
	return kind, what
}

// safeURL reports whether a link may point to u: an http, https or mailto address, or a path,
// query or fragment of the desk.
func safeURL(u string) bool {
	u = strings.TrimSpace(u)
	if u == "" || strings.HasPrefix(u, "#") || strings.HasPrefix(u, "?") {
		return true
	}
	if strings.HasPrefix(u, "//") || strings.ContainsAny(u, "\\\x00") {
		return false
	}
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https":
		return p.Host != ""
	case "mailto":
		return p.Opaque != ""
	case "":
		return strings.HasPrefix(u, "/") && !strings.Contains(strings.SplitN(u, "?", 2)[0], ":")
	}
	return false
}
