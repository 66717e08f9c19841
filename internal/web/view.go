package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/timeline"
)

// views holds every page parsed once per language at start-up: `t` is bound to the language, so
// templates read `{{ t "key" }}` and rendering needs no per-request cloning or locking.
type views struct {
	pages map[string]map[string]*template.Template // lang → page name → template
	base  map[string]*template.Template            // lang → the layout and partials
	pool  sync.Pool
}

func loadViews(fsys fs.FS, b *i18n.Bundle) (*views, error) {
	v := &views{pages: map[string]map[string]*template.Template{}, base: map[string]*template.Template{}, pool: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
	names, err := fs.Glob(fsys, "pages/*/*.html")
	if err != nil {
		return nil, err
	}
	partials, err := fs.Glob(fsys, "partials/*.html")
	if err != nil {
		return nil, err
	}
	for _, lang := range i18n.Langs {
		base, err := template.New("layout.html").Funcs(funcs(b, lang)).ParseFS(fsys, append([]string{"layout.html"}, partials...)...)
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		v.pages[lang] = map[string]*template.Template{}
		for _, name := range names {
			t, err := template.Must(base.Clone()).ParseFS(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("templates: %w", err)
			}
			v.pages[lang][strings.TrimSuffix(strings.TrimPrefix(name, "pages/"), path.Ext(name))] = t
		}
		v.base[lang] = base // executed only once every page is cloned from it
	}
	return v, nil
}

// render writes page name in lang with data, through the layout.
func (v *views) render(lang, name string, data any) ([]byte, error) {
	t, ok := v.pages[lang][name]
	if !ok {
		return nil, fmt.Errorf("templates: no page %q", name)
	}
	buf := v.pool.Get().(*bytes.Buffer)
	buf.Reset()
	defer v.pool.Put(buf)
	if err := t.ExecuteTemplate(buf, "layout.html", data); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// fragment writes the partial name in lang with data, without the layout: a piece of a page
// that script asks for on its own (the help suggestions of the declaration form).
func (v *views) fragment(lang, name string, data any) ([]byte, error) {
	t, ok := v.base[lang]
	if !ok {
		return nil, fmt.Errorf("templates: no language %q", lang)
	}
	buf := v.pool.Get().(*bytes.Buffer)
	buf.Reset()
	defer v.pool.Put(buf)
	if err := t.ExecuteTemplate(buf, name, data); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

func funcs(b *i18n.Bundle, lang string) template.FuncMap {
	return template.FuncMap{
		// t translates key with its arguments, given as name-value pairs or as one map.
		"t": func(key string, pairs ...any) string {
			if len(pairs) == 1 {
				if m, ok := pairs[0].(map[string]any); ok {
					return b.T(lang, key, m)
				}
			}
			return b.T(lang, key, i18n.Pairs(pairs...))
		},
		"date": func(d calendar.Date) string { return b.FormatDate(lang, d) },
		"datetime": func(t any) string {
			switch x := t.(type) {
			case time.Time:
				return b.FormatDateTime(lang, x)
			case *time.Time:
				if x != nil {
					return b.FormatDateTime(lang, *x)
				}
			}
			return ""
		},
		// under says whether path is page or one of its sub-pages, for the menu's current entry.
		"under": func(path, page string) bool { return path == page || strings.HasPrefix(path, page+"/") },
		"has":   func(m map[string]string, k string) bool { _, ok := m[k]; return ok },
		"add":   func(a, b int) int { return a + b },
		// tlv shows a timeline event's before or after value for the reader.
		"tlv": func(vt timeline.ValueType, v string) string {
			switch vt {
			case timeline.Key:
				return b.T(lang, v, nil)
			case timeline.Date:
				if d, err := calendar.ParseDate(v); err == nil {
					return b.FormatDate(lang, d)
				}
			}
			return v
		},
		"filesize": func(n int64) string { return fileSize(b, lang, n) },
		"eqs":      func(a any, b string) bool { return fmt.Sprint(a) == b },
		// dict passes several values to a partial: {{ template "field" dict "Page" $ "Name" "login" }}.
		"dict": func(pairs ...any) map[string]any { return i18n.Pairs(pairs...) },
	}
}

// fileSize writes a size the way the reader's language does: "1,5 Mo", "1.5 MB".
func fileSize(b *i18n.Bundle, lang string, n int64) string {
	key, v := "size.kb", float64(n)/1024
	if n >= 1<<20 {
		key, v = "size.mb", float64(n)/(1<<20)
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return b.T(lang, key, map[string]any{"N": s})
}
