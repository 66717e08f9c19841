// Package i18n owns languages: the translation bundle, the choice of a reader's language,
// localized errors and dates.
package i18n

import (
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Langs are the languages the desk speaks, the first being the fallback of last resort.
var Langs = []string{"fr", "en"}

// Bundle translates message keys into fr and en.
type Bundle struct {
	bundle *goi18n.Bundle
	locs   map[string]*goi18n.Localizer
	dates  map[string]*dateWords
	// plain caches the messages read without arguments, which never change once loaded.
	plain sync.Map // lang + "\x00" + key → string
}

// Load reads en.toml and fr.toml from fsys. Both must exist and parse.
func Load(fsys fs.FS) (*Bundle, error) {
	b := goi18n.NewBundle(language.French)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	bd := &Bundle{bundle: b, locs: map[string]*goi18n.Localizer{}, dates: map[string]*dateWords{}}
	for _, lang := range Langs {
		if _, err := b.LoadMessageFileFS(fsys, lang+".toml"); err != nil {
			return nil, fmt.Errorf("i18n: %s.toml: %w", lang, err)
		}
		bd.locs[lang] = goi18n.NewLocalizer(b, lang)
	}
	for _, lang := range Langs {
		bd.dates[lang] = bd.loadDateWords(lang)
	}
	return bd, nil
}

// T translates key into lang. Args named Count also choose the plural form. A missing key
// renders as the key itself, which the catalogue test forbids from shipping.
func (b *Bundle) T(lang, key string, args map[string]any) string {
	if _, ok := b.locs[lang]; !ok {
		lang = Langs[0]
	}
	if len(args) == 0 {
		if s, ok := b.plain.Load(lang + "\x00" + key); ok {
			return s.(string)
		}
	}
	s, err := b.Lookup(lang, key, args)
	if err == nil && len(args) == 0 {
		b.plain.Store(lang+"\x00"+key, s)
	}
	if err != nil {
		return key
	}
	return s
}

// Has reports whether key has a non-empty translation in lang.
func (b *Bundle) Has(lang, key string) bool {
	s, err := b.locs[lang].Localize(&goi18n.LocalizeConfig{MessageID: key, PluralCount: 2})
	if err != nil {
		s, err = b.locs[lang].Localize(&goi18n.LocalizeConfig{MessageID: key})
	}
	return err == nil && strings.TrimSpace(s) != ""
}

// Message translates a localized error for a reader of lang.
func (b *Bundle) Message(lang string, e *Error) string { return b.T(lang, e.Key, e.Args) }

// Pairs turns name/value pairs into template arguments, for templates and code alike.
func Pairs(pairs ...any) map[string]any { return argsOf(pairs) }

var matcher = language.NewMatcher([]language.Tag{language.French, language.English})

// Negotiate picks the reader's language: the user's preference, then the lang cookie, then the
// Accept-Language header, then the configured default.
func Negotiate(preference, cookie, acceptLanguage, def string) string {
	for _, l := range []string{preference, cookie} {
		if l == "fr" || l == "en" {
			return l
		}
	}
	if acceptLanguage != "" {
		tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(tags) > 0 {
			_, idx, conf := matcher.Match(tags...)
			if conf != language.No {
				return []string{"fr", "en"}[idx]
			}
		}
	}
	return def
}

// Lookup translates like T but fails on a missing key, for mail: a message that cannot be
// rendered must fail its transaction, not go out with a key in place of a sentence.
func (b *Bundle) Lookup(lang, key string, args map[string]any) (string, error) {
	loc, ok := b.locs[lang]
	if !ok {
		return "", fmt.Errorf("i18n: unknown language %q", lang)
	}
	cfg := &goi18n.LocalizeConfig{MessageID: key, TemplateData: b.formatArgs(lang, args)}
	if n, ok := args["Count"]; ok {
		cfg.PluralCount = n
	}
	s, err := loc.Localize(cfg)
	if err != nil {
		return "", fmt.Errorf("i18n: %s: %w", key, err)
	}
	if strings.TrimSpace(s) == "" {
		return "", fmt.Errorf("i18n: %s is empty in %s", key, lang)
	}
	return s, nil
}
