package web

import (
	"bytes"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// multiline are the form fields that are written on several lines (the desk's textareas, and
// the change catalogue's fields, whose own validator knows which are textareas): only these may
// carry line breaks.
func multiline(name string) bool {
	switch name {
	case "body", "description", "details", "note", "reason",
		// major incidents' texts in each language, and lists typed one per line
		"description_fr", "description_en", "body_fr", "body_en", "tenants", "numbers",
		// canned responses' texts
		"text_fr", "text_en":
		return true
	}
	return strings.HasPrefix(name, "v_")
}

// badText reports whether s is not valid UTF-8, or holds a control character a person cannot
// type: NUL and the other C0 and C1 controls, and line breaks where a line is expected. Tabs
// pass (they are pasted from spreadsheets).
func badText(s string, lines bool) bool {
	if !utf8.ValidString(s) {
		return true
	}
	return strings.ContainsFunc(s, func(r rune) bool {
		if r == '\t' || (lines && (r == '\n' || r == '\r')) {
			return false
		}
		return unicode.IsControl(r)
	})
}

// cleanText is s without what badText refuses, line breaks kept, for showing the input back.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, s)
}

// keptField is one field shown back on the refusal page, so that nothing typed is lost: its
// label's message key, what was typed and whether it held what was refused.
type keptField struct {
	Label, Value string
	Bad          bool
}

// fieldLabels names the fields the refusal page gives back, those people type free text into,
// with their label's message key ("" for "what you typed"). Nothing else is ever shown back:
// not a password, a confirmation, a code or a token, whatever its field is called.
var fieldLabels = map[string]string{
	"q": "common.search", "title": "incident.field.title", "description": "incident.field.description",
	"region_other": "incident.field.region_other", "phone": "incident.field.phone", "body": "timeline.reply_label",
	"login": "users.login", "email": "users.email", "display_name": "users.name",
	"reason": "", "note": "", "details": "", "holder_name": "", "holder_email": "", "contract_name": "",
	"title_fr": "", "title_en": "", "description_fr": "", "description_en": "", "body_fr": "", "body_en": "",
	"tenants": "", "numbers": "", "name": "", "text_fr": "", "text_en": "",
}

// shownBack says whether the refusal page gives the field back, and under which label.
func shownBack(name string) (label string, ok bool) {
	label, ok = fieldLabels[name]
	if !ok && !strings.HasPrefix(name, "v_") { // the change catalogue's fields
		return "", false
	}
	if label == "" {
		label = "error.page.bad_input.value"
	}
	return label, true
}

// checkInput refuses at the edge what no handler should have to think about: text that is not
// UTF-8, control characters, line breaks in one-line fields and query parameters, and a
// multipart body that cannot be read (which would otherwise drop its files silently). The
// refusal is a 400 page in the reader's language that gives back what was typed, cleaned.
func (h *handler) checkInput(c *fiber.Ctx) error {
	var fields []keptField
	bad := badText(c.Path(), false)
	add := func(k, v string, lines bool) {
		bf := badText(k, false) || badText(v, lines)
		bad = bad || bf
		if label, ok := shownBack(k); ok {
			fields = append(fields, keptField{Label: label, Value: cleanText(v), Bad: bf})
		}
	}
	c.Context().QueryArgs().VisitAll(func(k, v []byte) { add(string(k), string(v), false) })
	if bad {
		return h.refuseInput(c, fields)
	}
	if err := checkPage(c); err != nil {
		return err
	}
	if c.Method() != fiber.MethodPost {
		return c.Next()
	}
	fields = fields[:0]
	ct := c.Context().Request.Header.ContentType()
	switch {
	case bytes.HasPrefix(bytes.ToLower(ct), []byte(fiber.MIMEMultipartForm)):
		form, err := c.MultipartForm()
		if err != nil {
			return h.refuseMultipart(c)
		}
		for k, vs := range form.Value {
			for _, v := range vs {
				add(k, v, multiline(k))
			}
		}
	default:
		c.Context().PostArgs().VisitAll(func(k, v []byte) { add(string(k), string(v), multiline(string(k))) })
	}
	if bad {
		return h.refuseInput(c, fields)
	}
	return c.Next()
}

// refuseInput answers 400 with the fields given back, secrets left out, those refused first.
func (h *handler) refuseInput(c *fiber.Ctx, fields []keptField) error {
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].Bad && !fields[j].Bad })
	p := h.page(c, "error.page.bad_input.title")
	p.V["Message"] = "error.page.bad_input.text"
	p.V["Status"] = fiber.StatusBadRequest
	p.V["Kept"] = fields
	return h.renderStatus(c, fiber.StatusBadRequest, "errors/error", p)
}

func (h *handler) refuseMultipart(c *fiber.Ctx) error {
	p := h.page(c, "error.page.bad_form.title")
	p.V["Message"] = "error.page.bad_form.text"
	p.V["Status"] = fiber.StatusBadRequest
	return h.renderStatus(c, fiber.StatusBadRequest, "errors/error", p)
}

// postValue reads a field of the request body only, never of the query string, where it
// would travel in logs, histories and Referer headers.
func postValue(c *fiber.Ctx, name string) string {
	if form, err := c.MultipartForm(); err == nil {
		if vs := form.Value[name]; len(vs) > 0 {
			return vs[0]
		}
		return ""
	} else if err != fasthttp.ErrNoMultipartForm {
		return ""
	}
	return string(c.Context().PostArgs().Peek(name))
}
