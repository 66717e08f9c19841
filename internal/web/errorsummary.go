package web

import (
	"bytes"
	"html"
	"regexp"
	"sort"
	"strings"
)

// errorSlot is where the layout puts the error summary of a form shown again with its errors.
// The summary is written once the page is rendered, from the page itself: its entries follow the
// order of the fields in the form, and each names its field by the label the reader sees beside
// it, so that "This field is required." never stands alone.
const errorSlot = `<div id="error-summary-slot"></div>`

var (
	tagRE   = regexp.MustCompile(`(?s)<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// summaryEntry is one line of the summary: the field it links to, its name and its message.
type summaryEntry struct {
	field, label, msg string
	at                int // the field's position in the page; fields not found come last
}

// withErrorSummary replaces the layout's slot in body with the summary of errs.
func (h *handler) withErrorSummary(body []byte, lang string, errs map[string]string) []byte {
	slot := bytes.Index(body, []byte(errorSlot))
	if slot < 0 {
		return body
	}
	if len(errs) == 0 {
		return append(body[:slot:slot], body[slot+len(errorSlot):]...)
	}
	page := string(body)
	entries := make([]summaryEntry, 0, len(errs))
	for field, msg := range errs {
		e := summaryEntry{field: field, msg: msg, at: -1}
		if field != "" {
			if i := strings.Index(page, `id="f-`+field+`"`); i >= 0 {
				e.at = i
			}
			e.label = fieldLabel(page, field)
		}
		entries = append(entries, e)
	}
	sort.SliceStable(entries, func(i, j int) bool {
		a, b := entries[i], entries[j]
		if (a.field == "") != (b.field == "") {
			return a.field == "" // what concerns the whole form first
		}
		if (a.at < 0) != (b.at < 0) {
			return a.at >= 0
		}
		if a.at != b.at {
			return a.at < b.at
		}
		return a.field < b.field
	})
	var sb strings.Builder
	sb.WriteString(`<div class="errors" role="alert" id="error-summary"><p>`)
	sb.WriteString(html.EscapeString(h.Bundle.T(lang, "form.errors_intro", nil)))
	sb.WriteString("</p><ul>")
	for _, e := range entries {
		if e.field != "" && e.at < 0 {
			// A field the page does not show: a bug of the form, which the tests look for.
			sb.WriteString(`<li data-unshown-field="` + html.EscapeString(e.field) + `">`)
		} else {
			sb.WriteString("<li>")
		}
		text := e.msg
		if e.label != "" {
			text = h.Bundle.T(lang, "form.error_item", map[string]any{"Field": e.label, "Message": e.msg})
		}
		if e.field != "" && e.at >= 0 {
			sb.WriteString(`<a href="#f-` + html.EscapeString(e.field) + `">` + html.EscapeString(text) + `</a>`)
		} else {
			sb.WriteString(html.EscapeString(text))
		}
		sb.WriteString("</li>")
	}
	sb.WriteString("</ul></div>")
	out := make([]byte, 0, len(body)+sb.Len())
	out = append(out, body[:slot]...)
	out = append(out, sb.String()...)
	return append(out, body[slot+len(errorSlot):]...)
}

// fieldLabel reads the name the reader sees for field f-<field>: its <label for>, the legend of
// the fieldset it is, or the legend it is.
func fieldLabel(page, field string) string {
	id := `f-` + field
	if i := strings.Index(page, `for="`+id+`"`); i >= 0 {
		if start := strings.IndexByte(page[i:], '>'); start >= 0 {
			rest := page[i+start+1:]
			if end := strings.Index(rest, "</label>"); end >= 0 {
				return cleanLabel(rest[:end])
			}
		}
	}
	if i := strings.Index(page, `id="`+id+`"`); i >= 0 {
		// A fieldset names its group with its legend, the next element inside it.
		open := strings.LastIndexByte(page[:i], '<')
		if open >= 0 && strings.HasPrefix(page[open:], "<legend") {
			// A group named by its legend, the legend bearing the id.
			if start := strings.IndexByte(page[i:], '>'); start >= 0 {
				rest := page[i+start+1:]
				if end := strings.Index(rest, "</legend>"); end >= 0 {
					return cleanLabel(rest[:end])
				}
			}
		}
		if open >= 0 && strings.HasPrefix(page[open:], "<fieldset") {
			rest := page[i:]
			if l := strings.Index(rest, "<legend"); l >= 0 {
				if start := strings.IndexByte(rest[l:], '>'); start >= 0 {
					body := rest[l+start+1:]
					if end := strings.Index(body, "</legend>"); end >= 0 {
						return cleanLabel(body[:end])
					}
				}
			}
		}
	}
	return ""
}

// cleanLabel keeps a label's words: no markup, no required-field star, one space between words.
func cleanLabel(s string) string {
	s = html.UnescapeString(tagRE.ReplaceAllString(s, " "))
	s = strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
	return strings.TrimSpace(strings.TrimSuffix(s, "*"))
}
