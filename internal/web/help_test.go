package web_test

import (
	"context"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// The help center's pages, as readers and writers use them: what each sees in their language,
// what they may not see, and what each action writes.

// hwArticle writes an article as the support agent.
func hwArticle(t *testing.T, d *desk, in help.Input) *help.Article {
	t.Helper()
	a, err := d.Help.Create(context.Background(), tenancy.ActorOf(d.user(t, "Alice.Agent")), in, 0)
	if err != nil {
		t.Fatalf("article %q: %v", in.TitleFR+in.TitleEN, err)
	}
	return a
}

// hwRow reads an article's row as it is in the database.
func hwRow(t *testing.T, d *desk, id int64) *help.Article {
	t.Helper()
	a := new(help.Article)
	if err := d.DB.NewSelect().Model(a).Where("ha.id = ?", id).Scan(context.Background()); err != nil {
		t.Fatalf("article %d: %v", id, err)
	}
	return a
}

// hwCount counts rows with a query ("SELECT COUNT(*) …", ? placeholders).
func hwCount(t *testing.T, d *desk, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.DB.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// hwNorm makes the no-break spaces of French typography plain spaces, so that expected texts
// are written with plain ones.
func hwNorm(s string) string {
	return strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(s)
}

// hwEsc is a text as html/template writes it in a page.
func hwEsc(s string) string {
	return strings.ReplaceAll(template.HTMLEscapeString(s), "+", "&#43;")
}

// hwRawKey finds a message key shown instead of its text.
var hwRawKey = regexp.MustCompile(`[\s>"(](help|flash\.help|nav|error\.page)\.[a-z_]+(\.[a-z_]+)*[\s<"]`)

// hwWant checks the page holds each text (no-break spaces read as spaces), and no raw key.
func hwWant(t *testing.T, what string, r testutil.Response, parts ...string) {
	t.Helper()
	body := hwNorm(r.Body)
	for _, p := range parts {
		if !strings.Contains(body, hwNorm(p)) {
			t.Errorf("%s: page lacks %q", what, p)
		}
	}
	if m := hwRawKey.FindString(body); m != "" {
		t.Errorf("%s: page shows the raw key %q", what, m)
	}
}

// hwWantNo checks the page holds none of the texts.
func hwWantNo(t *testing.T, what string, r testutil.Response, parts ...string) {
	t.Helper()
	body := hwNorm(r.Body)
	for _, p := range parts {
		if strings.Contains(body, hwNorm(p)) {
			t.Errorf("%s: page has %q", what, p)
		}
	}
}

// hwFieldError checks msg is shown beside field.
func hwFieldError(t *testing.T, what string, r testutil.Response, field, msg string) {
	t.Helper()
	want := `<p class="error" id="f-` + field + `-error">` + hwEsc(hwNorm(msg)) + `</p>`
	if !strings.Contains(hwNorm(r.Body), want) {
		got := regexp.MustCompile(`<p class="error" id="f-` + regexp.QuoteMeta(field) + `-error">[^<]*</p>`).FindString(r.Body)
		t.Errorf("%s: want %s beside %s; got %q", what, want, field, got)
	}
}

// hwPart is the part of body from the first start to the first end after it ("" when absent).
func hwPart(body, start, end string) string {
	i := strings.Index(body, start)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest, end); j >= 0 {
		return rest[:j+len(end)]
	}
	return rest
}

// hwLinks lists the ids of the help articles a part of a page links to, in order.
func hwLinks(part string) []int64 {
	var ids []int64
	for _, m := range regexp.MustCompile(`<a href="/help/articles/(\d+)`).FindAllStringSubmatch(part, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		ids = append(ids, n)
	}
	return ids
}

func hwHas(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// hwLinksTo checks a part of a page links to each of want and to none of not.
func hwLinksTo(t *testing.T, what, part string, want []*help.Article, not []*help.Article) {
	t.Helper()
	ids := hwLinks(part)
	for _, a := range want {
		if !hwHas(ids, a.ID) {
			t.Errorf("%s: no link to article %d (%s) in %v", what, a.ID, a.TitleFR+a.TitleEN, ids)
		}
	}
	for _, a := range not {
		if hwHas(ids, a.ID) {
			t.Errorf("%s: links to article %d (%s), which it must not", what, a.ID, a.TitleFR+a.TitleEN)
		}
	}
}

// hwInput is the value of the form's field name as the page writes it (escaped), and whether
// the page has the field.
func hwInput(body, name string) (string, bool) {
	m := regexp.MustCompile(`<input id="f-` + regexp.QuoteMeta(name) + `"[^>]*\svalue="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// hwTextarea is the text of the form's textarea name as the page writes it (escaped), and
// whether the page has it.
func hwTextarea(body, name string) (string, bool) {
	m := regexp.MustCompile(`(?s)<textarea id="f-` + regexp.QuoteMeta(name) + `"[^>]*>(.*?)</textarea>`).FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// hwWantField checks the form's field name holds value.
func hwWantField(t *testing.T, what string, r testutil.Response, name, value string) {
	t.Helper()
	got, ok := hwInput(r.Body, name)
	if !ok {
		got, ok = hwTextarea(r.Body, name)
	}
	if !ok {
		t.Errorf("%s: no field %s", what, name)
	} else if got != hwEsc(value) {
		t.Errorf("%s: field %s holds %.200q, want %.200q", what, name, got, value)
	}
}

func hwPath(a *help.Article) string { return "/help/articles/" + id(a.ID) }

// hwVisitor is a client without an account, reading in lang.
func hwVisitor(d *desk, t *testing.T, lang string) *testutil.Client {
	c := d.client(t)
	c.Lang = lang
	return c
}

// hwShelf is the articles of the reader tests: one per visibility and state.
type hwShelf struct {
	net, cust, staff, draft, frOnly, enOnly *help.Article
}

func hwShelve(t *testing.T, d *desk) hwShelf {
	var s hwShelf
	s.net = hwArticle(t, d, help.Input{Category: help.Access, Visibility: help.Public, State: help.Published,
		TitleFR: "Configurer le réseau privé virtuel",
		BodyFR:  "Le **réseau privé** relie vos instances.\n\n# Étapes\n\n1. Ouvrez la console.\n2. Créez le sous-réseau.",
		TitleEN: "Configure the virtual private network",
		BodyEN:  "The **private network** links your instances.\n\n# Steps\n\n1. Open the console.\n2. Create the subnet."})
	s.cust = hwArticle(t, d, help.Input{Category: help.Account, Visibility: help.Customers, State: help.Published,
		TitleFR: "Changer la langue du compte", BodyFR: "Ouvrez votre profil et choisissez la langue.",
		TitleEN: "Change the account language", BodyEN: "Open your profile and choose the language."})
	s.staff = hwArticle(t, d, help.Input{Category: help.Access, Visibility: help.Staff, State: help.Published,
		TitleFR: "Procédure interne réseau zorglub", BodyFR: "Redémarrer le commutateur zorglub du réseau.",
		TitleEN: "Internal network procedure zorglub", BodyEN: "Restart the zorglub network switch."})
	s.draft = hwArticle(t, d, help.Input{Category: help.Access, Visibility: help.Customers, State: help.Draft,
		TitleFR: "Brouillon réseau zorglub", BodyFR: "Pas encore prêt : le réseau zorglub.",
		TitleEN: "Draft network zorglub", BodyEN: "Not ready yet: the zorglub network."})
	s.frOnly = hwArticle(t, d, help.Input{Category: help.General, Visibility: help.Public, State: help.Published,
		TitleFR: "Sauvegarder un volume du réseau", BodyFR: "Une sauvegarde du volume protège vos données en cas de panne du réseau."})
	s.enOnly = hwArticle(t, d, help.Input{Category: help.Cloud, Visibility: help.Public, State: help.Published,
		TitleEN: "Network bandwidth limits", BodyEN: "An instance's network bandwidth depends on its flavor."})
	return s
}

// hwReadable counts the published articles of a category readable with visibilities vis.
func hwReadable(t *testing.T, d *desk, cat help.Category, vis ...string) int {
	t.Helper()
	return hwCount(t, d, "SELECT COUNT(*) FROM help_articles WHERE state = 'published' AND category = ? AND visibility IN (?)",
		string(cat), bun.In(vis))
}

func TestHelpCenterInBothLanguages(t *testing.T) {
	d := newDesk(t)
	s := hwShelve(t, d)
	marie, john := d.as(t, "Marie.Dupont"), d.as(t, "John.Doe")

	// The home: the categories a reader may read, with their counts.
	r := marie.Get("/help")
	wantStatus(t, "home fr", r, http.StatusOK)
	hwWant(t, "home fr", r, "<h1>Aide</h1>", "Rechercher dans l’aide", "Catégories")
	customerVis := []string{"public", "customers"}
	for _, c := range []struct {
		cat   help.Category
		label string
	}{{help.Access, "Gestion des accès"}, {help.Account, "Gestion du compte"}, {help.General, "Questions générales"}} {
		n := hwReadable(t, d, c.cat, customerVis...)
		unit := " articles"
		if n == 1 {
			unit = " article"
		}
		hwWant(t, "home fr counts", r, `<a href="/help/categories/`+string(c.cat)+`">`+c.label+`</a> <span class="count">`+strconv.Itoa(n)+unit+`</span>`)
	}
	if n := hwReadable(t, d, help.Access, customerVis...); n != 1 {
		t.Errorf("access counts %d articles for a customer, want 1 (the staff article and the draft are not counted)", n)
	}
	r = john.Get("/help")
	hwWant(t, "home en", r, "<h1>Help</h1>", "Search the help", `<a href="/help/categories/access">Access management</a> <span class="count">1 article</span>`)

	// Search: whole words, with or without accents, in the reader's language first.
	r = marie.Get("/help?q=reseau")
	wantStatus(t, "search fr", r, http.StatusOK)
	results := hwPart(r.Body, `class="help-results"`, "</section>")
	hwWant(t, "search fr", r, "Résultats pour « reseau »")
	hwLinksTo(t, "search reseau", results, []*help.Article{s.net, s.frOnly}, []*help.Article{s.staff, s.draft, s.cust, s.enOnly})
	if !strings.Contains(results, `lang="fr">Configurer le réseau privé virtuel</a>`) {
		t.Errorf("a French reader gets the French title: %s", results)
	}
	r = marie.Get("/help?q=" + url.QueryEscape("RÉSEAUX"))
	hwLinksTo(t, "search RÉSEAUX", hwPart(r.Body, `class="help-results"`, "</section>"), []*help.Article{s.net, s.frOnly}, []*help.Article{s.staff, s.draft})
	r = marie.Get("/help?q=zorglub")
	hwWant(t, "search staff words", r, "Aucun article ne contient ces mots.")
	hwLinksTo(t, "search zorglub", hwPart(r.Body, `class="help-results"`, "</section>"), nil, []*help.Article{s.staff, s.draft})
	r = marie.Get("/help?q=" + url.QueryEscape("le la les"))
	hwWant(t, "search stop words", r, "Ces mots sont trop courants pour être recherchés")

	// The reader's language first: both match "reseau network", each in one language.
	order := func(c *testutil.Client) []int64 {
		return hwLinks(hwPart(c.Get("/help?q="+url.QueryEscape("reseau network")).Body, `class="help-results"`, "</section>"))
	}
	pos := func(ids []int64, a *help.Article) int {
		for i, x := range ids {
			if x == a.ID {
				return i
			}
		}
		return -1
	}
	if ids := order(marie); pos(ids, s.frOnly) < 0 || pos(ids, s.enOnly) < 0 || pos(ids, s.frOnly) > pos(ids, s.enOnly) {
		t.Errorf("French reader: the French article comes first: %v (fr %d, en %d)", ids, s.frOnly.ID, s.enOnly.ID)
	}
	if ids := order(john); pos(ids, s.frOnly) < 0 || pos(ids, s.enOnly) < 0 || pos(ids, s.enOnly) > pos(ids, s.frOnly) {
		t.Errorf("English reader: the English article comes first: %v (fr %d, en %d)", ids, s.frOnly.ID, s.enOnly.ID)
	}
	r = john.Get("/help?q=reseau")
	results = hwPart(r.Body, `class="help-results"`, "</section>")
	hwWant(t, "search en", r, "Results for “reseau”")
	if !strings.Contains(results, `lang="en">Configure the virtual private network</a>`) {
		t.Errorf("an English reader gets the English title: %s", results)
	}
	if !strings.Contains(results, `lang="fr">Sauvegarder un volume du réseau</a> <span class="tag">in French</span>`) {
		t.Errorf("an article in French only says so to an English reader: %s", results)
	}

	// A category.
	r = marie.Get("/help/categories/access")
	wantStatus(t, "category", r, http.StatusOK)
	hwWant(t, "category", r, "<h1>Gestion des accès</h1>", "1 article", "Configurer le réseau privé virtuel")
	hwLinksTo(t, "category", r.Body, []*help.Article{s.net}, []*help.Article{s.staff, s.draft})
	r = john.Get("/help/categories/access")
	hwWant(t, "category en", r, "<h1>Access management</h1>", "Configure the virtual private network")
	r = marie.Get("/help/categories/billing")
	wantStatus(t, "unknown category fr", r, http.StatusNotFound)
	hwWant(t, "unknown category fr", r, "Page introuvable")
	r = john.Get("/help/categories/billing")
	wantStatus(t, "unknown category en", r, http.StatusNotFound)
	hwWant(t, "unknown category en", r, "Page not found")

	// An article: its Markdown rendered, its related articles, the vote for logged-in readers.
	r = marie.Get(hwPath(s.net))
	wantStatus(t, "article", r, http.StatusOK)
	art := hwPart(r.Body, `<article class="help-article"`, "</article>")
	for _, want := range []string{`lang="fr"`, "<h1>Configurer le réseau privé virtuel</h1>", "<strong>réseau privé</strong>",
		"<h2>Étapes</h2>", "<ol>", "<li>Ouvrez la console.</li>"} {
		if !strings.Contains(art, want) {
			t.Errorf("article lacks %q: %s", want, art)
		}
	}
	hwWant(t, "article", r, "Articles liés", "Cet article vous a-t-il aidé ?", "Read in English", `hreflang="en"`)
	hwLinksTo(t, "related", hwPart(r.Body, `id="related-title"`, "</section>"), []*help.Article{s.frOnly}, []*help.Article{s.staff, s.draft, s.net})
	r = hwVisitor(d, t, "fr").Get(hwPath(s.net))
	wantStatus(t, "article for a visitor", r, http.StatusOK)
	hwWant(t, "article for a visitor", r, "Configurer le réseau privé virtuel")
	hwWantNo(t, "article for a visitor", r, "Cet article vous a-t-il aidé ?", `action="`+hwPath(s.net)+`/vote"`)
	r = john.Get(hwPath(s.net))
	hwWant(t, "article en", r, "<h1>Configure the virtual private network</h1>", "<strong>private network</strong>",
		"Was this article helpful?", "Related articles", "Lire en français")
	hwWantNo(t, "article en", r, "This article is not written in your language yet")

	// In French only, to an English reader: the French text with the notice, marked French.
	r = john.Get(hwPath(s.frOnly))
	wantStatus(t, "french only", r, http.StatusOK)
	hwWant(t, "french only", r, "This article is not written in your language yet: here is the version we have.",
		`<article class="help-article" lang="fr">`, "<h1>Sauvegarder un volume du réseau</h1>")
	r = marie.Get(hwPath(s.enOnly))
	hwWant(t, "english only", r, "Cet article n’est pas encore rédigé dans votre langue : voici la version disponible.",
		`<article class="help-article" lang="en">`)

	// ?lang= asks for a language version.
	r = marie.Get(hwPath(s.net) + "?lang=en")
	wantStatus(t, "lang=en", r, http.StatusOK)
	hwWant(t, "lang=en", r, `<article class="help-article" lang="en">`, "<h1>Configure the virtual private network</h1>",
		"Lire en français", "Cet article vous a-t-il aidé ?")
	hwWantNo(t, "lang=en", r, "Cet article n’est pas encore rédigé")
	r = john.Get(hwPath(s.frOnly) + "?lang=en") // not written in English: French, with the notice
	hwWant(t, "lang=en on a French article", r, `<article class="help-article" lang="fr">`, "This article is not written in your language yet")
}

func TestHelpVisibilityThroughPages(t *testing.T) {
	d := newDesk(t)
	s := hwShelve(t, d)
	marie, alice, sophie := d.as(t, "Marie.Dupont"), d.as(t, "Alice.Agent"), d.as(t, "Sophie.Commerciale")
	visitor := hwVisitor(d, t, "fr")

	for _, a := range []*help.Article{s.staff, s.draft} {
		for who, c := range map[string]*testutil.Client{"Marie": marie, "visitor": visitor} {
			r := c.Get(hwPath(a))
			wantStatus(t, who+" reads "+a.TitleFR, r, http.StatusNotFound)
			hwWant(t, who+" reads "+a.TitleFR, r, "Page introuvable")
			hwWantNo(t, who+" reads "+a.TitleFR, r, a.TitleFR, a.BodyFR)
			wantStatus(t, who+" votes on "+a.TitleFR, c.Post(hwPath(a)+"/vote", url.Values{"helpful": {"yes"}}),
				map[string]int{"Marie": http.StatusNotFound, "visitor": http.StatusSeeOther}[who])
		}
	}
	wantStatus(t, "a sales rep reads a draft", sophie.Get(hwPath(s.draft)), http.StatusNotFound)
	if n := hwCount(t, d, "SELECT COUNT(*) FROM help_votes WHERE article_id IN (?)", bun.In([]int64{s.staff.ID, s.draft.ID})); n != 0 {
		t.Errorf("%d votes on articles the voter may not read", n)
	}
	// Never listed: search, categories, counts, related articles, suggestions.
	for who, c := range map[string]*testutil.Client{"Marie": marie, "visitor": visitor} {
		for _, path := range []string{"/help?q=zorglub", "/help?q=reseau", "/help?q=" + url.QueryEscape("procédure interne"),
			"/help?q=brouillon", "/help/categories/access", "/help", hwPath(s.net), hwPath(s.frOnly)} {
			r := c.Get(path)
			wantStatus(t, who+" "+path, r, http.StatusOK)
			hwLinksTo(t, who+" "+path, r.Body, nil, []*help.Article{s.staff, s.draft})
			hwWantNo(t, who+" "+path, r, s.staff.TitleFR, s.staff.TitleEN, s.draft.TitleFR, s.draft.TitleEN, "commutateur")
		}
	}
	r := marie.Get("/help/suggest?for=incident&q=" + url.QueryEscape("réseau zorglub procédure interne brouillon"))
	wantStatus(t, "suggest", r, http.StatusOK)
	hwLinksTo(t, "suggest", r.Body, nil, []*help.Article{s.staff, s.draft})
	hwWantNo(t, "suggest", r, "zorglub")
	r = visitor.Get("/help")
	hwWant(t, "visitor counts", r, `<a href="/help/categories/access">Gestion des accès</a> <span class="count">1 article</span>`)
	hwWantNo(t, "visitor counts", r, `href="/help/categories/account"`) // customers only: not for a visitor

	// For customers: a visitor gets 404, Marie reads it.
	r = hwVisitor(d, t, "en").Get(hwPath(s.cust))
	wantStatus(t, "visitor reads a customers' article", r, http.StatusNotFound)
	hwWant(t, "visitor reads a customers' article", r, "Page not found")
	hwWantNo(t, "visitor reads a customers' article", r, "Change the account language")
	wantStatus(t, "visitor's category", visitor.Get("/help/categories/account"), http.StatusOK)
	hwLinksTo(t, "visitor's category", visitor.Get("/help/categories/account").Body, nil, []*help.Article{s.cust})
	r = marie.Get(hwPath(s.cust))
	wantStatus(t, "Marie reads a customers' article", r, http.StatusOK)
	hwWant(t, "Marie reads a customers' article", r, "Changer la langue du compte")

	// Staff read staff articles; Alice (a writer) reads drafts, with the notice.
	r = alice.Get(hwPath(s.staff))
	wantStatus(t, "Alice reads a staff article", r, http.StatusOK)
	hwWant(t, "Alice reads a staff article", r, "Internal network procedure zorglub", "Edit this article")
	wantStatus(t, "a sales rep reads a staff article", sophie.Get(hwPath(s.staff)), http.StatusOK)
	r = alice.Get(hwPath(s.draft))
	wantStatus(t, "Alice reads a draft", r, http.StatusOK)
	hwWant(t, "Alice reads a draft", r, "This article is a draft: only agents and admins see it.", "Draft network zorglub")
	r = alice.Get(hwPath(s.net))
	hwLinksTo(t, "staff related", hwPart(r.Body, `id="related-title"`, "</section>"), []*help.Article{s.staff}, []*help.Article{s.draft})
	hwLinksTo(t, "staff category", alice.Get("/help/categories/access").Body, []*help.Article{s.net, s.staff}, []*help.Article{s.draft})

	// Views: counted for customers and visitors, not for staff; HEAD counts nothing.
	before := hwRow(t, d, s.net.ID).Views
	events := func() int {
		return hwCount(t, d, "SELECT COUNT(*) FROM help_events WHERE article_id = ? AND kind = 'view'", s.net.ID)
	}
	ev := events()
	wantStatus(t, "Marie views", marie.Get(hwPath(s.net)), http.StatusOK)
	if got := hwRow(t, d, s.net.ID).Views; got != before+1 {
		t.Errorf("views %d after Marie's view, want %d", got, before+1)
	}
	if n := hwCount(t, d, "SELECT COUNT(*) FROM help_events WHERE article_id = ? AND kind = 'view' AND user_id = ? AND tenant_id IS NOT NULL",
		s.net.ID, d.user(t, "Marie.Dupont").ID); n < 1 {
		t.Errorf("no view event of Marie's in her tenant")
	}
	ev++
	for who, c := range map[string]*testutil.Client{"Alice": alice, "Sophie": sophie} {
		wantStatus(t, who+" views", c.Get(hwPath(s.net)), http.StatusOK)
	}
	head := marie.Send(httptest.NewRequest(http.MethodHead, hwPath(s.net), nil))
	wantStatus(t, "HEAD", head, http.StatusOK)
	if got, n := hwRow(t, d, s.net.ID).Views, events(); got != before+1 || n != ev {
		t.Errorf("views %d and %d view events after staff views and a HEAD, want %d and %d", got, n, before+1, ev)
	}
	wantStatus(t, "visitor views", visitor.Get(hwPath(s.net)), http.StatusOK)
	if got, n := hwRow(t, d, s.net.ID).Views, events(); got != before+2 || n != ev+1 {
		t.Errorf("views %d and %d view events after a visitor's view, want %d and %d", got, n, before+2, ev+1)
	}
	// A 404 counts nothing either.
	marie.Get(hwPath(s.staff))
	if got := hwRow(t, d, s.staff.ID).Views; got != 0 {
		t.Errorf("a refused read counted %d views", got)
	}
}

func TestHelpVote(t *testing.T) {
	d := newDesk(t)
	s := hwShelve(t, d)
	marie, john := d.as(t, "Marie.Dupont"), d.as(t, "John.Doe")
	path := hwPath(s.net)
	marie.Get(path)
	r := marie.Post(path+"/vote", url.Values{"helpful": {"yes"}})
	wantStatus(t, "vote yes", r, http.StatusSeeOther)
	if r.Location != path+"#vote" {
		t.Errorf("vote redirects to %q", r.Location)
	}
	r = marie.Get(r.Location)
	hwWant(t, "after the vote", r, "Merci pour votre avis.", "Vous avez trouvé cet article utile.")
	// The page shown after her vote is the one she read: one view, not two.
	if v := hwRow(t, d, s.net.ID).Views; v != 1 {
		t.Errorf("%d views after reading and voting, want 1", v)
	}
	figures := func() (int64, int64) { a := hwRow(t, d, s.net.ID); return a.Helpful, a.Unhelpful }
	if y, n := figures(); y != 1 || n != 0 {
		t.Errorf("after yes: %d yes %d no", y, n)
	}
	// One vote a person: the same again changes nothing; the other moves the counters.
	wantStatus(t, "vote yes again", marie.Post(path+"/vote", url.Values{"helpful": {"yes"}}), http.StatusSeeOther)
	if y, n := figures(); y != 1 || n != 0 {
		t.Errorf("after yes twice: %d yes %d no", y, n)
	}
	wantStatus(t, "vote no", marie.Post(path+"/vote", url.Values{"helpful": {"no"}}), http.StatusSeeOther)
	if y, n := figures(); y != 0 || n != 1 {
		t.Errorf("after changing to no: %d yes %d no", y, n)
	}
	hwWant(t, "changed vote", marie.Get(path), "Vous n’avez pas trouvé cet article utile.")
	john.Get(path)
	wantStatus(t, "John votes", john.Post(path+"/vote", url.Values{"helpful": {"yes"}, "lang": {"en"}}), http.StatusSeeOther)
	if y, n := figures(); y != 1 || n != 1 {
		t.Errorf("after John's yes: %d yes %d no", y, n)
	}
	if n := hwCount(t, d, "SELECT COUNT(*) FROM help_votes WHERE article_id = ?", s.net.ID); n != 2 {
		t.Errorf("%d vote rows, want 2 (one a person)", n)
	}
	if n := hwCount(t, d, "SELECT COUNT(*) FROM help_votes WHERE article_id = ? AND user_id = ? AND helpful = ?", s.net.ID,
		d.user(t, "Marie.Dupont").ID, false); n != 1 {
		t.Errorf("Marie's vote is not her last one")
	}
	if n := hwCount(t, d, "SELECT COUNT(*) FROM help_events WHERE article_id = ? AND kind IN ('helpful', 'unhelpful')", s.net.ID); n != 2 {
		t.Errorf("%d vote events, want 2 (Marie's last, John's)", n)
	}
	// Staff read articles but do not vote: no form, and a vote sent anyway is not counted.
	for _, login := range []string{"Alice.Agent", "admin"} {
		staff := d.as(t, login)
		hwWantNo(t, login+" reads", staff.Get(path), `action="`+path+`/vote"`)
		wantStatus(t, login+" votes", staff.Post(path+"/vote", url.Values{"helpful": {"no"}}), http.StatusNotFound)
	}
	if y, n := figures(); y != 1 || n != 1 {
		t.Errorf("after staff's votes: %d yes %d no", y, n)
	}

	// A value other than yes or no: the article again, with the message, in each language.
	r = marie.Post(path+"/vote", url.Values{"helpful": {"peut-être"}})
	wantStatus(t, "bad vote fr", r, http.StatusUnprocessableEntity)
	hwFieldError(t, "bad vote fr", r, "helpful", "Répondez oui ou non.")
	hwWant(t, "bad vote fr", r, "<h1>Configurer le réseau privé virtuel</h1>", "Cet article vous a-t-il aidé ?")
	r = john.Post(path+"/vote", url.Values{})
	wantStatus(t, "bad vote en", r, http.StatusUnprocessableEntity)
	hwFieldError(t, "bad vote en", r, "helpful", "Answer yes or no.")
	hwWant(t, "bad vote en", r, "<h1>Configure the virtual private network</h1>")
	if y, n := figures(); y != 1 || n != 1 {
		t.Errorf("after refused votes: %d yes %d no", y, n)
	}

	// A visitor is sent to log in; nothing is counted.
	visitor := hwVisitor(d, t, "fr")
	visitor.Get(path)
	r = visitor.Post(path+"/vote", url.Values{"helpful": {"yes"}})
	wantStatus(t, "visitor votes", r, http.StatusSeeOther)
	if r.Location != "/login" {
		t.Errorf("visitor's vote redirects to %q", r.Location)
	}
	if y, n := figures(); y != 1 || n != 1 {
		t.Errorf("after a visitor's vote: %d yes %d no", y, n)
	}
}

func TestHelpDeflection(t *testing.T) {
	d := newDesk(t)
	s := hwShelve(t, d)
	marie := d.as(t, "Marie.Dupont")
	path := hwPath(s.net)
	incidents := countIncidents(t, d)

	r := marie.Get(path + "?from=incident")
	wantStatus(t, "from a declaration", r, http.StatusOK)
	hwWant(t, "from a declaration", r, "Vous étiez en train de déclarer un incident ?", "Cela répond à ma question",
		`action="`+path+`/deflect"`, `name="source" value="incident"`)
	hwWantNo(t, "from nowhere", marie.Get(path), "Cela répond à ma question")
	hwWantNo(t, "from somewhere else", marie.Get(path+"?from=elsewhere"), "Cela répond à ma question", "elsewhere")
	// Staff are not offered it.
	hwWantNo(t, "staff from a declaration", d.as(t, "Alice.Agent").Get(path+"?from=incident"), "This answers my question")

	marie.Get(path + "?from=incident")
	r = marie.Post(path+"/deflect", url.Values{"source": {"incident"}})
	wantStatus(t, "deflect", r, http.StatusSeeOther)
	if r.Location != path {
		t.Errorf("deflect redirects to %q", r.Location)
	}
	hwWant(t, "after the deflection", marie.Get(r.Location),
		"Tant mieux : cet article a répondu à votre question, aucun incident n’a été déclaré.", "Vous avez trouvé cet article utile.")
	a := hwRow(t, d, s.net.ID)
	if a.Deflections != 1 || a.Helpful != 1 {
		t.Errorf("after the deflection: %d deflections, %d helpful", a.Deflections, a.Helpful)
	}
	marieID := d.user(t, "Marie.Dupont").ID
	if n := hwCount(t, d, "SELECT COUNT(*) FROM help_events WHERE article_id = ? AND kind = 'deflection' AND source = 'incident' AND user_id = ?",
		s.net.ID, marieID); n != 1 {
		t.Errorf("%d deflection events, want 1", n)
	}
	if n := hwCount(t, d, "SELECT COUNT(*) FROM help_votes WHERE article_id = ? AND user_id = ? AND helpful = ?", s.net.ID, marieID, true); n != 1 {
		t.Errorf("the deflection is not a helpful vote")
	}
	if n := countIncidents(t, d); n != incidents {
		t.Errorf("%d incidents after a deflection, want %d", n, incidents)
	}

	// From a change, in English.
	john := d.as(t, "John.Doe")
	john.Get(hwPath(s.frOnly) + "?from=change")
	r = john.Post(hwPath(s.frOnly)+"/deflect", url.Values{"source": {"change"}, "lang": {"fr"}})
	wantStatus(t, "deflect a change", r, http.StatusSeeOther)
	if r.Location != hwPath(s.frOnly)+"?lang=fr" {
		t.Errorf("deflect redirects to %q", r.Location)
	}
	hwWant(t, "after the change deflection", john.Get(r.Location), "Glad this article answered your question: no change was requested.")

	// A source other than a declaration or an order: 422 on the article, in each language.
	r = marie.Post(path+"/deflect", url.Values{"source": {"mail"}})
	wantStatus(t, "bad source fr", r, http.StatusUnprocessableEntity)
	hwWant(t, "bad source fr", r, "Cette réponse ne peut être donnée que depuis une déclaration ou une demande de changement.",
		"<h1>Configurer le réseau privé virtuel</h1>")
	r = john.Post(path+"/deflect", url.Values{})
	wantStatus(t, "bad source en", r, http.StatusUnprocessableEntity)
	hwWant(t, "bad source en", r, "This answer can only be given from a declaration or a change request.")
	if a := hwRow(t, d, s.net.ID); a.Deflections != 1 {
		t.Errorf("%d deflections after refused ones", a.Deflections)
	}

	// The route is for customers: sales reps and agents get 403, a visitor the login page.
	for _, login := range []string{"Sophie.Commerciale", "Alice.Agent"} {
		c := d.as(t, login)
		c.Get(path)
		wantStatus(t, login+" deflects", c.Post(path+"/deflect", url.Values{"source": {"incident"}}), http.StatusForbidden)
	}
	visitor := hwVisitor(d, t, "fr")
	visitor.Get(path)
	r = visitor.Post(path+"/deflect", url.Values{"source": {"incident"}})
	wantStatus(t, "visitor deflects", r, http.StatusSeeOther)
	if r.Location != "/login" {
		t.Errorf("visitor's deflection redirects to %q", r.Location)
	}
	// An article the customer may not read: 404.
	wantStatus(t, "deflect on a draft", marie.Post(hwPath(s.draft)+"/deflect", url.Values{"source": {"incident"}}), http.StatusNotFound)
	if a := hwRow(t, d, s.net.ID); a.Deflections != 1 {
		t.Errorf("%d deflections after refused ones", a.Deflections)
	}
	if n := hwCount(t, d, "SELECT COUNT(*) FROM help_events WHERE kind = 'deflection'"); n != 2 {
		t.Errorf("%d deflection events, want 2", n)
	}
}

var hwDeclared = regexp.MustCompile(`^/incidents/INC\d{7}/declared$`)

func TestHelpDeclarationReview(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	evs := hwArticle(t, d, help.Input{Category: help.Cloud, Visibility: help.Customers, State: help.Published,
		TitleFR: "Volume EVS inaccessible : que vérifier", BodyFR: "Vérifiez que le volume EVS est attaché à l’instance.",
		TitleEN: "EVS volume unreachable: what to check", BodyEN: "Check that the EVS volume is attached to the instance."})
	hidden := hwArticle(t, d, help.Input{Category: help.Cloud, Visibility: help.Staff, State: help.Published,
		TitleFR: "Volume EVS inaccessible côté hyperviseur", BodyFR: "Interne."})

	// No article answers the title: declared at once.
	marie.Get("/incidents/new")
	form := validIncidentForm()
	form.Set("title", "Facturation erronée du mois dernier")
	r := marie.PostFiles("/incidents", form)
	wantStatus(t, "declare without a match", r, http.StatusSeeOther)
	if !hwDeclared.MatchString(r.Location) {
		t.Fatalf("redirect to %q", r.Location)
	}
	n := countIncidents(t, d)

	// An article answers it: the form again, with the suggestions, nothing declared.
	token := onceToken(t, "the declare form", marie.Get("/incidents/new").Body)
	form = validIncidentForm()
	form.Set("_once", token)
	r = marie.PostFiles("/incidents", form)
	wantStatus(t, "review", r, http.StatusOK)
	if got := onceToken(t, "the review step", r.Body); got != token {
		t.Errorf("the review step carries the token %q, want the form's %q", got, token)
	}
	hwWant(t, "review", r, "Volume EVS inaccessible : que vérifier", "Cela répond à ma question",
		"Ces articles répondent peut-être à votre question",
		`id="review-notice"`, "Avant de déclarer : les articles d’aide à côté de ce formulaire répondent peut-être à votre question. Sinon, cliquez sur Valider.",
		`name="suggested" id="f-suggested" value="1"`,
		`href="`+hwPath(evs)+`?from=incident"`, `action="`+hwPath(evs)+`/deflect"`, `name="source" value="incident"`)
	for f, want := range map[string]string{"title": "Volume EVS inaccessible", "description": "Le volume vol-42 est en erreur depuis 8 h.",
		"phone": "+33 6 12 34 56 78"} {
		hwWantField(t, "review", r, f, want)
	}
	hwLinksTo(t, "review", hwPart(r.Body, `id="help-suggest"`, "</aside>"), []*help.Article{evs}, []*help.Article{hidden})
	hwWantNo(t, "review", r, "hyperviseur")
	if got := countIncidents(t, d); got != n {
		t.Fatalf("%d incidents after the review step, want %d", got, n)
	}
	// Valider again, having seen them: declared, once even when clicked twice.
	form.Set("suggested", "1")
	r = marie.PostFiles("/incidents", form)
	wantStatus(t, "declare after the review", r, http.StatusSeeOther)
	if !hwDeclared.MatchString(r.Location) {
		t.Fatalf("redirect to %q", r.Location)
	}
	again := marie.PostFiles("/incidents", form)
	if again.Status != http.StatusSeeOther || again.Location != r.Location {
		t.Errorf("Valider clicked twice: %d %q, want the first incident %q", again.Status, again.Location, r.Location)
	}
	if got := countIncidents(t, d); got != n+1 {
		t.Fatalf("%d incidents after declaring, want %d", got, n+1)
	}
	// Without script, the suggestions are offered once: a form that says so is declared.
	form = validIncidentForm()
	form.Set("suggested", "1")
	form.Set("title", "Volume EVS inaccessible en écriture")
	r = marie.PostFiles("/incidents", form)
	wantStatus(t, "declare a form whose script showed the suggestions", r, http.StatusSeeOther)
	n++

	// Refused input: 422 with its messages and the suggestions for its title.
	form = validIncidentForm()
	form.Set("description", "")
	r = marie.PostFiles("/incidents", form)
	wantStatus(t, "invalid", r, http.StatusUnprocessableEntity)
	hwFieldError(t, "invalid", r, "description", "Décrivez l’incident.")
	hwWant(t, "invalid", r, "Volume EVS inaccessible : que vérifier", "Cela répond à ma question")
	hwWantField(t, "invalid", r, "title", "Volume EVS inaccessible")
	hwWantNo(t, "invalid", r, `id="review-notice"`)
	if got := countIncidents(t, d); got != n+1 {
		t.Fatalf("%d incidents after refused input, want %d", got, n+1)
	}

	// The script's fragment.
	r = marie.Get("/help/suggest?for=incident&q=" + url.QueryEscape("volume evs inaccessible"))
	wantStatus(t, "suggest", r, http.StatusOK)
	hwWant(t, "suggest", r, "Volume EVS inaccessible : que vérifier", "Cela répond à ma question", `?from=incident"`)
	hwWantNo(t, "suggest", r, "<html", "hyperviseur")
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("suggest content type %q", ct)
	}
	r = d.as(t, "John.Doe").Get("/help/suggest?for=incident&q=" + url.QueryEscape("EVS volume unreachable"))
	hwWant(t, "suggest en", r, "EVS volume unreachable: what to check", "This answers my question")
	r = marie.Get("/help/suggest?for=incident&q=" + url.QueryEscape("imprimante bloquée"))
	wantStatus(t, "suggest nothing", r, http.StatusOK)
	if strings.TrimSpace(r.Body) != "" || strings.Contains(r.Body, "<li") {
		t.Errorf("no match answers %q, want an empty body", r.Body)
	}
	r = hwVisitor(d, t, "fr").Get("/help/suggest?for=incident&q=volume")
	wantStatus(t, "visitor suggest", r, http.StatusSeeOther)
	if r.Location != "/login" {
		t.Errorf("visitor's suggest redirects to %q", r.Location)
	}
}

func TestHelpChangeFormSuggestsArticles(t *testing.T) {
	d := newDesk(t)
	quota := hwArticle(t, d, help.Input{Category: help.Cloud, Visibility: help.Customers, State: help.Published,
		TitleFR: "Augmenter vos quotas d’instances", BodyFR: "Demandez un changement de quota depuis l’onglet Changements.",
		TitleEN: "Raise your instance quotas", BodyEN: "Request a quota change from the Changes tab."})
	other := hwArticle(t, d, help.Input{Category: help.Access, Visibility: help.Customers, State: help.Published,
		TitleFR: "Réinitialiser un mot de passe", BodyFR: "Cliquez sur Mot de passe oublié."})
	marie := d.as(t, "Marie.Dupont")
	r := marie.Get("/changes/new?item=ecs_instances")
	wantStatus(t, "change form", r, http.StatusOK)
	aside := hwPart(r.Body, `id="help-suggest"`, "</aside>")
	hwLinksTo(t, "change form", aside, []*help.Article{quota}, []*help.Article{other})
	hwWant(t, "change form", r, "Augmenter vos quotas d’instances", "Cela répond à ma question", `?from=change"`, `name="source" value="change"`)
	if strings.Contains(aside, " hidden") && !strings.Contains(aside, "<li") {
		t.Errorf("the suggestions are hidden: %s", aside)
	}
}

// hwArticleForm is a complete, valid article form.
func hwArticleForm() url.Values {
	return url.Values{"category": {"cloud"}, "visibility": {"customers"}, "state": {"published"},
		"title_fr": {"Redimensionner une instance ECS"}, "body_fr": {"Arrêtez l’instance, puis **changez son gabarit**."},
		"title_en": {"Resize an ECS instance"}, "body_en": {"Stop the instance, then **change its flavor**."}}
}

var hwCreated = regexp.MustCompile(`^/staff/help/(\d+)$`)

func TestHelpWriters(t *testing.T) {
	d := newDesk(t)
	s := hwShelve(t, d)
	alice := d.as(t, "Alice.Agent")
	articles := func() int { return hwCount(t, d, "SELECT COUNT(*) FROM help_articles") }

	// The list and its filters.
	r := alice.Get("/staff/help")
	wantStatus(t, "list", r, http.StatusOK)
	hwWant(t, "list", r, "<h1>Help articles</h1>", "Write an article", "Internal network procedure zorglub", "Draft network zorglub")
	rows := func(r testutil.Response) []int64 {
		var ids []int64
		for _, m := range regexp.MustCompile(`<tr id="article-(\d+)">`).FindAllStringSubmatch(r.Body, -1) {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			ids = append(ids, n)
		}
		return ids
	}
	wantRows := func(what, query string, want ...*help.Article) {
		t.Helper()
		r := alice.Get("/staff/help?" + query)
		wantStatus(t, what, r, http.StatusOK)
		got := rows(r)
		if len(got) != len(want) {
			t.Errorf("%s: rows %v, want %d", what, got, len(want))
		}
		for _, a := range want {
			if !hwHas(got, a.ID) {
				t.Errorf("%s: no row for article %d in %v", what, a.ID, got)
			}
		}
	}
	wantRows("q", "q=zorglub", s.staff, s.draft)
	wantRows("q and state", "q=zorglub&state=draft", s.draft)
	wantRows("category", "category=account", s.cust)
	wantRows("visibility", "visibility=staff", s.staff)
	wantRows("state", "state=draft", s.draft)
	r = alice.Get("/staff/help?category=billing")
	wantStatus(t, "unknown category", r, http.StatusUnprocessableEntity)
	hwFieldError(t, "unknown category", r, "category", "Choose one of the categories offered.")
	if got := rows(r); len(got) != articles() {
		t.Errorf("an unknown category filters nothing: %d rows, want %d", len(got), articles())
	}
	r = alice.Get("/staff/help?visibility=everyone&state=gone")
	wantStatus(t, "unknown visibility and state", r, http.StatusUnprocessableEntity)
	hwFieldError(t, "unknown visibility", r, "visibility", "Choose one of the visibilities offered.")
	hwFieldError(t, "unknown state", r, "state", "Choose draft or published.")

	// Customers and sales reps are refused.
	for _, login := range []string{"Marie.Dupont", "Sophie.Commerciale", "John.Doe"} {
		c := d.as(t, login)
		for _, path := range []string{"/staff/help", "/staff/help/new", "/staff/help/" + id(s.net.ID), "/staff/help/" + id(s.net.ID) + "/versions"} {
			wantStatus(t, login+" "+path, c.Get(path), http.StatusForbidden)
		}
		c.Get("/help")
		wantStatus(t, login+" creates", c.Post("/staff/help/new", hwArticleForm()), http.StatusForbidden)
	}
	if r := hwVisitor(d, t, "fr").Get("/staff/help"); r.Status != http.StatusSeeOther || r.Location != "/login" {
		t.Errorf("visitor on /staff/help: %d %q", r.Status, r.Location)
	}

	// Create: without the CSRF token refused; with it, written.
	n := articles()
	r = alice.Get("/staff/help/new")
	wantStatus(t, "new", r, http.StatusOK)
	hwWant(t, "new", r, "New help article", "French version", "English version", "Create the article", "Preview")
	noToken := hwArticleForm()
	wantStatus(t, "create without CSRF", alice.PostRaw("/staff/help/new", noToken), http.StatusForbidden)
	if got := articles(); got != n {
		t.Fatalf("%d articles after a post without token, want %d", got, n)
	}
	// The preview renders both versions and writes nothing.
	preview := hwArticleForm()
	preview.Set("preview", "1")
	r = alice.Post("/staff/help/new", preview)
	wantStatus(t, "preview", r, http.StatusOK)
	pv := hwPart(r.Body, `class="help-preview"`, "<form ")
	for _, want := range []string{`lang="fr"`, `lang="en"`, "Redimensionner une instance ECS", "Resize an ECS instance",
		"<strong>changez son gabarit</strong>", "<strong>change its flavor</strong>"} {
		if !strings.Contains(pv, want) {
			t.Errorf("preview lacks %q: %s", want, pv)
		}
	}
	hwWant(t, "preview", r, "Nothing is saved yet: this is how readers will see the article.", `value="Redimensionner une instance ECS"`)
	if got := articles(); got != n {
		t.Fatalf("%d articles after a preview, want %d", got, n)
	}
	r = alice.Post("/staff/help/new", hwArticleForm())
	wantStatus(t, "create", r, http.StatusSeeOther)
	m := hwCreated.FindStringSubmatch(r.Location)
	if m == nil {
		t.Fatalf("create redirects to %q", r.Location)
	}
	newID, _ := strconv.ParseInt(m[1], 10, 64)
	a := hwRow(t, d, newID)
	if a.TitleFR != "Redimensionner une instance ECS" || a.TitleEN != "Resize an ECS instance" || a.Category != help.Cloud ||
		a.Visibility != help.Customers || a.State != help.Published || a.Version != 1 || a.AuthorID != d.user(t, "Alice.Agent").ID ||
		a.PublishedAt == nil || a.IncidentID != nil {
		t.Errorf("created %+v", a)
	}
	hwWant(t, "created", alice.Get(r.Location), "Article created.", "Edit the article")
	if got := articles(); got != n+1 {
		t.Fatalf("%d articles after creating, want %d", got, n+1)
	}
	if hwCount(t, d, "SELECT COUNT(*) FROM help_versions WHERE article_id = ?", newID) != 1 {
		t.Errorf("no first version")
	}
	// Published at once: readers find it.
	hwLinksTo(t, "new article searched", d.as(t, "Marie.Dupont").Get("/help?q=gabarit").Body, []*help.Article{a}, nil)

	// Refused input: 422, the message beside its field in the writer's language, the input
	// kept, nothing written.
	big := strings.Repeat("x", 1<<20)
	admin := d.as(t, "admin")
	admin.Get("/profile")
	wantStatus(t, "admin in French", admin.Post("/profile/lang", url.Values{"lang": {"fr"}}), http.StatusSeeOther)
	admin.Get("/staff/help/new")
	cases := []struct {
		what, field, value, en, fr string
		set                        map[string]string
	}{
		{"empty title", "title_fr", "", "Give this version a title, or empty its text to publish without it.",
			"Donnez un titre à cette version, ou videz son texte pour publier sans elle.", map[string]string{"title_fr": ""}},
		{"empty body", "body_en", "", "Write this version’s text, or empty its title to publish without it.",
			"Rédigez le texte de cette version, ou videz son titre pour publier sans elle.", map[string]string{"body_en": ""}},
		{"script", "body_fr", "<script>alert(1)</script>", "Write Markdown, not HTML: remove “<script>alert(1)</script>”.",
			"Écrivez en Markdown, pas en HTML : retirez « <script>alert(1)</script> ».",
			map[string]string{"body_fr": "Texte.\n\n<script>alert(1)</script>"}},
		{"javascript link", "body_en", "", "Links must be http, https or mailto addresses, or paths of the desk starting with /: change “javascript:alert(1)”.",
			"Les liens doivent être des adresses http, https ou mailto, ou des chemins du guichet commençant par / : modifiez « javascript:alert(1) ».",
			map[string]string{"body_en": "Click [x](javascript:alert(1)) here."}},
		{"onerror image", "body_fr", "", "Write Markdown, not HTML: remove “<img src=x onerror=alert(1)>”.",
			"Écrivez en Markdown, pas en HTML : retirez « <img src=x onerror=alert(1)> ».",
			map[string]string{"body_fr": "Voir <img src=x onerror=alert(1)> ici."}},
		{"1 MB body", "body_fr", "", "The text has " + strconv.Itoa(len(big)) + " characters: use at most " + strconv.Itoa(help.MaxBody) + ".",
			"Le texte fait " + strconv.Itoa(len(big)) + " caractères : utilisez-en au plus " + strconv.Itoa(help.MaxBody) + ".",
			map[string]string{"body_fr": big}},
		{"unknown category", "category", "", "Choose one of the categories offered.", "Choisissez l’une des catégories proposées.",
			map[string]string{"category": "billing"}},
		{"no language", "title_fr", "", "Give the article a title in French or in English.", "Donnez un titre à l’article, en français ou en anglais.",
			map[string]string{"title_fr": "", "body_fr": "", "title_en": "", "body_en": ""}},
	}
	for _, c := range cases {
		form := hwArticleForm()
		form.Set("title_fr", "Titre gardé "+c.what)
		for k, v := range c.set {
			form.Set(k, v)
		}
		for _, w := range []struct {
			lang, msg string
			client    *testutil.Client
		}{{"en", c.en, alice}, {"fr", c.fr, admin}} {
			what := c.what + " (" + w.lang + ")"
			r := w.client.Post("/staff/help/new", form)
			wantStatus(t, what, r, http.StatusUnprocessableEntity)
			hwFieldError(t, what, r, c.field, w.msg)
			for _, f := range []string{"title_fr", "body_fr", "title_en", "body_en"} {
				hwWantField(t, what, r, f, form.Get(f))
			}
			if got := articles(); got != n+1 {
				t.Fatalf("%s: %d articles, want %d", what, got, n+1)
			}
		}
	}
	// The same refusal on a preview: messages and what is fine of the preview.
	bad := hwArticleForm()
	bad.Set("body_en", "[x](javascript:alert(1))")
	bad.Set("preview", "1")
	r = alice.Post("/staff/help/new", bad)
	wantStatus(t, "bad preview", r, http.StatusUnprocessableEntity)
	hwFieldError(t, "bad preview", r, "body_en", cases[3].en)
	if got := articles(); got != n+1 {
		t.Fatalf("bad preview: %d articles, want %d", got, n+1)
	}

	// Edit at a version; a stale version is 409 with the article as it is and the input kept.
	edit := "/staff/help/" + id(newID)
	r = alice.Get(edit)
	wantStatus(t, "edit", r, http.StatusOK)
	hwWant(t, "edit", r, `name="version" value="1"`, `value="Redimensionner une instance ECS"`, "Alice Agent")
	form := hwArticleForm()
	form.Set("version", "1")
	form.Set("title_en", "Resize an ECS instance safely")
	r = alice.Post(edit, form)
	wantStatus(t, "save", r, http.StatusSeeOther)
	if r.Location != edit {
		t.Errorf("save redirects to %q", r.Location)
	}
	hwWant(t, "saved", alice.Get(edit), "Article saved.", `name="version" value="2"`)
	if a := hwRow(t, d, newID); a.Version != 2 || a.TitleEN != "Resize an ECS instance safely" {
		t.Errorf("after saving: version %d, title %q", a.Version, a.TitleEN)
	}
	stale := hwArticleForm()
	stale.Set("version", "1")
	stale.Set("title_en", "Resize from a stale page")
	r = admin.Post(edit, stale) // admin reads French
	wantStatus(t, "stale", r, http.StatusConflict)
	hwWant(t, "stale", r, "Quelqu’un a enregistré cet article depuis que vous l’avez ouvert", `name="version" value="2"`)
	hwWantField(t, "stale", r, "title_en", "Resize from a stale page")
	r = alice.Post(edit, stale)
	wantStatus(t, "stale en", r, http.StatusConflict)
	hwWant(t, "stale en", r, "Someone saved this article since you opened it",
		`name="version" value="2"`, "<h1>Edit the article <span lang=\"en\">Resize an ECS instance safely</span></h1>")
	hwWantField(t, "stale en", r, "title_en", "Resize from a stale page")
	if a := hwRow(t, d, newID); a.Version != 2 || a.TitleEN != "Resize an ECS instance safely" {
		t.Errorf("a stale save wrote: version %d, title %q", a.Version, a.TitleEN)
	}
	// A refused save and a preview of the edit write nothing.
	bad = hwArticleForm()
	bad.Set("version", "2")
	bad.Set("body_fr", "<script>alert(1)</script>")
	r = alice.Post(edit, bad)
	wantStatus(t, "refused save", r, http.StatusUnprocessableEntity)
	hwFieldError(t, "refused save", r, "body_fr", cases[2].en)
	pform := hwArticleForm()
	pform.Set("version", "2")
	pform.Set("title_en", "Previewed title")
	pform.Set("preview", "1")
	r = alice.Post(edit, pform)
	wantStatus(t, "preview of an edit", r, http.StatusOK)
	if !strings.Contains(hwPart(r.Body, `class="help-preview"`, "<form "), "Previewed title") {
		t.Errorf("the edit's preview does not show the new title")
	}
	if a := hwRow(t, d, newID); a.Version != 2 || a.TitleEN != "Resize an ECS instance safely" {
		t.Errorf("after a refused save and a preview: version %d, title %q", a.Version, a.TitleEN)
	}

	// Versions: one a save.
	if n := hwCount(t, d, "SELECT COUNT(*) FROM help_versions WHERE article_id = ?", newID); n != 2 {
		t.Errorf("%d versions, want 2", n)
	}
	r = alice.Get(edit + "/versions")
	wantStatus(t, "versions", r, http.StatusOK)
	hwWant(t, "versions", r, `href="`+edit+`/versions/1">Version 1</a>`, `href="`+edit+`/versions/2">Version 2</a>`,
		"Resize an ECS instance safely", "Resize an ECS instance", "Alice Agent")
	r = alice.Get(edit + "/versions/1")
	wantStatus(t, "version 1", r, http.StatusOK)
	hwWant(t, "version 1", r, "Resize an ECS instance</h2>", "<strong>change its flavor</strong>", "Published")
	hwWantNo(t, "version 1", r, "Resize an ECS instance safely</h2>")
	r = admin.Get(edit + "/versions/2")
	wantStatus(t, "version 2 fr", r, http.StatusOK)
	hwWant(t, "version 2 fr", r, "Version 2", "Resize an ECS instance safely</h2>", "Publié")
	for _, v := range []string{"3", "99", "0", "x", "99999999999"} {
		r = alice.Get(edit + "/versions/" + v)
		wantStatus(t, "version "+v, r, http.StatusNotFound)
		hwWant(t, "version "+v, r, "Page not found")
	}
	wantStatus(t, "versions of an unknown article", alice.Get("/staff/help/999999/versions"), http.StatusNotFound)
	wantStatus(t, "unknown article", alice.Get("/staff/help/999999"), http.StatusNotFound)
}

// hwReplyBox is the public reply's text on a staff incident page.
func hwReplyBox(body string) string {
	m := regexp.MustCompile(`(?s)<textarea id="f-body"[^>]*>(.*?)</textarea>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

var hwVersion = regexp.MustCompile(`name="version" value="(\d+)"`)

func TestHelpAgentsLinkArticlesInReplies(t *testing.T) {
	d := newDesk(t)
	tenantID := d.tenant(t, "OCB0000001").ID
	inc := d.declare(t, "Marie.Dupont", tenantID, "Connexion VPN impossible")
	linkable := hwArticle(t, d, help.Input{Category: help.Access, Visibility: help.Customers, State: help.Published,
		TitleFR: "Diagnostiquer une connexion VPN", BodyFR: "Vérifiez le certificat du VPN.",
		TitleEN: "Troubleshoot a VPN connection", BodyEN: "Check the VPN certificate."})
	public := hwArticle(t, d, help.Input{Category: help.Access, Visibility: help.Public, State: help.Published,
		TitleEN: "VPN clients we support", BodyEN: "OpenVPN and WireGuard."})
	staffOnly := hwArticle(t, d, help.Input{Category: help.Access, Visibility: help.Staff, State: help.Published,
		TitleFR: "VPN : procédure interne", BodyFR: "Interne."})
	draft := hwArticle(t, d, help.Input{Category: help.Access, Visibility: help.Customers, State: help.Draft,
		TitleFR: "VPN brouillon", BodyFR: "Pas prêt."})
	alice := d.as(t, "Alice.Agent")
	page := "/staff/incidents/" + inc.Number()

	r := alice.Get(page + "?help_q=vpn")
	wantStatus(t, "picker", r, http.StatusOK)
	picker := hwPart(r.Body, `class="card help-picker"`, "</section>")
	hwLinksTo(t, "picker", picker, []*help.Article{linkable, public}, []*help.Article{staffOnly, draft})
	hwWant(t, "picker", r, "Link to a help article", "Troubleshoot a VPN connection", "Insert the link", `?article=`+id(linkable.ID))
	hwWantNo(t, "picker", r, "procédure interne", "VPN brouillon")
	r = alice.Get(page + "?help_q=zorglub")
	hwWant(t, "picker without match", r, "No published article for customers matches these words.")

	// The link in the reporter's language: Marie reads French.
	r = alice.Get(page + "?article=" + id(linkable.ID))
	wantStatus(t, "insert", r, http.StatusOK)
	box := hwReplyBox(r.Body)
	if !strings.HasPrefix(box, "Diagnostiquer une connexion VPN\n") || !strings.HasSuffix(strings.TrimSpace(box), "/help/articles/"+id(linkable.ID)+"?lang=fr") {
		t.Errorf("the reply holds %q", box)
	}
	// An article in English only: its English title and link, whatever the reporter reads.
	r = alice.Get(page + "?article=" + id(public.ID))
	box = hwReplyBox(r.Body)
	if !strings.HasPrefix(box, "VPN clients we support\n") || !strings.HasSuffix(strings.TrimSpace(box), "/help/articles/"+id(public.ID)+"?lang=en") {
		t.Errorf("the reply holds %q", box)
	}
	// Staff only or draft: 422 beside the search; gone: 404.
	for _, a := range []*help.Article{staffOnly, draft} {
		r = alice.Get(page + "?article=" + id(a.ID))
		wantStatus(t, "insert "+a.TitleFR, r, http.StatusUnprocessableEntity)
		hwFieldError(t, "insert "+a.TitleFR, r, "help_q", "Only a published article for customers can be linked to in a reply.")
		if box := hwReplyBox(r.Body); strings.Contains(box, "/help/articles/") {
			t.Errorf("insert %s: the reply holds %q", a.TitleFR, box)
		}
	}
	for _, v := range []string{"999999", "abc", "-1"} {
		r = alice.Get(page + "?article=" + v)
		wantStatus(t, "insert "+v, r, http.StatusNotFound)
		hwFieldError(t, "insert "+v, r, "help_q", "This article no longer exists.")
		hwWant(t, "insert "+v, r, "Connexion VPN impossible")
	}
	admin := d.as(t, "admin")
	admin.Get("/profile")
	admin.Post("/profile/lang", url.Values{"lang": {"fr"}})
	r = admin.Get(page + "?article=" + id(staffOnly.ID))
	wantStatus(t, "insert staff article fr", r, http.StatusUnprocessableEntity)
	hwFieldError(t, "insert staff article fr", r, "help_q", "Seul un article publié pour les clients peut être lié dans une réponse.")
	r = admin.Get(page + "?article=999999")
	hwFieldError(t, "insert gone fr", r, "help_q", "Cet article n’existe plus.")

	// An article from a resolution: refused while the incident is not resolved.
	r = alice.Get("/staff/help/new?incident=" + inc.Number())
	wantStatus(t, "from an unresolved incident", r, http.StatusUnprocessableEntity)
	hwWant(t, "from an unresolved incident", r, inc.Number()+" is not resolved: an article is written from a resolution.")
	r = admin.Get("/staff/help/new?incident=" + inc.Number())
	hwWant(t, "from an unresolved incident fr", r, inc.Number()+" n’est pas résolu : un article se rédige à partir d’une résolution.")
	for _, v := range []string{"nope", "INC", "INC-1"} {
		r = alice.Get("/staff/help/new?incident=" + url.QueryEscape(v))
		wantStatus(t, "from "+v, r, http.StatusNotFound)
		hwWant(t, "from "+v, r, "This incident number is not valid.")
	}
	wantStatus(t, "from an unknown incident", alice.Get("/staff/help/new?incident="+incident.Number(999999)), http.StatusNotFound)

	// Take, resolve with a note, then write from it.
	r = alice.Get(page)
	v := hwVersion.FindStringSubmatch(r.Body)
	if v == nil {
		t.Fatal("no version on the staff page")
	}
	wantStatus(t, "take", alice.Post(page+"/take", url.Values{"version": {v[1]}}), http.StatusSeeOther)
	r = alice.Get(page)
	v = hwVersion.FindStringSubmatch(r.Body)
	note := "Le certificat du VPN a expiré ; il a été renouvelé, reconnectez-vous."
	wantStatus(t, "resolve", alice.Post(page+"/resolve", url.Values{"version": {v[1]}, "note": {note}}), http.StatusSeeOther)
	r = alice.Get(page)
	hwWant(t, "resolved page", r, `href="/staff/help/new?incident=`+inc.Number()+`"`, "Write a help article from this resolution")
	r = alice.Get("/staff/help/new?incident=" + inc.Number())
	wantStatus(t, "from the resolution", r, http.StatusOK)
	hwWant(t, "from the resolution", r, "The form holds the title and resolution of "+inc.Number(), `name="incident" value="`+inc.Number()+`"`)
	for f, want := range map[string]string{"title_fr": "Connexion VPN impossible", "body_fr": note, "title_en": "", "body_en": ""} {
		hwWantField(t, "from the resolution", r, f, want)
	}
	form := url.Values{"category": {"access"}, "visibility": {"customers"}, "state": {"draft"}, "incident": {inc.Number()},
		"title_fr": {"Connexion VPN impossible"}, "body_fr": {note}}
	r = alice.Post("/staff/help/new", form)
	wantStatus(t, "create from the resolution", r, http.StatusSeeOther)
	m := hwCreated.FindStringSubmatch(r.Location)
	if m == nil {
		t.Fatalf("redirect to %q", r.Location)
	}
	newID, _ := strconv.ParseInt(m[1], 10, 64)
	if a := hwRow(t, d, newID); a.IncidentID == nil || *a.IncidentID != inc.ID || a.State != help.Draft {
		t.Errorf("created from the resolution: %+v", a)
	}

	// John reads English: his incident's link and resolution are in English.
	john := d.as(t, "John.Doe")
	jform := validIncidentForm()
	jform.Set("title", "VPN tunnel down")
	jform.Set("suggested", "1")
	r = john.PostFiles("/incidents", jform)
	wantStatus(t, "John declares", r, http.StatusSeeOther)
	number := strings.TrimSuffix(strings.TrimPrefix(r.Location, "/incidents/"), "/declared")
	jpage := "/staff/incidents/" + number
	r = admin.Get(jpage + "?article=" + id(linkable.ID))
	wantStatus(t, "insert for John", r, http.StatusOK)
	box = hwReplyBox(r.Body)
	if !strings.HasPrefix(box, "Troubleshoot a VPN connection\n") || !strings.HasSuffix(strings.TrimSpace(box), "/help/articles/"+id(linkable.ID)+"?lang=en") {
		t.Errorf("the reply to John holds %q", box)
	}
	r = alice.Get(jpage)
	v = hwVersion.FindStringSubmatch(r.Body)
	wantStatus(t, "take John's", alice.Post(jpage+"/take", url.Values{"version": {v[1]}}), http.StatusSeeOther)
	v = hwVersion.FindStringSubmatch(alice.Get(jpage).Body)
	wantStatus(t, "resolve John's", alice.Post(jpage+"/resolve", url.Values{"version": {v[1]}, "note": {"The VPN gateway was restarted."}}), http.StatusSeeOther)
	r = admin.Get("/staff/help/new?incident=" + number)
	wantStatus(t, "from John's resolution", r, http.StatusOK)
	hwWant(t, "from John's resolution", r, "Le formulaire reprend le titre et la résolution de "+number)
	for f, want := range map[string]string{"title_en": "VPN tunnel down", "body_en": "The VPN gateway was restarted.", "title_fr": "", "body_fr": ""} {
		hwWantField(t, "from John's resolution", r, f, want)
	}
}

// hwHostileBody is Markdown no writer may save, written straight into the database.
const hwHostileBody = "## Piège\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror=alert(1)>\n\n" +
	"[y](JAVASCRIPT:alert(2) \"t\")\n\n<a href=\"javascript:alert(3)\">z</a> et <span onmouseover=\"alert(4)\">w</span>\n\n" +
	"![i](javascript:alert(5))\n\n<javascript:alert(6)>\n\n[ok](https://example.com/doc) fin."

// hwUnsafe reports what a rendered part of a page must never hold.
func hwUnsafe(t *testing.T, what, part string) {
	t.Helper()
	low := strings.ToLower(part)
	for _, bad := range []string{"<script", "onerror=", "onmouseover="} {
		if strings.Contains(low, bad) {
			t.Errorf("%s holds %q: %s", what, bad, part)
		}
	}
	hwUnsafeTags(t, what, part)
}

// hwUnsafeTags reports a tag of part that runs script: a script element, an event handler, a
// javascript: address. Words of the text (a search shown back) may say anything.
func hwUnsafeTags(t *testing.T, what, part string) {
	t.Helper()
	if part == "" {
		t.Errorf("%s: nothing rendered", what)
		return
	}
	for _, tag := range hwTag.FindAllString(strings.ToLower(part), -1) {
		if strings.HasPrefix(tag, "<script") {
			t.Errorf("%s holds the tag %s", what, tag)
		}
		if strings.Contains(tag, "javascript:") || hwHandler.MatchString(tag) {
			t.Errorf("%s holds the tag %s", what, tag)
		}
	}
}

var (
	hwTag     = regexp.MustCompile(`<[^>]*>`)
	hwHandler = regexp.MustCompile(`\son[a-z]+\s*=`)
)

func TestHelpHostileMarkdownIsNeverRendered(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	var seq int64
	if err := d.DB.NewRaw("INSERT INTO help_state (id, seq) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET seq = help_state.seq + 1 RETURNING seq").Scan(ctx, &seq); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	alice := d.user(t, "Alice.Agent")
	a := &help.Article{Category: help.General, Visibility: help.Public, State: help.Published, TitleFR: "Article piégé",
		BodyFR: hwHostileBody, TitleEN: "Trapped article", BodyEN: hwHostileBody, AuthorID: alice.ID, EditorID: alice.ID,
		CreatedAt: now, UpdatedAt: now, PublishedAt: &now, Version: 1, Seq: seq}
	if _, err := d.DB.NewInsert().Model(a).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	v := &help.Version{ArticleID: a.ID, Version: 1, Category: a.Category, Visibility: a.Visibility, State: a.State,
		TitleFR: a.TitleFR, BodyFR: a.BodyFR, TitleEN: a.TitleEN, BodyEN: a.BodyEN, EditorID: alice.ID, CreatedAt: now}
	if _, err := d.DB.NewInsert().Model(v).Exec(ctx); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		who    string
		client *testutil.Client
	}{{"Marie", d.as(t, "Marie.Dupont")}, {"John", d.as(t, "John.Doe")}, {"visitor", hwVisitor(d, t, "fr")}} {
		r := c.client.Get(hwPath(a))
		wantStatus(t, c.who+" reads", r, http.StatusOK)
		art := hwPart(r.Body, `<article class="help-article"`, "</article>")
		hwUnsafe(t, c.who+"'s article", art)
		if !strings.Contains(art, `href="https://example.com/doc"`) {
			t.Errorf("%s: the safe link is lost: %s", c.who, art)
		}
		if n := strings.Count(strings.ToLower(r.Body), "<script"); n != 1 || !strings.Contains(r.Body, `<script src="/static/guichet.js" defer></script>`) {
			t.Errorf("%s: %d script tags on the page, want only the desk's own", c.who, n)
		}
		hwUnsafe(t, c.who+"'s page without the desk's script", strings.Replace(r.Body, `<script src="/static/guichet.js" defer></script>`, "", 1))
	}

	// The writers' preview and versions.
	ac := d.as(t, "Alice.Agent")
	r := ac.Get("/staff/help/" + id(a.ID) + "/versions/1")
	wantStatus(t, "version", r, http.StatusOK)
	hwUnsafe(t, "version", hwPart(r.Body, `<section class="card help-article"`, "</main>"))
	form := url.Values{"category": {"general"}, "visibility": {"public"}, "state": {"published"}, "version": {"1"}, "preview": {"1"},
		"title_fr": {a.TitleFR}, "body_fr": {a.BodyFR}, "title_en": {a.TitleEN}, "body_en": {a.BodyEN}}
	ac.Get("/staff/help/" + id(a.ID))
	r = ac.Post("/staff/help/"+id(a.ID), form)
	wantStatus(t, "preview", r, http.StatusUnprocessableEntity)
	hwUnsafe(t, "preview", hwPart(r.Body, `class="help-preview"`, "<form "))
	hwFieldError(t, "preview", r, "body_fr", "Write Markdown, not HTML: remove “<script>alert(1)</script>”.")
	r = ac.Post("/staff/help/new", form)
	wantStatus(t, "preview of a new article", r, http.StatusUnprocessableEntity)
	hwUnsafe(t, "preview of a new article", hwPart(r.Body, `class="help-preview"`, "<form "))
	if n := hwCount(t, d, "SELECT COUNT(*) FROM help_articles"); n != 1 {
		t.Errorf("%d articles after previews", n)
	}

	// A search for hostile words is shown back as text.
	r = d.as(t, "Marie.Dupont").Get("/help?q=" + url.QueryEscape("<script>alert(1)</script> <img src=x onerror=alert(1)>"))
	wantStatus(t, "hostile search", r, http.StatusOK)
	hwUnsafeTags(t, "hostile search", hwPart(r.Body, `class="help-results"`, "</section>"))
	hwWant(t, "hostile search", r, "&lt;script&gt;alert(1)&lt;/script&gt;")

	// The API's html.
	api := testutil.NewAPIClient(t, d.web, testutil.APIToken(t, d.App, "Marie.Dupont", identity.ScopeRead))
	resp := api.Get("/api/v1/help/articles/" + id(a.ID))
	if resp.Status != http.StatusOK {
		t.Fatalf("API: %d %s", resp.Status, resp.Body)
	}
	var got struct {
		HTML     struct{ FR, EN string } `json:"html"`
		Markdown struct{ FR, EN string } `json:"markdown"`
	}
	resp.JSON(t, &got)
	hwUnsafe(t, "API html.fr", got.HTML.FR)
	hwUnsafe(t, "API html.en", got.HTML.EN)
	if !strings.Contains(got.HTML.FR, "<h3>Piège</h3>") || got.Markdown.FR != hwHostileBody {
		t.Errorf("API: html %q, markdown %q", got.HTML.FR, got.Markdown.FR)
	}
}

// The form written from a resolution carries the incident's number in a hidden field: what it
// names is checked as the form's link ?incident= is, never trusted.
func TestHelpCreateChecksTheIncidentTheFormNames(t *testing.T) {
	d := newDesk(t)
	alice := d.as(t, "Alice.Agent")
	articles := func() int { return hwCount(t, d, "SELECT COUNT(*) FROM help_articles") }
	alice.Get("/staff/help/new")

	// An incident that does not exist: refused (404 as the link's, or 422), not a failure.
	form := hwArticleForm()
	form.Set("incident", incident.Number(999999))
	r := alice.Post("/staff/help/new", form)
	if r.Status != http.StatusNotFound && r.Status != http.StatusUnprocessableEntity {
		t.Errorf("an unknown incident in the form: status %d, want 404 or 422", r.Status)
	}
	if n := articles(); n != 0 {
		t.Errorf("%d articles written from an unknown incident", n)
	}

	// An incident that is not resolved: refused as the link refuses it.
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Lenteur du stockage objet")
	form.Set("incident", inc.Number())
	r = alice.Post("/staff/help/new", form)
	if r.Status != http.StatusUnprocessableEntity {
		t.Errorf("an unresolved incident in the form: status %d (location %q), want 422", r.Status, r.Location)
	} else {
		hwWant(t, "unresolved incident in the form", r, inc.Number()+" is not resolved: an article is written from a resolution.")
	}
	if n := hwCount(t, d, "SELECT COUNT(*) FROM help_articles WHERE incident_id IS NOT NULL"); n != 0 {
		t.Errorf("%d articles recorded as written from an unresolved incident", n)
	}
}
