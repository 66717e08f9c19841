package api

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"math"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/i18n"
)

// The reference page: the OpenAPI document written out for people, served by the desk itself
// under its CSP (no script, no style attribute, nothing from another origin). Its chrome is in
// the reader's language; the operations' summaries and descriptions are the document's own,
// in English.

//go:embed reference.html
var referenceFS embed.FS

// referenceTemplate is parsed once, when the program starts: a broken template stops it.
var referenceTemplate = template.Must(template.New("reference.html").Funcs(referenceFuncs(nil, "en")).
	ParseFS(referenceFS, "reference.html"))

// ReferencePath is where the reference page is served.
const ReferencePath = Prefix + "/reference"

func init() {
	pages = append(pages, func(s *server, r fiber.Router, api huma.API) {
		rendered := s.renderReference(api.OpenAPI())
		r.Get("/reference", func(c *fiber.Ctx) error {
			lang := i18n.Negotiate(c.Query("lang"), c.Cookies("lang"), c.Get(fiber.HeaderAcceptLanguage), s.Config.DefaultLang)
			page, ok := rendered[lang]
			if !ok {
				page = rendered[i18n.Langs[0]]
			}
			c.Set(fiber.HeaderContentLanguage, lang)
			c.Set(fiber.HeaderVary, "Accept-Language, Cookie")
			c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
			return c.Send(page)
		}).Name("public") // for the route walks: anyone may read it, like the document
	})
}

// renderReference writes the page in every language once, from the finished document; an
// error is a bug of this file or of the template, and stops the program at start.
func (s *server) renderReference(doc *huma.OpenAPI) map[string][]byte {
	out := map[string][]byte{}
	for _, lang := range i18n.Langs {
		data := s.referenceOf(doc, lang)
		t := template.Must(referenceTemplate.Clone()).Funcs(referenceFuncs(s.Bundle, lang))
		var buf bytes.Buffer
		if err := t.Execute(&buf, data); err != nil {
			panic(fmt.Errorf("api: the reference page: %w", err))
		}
		out[lang] = buf.Bytes()
	}
	return out
}

// referenceFuncs are the template's functions for a reader of lang: t translates the chrome,
// note a constraint of a field, md the document's text with its `code` spans.
func referenceFuncs(b *i18n.Bundle, lang string) template.FuncMap {
	t := func(key string, pairs ...any) string {
		if b == nil {
			return key
		}
		return b.T(lang, key, i18n.Pairs(pairs...))
	}
	return template.FuncMap{
		"t": t,
		// note writes a schema's constraint, its values as code: they are identifiers.
		"note": func(n refNote) template.HTML {
			pairs := slices.Clone(n.Pairs)
			values := map[string]string{}
			for i := 1; i < len(pairs); i += 2 {
				mark := "\x00" + strconv.Itoa(i) + "\x00"
				values[mark], pairs[i] = fmt.Sprint(pairs[i]), mark
			}
			s := html.EscapeString(t(n.Key, pairs...))
			for mark, v := range values {
				parts := strings.Split(v, ", ")
				for j, p := range parts {
					parts[j] = "<code>" + html.EscapeString(p) + "</code>"
				}
				s = strings.Replace(s, mark, strings.Join(parts, ", "), 1)
			}
			return template.HTML(s)
		},
		"md": refCodeSpans,
		// tag names a group of operations in the reader's language, its document name otherwise.
		"tag": func(name string) template.HTML {
			if key := "api.tag." + refSlug(name); b != nil && b.Has(lang, key) {
				return template.HTML(html.EscapeString(b.T(lang, key, nil)))
			}
			return template.HTML(`<span lang="en">` + html.EscapeString(name) + `</span>`)
		},
		// breakable lets a long path wrap after its slashes.
		"breakable": func(path string) template.HTML {
			return template.HTML(strings.ReplaceAll(html.EscapeString(path), "/", "/<wbr>"))
		},
	}
}

var refCodeSpan = regexp.MustCompile("`([^`]+)`")

// refCodeSpans escapes the document's text and writes its `code` spans as <code>.
func refCodeSpans(s string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range refCodeSpan.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(html.EscapeString(s[last:m[0]]))
		b.WriteString("<code>" + html.EscapeString(s[m[2]:m[3]]) + "</code>")
		last = m[1]
	}
	b.WriteString(html.EscapeString(s[last:]))
	return template.HTML(b.String())
}

// The page's model.
type (
	refPage struct {
		Lang, Other          string // the page's language, and the other one offered
		Title, Version, Info string
		DocPath              string
		Example              string // a first request, with the desk's address
		Rate                 int
		KeepHours            int
		Schemes              []refScheme
		Problem              string // a problem as this reader gets it
		Tags                 []refTag
		Schemas              []refSchema
	}
	refScheme struct {
		Name, Type, Scheme, Format, Description string
	}
	refTag struct {
		Name, ID string
		Ops      []refOp
	}
	refOp struct {
		ID, Method, Path, Summary, Description string
		Deprecated, Public, Write              bool
		Params                                 []refField
		Body                                   *refBody
		Responses                              []refResponse
	}
	refBody struct {
		Required   bool
		MediaTypes []string
		Type       refType
		Fields     []refField
	}
	refResponse struct {
		Status      string
		Default     bool
		Description string
		MediaTypes  []string
		Type        refType
		Headers     []refField
	}
	refSchema struct {
		Name, ID, Description string
		Fields                []refField
	}
	refField struct {
		Name, In    string
		Required    bool
		Type        refType
		Description string
		Notes       []refNote
		Convention  string // the anchor of the convention the field belongs to
	}
	refType struct {
		Text string
		Link string // the anchor of its schema, if it has one
	}
	refNote struct {
		Key   string
		Pairs []any
	}
)

const refSchemaPrefix = "#/components/schemas/"

// refConvention links the parameters every operation shares to the page's explanation of them.
var refConvention = map[string]string{
	"cursor": "pagination", "limit": "pagination", IdempotencyHeader: "idempotency", "If-Match": "versions",
	"ETag": "versions", "Link": "pagination", "Retry-After": "rate-limit",
}

var refMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func (s *server) referenceOf(doc *huma.OpenAPI, lang string) refPage {
	p := refPage{Lang: lang, Other: "en", DocPath: Prefix + "/openapi.json", Rate: int(math.Round(s.limiter.rate * 60)),
		KeepHours: int(IdempotencyKeep.Hours())}
	if lang == "en" {
		p.Other = "fr"
	}
	if doc.Info != nil {
		p.Title, p.Version, p.Info = doc.Info.Title, doc.Info.Version, doc.Info.Description
	}
	p.Example = "curl -H 'Authorization: Bearer gch_…' " + s.Config.BaseURL + Prefix + "/me"
	var reg huma.Registry
	if doc.Components != nil {
		reg = doc.Components.Schemas
		for _, name := range refSortedKeys(doc.Components.SecuritySchemes) {
			sc := doc.Components.SecuritySchemes[name]
			p.Schemes = append(p.Schemes, refScheme{Name: name, Type: sc.Type, Scheme: sc.Scheme, Format: sc.BearerFormat,
				Description: sc.Description})
		}
	}
	p.Problem = s.referenceProblem(lang)
	tags := map[string]*refTag{}
	for _, path := range refSortedKeys(doc.Paths) {
		item := doc.Paths[path]
		for _, method := range refMethods {
			o := refOperation(item, method)
			if o == nil || o.Hidden {
				continue
			}
			tag := "API"
			if len(o.Tags) > 0 {
				tag = o.Tags[0]
			}
			if tags[tag] == nil {
				tags[tag] = &refTag{Name: tag, ID: "tag-" + refSlug(tag)}
			}
			tags[tag].Ops = append(tags[tag].Ops, s.referenceOperation(reg, doc, method, path, o))
		}
	}
	for _, name := range refSortedKeys(tags) {
		p.Tags = append(p.Tags, *tags[name])
	}
	if reg != nil {
		schemas := reg.Map()
		for _, name := range refSortedKeys(schemas) {
			sc := schemas[name]
			p.Schemas = append(p.Schemas, refSchema{Name: name, ID: "schema-" + name, Description: sc.Description,
				Fields: refFieldsOf(reg, sc, "", 0)})
		}
	}
	return p
}

func refOperation(item *huma.PathItem, method string) *huma.Operation {
	switch method {
	case http.MethodGet:
		return item.Get
	case http.MethodPost:
		return item.Post
	case http.MethodPut:
		return item.Put
	case http.MethodPatch:
		return item.Patch
	case http.MethodDelete:
		return item.Delete
	}
	return nil
}

func (s *server) referenceOperation(reg huma.Registry, doc *huma.OpenAPI, method, path string, o *huma.Operation) refOp {
	// An operation's anchor is its id, which the document keeps stable: links to it last.
	op := refOp{ID: "op-" + strings.Join(strings.Fields(o.OperationID), "-"), Method: method, Path: Prefix + path,
		Summary: o.Summary, Description: o.Description, Deprecated: o.Deprecated,
		Write: method != http.MethodGet && method != http.MethodHead}
	if op.ID == "op-" {
		op.ID = "op-" + refSlug(method+" "+path)
	}
	security := doc.Security
	if o.Security != nil {
		security = o.Security
	}
	op.Public = len(security) == 0
	for _, prm := range o.Parameters {
		if prm == nil {
			continue
		}
		f := refField{Name: prm.Name, In: prm.In, Required: prm.Required, Type: refTypeOf(prm.Schema),
			Description: prm.Description, Notes: refNotesOf(prm.Schema), Convention: refConvention[prm.Name]}
		if f.Description == "" && prm.Schema != nil {
			f.Description = prm.Schema.Description
		}
		op.Params = append(op.Params, f)
	}
	if rb := o.RequestBody; rb != nil {
		body := &refBody{Required: rb.Required}
		for _, mt := range refSortedKeys(rb.Content) {
			body.MediaTypes = append(body.MediaTypes, mt)
			if body.Type.Text == "" && rb.Content[mt] != nil {
				sc := rb.Content[mt].Schema
				body.Type = refTypeOf(sc)
				body.Fields = refFieldsOf(reg, refResolve(reg, sc), "", 0)
			}
		}
		op.Body = body
	}
	statuses := refSortedKeys(o.Responses)
	sort.SliceStable(statuses, func(i, j int) bool { return statuses[j] == "default" && statuses[i] != "default" })
	for _, st := range statuses {
		r := o.Responses[st]
		if r == nil {
			continue
		}
		resp := refResponse{Status: st, Default: st == "default", Description: r.Description}
		for _, mt := range refSortedKeys(r.Content) {
			resp.MediaTypes = append(resp.MediaTypes, mt)
			if resp.Type.Text == "" && r.Content[mt] != nil && r.Content[mt].Schema != nil {
				resp.Type = refTypeOf(r.Content[mt].Schema)
			}
		}
		for _, name := range refSortedKeys(r.Headers) {
			h := r.Headers[name]
			f := refField{Name: name, Convention: refConvention[name]}
			if h != nil {
				f.Description = h.Description
				if f.Description == "" && h.Schema != nil {
					f.Description = h.Schema.Description
				}
			}
			resp.Headers = append(resp.Headers, f)
		}
		op.Responses = append(op.Responses, resp)
	}
	return op
}

// refResolve follows a schema's reference.
func refResolve(reg huma.Registry, sc *huma.Schema) *huma.Schema {
	for i := 0; sc != nil && sc.Ref != "" && reg != nil && i < 8; i++ {
		sc = reg.SchemaFromRef(sc.Ref)
	}
	return sc
}

// refFieldsOf lists an object's properties: the required ones in the order of the type, then the
// others by name. An inline object's own properties follow it, named parent.child; a named
// one is linked to its schema.
func refFieldsOf(reg huma.Registry, sc *huma.Schema, prefix string, depth int) []refField {
	if sc == nil || len(sc.Properties) == 0 || depth > 4 {
		return nil
	}
	names := slices.Clone(sc.Required)
	names = slices.DeleteFunc(names, func(n string) bool { return sc.Properties[n] == nil })
	for _, n := range refSortedKeys(sc.Properties) {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	var out []refField
	for _, n := range names {
		prop := sc.Properties[n]
		out = append(out, refField{Name: prefix + n, Required: slices.Contains(sc.Required, n), Type: refTypeOf(prop),
			Description: prop.Description, Notes: refNotesOf(prop)})
		inner, suffix := prop, "."
		if inner.Type == "array" && inner.Items != nil {
			inner, suffix = inner.Items, "[]."
		}
		if inner.Ref == "" {
			out = append(out, refFieldsOf(reg, inner, prefix+n+suffix, depth+1)...)
		}
	}
	return out
}

// refTypeOf writes a schema's type as a reader of JSON reads it: string, integer, Incident,
// File[], string (date-time).
func refTypeOf(sc *huma.Schema) refType {
	switch {
	case sc == nil:
		return refType{Text: "any"}
	case sc.Ref != "":
		name := strings.TrimPrefix(sc.Ref, refSchemaPrefix)
		return refType{Text: name, Link: "schema-" + name}
	case sc.Type == "array":
		t := refTypeOf(sc.Items)
		t.Text += "[]"
		return t
	case len(sc.OneOf) > 0 || len(sc.AnyOf) > 0:
		var parts []string
		for _, x := range append(slices.Clone(sc.OneOf), sc.AnyOf...) {
			parts = append(parts, refTypeOf(x).Text)
		}
		return refType{Text: strings.Join(parts, " | ")}
	case sc.Type == "":
		return refType{Text: "any"}
	}
	t := sc.Type
	switch {
	case sc.ContentEncoding != "":
		t += " (" + sc.ContentEncoding + ")"
	case sc.Format != "" && sc.Format != "int64" && sc.Format != "int32" && sc.Format != "double" && sc.Format != "float":
		t += " (" + sc.Format + ")"
	}
	return refType{Text: t}
}

// refNotesOf are a field's constraints, to be said in the reader's language.
func refNotesOf(sc *huma.Schema) []refNote {
	if sc == nil {
		return nil
	}
	var out []refNote
	enum := sc.Enum
	if len(enum) == 0 && sc.Type == "array" && sc.Items != nil {
		enum = sc.Items.Enum
	}
	if len(enum) > 0 {
		var vs []string
		for _, v := range enum {
			vs = append(vs, fmt.Sprint(v))
		}
		out = append(out, refNote{"api.reference.note.enum", []any{"Values", strings.Join(vs, ", ")}})
	}
	if sc.MinLength != nil && *sc.MinLength > 0 {
		out = append(out, refNote{"api.reference.note.min_length", []any{"N", *sc.MinLength}})
	}
	if sc.MaxLength != nil {
		out = append(out, refNote{"api.reference.note.max_length", []any{"N", *sc.MaxLength}})
	}
	if sc.MaxItems != nil {
		out = append(out, refNote{"api.reference.note.max_items", []any{"N", *sc.MaxItems}})
	}
	if sc.Minimum != nil && sc.Maximum != nil {
		out = append(out, refNote{"api.reference.note.range", []any{"Min", refNumber(*sc.Minimum), "Max", refNumber(*sc.Maximum)}})
	}
	if sc.Default != nil {
		out = append(out, refNote{"api.reference.note.default", []any{"Value", refJSON(sc.Default)}})
	}
	if len(sc.Examples) > 0 {
		out = append(out, refNote{"api.reference.note.example", []any{"Value", refJSON(sc.Examples[0])}})
	}
	return out
}

func refNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func refJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// referenceProblem is a refused declaration as a reader of lang gets it.
func (s *server) referenceProblem(lang string) string {
	t := func(key string) string {
		if s.Bundle == nil {
			return key
		}
		return s.Bundle.T(lang, key, nil)
	}
	p := ProblemDetails{Type: "about:blank", Title: t("api.problem.422"), Status: http.StatusUnprocessableEntity,
		Detail: t("api.problem.invalid"), Instance: Prefix + "/incidents",
		Errors: []FieldError{{Field: "title", Message: t("api.field.required")}}}
	b, _ := json.MarshalIndent(p, "", "  ")
	return string(b)
}

var refNotSlug = regexp.MustCompile(`[^a-z0-9]+`)

// refSlug makes an anchor of a name.
func refSlug(s string) string {
	return strings.Trim(refNotSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

func refSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
