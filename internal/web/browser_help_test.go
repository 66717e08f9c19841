package web_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"golang.org/x/net/html"
)

// The help center in a real Chromium: a customer who starts declaring an incident is offered
// the articles that answer its title as she types it, reads one and gives the declaration up
// (TestBrowserHelpDeflection); without script, the same offer comes on a review step
// (TestBrowserHelpWithoutScript); and the help center's pages, the writers' and the declaration
// form with its suggestions pass axe-core, fit the window and show no raw key
// (TestBrowserHelpPages).

// bhDesk is a desk with the demo's help articles, served; the app's search index has them all.
func bhDesk(t *testing.T) (*app.App, string) {
	t.Helper()
	a := testutil.NewApp(t)
	ctx := t.Context()
	if err := demo.LoadHelp(ctx, a.DB); err != nil {
		t.Fatalf("load the demo's help articles: %v", err)
	}
	// LoadHelp writes the articles behind the service's back, as another instance would: the
	// index finds them through help_state at its next look, at most Fresh (1 s) later. Warm
	// looks now, so that the first suggestion cannot come from an index that has not looked yet.
	if err := a.Help.Warm(ctx); err != nil {
		t.Fatalf("index the help articles: %v", err)
	}
	ins, err := demo.HelpArticles()
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Help.Index.Len(); got != len(ins) || len(ins) != 13 {
		t.Fatalf("the help index has %d articles, want the %d demo articles (13)", got, len(ins))
	}
	return a, serveDesk(t, a)
}

// bhArticle reads the demo article whose French title contains part.
func bhArticle(t *testing.T, a *app.App, part string) *help.Article {
	t.Helper()
	ins, err := demo.HelpArticles()
	if err != nil {
		t.Fatal(err)
	}
	title := ""
	for _, in := range ins {
		if strings.Contains(in.TitleFR, part) {
			if title != "" {
				t.Fatalf("two demo articles have %q in their French title", part)
			}
			title = in.TitleFR
		}
	}
	if title == "" {
		t.Fatalf("no demo article has %q in its French title", part)
	}
	art := new(help.Article)
	if err := a.DB.NewSelect().Model(art).Where("title_fr = ?", title).Scan(t.Context()); err != nil {
		t.Fatalf("read the article %q: %v", title, err)
	}
	return art
}

// bhIncidents counts the incidents of the desk.
func bhIncidents(t *testing.T, a *app.App) int64 {
	t.Helper()
	n, err := a.DB.NewSelect().TableExpr("incidents").Count(t.Context())
	if err != nil {
		t.Fatalf("count the incidents: %v", err)
	}
	return n
}

// bhNorm is s with every run of white space, no-break spaces included, made one space: what
// incidentTab.want compares.
func bhNorm(s string) string { return strings.Join(strings.Fields(s), " ") }

// bhWait waits, up to 10 s, until xpath selects a node in tab's page.
func bhWait(tab incidentTab, what, xpath string) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.Search(xpath))); err != nil {
		tab.t.Fatalf("%s: %s: nothing matches %s on %s after 10 s (%v):\n%s", tab.who, what, xpath,
			tab.eval(`location.pathname`), err, tab.text(`//main`))
	}
}

// bhSuggested are the titles of the articles the suggestions' aside lists, in order.
func bhSuggested(tab incidentTab) []string {
	tab.t.Helper()
	titles, err := chromedp.Run(tab.ctx, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll("#help-suggest li > a"), (a) => a.firstChild ? a.firstChild.textContent.trim() : "")`))
	if err != nil {
		tab.t.Fatalf("%s: read the suggestions: %v", tab.who, err)
	}
	return titles
}

// bhSuggestedLink is the XPath of the link to the article titled title in the suggestions' aside.
func bhSuggestedLink(title string) string {
	return `//aside[@id="help-suggest"]//li/a[normalize-space(text()[1])=normalize-space(` + jsString(title) + `)]`
}

// bhLang is what the declaration's pages say in one language, as the tests type and click it.
type bhLang struct {
	accept, login, query                                             string
	title, description, service, region, impact, urgency             string
	evs, paris, high, medium                                         string
	formH1, validate, declared, deflect, flash, suggestTitle, review string
}

var bhLangs = map[string]bhLang{
	"fr": {accept: "fr-FR,fr;q=0.9", login: "Marie.Dupont", query: "Mot de passe oublié, compte bloqué",
		title: "Titre", description: "Description", service: "Service concerné", region: "Région", impact: "Impact", urgency: "Urgence",
		evs: "Elastic Volume Service", paris: "Paris", high: "Élevé", medium: "Moyenne",
		formH1: "Déclarer un incident", validate: "Valider", declared: "Incident déclaré", deflect: "Cela répond à ma question",
		flash:        "Tant mieux : cet article a répondu à votre question, aucun incident n’a été déclaré.",
		suggestTitle: "Ces articles répondent peut-être à votre question",
		review:       "Avant de déclarer : les articles d’aide à côté de ce formulaire répondent peut-être à votre question. Sinon, cliquez sur Valider."},
	"en": {accept: "en-US,en;q=0.9", login: "John.Doe", query: "Forgotten password, account locked",
		title: "Title", description: "Description", service: "Affected service", region: "Region", impact: "Impact", urgency: "Urgency",
		evs: "Elastic Volume Service", paris: "Paris", high: "High", medium: "Medium",
		formH1: "Report an incident", validate: "Validate", declared: "Incident declared", deflect: "This answers my question",
		flash: "Glad this article answered your question: no incident was declared."},
}

// bhFillDeclaration fills the whole declaration form, as TestBrowserMajorIncident does.
func bhFillDeclaration(tab incidentTab, w bhLang) {
	tab.t.Helper()
	tab.do("fill the form",
		chromedp.SendKeys(tab.find(labelled(w.title)), w.query),
		chromedp.SendKeys(tab.find(labelled(w.description)), "Je ne peux plus me connecter à la console depuis ce matin."))
	tab.choose(w.service, w.evs)
	tab.do("radios",
		chromedp.Click(tab.find(radio(w.region, w.paris))),
		chromedp.Click(tab.find(radio(w.impact, w.high))),
		chromedp.Click(tab.find(radio(w.urgency, w.medium))))
}

// bhWantFigures checks the article's deflections and helpful votes in the database.
func bhWantFigures(t *testing.T, a *app.App, art *help.Article, deflections, helpful int64) {
	t.Helper()
	got := new(help.Article)
	if err := a.DB.NewSelect().Model(got).Where("id = ?", art.ID).Scan(t.Context()); err != nil {
		t.Fatalf("read article %d: %v", art.ID, err)
	}
	if got.Deflections != deflections || got.Helpful != helpful || got.Unhelpful != 0 {
		t.Fatalf("article %d (%s): deflections %d, helpful %d, unhelpful %d; want %d, %d, 0", art.ID, art.TitleFR,
			got.Deflections, got.Helpful, got.Unhelpful, deflections, helpful)
	}
}

// bhSuggestShown selects the suggestions listed in the aside beside the form, when it shows.
const bhSuggestShown = `//aside[@id="help-suggest" and not(@hidden)]//li`

// TestBrowserHelpDeflection is the flow, in French: Marie Dupont starts declaring an
// incident; as she types its title, the articles that may answer it appear beside the form; she
// opens the one on locked accounts, reads it in French and clicks « Cela répond à ma question »:
// nothing is declared, the article counts one deflection and one helpful vote. She then declares
// an incident all the same: the suggestions were shown as she typed (the script says so with
// suggested=1), so Valider declares at once, with no review step.
func TestBrowserHelpDeflection(t *testing.T) {
	browser := findBrowser(t)
	a, base := bhDesk(t)
	locked := bhArticle(t, a, "compte bloqué")
	w := bhLangs["fr"]

	allocCtx := newBrowser(t, browser, 120*time.Second, "fr-FR")
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer closeTab(t, ctx, cancel)
	marie := incidentTab{t: t, ctx: ctx, who: "Marie"}
	marie.speak(w.accept)
	marie.login(base, w.login)

	// The form, before anything is typed: no suggestion, and the script says it offers them.
	marie.step("Déclarer un incident", chromedp.Click(marie.find(`//main//a[normalize-space()="Déclarer un incident"]`)))
	if h1 := bhNorm(marie.text(`//main//h1`)); !strings.HasPrefix(h1, w.formH1) {
		t.Fatalf("declaration form: h1 %q", h1)
	}
	if n := marie.count(`//aside[@id="help-suggest" and not(@hidden)]`); n != 0 {
		t.Fatalf("the suggestions show before a title is typed")
	}
	if v := marie.eval(`document.getElementById("f-suggested").value`); v != "1" {
		t.Fatalf("suggested = %q on the form with script, want 1", v)
	}

	// She types the title: the suggestions appear, the locked-account article first.
	marie.do("type the title", chromedp.SendKeys(marie.find(labelled(w.title)), w.query))
	bhWait(marie, "suggestions", bhSuggestShown)
	if got := bhSuggested(marie); len(got) == 0 || bhNorm(got[0]) != bhNorm(locked.TitleFR) {
		t.Fatalf("suggestions for %q: %q; want %q first", w.query, got, locked.TitleFR)
	}
	marie.want("suggestions' heading", `//aside[@id="help-suggest"]/h2`, bhNorm(w.suggestTitle))
	// The title changes: until the suggestions for it are shown, the form does not say they were
	// (sent meanwhile, it would get the review step).
	if v := marie.eval(`(() => { const t = document.getElementById("f-title"); t.value += " svp"; t.dispatchEvent(new Event("input"));
		return document.getElementById("f-suggested").value; })()`); v != "" {
		t.Fatalf("suggested = %q right after the title changed, want empty until its suggestions are shown", v)
	}
	bhWait(marie, "the suggestions for the changed title", `//input[@id="f-suggested" and @value="1"]`)
	link := bhSuggestedLink(locked.TitleFR)
	attrs, err := chromedp.Run(ctx, chromedp.Attributes(marie.find(link)))
	if err != nil {
		t.Fatalf("read the suggestion's link: %v", err)
	}
	wantHref := fmt.Sprintf("/help/articles/%d?from=incident", locked.ID)
	if attrs["href"] != wantHref || attrs["target"] != "_blank" || !strings.Contains(attrs["rel"], "noopener") {
		t.Fatalf("suggestion's link: %v; want href %s, target _blank, rel noopener", attrs, wantHref)
	}

	// She opens it (in this tab: the link opens a new one, which the test does not follow).
	marie.step("open the article", chromedp.Navigate(base+attrs["href"]))
	if lang := marie.eval(`document.documentElement.lang + " " + document.querySelector("main article").lang`); lang != "fr fr" {
		t.Fatalf("article page and article in %q, want fr fr", lang)
	}
	marie.want("article title", `//main//article/h1`, bhNorm(locked.TitleFR))
	if n := marie.count(`//main//p[@id="lang-notice"]`); n != 0 {
		t.Fatalf("the missing-language notice shows on an article written in French")
	}
	marie.want("deflection offer", `//main//section[contains(@class,"deflect")]/h2`, "Vous étiez en train de déclarer un incident ?")
	marie.step(w.deflect, chromedp.Click(marie.find(`//main//section[contains(@class,"deflect")]//button[normalize-space()="`+w.deflect+`"]`)))
	marie.want("flash", `//main/p[contains(@class,"flash")]`, bhNorm(w.flash))
	if path := marie.eval(`location.pathname`); path != fmt.Sprintf("/help/articles/%d", locked.ID) {
		t.Errorf("after « %s »: on %s, want the article", w.deflect, path)
	}
	if n := marie.count(`//main//section[contains(@class,"deflect")]`); n != 0 {
		t.Errorf("the article still offers « %s » after it was given", w.deflect)
	}
	marie.want("her vote", `//main//section[@id="vote"]/p`, "Vous avez trouvé cet article utile.")
	if n := bhIncidents(t, a); n != 0 {
		t.Fatalf("%d incidents after « %s », want 0", n, w.deflect)
	}
	bhWantFigures(t, a, locked, 1, 1)

	// She declares all the same: the suggestions show again; Valider declares at once.
	marie.step("home", chromedp.Navigate(base+"/"))
	marie.step("Déclarer un incident again", chromedp.Click(marie.find(`//main//a[normalize-space()="Déclarer un incident"]`)))
	bhFillDeclaration(marie, w)
	bhWait(marie, "suggestions again", bhSuggestShown)
	if got := bhSuggested(marie); len(got) == 0 || bhNorm(got[0]) != bhNorm(locked.TitleFR) {
		t.Fatalf("suggestions the second time: %q; want %q first", got, locked.TitleFR)
	}
	if v := marie.eval(`document.getElementById("f-suggested").value`); v != "1" {
		t.Fatalf("suggested = %q before Valider, want 1", v)
	}
	marie.step(w.validate, chromedp.Click(marie.find(`//main//button[@id="declare-submit" and normalize-space()="`+w.validate+`"]`)))
	marie.want("declared", `//main//h1`, w.declared)
	if n := marie.count(`//main//p[@id="review-notice"]`); n != 0 {
		t.Errorf("a review step showed although the suggestions were offered as she typed")
	}
	if n := bhIncidents(t, a); n != 1 {
		t.Fatalf("%d incidents after Valider, want 1", n)
	}
	bhWantFigures(t, a, locked, 1, 1)
}

// TestBrowserHelpWithoutScript declares without script, in French (Marie Dupont) and in English
// (John Doe): the form cannot offer the articles as the title is typed, so the first Valider shows
// them on a review step, with its notice, and declares nothing. « Cela répond à ma question »
// there gives the declaration up; Valider on the review step declares. The review notice, and the
// article reached from the declaration, tell to click the form's button by the name it has.
func TestBrowserHelpWithoutScript(t *testing.T) {
	browser := findBrowser(t)
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			w := bhLangs[lang]
			a, base := bhDesk(t)
			locked := bhArticle(t, a, "compte bloqué")
			shown := locked.Title(lang)

			allocCtx := newBrowser(t, browser, 120*time.Second, w.accept)
			ctx, cancel := chromedp.NewContext(allocCtx)
			defer closeTab(t, ctx, cancel)
			tab := incidentTab{t: t, ctx: ctx, who: w.login}
			tab.speak(w.accept)
			if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
				t.Fatalf("disable scripts: %v", err)
			}
			tab.login(base, w.login)

			declare := func(round string) {
				t.Helper()
				tab.step("the form ("+round+")", chromedp.Navigate(base+"/incidents/new"))
				if v := tab.eval(`document.getElementById("f-suggested").value`); v != "" {
					t.Fatalf("%s: suggested = %q on the form without script: the script ran", round, v)
				}
				bhFillDeclaration(tab, w)
				time.Sleep(400 * time.Millisecond) // longer than the script would wait before asking
				if n := tab.count(`//aside[@id="help-suggest" and not(@hidden)]`); n != 0 {
					t.Fatalf("%s: suggestions shown as the title was typed, without script", round)
				}
				tab.step(w.validate+" ("+round+")", chromedp.Click(tab.find(`//main//button[@id="declare-submit" and normalize-space()="`+w.validate+`"]`)))
				if h1 := bhNorm(tab.text(`//main//h1`)); !strings.HasPrefix(h1, w.formH1) {
					t.Fatalf("%s: after the first %s, h1 %q; want the form again with the suggestions", round, w.validate, h1)
				}
				notice := bhNorm(tab.text(`//main//p[@id="review-notice"]`))
				if w.review != "" && notice != bhNorm(w.review) {
					t.Errorf("%s: review notice %q, want %q", round, notice, bhNorm(w.review))
				}
				if !strings.Contains(notice, w.validate) {
					t.Errorf("%s: the review notice %q does not name the button it means, which reads %q", round, notice, w.validate)
				}
				if got := bhSuggested(tab); len(got) == 0 || bhNorm(got[0]) != bhNorm(shown) {
					t.Fatalf("%s: review step's suggestions: %q; want %q first", round, got, shown)
				}
				if n := tab.count(bhSuggestShown); n == 0 {
					t.Fatalf("%s: the suggestions' aside is hidden on the review step", round)
				}
				if n := bhIncidents(t, a); n != 0 {
					t.Fatalf("%s: %d incidents after the first %s, want 0 (the review step)", round, n, w.validate)
				}
				// What was typed is kept; the form now says the suggestions were offered.
				if got := tab.eval(`document.getElementById("f-title").value + " | " + document.getElementById("f-suggested").value`); got != w.query+" | 1" {
					t.Fatalf("%s: title and suggested on the review step: %q", round, got)
				}
			}

			// First time, the article answers: the declaration is given up from the review step.
			declare("gives up")
			tab.step(w.deflect, chromedp.Click(tab.find(`//aside[@id="help-suggest"]//li[a[normalize-space(text()[1])=normalize-space(`+
				jsString(shown)+`)]]//button[starts-with(normalize-space(),"`+w.deflect+`")]`)))
			tab.want("flash", `//main/p[contains(@class,"flash")]`, bhNorm(w.flash))
			if n := bhIncidents(t, a); n != 0 {
				t.Fatalf("%d incidents after « %s » on the review step, want 0", n, w.deflect)
			}
			bhWantFigures(t, a, locked, 1, 1)

			// Second time, Valider on the review step declares.
			declare("declares")
			tab.step(w.validate+" on the review step", chromedp.Click(tab.find(`//main//button[@id="declare-submit" and normalize-space()="`+w.validate+`"]`)))
			tab.want("declared", `//main//h1`, w.declared)
			if n := bhIncidents(t, a); n != 1 {
				t.Fatalf("%d incidents after %s on the review step, want 1", n, w.validate)
			}
			bhWantFigures(t, a, locked, 1, 1)

			// The article, as the suggestion opens it, sends back to the form's button by its name.
			tab.step("the article from the declaration", chromedp.Navigate(fmt.Sprintf("%s/help/articles/%d?from=incident", base, locked.ID)))
			back := bhNorm(tab.text(`//main//section[contains(@class,"deflect")]/p[contains(@class,"help")]`))
			if back == "" || !strings.Contains(back, w.validate) {
				t.Errorf("the article reached from the declaration says %q: it does not name the form's button, which reads %q", back, w.validate)
			}
		})
	}
}

// bhPage is one page TestBrowserHelpPages checks: open brings tab to it, in the state checked;
// want is an XPath that must select a node there (what the page is for).
type bhPage struct {
	name string
	open func(tab incidentTab, base string)
	want string
}

// bhGo opens path.
func bhGo(path string) func(tab incidentTab, base string) {
	return func(tab incidentTab, base string) {
		tab.t.Helper()
		tab.step(path, chromedp.Navigate(base+path))
	}
}

// bhWideFR and bhWideEN are a table of many columns, wider than a phone: it scrolls inside its
// box, and the page keeps the window's width.
const (
	bhWideFR = `Les horaires du support, par région :

| Région | Lundi | Mardi | Mercredi | Jeudi | Vendredi | Samedi | Dimanche | Fériés | Astreinte | Contact |
|---|---|---|---|---|---|---|---|---|---|---|
| eu-west-0 | 9 h–18 h | 9 h–18 h | 9 h–18 h | 9 h–18 h | 9 h–18 h | fermé | fermé | fermé | 24 h/24 | standard téléphonique |
`
	bhWideEN = `Support hours, by region:

| Region | Monday | Tuesday | Wednesday | Thursday | Friday | Saturday | Sunday | Holidays | On call | Contact |
|---|---|---|---|---|---|---|---|---|---|---|
| eu-west-0 | 9:00–18:00 | 9:00–18:00 | 9:00–18:00 | 9:00–18:00 | 9:00–18:00 | closed | closed | closed | 24/7 | switchboard |
`
)

// bhPreviewFR and bhPreviewEN are Markdown with what an article may hold: headings, steps, a
// list, a link, a table and a wide table.
const (
	bhPreviewFR = `Texte d’introduction.

## Étapes

1. Ouvrez l’onglet **Contrat**.
2. Cliquez sur [le centre d’aide](/help).

- un point ;
- un autre point.

| Priorité | Standard | Business | Premium |
|---|---|---|---|
| P1 | 2 h / 2 j | 1 h / 8 h | 15 min / 4 h |
| P2 | 4 h / 3 j | 2 h / 24 h | 30 min / 8 h |

` + bhWideFR
	bhPreviewEN = `Introduction.

## Steps

1. Open the **Contract** tab.
2. Click [the help center](/help).

- one point;
- another point.

| Priority | Standard | Business | Premium |
|---|---|---|---|
| P1 | 2 h / 2 d | 1 h / 8 h | 15 min / 4 h |
| P2 | 4 h / 3 d | 2 h / 24 h | 30 min / 8 h |

` + bhWideEN
)

// TestBrowserHelpPages checks the help center's pages in a real Chromium, as a visitor (French),
// as Marie Dupont (fr) and John Doe (en), customers, and as Alice Agent (en), who writes the
// articles: the home, a search, a category, an article with a table and one with a table wider
// than a phone, the French-only article with its notice for John, an article reached from the declaration form, the declaration form
// with its suggestions shown, and the writers' list, article and new article with its preview.
// Each, at 1280 px and at 390 px: no axe-core violation of WCAG 2.2 A and AA, no page wider than
// the window; and no raw translation key, nor words of the other language, in its text.
func TestBrowserHelpPages(t *testing.T) {
	browser := findBrowser(t)
	axeSrc := findAxe(t)
	cat := loadCatalogue(t)
	a, base := bhDesk(t)
	runAxeJS := fmt.Sprintf(runAxe, `["`+strings.Join(axeTags, `","`)+`"]`)

	levels := bhArticle(t, a, "délais de réponse et de résolution")
	byMail := bhArticle(t, a, "par e-mail")
	if byMail.TitleEN != "" || !strings.Contains(levels.BodyFR, "|---|") {
		t.Fatalf("demo articles changed: %q should be French only, %q should have a table", byMail.TitleFR, levels.TitleFR)
	}
	// A published article with a wide table, as a writer may write one.
	writer, err := identity.UserByLogin(t.Context(), a.DB, "Alice.Agent")
	if err != nil {
		t.Fatal(err)
	}
	wide, err := a.Help.Create(t.Context(), tenancy.ActorOf(writer), help.Input{Category: help.Account, Visibility: help.Public,
		State: help.Published, TitleFR: "Horaires du support par région", BodyFR: bhWideFR,
		TitleEN: "Support hours by region", BodyEN: bhWideEN}, 0)
	if err != nil {
		t.Fatalf("write the article with a wide table: %v", err)
	}
	article := func(id int64, query string) func(incidentTab, string) {
		return bhGo(fmt.Sprintf("/help/articles/%d%s", id, query))
	}
	home := bhPage{"help home", bhGo("/help"), `//main//ul[contains(@class,"help-categories")]/li`}
	category := bhPage{"category", bhGo("/help/categories/access"), `//main//ul[contains(@class,"help-hits")]/li`}
	table := bhPage{"article with a table", article(levels.ID, ""), `//main//article//div[contains(@class,"markdown")]//table`}
	wideTable := bhPage{"article with a wide table", article(wide.ID, ""), `//main//article//div[contains(@class,"markdown")]//table`}
	found := bhPage{"search", bhGo("/help?q=quota"), `//main//section[contains(@class,"help-results")]//ul[contains(@class,"help-hits")]/li`}
	declaring := func(titleLabel, title string) bhPage {
		return bhPage{"declaration form with suggestions", func(tab incidentTab, base string) {
			tab.t.Helper()
			tab.step("declaration form", chromedp.Navigate(base+"/incidents/new"))
			tab.do("type the title", chromedp.SendKeys(tab.find(labelled(titleLabel)), title))
			bhWait(tab, "suggestions", bhSuggestShown)
		}, bhSuggestShown}
	}
	visits := []struct {
		login, lang string
		pages       []bhPage
	}{
		{"", "fr", []bhPage{home,
			// The quota article is for customers: a visitor finds nothing.
			{"search", bhGo("/help?q=quota"), `//main//section[contains(@class,"help-results")]//p[contains(@class,"empty")]`},
			category, table, wideTable}},
		{"Marie.Dupont", "fr", []bhPage{home, found, category, table,
			{"article from the declaration", article(levels.ID, "?from=incident"), `//main//section[contains(@class,"deflect")]//button`},
			declaring("Titre", bhLangs["fr"].query)}},
		{"John.Doe", "en", []bhPage{home, found, category, table, wideTable,
			{"French-only article", article(byMail.ID, ""), `//main[.//p[@id="lang-notice"]]//article[@lang="fr"]`},
			declaring("Title", bhLangs["en"].query)}},
		{"Alice.Agent", "en", []bhPage{home, found, table,
			{"writers' list", bhGo("/staff/help"), `//main//table//tbody/tr`},
			{"writers' article", bhGo(fmt.Sprintf("/staff/help/%d", levels.ID)), `//main//dl[contains(@class,"facts")]`},
			{"new article with its preview", func(tab incidentTab, base string) {
				tab.t.Helper()
				tab.step("new article", chromedp.Navigate(base+"/staff/help/new"))
				tab.do("write it",
					chromedp.SendKeys(tab.find(`//main//input[@id="f-title_fr"]`), "Délais de réponse : le tableau"),
					chromedp.SendKeys(tab.find(`//main//textarea[@id="f-body_fr"]`), bhPreviewFR),
					chromedp.SendKeys(tab.find(`//main//input[@id="f-title_en"]`), "Response times: the table"),
					chromedp.SendKeys(tab.find(`//main//textarea[@id="f-body_en"]`), bhPreviewEN))
				tab.step("Preview", chromedp.Click(tab.find(`//main//button[normalize-space()="Preview"]`)))
			}, `//main//section[contains(@class,"help-preview")][.//section[@lang="fr"]//table][.//section[@lang="en"]//table]`},
		}},
	}

	allocCtx := newBrowser(t, browser, 6*time.Minute, "fr-FR")
	root, cancelRoot := chromedp.NewContext(allocCtx)
	defer closeTab(t, root, cancelRoot)
	var fails failureList
	checked := 0
	for i, v := range visits {
		ctx := root
		if i > 0 { // their own cookies each
			var cancel context.CancelFunc
			ctx, cancel = chromedp.NewContext(root, chromedp.WithNewBrowserContext())
			defer closeTab(t, ctx, cancel)
		}
		who := v.login
		if who == "" {
			who = "visitor"
		}
		tab := incidentTab{t: t, ctx: ctx, who: who}
		tab.speak(map[string]string{"fr": "fr-FR,fr;q=0.9", "en": "en-US,en;q=0.9"}[v.lang])
		if v.login != "" {
			tab.login(base, v.login)
		}
		for _, pg := range v.pages {
			// Every page is opened at 1280 px; checkPageA11y then checks it at both widths.
			tab.do("window at 1280 px", chromedp.EmulateViewport(1280, 900))
			pg.open(tab, base)
			here, err := url.Parse(tab.eval(`location.href`))
			if err != nil {
				t.Fatal(err)
			}
			fail := func(w, check, detail string) {
				fails.add(pageFailure{Check: check, Pattern: pg.name, Who: strings.TrimSpace(who + " " + v.lang + " " + w),
					Page: here.RequestURI(), Detail: detail})
			}
			if tab.count(pg.want) == 0 {
				fail("", "content", "nothing matches "+pg.want+"; main reads: "+clip(bhNorm(tab.text(`//main`)), 300))
			}
			bhCheckWords(tab, cat, v.lang, func(check, detail string) { fail("", check, detail) })
			checkPageA11y(t, ctx, axeSrc, runAxeJS, func(width int64, check, detail string) {
				fail(fmt.Sprintf("%d px", width), check, detail)
			})
			checked++
		}
	}
	t.Logf("%d pages checked at %d widths", checked, len(a11yWidths))
	fails.report(t, "help center pages (content; raw keys and language; axe-core "+strings.Join(axeTags, ", ")+"; page width)")
}

// bhCheckWords runs the crawl's checks of words (checkPageWords: the page's language, no raw
// translation key, no words of the other language outside what is marked so) on the page as the
// browser shows it, what the script added included.
func bhCheckWords(tab incidentTab, cat *catalogue, lang string, fail func(check, detail string)) {
	tab.t.Helper()
	// An article shown in the other language (John reading the French-only one) titles the page
	// with its title in that language, which <title> cannot mark: that title is left out of it.
	doc, err := html.Parse(strings.NewReader(tab.eval(`(() => {
		const page = document.documentElement.cloneNode(true);
		const title = page.querySelector("head > title"), shown = page.querySelector("main article[lang] h1");
		if (title && shown && shown.closest("article").lang !== document.documentElement.lang)
			title.textContent = title.textContent.replace(shown.textContent.trim(), "");
		return page.outerHTML;
	})()`)))
	if err != nil {
		tab.t.Fatalf("%s: parse the page: %v", tab.who, err)
	}
	checkPageWords(cat, doc, lang, fail)
}
