package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/BurntSushi/toml"
	"github.com/guichet/guichet/locales"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// TestCrawlTranslations visits every page each demo persona reaches from the home page, in
// French and in English, and fails on any raw translation key shown (in text or in a visible
// attribute), on English text on a French page and on French text on an English page.
//
// "English text" is the value of a key whose two translations differ, in a distinctive piece (two
// words or more, or a word of eight letters or more, and found nowhere in the other language's
// file): a French page may show none of it, in a text node or in an attribute a person reads or
// hears (title, aria-label, placeholder, alt, the confirmation texts, a button's value). Text
// that is not the desk's own words is left aside: inside an element marked data-user-content
// (what people typed: titles, descriptions, replies, names of their things) or inside an element
// whose lang attribute names the other language (the language switcher, a mail shown in the
// language it was written in). Raw keys are looked for everywhere.
//
// Every failure is printed at once, grouped by check and page, so that one run tells all.
func TestCrawlTranslations(t *testing.T) {
	cat := loadCatalogue(t)
	d := newDesk(t)
	seedCrawlDesk(t, d.App)

	var fails failureList
	pages := 0
	for _, p := range crawlPersonas() {
		// One login per persona (the login form allows ten posts a minute from one address); the
		// language switcher then sets the persona's language.
		c := d.client(t)
		c.Login(p.Login)
		for _, lang := range []string{"fr", "en"} {
			c.Lang = lang
			if r := c.Post("/lang", url.Values{"lang": {lang}, "next": {"/"}}); r.Status != 303 {
				t.Fatalf("%s: switch to %s: status %d", p.Login, lang, r.Status)
			}
			base, _ := url.Parse("http://127.0.0.1/")
			q := newCrawlQueue(base)
			who := p.Login + " " + lang
			for u := q.next(); u != nil; u = q.next() {
				r := c.Get(u.RequestURI())
				pattern := routePattern(u)
				fail := func(check, detail string) {
					fails.add(pageFailure{Check: check, Pattern: pattern, Who: who, Page: u.RequestURI(), Detail: detail})
				}
				switch {
				case r.Status >= 300 && r.Status < 400:
					if to, ok := crawlable(u, r.Location); ok {
						q.add(to)
					}
					continue
				case r.Status != 200:
					fail("status", fmt.Sprintf("status %d", r.Status))
					continue
				case !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html"):
					continue
				}
				pages++
				doc, err := html.Parse(strings.NewReader(r.Body))
				if err != nil {
					fail("html", err.Error())
					continue
				}
				for _, link := range pageLinks(doc) {
					if to, ok := crawlable(u, link); ok {
						q.add(to)
					}
				}
				checkPageWords(cat, doc, lang, fail)
			}
		}
	}
	t.Logf("%d pages read (%d personas, 2 languages)", pages, len(crawlPersonas()))
	if pages < 2*len(crawlPersonas())*5 {
		t.Errorf("only %d pages read: the crawl found too few links to mean anything", pages)
	}
	fails.report(t, "page crawl (raw keys, wrong language)")
}

// The crawl's checks find a raw key, and words of the other language, in text and in spoken
// attributes, and leave aside user content, parts marked in the other language and identifiers.
func TestCrawlChecksFindWhatTheyLookFor(t *testing.T) {
	cat := loadCatalogue(t)
	for lang, index := range cat.foreign {
		n := 0
		for _, ps := range index {
			n += len(ps)
		}
		t.Logf("a page in %s may show none of %d pieces of the other language", lang, n)
		if n < 500 {
			t.Errorf("only %d distinctive pieces of the other language for pages in %s", n, lang)
		}
	}
	for _, lang := range []string{"fr", "en"} {
		other := map[string]string{"fr": "en", "en": "fr"}[lang]
		foreign := cat.values[other]["nav.logout"][0]
		page := `<!DOCTYPE html><html lang="` + lang + `"><head><title>Guichet</title></head><body><main>
<p>` + cat.values[lang]["nav.logout"][0] + ` : contract.level.</p>
<button type="submit" title="` + foreign + `">x</button>
<p data-user-content>` + foreign + ` <span>nav.logout</span></p>
<button type="submit" lang="` + other + `">` + foreign + `</button>
<code>change.approved</code>
</main></body></html>`
		doc, err := html.Parse(strings.NewReader(page))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		checkPageWords(cat, doc, lang, func(check, detail string) { got = append(got, check+": "+detail) })
		sort.Strings(got)
		want := []string{
			`raw key: contract.level. in main > p: "` + cat.values[lang]["nav.logout"][0] + ` : contract.level."`,
			`raw key: nav.logout in main > p > span: "nav.logout"`,
			`wrong language: "` + foreign + `" (nav.logout) in main > button@title: "` + foreign + `"`,
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s page: the checks found\n%s\nwant\n%s", lang, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// catalogue is what the crawl knows of the locale files.
type catalogue struct {
	keys   map[string]bool                // every key
	roots  map[string]bool                // every key's first segment
	values map[string]map[string][]string // lang → key → values (every plural form)
	// foreign[lang] indexes, by their first word, the distinctive pieces of the other
	// language's values: what a page in lang must not show.
	foreign map[string]map[string][]piece
}

// piece is a distinctive piece of a translation: a value's text between its arguments.
type piece struct{ text, key string }

var (
	placeholder = regexp.MustCompile(`\{\{[^}]*\}\}`)
	letters     = regexp.MustCompile(`\p{L}+`)
	keyShape    = regexp.MustCompile(`^[a-z_]+(\.[a-z0-9_]+)+\.?$`)
)

// loadCatalogue reads en.toml and fr.toml and indexes the distinctive pieces of each.
func loadCatalogue(t *testing.T) *catalogue {
	t.Helper()
	values := map[string]map[string][]string{} // lang → key → values (every plural form)
	cat := &catalogue{keys: map[string]bool{}, roots: map[string]bool{}, values: values, foreign: map[string]map[string][]piece{}}
	for _, lang := range []string{"en", "fr"} {
		data, err := locales.FS.ReadFile(lang + ".toml")
		if err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		if err := toml.Unmarshal(data, &raw); err != nil {
			t.Fatalf("%s.toml: %v", lang, err)
		}
		values[lang] = map[string][]string{}
		for k, v := range raw {
			cat.keys[k] = true
			cat.roots[strings.SplitN(k, ".", 2)[0]] = true
			switch v := v.(type) {
			case string:
				values[lang][k] = []string{v}
			case map[string]any:
				for _, form := range []string{"zero", "one", "two", "few", "many", "other"} {
					if s, ok := v[form].(string); ok {
						values[lang][k] = append(values[lang][k], s)
					}
				}
			}
		}
	}
	corpus := map[string]string{} // every value of a language, normalized and lower-cased
	for lang, vs := range values {
		var b strings.Builder
		for _, list := range vs {
			for _, v := range list {
				b.WriteString(strings.ToLower(normSpace(placeholder.ReplaceAllString(v, " "))))
				b.WriteString("\n")
			}
		}
		corpus[lang] = b.String()
	}
	for lang, other := range map[string]string{"fr": "en", "en": "fr"} {
		index := map[string][]piece{}
		keys := make([]string, 0, len(values[other]))
		for k := range values[other] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if sameValues(values[other][k], values[lang][k]) {
				continue
			}
			for _, v := range values[other][k] {
				for _, p := range placeholder.Split(v, -1) {
					p = strings.TrimFunc(normSpace(p), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
					if !distinctive(p) || containsWord(corpus[lang], strings.ToLower(p)) {
						continue
					}
					first := firstWord(p)
					index[first] = append(index[first], piece{text: p, key: k})
				}
			}
		}
		cat.foreign[lang] = index
	}
	return cat
}

func sameValues(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if normSpace(a[i]) != normSpace(b[i]) {
			return false
		}
	}
	return true
}

// distinctive says whether a piece of a translation tells its language: two words or more
// (unless every word is capitalized, as in a name), or one word of eight letters or more.
func distinctive(p string) bool {
	words := letters.FindAllString(p, -1)
	switch {
	case len(words) >= 2:
		for _, w := range words {
			if r := []rune(w); !unicode.IsUpper(r[0]) {
				return true
			}
		}
		return false
	case len(words) == 1:
		return len([]rune(words[0])) >= 8
	}
	return false
}

// normSpace turns every run of white space (no-break spaces included) into one space.
func normSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// firstWord is the leading run of letters and digits of s.
func firstWord(s string) string {
	end := strings.IndexFunc(s, func(r rune) bool { return !isWordRune(r) })
	if end < 0 {
		return s
	}
	return s[:end]
}

// containsWord says whether s holds w with no letter or digit touching either end.
func containsWord(s, w string) bool {
	for from := 0; ; {
		i := strings.Index(s[from:], w)
		if i < 0 {
			return false
		}
		i += from
		if boundaryBefore(s, i) && boundaryAfter(s, i+len(w)) {
			return true
		}
		from = i + 1
	}
}

func boundaryBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	r := []rune(s[:i])
	return !isWordRune(r[len(r)-1])
}

func boundaryAfter(s string, i int) bool {
	for _, r := range s[i:] {
		return !isWordRune(r)
	}
	return true
}

// foreignIn returns the other language's pieces that text shows.
func (c *catalogue) foreignIn(lang, text string) []piece {
	index := c.foreign[lang]
	var found []piece
	for i, r := range text {
		if !isWordRune(r) || !boundaryBefore(text, i) {
			continue
		}
		for _, p := range index[firstWord(text[i:])] {
			if strings.HasPrefix(text[i:], p.text) && boundaryAfter(text, i+len(p.text)) {
				found = append(found, p)
			}
		}
	}
	return found
}

// rawKeys returns the words of text that are translation keys, or look like one of them (the
// first segment of a key, then dotted lower-case segments, as contract.level. is).
func (c *catalogue) rawKeys(text string) []string {
	var found []string
	for _, w := range strings.Fields(text) {
		w = strings.Trim(w, "()[]«»\"'“”‘’,;:!?")
		if c.keys[w] || (keyShape.MatchString(w) && c.roots[strings.SplitN(w, ".", 2)[0]]) {
			found = append(found, w)
		}
	}
	return found
}

// spokenAttrs are the attributes a person reads or hears.
var spokenAttrs = []string{"title", "aria-label", "aria-description", "placeholder", "alt",
	"data-confirm", "data-confirm-question", "data-confirm-yes", "data-confirm-no"}

// checkPageWords reports the raw keys and the other language's words of the page doc, which
// should be in lang.
func checkPageWords(cat *catalogue, doc *html.Node, lang string, fail func(check, detail string)) {
	if got := pageLang(doc); got != lang {
		fail("page language", fmt.Sprintf("<html lang=%q>, want %q", got, lang))
	}
	var walk func(n *html.Node, own bool)
	check := func(n *html.Node, where, text string, own bool) {
		text = normSpace(text)
		if text == "" {
			return
		}
		if ks := cat.rawKeys(text); len(ks) > 0 {
			fail("raw key", fmt.Sprintf("%s in %s: %q", strings.Join(ks, ", "), where, clip(text, 120)))
		}
		if !own {
			return
		}
		if found := foreignPieces(cat.foreignIn(lang, text)); found != "" {
			fail("wrong language", fmt.Sprintf("%s in %s: %q", found, where, clip(text, 160)))
		}
	}
	// own is whether the node is the desk's own words in the page's language: not user content,
	// not marked as another language.
	walk = func(n *html.Node, own bool) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Script, atom.Style, atom.Template:
				return
			case atom.Code, atom.Kbd, atom.Samp: // identifiers: event names, fields, commands
				return
			}
			if hasAttr(n, "data-user-content") {
				own = false
			}
			if l, ok := attr(n, "lang"); ok {
				own = own && primaryLang(l) == lang
			}
			if n.DataAtom == atom.Textarea { // what the person types
				own = false
			}
			for _, a := range spokenAttrs {
				if v, ok := attr(n, a); ok {
					check(n, describe(n)+"@"+a, v, own)
				}
			}
			if v, ok := attr(n, "value"); ok && (n.DataAtom == atom.Button || n.DataAtom == atom.Input && isButtonInput(n)) {
				check(n, describe(n)+"@value", v, own)
			}
		}
		if n.Type == html.TextNode && n.Parent != nil {
			check(n.Parent, describe(n.Parent), n.Data, own)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, own)
		}
	}
	walk(doc, true)
}

// foreignPieces says which pieces were found, each once with the keys it is the value of,
// leaving out a piece found inside a longer one ("Demande de changement" in "Demande de
// changement reçue").
func foreignPieces(ps []piece) string {
	keys := map[string][]string{}
	for _, p := range ps {
		keys[p.text] = append(keys[p.text], p.key)
	}
	texts := make([]string, 0, len(keys))
	for text := range keys {
		longer := false
		for other := range keys {
			if other != text && containsWord(other, text) {
				longer = true
			}
		}
		if !longer {
			texts = append(texts, text)
		}
	}
	sort.Strings(texts)
	parts := make([]string, len(texts))
	for i, text := range texts {
		ks := keys[text]
		sort.Strings(ks)
		ks = slices.Compact(ks)
		if len(ks) > 3 {
			ks = append(ks[:3], "…")
		}
		parts[i] = fmt.Sprintf("%q (%s)", text, strings.Join(ks, ", "))
	}
	return strings.Join(parts, "; ")
}

func isButtonInput(n *html.Node) bool {
	typ, _ := attr(n, "type")
	switch strings.ToLower(typ) {
	case "submit", "button", "reset":
		return true
	}
	return false
}

func primaryLang(l string) string { return strings.ToLower(strings.SplitN(l, "-", 2)[0]) }

func pageLang(doc *html.Node) string {
	var lang string
	var find func(n *html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Html {
			lang, _ = attr(n, "lang")
			return
		}
		for ch := n.FirstChild; ch != nil && lang == ""; ch = ch.NextSibling {
			find(ch)
		}
	}
	find(doc)
	return lang
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func hasAttr(n *html.Node, name string) bool { _, ok := attr(n, name); return ok }

// describe names an element for a failure: its tag, id and classes, under up to three of its
// ancestors.
func describe(n *html.Node) string {
	var parts []string
	for e := n; e != nil && e.Type == html.ElementNode && len(parts) < 4; e = e.Parent {
		s := e.Data
		if id, ok := attr(e, "id"); ok && id != "" {
			s += "#" + id
		}
		if cl, ok := attr(e, "class"); ok && cl != "" {
			s += "." + strings.Join(strings.Fields(cl), ".")
		}
		parts = append([]string{s}, parts...)
		if e.DataAtom == atom.Main || e.DataAtom == atom.Body {
			break
		}
	}
	return strings.Join(parts, " > ")
}

// pageLinks returns the addresses a person can go to from the page: its links, and its GET
// forms (filters, searches, the catalogue's steps) sent as they stand.
func pageLinks(doc *html.Node) []string {
	var links []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.A:
				if href, ok := attr(n, "href"); ok {
					links = append(links, href)
				}
			case atom.Form:
				if m, _ := attr(n, "method"); m == "" || strings.EqualFold(m, "get") {
					action, _ := attr(n, "action")
					q := formValues(n).Encode()
					if q != "" {
						action += "?" + q
					}
					links = append(links, action)
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	return links
}

// formValues is what a browser sends for form as it stands, without pressing a named button.
func formValues(form *html.Node) url.Values {
	v := url.Values{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name, named := attr(n, "name")
			_, disabled := attr(n, "disabled")
			if named && name != "" && !disabled {
				switch n.DataAtom {
				case atom.Input:
					typ, _ := attr(n, "type")
					val, _ := attr(n, "value")
					switch strings.ToLower(typ) {
					case "submit", "button", "reset", "image", "file":
					case "checkbox", "radio":
						if hasAttr(n, "checked") {
							if val == "" {
								val = "on"
							}
							v.Add(name, val)
						}
					default:
						v.Add(name, val)
					}
				case atom.Select:
					v.Add(name, selectedOption(n))
				case atom.Textarea:
					v.Add(name, textOf(n))
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(form)
	return v
}

// selectedOption is the value of the option a select shows: the selected one, else the first.
func selectedOption(sel *html.Node) string {
	var first, chosen *html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Option {
			if first == nil {
				first = n
			}
			if chosen == nil && hasAttr(n, "selected") {
				chosen = n
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(sel)
	if chosen == nil {
		chosen = first
	}
	if chosen == nil {
		return ""
	}
	if v, ok := attr(chosen, "value"); ok {
		return v
	}
	return normSpace(textOf(chosen))
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return b.String()
}
