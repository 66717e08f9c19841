// Package notify owns mail: the outbox written in the caller's transaction, recipients and
// their languages, rendering in each recipient's language, and the delivery worker.
package notify

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
)

// renderer holds every mail template parsed once per language, text and HTML.
type renderer struct {
	bundle *i18n.Bundle
	html   map[string]map[string]*htmltemplate.Template // lang → kind
	text   map[string]map[string]*texttemplate.Template
}

// Kinds are the messages the desk sends; each has email/<kind>.html, email/<kind>.txt and the
// key email.<kind>.subject.
func kindsIn(fsys fs.FS) ([]string, error) {
	names, err := fs.Glob(fsys, "email/*.txt")
	if err != nil {
		return nil, fmt.Errorf("notify: list mail templates: %w", err)
	}
	var kinds []string
	for _, n := range names {
		if k := strings.TrimSuffix(path.Base(n), ".txt"); k != "layout" {
			kinds = append(kinds, k)
		}
	}
	return kinds, nil
}

func newRenderer(fsys fs.FS, b *i18n.Bundle) (*renderer, error) {
	kinds, err := kindsIn(fsys)
	if err != nil {
		return nil, err
	}
	r := &renderer{bundle: b, html: map[string]map[string]*htmltemplate.Template{}, text: map[string]map[string]*texttemplate.Template{}}
	for _, lang := range i18n.Langs {
		fm := funcs(b, lang)
		hbase, err := htmltemplate.New("layout.html").Option("missingkey=error").Funcs(htmltemplate.FuncMap(fm)).ParseFS(fsys, "email/layout.html")
		if err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
		tbase, err := texttemplate.New("layout.txt").Option("missingkey=error").Funcs(texttemplate.FuncMap(fm)).ParseFS(fsys, "email/layout.txt")
		if err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
		r.html[lang], r.text[lang] = map[string]*htmltemplate.Template{}, map[string]*texttemplate.Template{}
		for _, k := range kinds {
			if r.html[lang][k], err = htmltemplate.Must(hbase.Clone()).ParseFS(fsys, "email/"+k+".html"); err != nil {
				return nil, fmt.Errorf("notify: %w", err)
			}
			if r.text[lang][k], err = texttemplate.Must(tbase.Clone()).ParseFS(fsys, "email/"+k+".txt"); err != nil {
				return nil, fmt.Errorf("notify: %w", err)
			}
		}
	}
	return r, nil
}

// funcs are the templates' helpers; `t` fails on a missing key so that rendering fails loudly.
func funcs(b *i18n.Bundle, lang string) map[string]any {
	return map[string]any{
		"t":        func(key string, pairs ...any) (string, error) { return b.Lookup(lang, key, i18n.Pairs(pairs...)) },
		"dict":     func(pairs ...any) map[string]any { return i18n.Pairs(pairs...) },
		"date":     func(d calendar.Date) string { return b.FormatDate(lang, d) },
		"datetime": func(t time.Time) string { return b.FormatDateTime(lang, t) },
		// euros writes an amount the services pass as "1234.50" in the reader's way.
		"euros": func(amount string) (string, error) {
			cents, ok := i18n.ParseCents(amount)
			if !ok {
				return "", fmt.Errorf("notify: amount %q is not euros with two decimals", amount)
			}
			return i18n.FormatEuros(lang, cents), nil
		},
	}
}

// rendered is one message in one language.
type rendered struct {
	Subject, Text, HTML string
}

func (r *renderer) render(lang, kind string, data map[string]any) (rendered, error) {
	h, ok := r.html[lang][kind]
	if !ok {
		return rendered{}, fmt.Errorf("notify: no mail %q in %q", kind, lang)
	}
	subject, err := r.bundle.Lookup(lang, "email."+kind+".subject", data)
	if err != nil {
		return rendered{}, fmt.Errorf("notify: subject of %s in %s: %w", kind, lang, err)
	}
	data["Subject"], data["Lang"] = subject, lang
	var hb, tb bytes.Buffer
	if err := h.ExecuteTemplate(&hb, "layout.html", data); err != nil {
		return rendered{}, fmt.Errorf("notify: %s.html in %s: %w", kind, lang, err)
	}
	if err := r.text[lang][kind].ExecuteTemplate(&tb, "layout.txt", data); err != nil {
		return rendered{}, fmt.Errorf("notify: %s.txt in %s: %w", kind, lang, err)
	}
	return rendered{Subject: subject, Text: strings.TrimSpace(tb.String()) + "\n", HTML: hb.String()}, nil
}
