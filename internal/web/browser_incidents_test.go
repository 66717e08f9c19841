package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/testutil"
)

// TestBrowserIncidentLife walks an incident's life in a real Chromium, finding every control by
// the words on screen, so that it proves the FAQ's words are there: Marie Dupont (fr) opens the
// Incidents tab, chooses OCB0000001 with Périmètre, clicks "Déclarer un incident", fills the form
// and clicks "Valider", gets INC0000001 and follows it; Alice Agent (en), in another browser
// context (her own cookies), opens the "Incident queue", takes the incident, replies to the customer and
// resolves it; Marie reloads, reads the reply and the resolution, clicks "Rouvrir" and sees the
// incident "En cours" again.
func TestBrowserIncidentLife(t *testing.T) {
	browser := findBrowser(t)
	a := testutil.NewApp(t)
	base := serveDesk(t, a)

	allocCtx := newBrowser(t, browser, 120*time.Second, "fr-FR")
	mctx, cancelMarie := chromedp.NewContext(allocCtx)
	defer closeTab(t, mctx, cancelMarie)
	marie := incidentTab{t: t, ctx: mctx, who: "Marie"}
	marie.speak("fr-FR,fr;q=0.9")
	// Alice's tab lives in a browser context of its own: cookies are not shared with Marie's.
	actx, cancelAlice := chromedp.NewContext(mctx, chromedp.WithNewBrowserContext())
	defer closeTab(t, actx, cancelAlice)
	alice := incidentTab{t: t, ctx: actx, who: "Alice"}
	alice.speak("en-US,en;q=0.9")

	// Marie declares, as the FAQ says.
	marie.login(base, "Marie.Dupont")
	marie.step("tab Incidents", chromedp.Click(marie.find(`//nav[contains(@class,"tabs")]//a[normalize-space()="Incidents"]`)))
	marie.choose("Périmètre", "OCB0000001")
	marie.step("Choisir", chromedp.Click(marie.find(`//header//form[contains(@class,"scope")]//button[normalize-space()="Choisir"]`)))
	// Choosing the scope on the Incidents page lands on the home page (scopeTarget in home.go
	// keeps only /contract and /users), so the tab is clicked again; it is harmless once fixed.
	marie.step("tab Incidents again", chromedp.Click(marie.find(`//nav[contains(@class,"tabs")]//a[normalize-space()="Incidents"]`)))
	marie.want("list title", `//main//h1`, "Incidents récents OCB0000001")
	marie.step("Déclarer un incident", chromedp.Click(marie.find(`//main//a[normalize-space()="Déclarer un incident"]`)))
	marie.want("form title", `//main//h1`, "Déclarer un incident OCB0000001")
	const title = "Console inaccessible depuis ce matin"
	const description = "Depuis 8 h, la connexion à la console renvoie « 502 Bad Gateway »."
	marie.do("fill the form",
		chromedp.SendKeys(marie.find(labelled("Titre")), title),
		chromedp.SendKeys(marie.find(labelled("Description")), description))
	marie.choose("Service concerné", "Gestion des identités et des accès / accès à la console")
	marie.do("radios",
		chromedp.Click(marie.find(radio("Région", "Amsterdam"))),
		chromedp.Click(marie.find(radio("Impact", "Élevé"))),
		chromedp.Click(marie.find(radio("Urgence", "Moyenne"))))
	marie.step("Valider", chromedp.Click(marie.find(`//main//button[normalize-space()="Valider"]`)))
	marie.want("confirmation", `//main//h1`, "Incident déclaré")
	marie.want("number", `//main//p[contains(@class,"bignumber")]`, "INC0000001")
	marie.step("follow the link", chromedp.Click(marie.find(`//main//a[normalize-space()="Suivre INC0000001"]`)))
	marie.want("incident page", `//main//h1`, "INC0000001 "+title)
	marie.want("state", fact("État"), "Nouveau")
	marie.want("service", fact("Service concerné"), "Gestion des identités et des accès / accès à la console")
	marie.want("region", fact("Région"), "Amsterdam")
	marie.want("priority", fact("Priorité"), "P2 (Impact Élevé, Urgence Moyenne)")

	// Alice, in English, works it from the queue.
	const reply = "We restarted the console gateway; please try again."
	const note = "The gateway certificate had expired; it is renewed."
	alice.login(base, "Alice.Agent")
	alice.step("Incident queue", chromedp.Click(alice.find(`//nav[contains(@class,"mainnav")]//a[starts-with(normalize-space(),"Incident queue")]`)))
	alice.want("queue title", `//main//h1`, "Incident queue")
	alice.want("queue row", `//main//tr[td/a[normalize-space()="INC0000001"]]/td[3]`, title)
	alice.step("open INC0000001", chromedp.Click(alice.find(`//main//a[normalize-space()="INC0000001"]`)))
	alice.want("unassigned", fact("Assigned to"), "Not assigned yet")
	alice.step("Take it", chromedp.Click(alice.find(`//main//button[normalize-space()="Take it"]`)))
	alice.want("taken", `//main/p[contains(@class,"flash")]`, "The incident is assigned to you.")
	alice.want("assignee", fact("Assigned to"), "Alice Agent")
	alice.want("status", fact("Status"), "In progress")
	alice.do("write a public reply", chromedp.SendKeys(alice.find(labelled("Reply")), reply))
	alice.step("Send to the customer", chromedp.Click(alice.find(`//main//button[normalize-space()="Send to the customer"]`)))
	alice.want("replied", `//main/p[contains(@class,"flash")]`, "Your message was added.")
	alice.do("write the resolution note", chromedp.SendKeys(alice.find(labelled("Resolution note")), note))
	alice.step("Resolve", chromedp.Click(alice.find(`//main//button[normalize-space()="Resolve"]`)))
	alice.want("resolved", `//main/p[contains(@class,"flash")]`, "The incident is resolved; the customer was told.")
	alice.want("status", fact("Status"), "Resolved")

	// Marie reloads her page: the reply and the resolution are there; she reopens.
	marie.step("reload", chromedp.Reload())
	marie.want("state", fact("État"), "Résolu")
	tl := marie.text(`//main//ol[contains(@class,"timeline")]`)
	for _, s := range []string{reply, note, "Alice Agent", "Réponse", "État\u00a0: En cours → Résolu"} {
		if !strings.Contains(tl, s) {
			t.Errorf("Marie's timeline lacks %q:\n%s", s, tl)
		}
	}
	if marie.text(fact("Peut être rouvert jusqu’au")) == "" {
		t.Errorf("Marie's page does not say until when she can reopen")
	}
	marie.step("Rouvrir", chromedp.Click(marie.find(`//main//button[normalize-space()="Rouvrir"]`)))
	marie.want("reopened", `//main/p[contains(@class,"flash")]`, "L’incident a été rouvert.")
	marie.want("state", fact("État"), "En cours")
	if got := marie.count(`//main//button[normalize-space()="Rouvrir"]`); got != 0 {
		t.Errorf("%d Rouvrir buttons on an incident in progress", got)
	}
	marie.step("Incidents récents", chromedp.Click(marie.find(`//main//nav[contains(@class,"crumbs")]//a[normalize-space()="Incidents récents"]`)))
	marie.want("list row", `//main//tr[td/a[normalize-space()="INC0000001"]]/td[3]`, "En cours")
}

// labelled is the XPath of the control whose label reads label (its asterisk aside).
func labelled(label string) string {
	return `//main//*[@id=//main//label[normalize-space(text()[1])=` + jsString(label) + `]/@for]`
}

// radio is the XPath of the radio button labelled option in the fieldset whose legend is legend.
func radio(legend, option string) string {
	return `//main//fieldset[normalize-space(legend/text()[1])=` + jsString(legend) + `]//label[normalize-space()=` + jsString(option) + `]/input`
}

// fact is the XPath of the value beside a term of an incident's facts.
func fact(term string) string {
	return `(//main//dl[contains(@class,"facts")]/dt[normalize-space()=` + jsString(term) + `]/following-sibling::dd[1])[1]`
}

// incidentTab is one person's browser tab.
type incidentTab struct {
	t   *testing.T
	ctx context.Context
	who string
}

func (b incidentTab) speak(acceptLanguage string) {
	b.t.Helper()
	if _, err := chromedp.Call(b.ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": acceptLanguage}}); err != nil {
		b.t.Fatalf("%s: start the tab: %v", b.who, err)
	}
}

func (b incidentTab) login(base, login string) {
	b.t.Helper()
	b.step("login page", chromedp.Navigate(base+"/login"))
	b.do("fill login", chromedp.SendKeys(chromedp.ID("f-login"), login), chromedp.SendKeys(chromedp.ID("f-password"), demo.Password))
	b.step("log in", chromedp.Click(chromedp.CSS(`main form[action="/login"] button[type=submit]`)))
}

// step runs actions that load a page and wants it answered 200.
func (b incidentTab) step(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, actions...)
	if err != nil {
		b.t.Fatalf("%s: %s: %v", b.who, what, err)
	}
	if resp == nil || resp.Status != 200 {
		b.t.Fatalf("%s: %s: response %+v, want 200\n%s", b.who, what, resp, b.text(`//main`))
	}
}

func (b incidentTab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %s: %v", b.who, what, err)
	}
}

func (b incidentTab) eval(js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("%s: evaluate %s: %v", b.who, js, err)
	}
	return s
}

// text is the trimmed text of the first node xpath selects, "" when there is none.
func (b incidentTab) text(xpath string) string {
	b.t.Helper()
	return strings.TrimSpace(b.eval(`document.evaluate(` + jsString(xpath) + `, document, null, XPathResult.STRING_TYPE, null).stringValue`))
}

func (b incidentTab) count(xpath string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.evaluate(`+jsString(xpath)+`, document, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null).snapshotLength`))
	if err != nil {
		b.t.Fatalf("%s: count %s: %v", b.who, xpath, err)
	}
	return n
}

// find returns a selector for xpath after checking that it selects exactly one node now, so that
// a missing control fails at once, with the page, rather than waiting for the timeout.
func (b incidentTab) find(xpath string) chromedp.Search {
	b.t.Helper()
	if n := b.count(xpath); n != 1 {
		b.t.Fatalf("%s: %d nodes match %s on %s:\n%s", b.who, n, xpath, b.eval(`location.pathname`), b.text(`//main`))
	}
	return chromedp.Search(xpath)
}

// want checks the whitespace-normalized text of the first node xpath selects.
func (b incidentTab) want(what, xpath, text string) {
	b.t.Helper()
	if got := strings.Join(strings.Fields(b.text(xpath)), " "); got != text {
		b.t.Fatalf("%s: %s: %q, want %q", b.who, what, got, text)
	}
}

// choose selects, in the list labelled label, the option whose text starts with option.
func (b incidentTab) choose(label, option string) {
	b.t.Helper()
	got := b.eval(`(() => {
		const l = Array.from(document.querySelectorAll("label")).find((l) => l.firstChild && l.firstChild.textContent.trim() === ` + jsString(label) + `);
		const s = l && document.getElementById(l.htmlFor);
		if (!s || !s.options) return "no list labelled so";
		const o = Array.from(s.options).find((o) => o.textContent.trim().startsWith(` + jsString(option) + `));
		if (!o) return "no such option in " + Array.from(s.options, (o) => o.textContent.trim()).join(" | ");
		s.value = o.value;
		s.dispatchEvent(new Event("change", { bubbles: true }));
		return "ok";
	})()`)
	if got != "ok" {
		b.t.Fatalf("%s: list %q, option %q: %s", b.who, label, option, got)
	}
}
