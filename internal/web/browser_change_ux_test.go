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

// changeUXPage is what the path of "Demander un changement" shows at one step.
type changeUXPage struct {
	Path      string            `json:"path"`
	Lang      string            `json:"lang"`
	H1        string            `json:"h1"`
	Step      string            `json:"step"`      // the text of the current step of the indicator
	Primaries int               `json:"primaries"` // primary buttons in main
	Checked   string            `json:"checked"`   // the item chosen on step 1
	Values    map[string]string `json:"values"`    // the item's form
	Main      string            `json:"main"`
	Width     int               `json:"width"`
	Viewport  int               `json:"viewport"`
}

const readChangeUXPage = `(() => {
	const text = (sel) => { const e = document.querySelector(sel); return e ? e.textContent.replace(/\s+/g, " ").trim() : ""; };
	const values = {};
	for (const e of document.querySelectorAll("main [name^=v_]")) values[e.name] = e.value;
	const checked = document.querySelector("main input[name=item]:checked");
	return {
		path: location.pathname, lang: document.documentElement.lang, h1: text("main h1"),
		step: text("ol.steps li[aria-current=step]"),
		primaries: document.querySelectorAll("main .primary").length,
		checked: checked ? checked.value : "", values: values, main: text("main"),
		width: document.documentElement.scrollWidth, viewport: window.innerWidth,
	};
})()`

// TestBrowserChangeUXPath walks the path of item 13 in a real Chromium on a phone (390 px), in
// French and in English: pick the item in the list, fill in its form, go back to the list and
// forth with the input kept, see the summary, go back to the form and forth, validate, see the
// confirmation. Every step says where it is, has one primary button and fits the screen.
func TestBrowserChangeUXPath(t *testing.T) {
	browser := findBrowser(t)
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			w := func(en, fr string) string {
				if lang == "en" {
					return en
				}
				return fr
			}
			a := testutil.NewApp(t)
			if _, err := a.DB.ExecContext(context.Background(), "UPDATE users SET lang = ? WHERE login = 'Marie.Dupont'", lang); err != nil {
				t.Fatal(err)
			}
			base := serveDesk(t, a)
			allocCtx := newBrowser(t, browser, 120*time.Second, w("en-US", "fr-FR"))
			bctx, cancelBrowser := chromedp.NewContext(allocCtx)
			defer closeTab(t, bctx, cancelBrowser)
			if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
				Headers: network.Headers{"Accept-Language": w("en-US,en;q=0.9", "fr-FR,fr;q=0.9")}}); err != nil {
				t.Fatalf("start Chromium (%s): %v", browser, err)
			}
			if err := chromedp.Do(bctx, chromedp.EmulateViewport(390, 844)); err != nil {
				t.Fatal(err)
			}
			do := func(step string, actions ...chromedp.Action[chromedp.Void]) changeUXPage {
				t.Helper()
				if err := chromedp.Do(bctx, actions[:len(actions)-1]...); err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				resp, err := chromedp.RunResponse(bctx, actions[len(actions)-1])
				if err != nil || resp == nil || resp.Status != 200 {
					t.Fatalf("%s: response %+v, error %v", step, resp, err)
				}
				p, err := chromedp.Run(bctx, chromedp.Evaluate[changeUXPage](readChangeUXPage))
				if err != nil {
					t.Fatalf("%s: read the page: %v", step, err)
				}
				if p.Width > p.Viewport {
					t.Errorf("%s: the page is %d px wide on a %d px screen", step, p.Width, p.Viewport)
				}
				return p
			}
			button := func(label string) chromedp.Action[chromedp.Void] {
				return chromedp.Click(chromedp.Search(`//main//button[normalize-space()="` + label + `"]`))
			}
			wantStep := func(what string, p changeUXPage, step string) {
				t.Helper()
				if p.Step != step || p.Primaries != 1 || p.Lang != lang {
					t.Errorf("%s: current step %q, %d primary buttons, lang %s; want %q, 1, %s", what, p.Step, p.Primaries, p.Lang, step, lang)
				}
			}
			// (The page reader folds white space, the no-break space before the colon included.)
			step1, step2, step3 := w("Step 1 of 3: Item", "Étape 1 sur 3 : Article"), w("Step 2 of 3: Details", "Étape 2 sur 3 : Détails"),
				w("Step 3 of 3: Summary", "Étape 3 sur 3 : Résumé")
			item := w("ECS instances", "Nombre d’instances ECS")
			justification := w("Winter sales", "Soldes d’hiver")

			do("log in", chromedp.Navigate(base+"/login"), chromedp.SendKeys(chromedp.ID("f-login"), "Marie.Dupont"),
				chromedp.SendKeys(chromedp.ID("f-password"), demo.Password),
				chromedp.Click(chromedp.CSS(`main form[action="/login"] button[type=submit]`)))
			do("the change requests", chromedp.Navigate(base+"/changes"))
			p := do("Request a change", chromedp.Click(chromedp.Search(`//main//a[normalize-space()="`+w("Request a change", "Demander un changement")+`"]`)))
			wantStep("step 1", p, step1)
			if strings.Contains(p.Main, w("Change catalogue", "Catalogue de changements")+" ") || !strings.Contains(p.Main, item) {
				t.Errorf("step 1 asks for a catalogue, or lacks the item: %.600s", p.Main)
			}

			p = do("pick the item", chromedp.Click(chromedp.Search(`//main//label[normalize-space()="`+item+`"]`)), button(w("Continue", "Continuer")))
			wantStep("step 2", p, step2)
			if !strings.Contains(p.Main, item) {
				t.Errorf("step 2 is not the item's form: %.300s", p.Main)
			}
			if err := chromedp.Do(bctx, chromedp.SetValue(chromedp.ID("f-region"), "eu-west-0"), chromedp.SendKeys(chromedp.ID("f-current"), "10"),
				chromedp.SendKeys(chromedp.ID("f-requested"), "15"), chromedp.SendKeys(chromedp.ID("f-justification"), justification)); err != nil {
				t.Fatalf("fill in: %v", err)
			}
			p = do("back to step 1", button(w("Back", "Retour")))
			wantStep("back to step 1", p, step1)
			if p.Checked != "ecs_instances" {
				t.Errorf("back on step 1, the item chosen is %q", p.Checked)
			}
			p = do("forth to step 2", button(w("Continue", "Continuer")))
			wantStep("forth to step 2", p, step2)
			if v := p.Values; v["v_region"] != "eu-west-0" || v["v_current"] != "10" || v["v_requested"] != "15" || v["v_justification"] != justification {
				t.Errorf("the input was not kept: %q", v)
			}

			p = do("review", button(w("Review my request", "Vérifier ma demande")))
			wantStep("summary", p, step3)
			if !strings.Contains(p.Main, "15 instances") || !strings.Contains(p.Main, justification) {
				t.Errorf("summary: %.600s", p.Main)
			}
			p = do("back to step 2", button(w("Back", "Retour")))
			wantStep("back to step 2", p, step2)
			if p.Values["v_requested"] != "15" || p.Values["v_justification"] != justification {
				t.Errorf("the input was not kept: %q", p.Values)
			}
			do("review again", button(w("Review my request", "Vérifier ma demande")))
			p = do("validate", button(w("Validate", "Valider")))
			if !strings.Contains(p.Path, "/confirmation") || !strings.Contains(p.Main, "CHG0000001") ||
				!strings.Contains(p.H1, w("Change request recorded", "Demande de changement enregistrée")) {
				t.Fatalf("confirmation: %+v", p)
			}
		})
	}
}
