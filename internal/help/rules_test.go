package help_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/i18n"
)

// fieldKeys maps each field of a validation error to its message.
func fieldKeys(t *testing.T, err error) map[string]*i18n.Error {
	t.Helper()
	out := map[string]*i18n.Error{}
	if err == nil {
		return out
	}
	es, ok := i18n.AsErrors(err)
	if !ok {
		t.Fatalf("not a validation error: %v", err)
	}
	for _, e := range es {
		out[e.Field] = e
	}
	return out
}

// valid is a published article complete in both languages.
func valid() help.Input {
	return help.Input{Category: help.Access, Visibility: help.Public, State: help.Published,
		TitleFR: "Réinitialiser son mot de passe",
		BodyFR:  "Ouvrez **Mon compte**, puis [la page de connexion](/login) ou écrivez à [l’équipe](mailto:support@example.com).",
		TitleEN: "Reset your password",
		BodyEN:  "Open **My account**, then the [sign-in page](https://guichet.example/login)."}
}

func TestInputValidate(t *testing.T) {
	with := func(f func(in *help.Input)) help.Input {
		in := valid()
		f(&in)
		return in
	}
	mega := strings.Repeat("Un journal collé par erreur. ", 1<<20/29+1)
	for _, tc := range []struct {
		name string
		in   help.Input
		want map[string]string // field → key
	}{
		{"valid", valid(), nil},
		{"French only", with(func(in *help.Input) { in.TitleEN, in.BodyEN = "", "" }), nil},
		{"English only", with(func(in *help.Input) { in.TitleFR, in.BodyFR = "", "" }), nil},
		{"each visibility and category", with(func(in *help.Input) { in.Visibility, in.Category = help.Staff, help.Cloud }), nil},
		{"unknown category", with(func(in *help.Input) { in.Category = "billing" }), map[string]string{"category": "help.error.category"}},
		{"no category", with(func(in *help.Input) { in.Category = "" }), map[string]string{"category": "help.error.category"}},
		{"unknown visibility", with(func(in *help.Input) { in.Visibility = "internal" }), map[string]string{"visibility": "help.error.visibility"}},
		{"unknown state", with(func(in *help.Input) { in.State = "archived" }), map[string]string{"state": "help.error.state"}},
		{"title too long", with(func(in *help.Input) { in.TitleFR = strings.Repeat("é", help.MaxTitle+1) }),
			map[string]string{"title_fr": "help.error.title_too_long"}},
		{"title at the limit", with(func(in *help.Input) { in.TitleEN = strings.Repeat("é", help.MaxTitle) }), nil},
		{"title on two lines", with(func(in *help.Input) { in.TitleEN = "Reset\nyour password" }), map[string]string{"title_en": "help.error.title_lines"}},
		{"title with a carriage return", with(func(in *help.Input) { in.TitleFR = "Mot\rde passe" }), map[string]string{"title_fr": "help.error.title_lines"}},
		{"published title without body", with(func(in *help.Input) { in.BodyEN = "" }), map[string]string{"body_en": "help.error.body_required"}},
		{"published title with a blank body", with(func(in *help.Input) { in.BodyFR = " \r\n\t " }), map[string]string{"body_fr": "help.error.body_required"}},
		{"published body without title", with(func(in *help.Input) { in.TitleFR = "" }), map[string]string{"title_fr": "help.error.title_required"}},
		{"draft title without body", with(func(in *help.Input) { in.State, in.BodyFR, in.BodyEN = help.Draft, "", "" }), nil},
		{"draft body without title", with(func(in *help.Input) { in.State, in.TitleEN = help.Draft, "" }), nil},
		{"a megabyte body", with(func(in *help.Input) { in.BodyEN = mega }), map[string]string{"body_en": "help.error.body_too_long"}},
		{"body one over the limit", with(func(in *help.Input) { in.BodyFR = strings.Repeat("é", help.MaxBody+1) }),
			map[string]string{"body_fr": "help.error.body_too_long"}},
		{"body at the limit", with(func(in *help.Input) { in.BodyFR = strings.Repeat("é", help.MaxBody) }), nil},
		{"body at the limit once CRLF counts one", with(func(in *help.Input) { in.BodyFR = "a" + strings.Repeat("\r\na", help.MaxBody/2-1) }), nil},
		{"a table at the limits", with(func(in *help.Input) {
			in.BodyFR = table(help.MaxTableColumns, help.MaxTableCells/help.MaxTableColumns-2)
		}), nil},
		{"a table one column too wide", with(func(in *help.Input) { in.BodyFR = table(help.MaxTableColumns+1, 1) }),
			map[string]string{"body_fr": "help.error.table"}},
		{"a table one row too long", with(func(in *help.Input) {
			in.BodyEN = table(help.MaxTableColumns, help.MaxTableCells/help.MaxTableColumns-1)
		}),
			map[string]string{"body_en": "help.error.table"}},
		{"a table bomb", with(func(in *help.Input) { in.BodyEN = tableBomb() }), map[string]string{"body_en": "help.error.table"}},
		{"a table bomb in a quote", with(func(in *help.Input) { in.BodyEN = quoted(tableBombOf(1000), "> ") }), map[string]string{"body_en": "help.error.table"}},
		{"a table bomb in a list item", with(func(in *help.Input) { in.BodyFR = quoted(tableBombOf(1000), "1. ") }), map[string]string{"body_fr": "help.error.table"}},
		{"a table bomb in a quote in a list item", with(func(in *help.Input) { in.BodyFR = quoted(tableBombOf(1000), " - > ") }),
			map[string]string{"body_fr": "help.error.table"}},
		{"a table in a quote within the limits", with(func(in *help.Input) { in.BodyFR = quoted(table(help.MaxTableColumns, 3), "> ") }), nil},
		{"no title in either language", with(func(in *help.Input) { in.State, in.TitleFR, in.TitleEN = help.Draft, "", "" }),
			map[string]string{"title_fr": "help.error.no_language"}},
		{"nothing at all", help.Input{Category: help.General, Visibility: help.Public, State: help.Published},
			map[string]string{"title_fr": "help.error.no_language"}},
		{"blank titles", with(func(in *help.Input) { in.State, in.TitleFR, in.TitleEN = help.Draft, " \t", "\x00 " }),
			map[string]string{"title_fr": "help.error.no_language"}},
		{"everything wrong", help.Input{Category: "x", Visibility: "y", State: "z", BodyEN: "<p>hi</p>"}, map[string]string{
			"category": "help.error.category", "visibility": "help.error.visibility", "state": "help.error.state",
			"body_en": "help.error.html", "title_fr": "help.error.no_language"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			got := fieldKeys(t, in.Validate())
			if len(got) != len(tc.want) {
				t.Errorf("errors %v, want %v", got, tc.want)
			}
			for f, key := range tc.want {
				if got[f] == nil || got[f].Key != key {
					t.Errorf("field %s: %v, want %s", f, got[f], key)
				}
			}
		})
	}
}

// table is a Markdown table of columns columns: its header, its delimiter row and rows rows.
func table(columns, rows int) string {
	line := func(cell string) string { return "|" + strings.Repeat(" "+cell+" |", columns) + "\n" }
	return "Avant le tableau.\n\n" + line("Titre") + line("---") + strings.Repeat(line("x"), rows) + "\nAprès le tableau."
}

// quoted is md with each line after prefix (a quote's or a list item's marker).
func quoted(md, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimSuffix(md, "\n"), "\n", "\n"+prefix)
}

// tableBomb is under 50,000 characters of Markdown that a table parser pads to 30 million cells:
// a header and a delimiter row of 10,000 columns, then 3,000 one-cell rows.
func tableBomb() string { return tableBombOf(3000) }

// tableBombOf is a table bomb of rows one-cell rows.
func tableBombOf(rows int) string {
	return strings.Repeat("|a", 10000) + "|\n" + strings.Repeat("|-", 10000) + "|\n" + strings.Repeat("|b\n", rows)
}

// Tables beyond the limits are refused on saving (above); whatever the database holds, a body
// over them is rendered, indexed and checked without its tables, as text: never padded to
// millions of cells. A table within the limits is a table.
func TestTablesOverTheLimitsAreText(t *testing.T) {
	bomb := tableBomb()
	if n := len(bomb); n > help.MaxBody {
		t.Fatalf("the bomb has %d characters, more than a body may: it tests nothing", n)
	}
	html := string(help.Render(bomb, "Tableau"))
	if strings.Contains(html, "<table") || strings.Count(html, "<td") > 0 || len(html) > 3*len(bomb) {
		t.Errorf("the table bomb renders %d bytes of HTML, with a table: %.200s", len(html), html)
	}
	if plain := help.Plain(bomb); len(plain) > len(bomb) {
		t.Errorf("the table bomb's plain text has %d bytes", len(plain))
	}
	for _, md := range []string{quoted(bomb, "> "), quoted(bomb, "- ")} {
		if html := string(help.Render(md, "")); strings.Contains(html, "<table") || len(html) > 3*len(md) {
			t.Errorf("a quoted table bomb renders %d bytes of HTML, with a table: %.200s", len(html), html)
		}
	}
	ok := table(3, 2)
	if html := string(help.Render(ok, "Tableau")); strings.Count(html, "<td>") != 6 || !strings.Contains(html, `<div class="tablewrap"`) {
		t.Errorf("a 3×2 table renders %s", html)
	}
	// Pipes in text are not a table's delimiter row.
	for _, md := range []string{"a | b | c\n\nx - y | z", "| a | - |", "---", "- | - x"} {
		in := valid()
		in.BodyFR = md
		if err := in.Validate(); err != nil {
			t.Errorf("%q refused: %v", md, err)
		}
	}
}

// The refusal of a body too long says how long it is and what the most is.
func TestBodyTooLongSaysTheLength(t *testing.T) {
	in := valid()
	in.BodyEN = strings.Repeat("x", 1<<20)
	e := fieldKeys(t, in.Validate())["body_en"]
	if e == nil || e.Key != "help.error.body_too_long" || e.Args["Length"] != 1<<20 || e.Args["Max"] != help.MaxBody {
		t.Fatalf("got %+v", e)
	}
}

// A body holding raw HTML, an image, or a link that is neither http, https, mailto nor a path of
// the desk is refused beside its field, the message repeating what was refused; safe links pass.
func TestHostileMarkdownRefused(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		key, what  string // "" key: accepted
	}{
		{"script block", "Texte.\n\n<script>alert(1)</script>", "help.error.html", "<script>alert(1)</script>"},
		{"image tag with a handler", "<img src=x onerror=alert(1)>", "help.error.html", "<img src=x onerror=alert(1)>"},
		{"inline tag with a handler", "Un mot <b onclick=x>gras</b>.", "help.error.html", "<b onclick=x>"},
		{"iframe", "<iframe src=\"https://evil.example\"></iframe>", "help.error.html", ""},
		{"HTML comment", "a <!-- caché --> b", "help.error.html", ""},
		{"javascript link", "[x](javascript:alert(1))", "help.error.link", "javascript:alert(1)"},
		{"javascript link in capitals", "[x](JAVASCRIPT:alert(1))", "help.error.link", "JAVASCRIPT:alert(1)"},
		{"javascript link after spaces", "[x](  javascript:alert(1))", "help.error.link", "javascript:alert(1)"},
		{"javascript link in angle brackets", "[x](<javascript:alert(1)>)", "help.error.link", "javascript:alert(1)"},
		{"javascript autolink", "<javascript:alert(1)>", "help.error.link", "javascript:alert(1)"},
		{"javascript autolink with an at sign", "<javascript:alert(1)@evil.example>", "help.error.link", "javascript:alert(1)@evil.example"},
		{"javascript reference link", "[x][1]\n\n[1]: javascript:alert(1)", "help.error.link", "javascript:alert(1)"},
		{"entity-encoded javascript", "[x](javascript&#58;alert(1))", "help.error.link", ""},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "help.error.link", ""},
		{"vbscript link", "[x](vbscript:msgbox(1))", "help.error.link", "vbscript:msgbox(1)"},
		{"protocol-relative link", "[x](//evil.example)", "help.error.link", "//evil.example"},
		{"backslash link", "[x](/\\evil.example)", "help.error.link", ""},
		{"http without host", "[x](http:evil)", "help.error.link", "http:evil"},
		{"ftp link", "[x](ftp://files.example/a)", "help.error.link", "ftp://files.example/a"},
		{"relative path", "[x](status)", "help.error.link", "status"},
		{"path with a scheme-like colon", "[x](/a:b)", "help.error.link", "/a:b"},
		{"image", "![a](https://x/y.png)", "help.error.image", "https://x/y.png"},
		{"image by reference", "![a][i]\n\n[i]: https://x/y.png", "help.error.image", "https://x/y.png"},
		{"a long refusal is clipped", "[x](javascript:" + strings.Repeat("a", 100) + ")", "help.error.link",
			"javascript:" + strings.Repeat("a", help.MaxClip-len("javascript:")) + "…"},

		{"https link", "[doc](https://docs.example/guide)", "", ""},
		{"http link", "[doc](http://docs.example/guide?a=1#b)", "", ""},
		{"mailto link", "[écrivez-nous](mailto:support@example.com)", "", ""},
		{"https autolink", "<https://docs.example/guide>", "", ""},
		{"bare address", "Voir www.example.com et https://docs.example.", "", ""},
		{"desk path", "[statut](/status)", "", ""},
		{"desk path with a query", "[liste](/incidents?q=a:b)", "", ""},
		{"anchor", "[plus bas](#etapes)", "", ""},
		{"query of this page", "[page 2](?page=2)", "", ""},
		{"angle brackets in code are not HTML", "Tapez `<script>` ou\n\n    <b>x</b>", "", ""},
		{"escaped brackets", "a \\<b\\> c &lt;script&gt;", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := valid()
			in.BodyFR = tc.body
			got := fieldKeys(t, in.Validate())
			if tc.key == "" {
				if len(got) != 0 {
					t.Fatalf("refused: %v", got)
				}
				return
			}
			e := got["body_fr"]
			if len(got) != 1 || e == nil || e.Key != tc.key {
				t.Fatalf("errors %v, want %s beside body_fr", got, tc.key)
			}
			if tc.what != "" && e.Args["What"] != tc.what {
				t.Errorf("the message repeats %q, want %q", e.Args["What"], tc.what)
			}
			// The same body in English is refused beside body_en.
			in = valid()
			in.BodyEN = tc.body
			if e := fieldKeys(t, in.Validate())["body_en"]; e == nil || e.Key != tc.key {
				t.Errorf("in English: %v", e)
			}
		})
	}
}

// An e-mail address written in the text is made a mailto link by the renderer, which
// articles may hold: it is not refused as a link of another kind.
func TestEmailAddressInTextAccepted(t *testing.T) {
	for _, body := range []string{
		"Écrivez à support@example.com pour tout problème.",
		"Écrivez à <support@example.com>.",
	} {
		in := valid()
		in.BodyFR = body
		if got := fieldKeys(t, in.Validate()); len(got) != 0 {
			t.Errorf("%q refused: %v", body, got)
		}
		if html := string(help.Render(body, "")); !strings.Contains(html, `href="mailto:support@example.com"`) {
			t.Errorf("%q renders %s", body, html)
		}
	}
}

// Validate leaves each text field in one form: valid UTF-8, no control character but line breaks
// and tabs, LF line breaks, trimmed.
func TestValidateCleans(t *testing.T) {
	in := help.Input{Category: help.General, Visibility: help.Public, State: help.Published,
		TitleFR: " \x00Mot\x07 de passe\x1b\u0085 \r\n",
		BodyFR:  "\r\nLigne 1\r\nLigne\t2\rLigne 3\x00\x7f\n\n",
		TitleEN: "Caf\xe9 \xff menu",
		BodyEN:  "  Text\u200b with\u00a0spaces  "}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ got, want string }{
		{in.TitleFR, "Mot de passe"},
		{in.BodyFR, "Ligne 1\nLigne\t2\nLigne 3"},
		{in.TitleEN, "Caf\uFFFD \uFFFD menu"},
		{in.BodyEN, "Text\u200b with\u00a0spaces"},
	} {
		if c.got != c.want {
			t.Errorf("cleaned to %q, want %q", c.got, c.want)
		}
	}
	if !utf8.ValidString(in.TitleEN) {
		t.Errorf("invalid UTF-8 kept: %q", in.TitleEN)
	}
}

// Render sanitizes whatever it is given, even Markdown Validate would refuse: no script, no
// event handler, no style, no javascript: or data: address ever reaches the page.
func TestRenderSanitizesWithoutValidate(t *testing.T) {
	for _, md := range []string{
		"<script>alert(1)</script>",
		"Texte <script>alert(1)</script> suite",
		"<img src=x onerror=alert(1)>",
		"Un mot <b onclick=alert(1)>gras</b>.",
		`<p style="color:red" onmouseover="alert(1)">p</p>`,
		`<a href="javascript:alert(1)">a</a>`,
		`<iframe src="https://evil.example"></iframe>`,
		"[x](javascript:alert(1))",
		"[x](JAVASCRIPT:alert(1))",
		"[x](  javascript:alert(1))",
		"<javascript:alert(1)>",
		"[x][1]\n\n[1]: javascript:alert(1)",
		"<javascript:alert(1)@evil.example>",
		"Écrivez à javascript:alert(1)@evil.example ou <x@evil.example>",
		"[x](javascript&#58;alert(1))",
		"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
		"[x](vbscript:msgbox(1))",
		"![a](javascript:alert(1))",
		`[x](https://ok.example "a\" onclick=\"alert(1)")`,
		"<style>body{display:none}</style>",
		"<svg onload=alert(1)>",
	} {
		html := strings.ToLower(string(help.Render(md, "")))
		for _, bad := range []string{"<script", "onerror", "onclick", "onmouseover", "onload", `="javascript`, `="vbscript`,
			`="data:`, "style", "<iframe", "<svg"} {
			if strings.Contains(html, bad) {
				t.Errorf("Render(%q) = %q holds %q", md, html, bad)
			}
		}
	}
	// Raw HTML is left out, not shown as text.
	if html := string(help.Render("Avant\n\n<div>caché</div>\n\nAprès <span>x</span>", "")); strings.Contains(html, "caché") ||
		strings.Contains(html, "span") || !strings.Contains(html, "Avant") || !strings.Contains(html, "Après") {
		t.Errorf("raw HTML rendered: %s", html)
	}
}

func TestRenderMarkdown(t *testing.T) {
	for _, tc := range []struct {
		name, md string
		want     []string
		not      []string
	}{
		{"headings one level down", "# Titre\n\n## Étapes\n\n##### Cinq\n\n###### Six", []string{"<h2>Titre</h2>", "<h3>Étapes</h3>", "<h6>Cinq</h6>", "<h6>Six</h6>"}, []string{"<h1"}},
		{"table", "| Région | Code |\n|---|---|\n| Paris | eu-west-0 |", []string{"<table>", "<th>Région</th>", "<td>eu-west-0</td>"}, nil},
		{"lists", "- un\n- deux\n\n1. premier\n2. second", []string{"<ul>", "<li>un</li>", "<ol>", "<li>second</li>"}, nil},
		{"emphasis, code and strikethrough", "**gras** *italique* `code` ~~barré~~", []string{"<strong>gras</strong>", "<em>italique</em>", "<code>code</code>", "<del>barré</del>"}, nil},
		{"external link nofollow", "[guide](https://docs.example/guide)", []string{`href="https://docs.example/guide"`, "nofollow"}, nil},
		{"bare address made a link", "Voir https://docs.example/guide.", []string{`href="https://docs.example/guide"`, "nofollow"}, nil},
		{"desk path", "[statut](/status)", []string{`href="/status"`, ">statut</a>"}, nil},
		{"mailto", "[nous écrire](mailto:support@example.com)", []string{`href="mailto:support@example.com"`}, nil},
		{"text escaped", "a < b & c > d", []string{"a &lt; b &amp; c &gt; d"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			html := string(help.Render(tc.md, ""))
			for _, w := range tc.want {
				if !strings.Contains(html, w) {
					t.Errorf("Render(%q) = %s, want %s in it", tc.md, html, w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(html, w) {
					t.Errorf("Render(%q) = %s holds %s", tc.md, html, w)
				}
			}
		})
	}
	// External links carry rel nofollow; a link of the desk keeps its address.
	html := string(help.Render("[a](https://docs.example) [b](/status)", ""))
	if i := strings.Index(html, `href="https://docs.example"`); i < 0 || !strings.Contains(html[i:strings.Index(html[i:], ">")+i], "nofollow") {
		t.Errorf("external link without nofollow: %s", html)
	}
}

func TestPlain(t *testing.T) {
	for _, tc := range []struct{ name, md, want string }{
		{"markup removed, link text kept", "# Titre\n\nUn [lien](https://x.example/doc) et `code` **gras** _fin_.", "Titre\nUn lien et code gras fin."},
		{"one block a line", "Premier paragraphe\nsur deux lignes.\n\nSecond.", "Premier paragraphe sur deux lignes.\nSecond."},
		{"lists", "- un\n- deux\n\n1. trois", "un\ndeux\ntrois"},
		{"table cells", "| a | b |\n|---|---|\n| c | d |", "a\nb\nc\nd"},
		{"autolink keeps its address", "Voir <https://docs.example/guide>.", "Voir https://docs.example/guide."},
		{"raw HTML dropped", "fin <b>x</b> y\n\n<div>bloc</div>\n\nsuite", "fin x y\nsuite"},
		{"code block kept", "```\nsudo reboot\n```", "sudo reboot"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := help.Plain(tc.md); got != tc.want {
				t.Errorf("Plain(%q) = %q, want %q", tc.md, got, tc.want)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	for _, tc := range []struct {
		plain string
		max   int
		want  string
	}{
		{"court", 10, "court"},
		{"one line\nper  block", 40, "one line per block"},
		{"one two three four five", 12, "one two…"},
		{"one two, three four", 12, "one two…"},
		{"exactly twelve", 14, "exactly twelve"},
		{"Réseau privé virtuel et pare-feu", 20, "Réseau privé…"},
		// Long runs of spaces (an indented code block) count as one.
		{"sudo" + strings.Repeat(" ", 2000) + "reboot", 180, "sudo reboot"},
		{"début" + strings.Repeat("\n ", 1000) + "fin du texte", 20, "début fin du texte"},
		{strings.Repeat("𝄞", 300), 180, strings.Repeat("𝄞", 180) + "…"},
	} {
		if got := help.Excerpt(tc.plain, tc.max); got != tc.want {
			t.Errorf("Excerpt(%.60q, %d) = %.60q, want %.60q", tc.plain, tc.max, got, tc.want)
		}
	}
	// A long text is cut at a word before the limit, on one line.
	long := help.Plain("# Mot de passe\n\nOuvrez **Mon compte** puis [Sécurité](/account), choisissez un nouveau mot de passe de douze caractères au moins, confirmez-le, et reconnectez-vous sur chacun de vos appareils.")
	got := help.Excerpt(long, 80)
	if !strings.HasSuffix(got, "…") || utf8.RuneCountInString(got) > 81 || strings.Contains(got, "\n") {
		t.Fatalf("Excerpt = %q", got)
	}
	cut := strings.TrimSuffix(got, "…")
	joined := strings.Join(strings.Fields(long), " ")
	if !strings.HasPrefix(joined, cut) || joined[len(cut)] != ' ' {
		t.Errorf("Excerpt = %q is not cut at a word of %q", got, joined)
	}
}

func TestTerms(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"Mot de PASSE", []string{"mot", "passe"}},
		{"mot-de-passe", []string{"mot", "passe"}},
		{"Réseau RÉSEAU reseau", []string{"reseau", "reseau", "reseau"}},
		{"réseaux", []string{"reseau"}},
		{"quotas", []string{"quota"}},
		{"access", []string{"access"}},
		{"Accès", []string{"acce"}},
		{"accès acces", []string{"acce", "acce"}},
		{"bus gaz", []string{"bus", "gaz"}},
		{"Cœur ŒUVRES æther", []string{"coeur", "oeuvre", "aether"}},
		{"Les vCPU de l’instance", []string{"vcpu", "instance"}},
		{"Comment augmenter mes quotas ?", []string{"augmenter", "quota"}},
		{"How do I reset my passwords?", []string{"reset", "password"}},
		{"le la les de des the of and", nil},
		{"", nil},
	} {
		if got := help.Terms(tc.text); !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("Terms(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}
