package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/testutil"
)

// TestBrowserFrenchChangeRequest walks the FAQ's procedure in a real Chromium as Marie Dupont,
// with the French labels word for word: Demandes de changement → Demander un changement → the
// article de changement, in the list of the Catalogue de Changement Standard, Gestion des Quotas
// (the only catalogue and category: not asked) → the form → the summary → Valider → the number
// CHG0000001.
func TestBrowserFrenchChangeRequest(t *testing.T) {
	browser := findBrowser(t)
	a := testutil.NewApp(t)
	base := serveDesk(t, a)

	allocCtx := newBrowser(t, browser, 60*time.Second, "fr-FR")
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer closeTab(t, bctx, cancelBrowser)
	if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": "fr-FR,fr;q=0.9"}}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		resp, err := chromedp.RunResponse(bctx, actions...)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if resp == nil || resp.Status != 200 {
			t.Fatalf("%s: response %+v, want 200", what, resp)
		}
	}
	do := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("evaluate %s: %v", js, err)
		}
		return s
	}
	step("login page", chromedp.Navigate(base+"/login"))
	do("fill login", chromedp.SendKeys(chromedp.ID("f-login"), "Marie.Dupont"), chromedp.SendKeys(chromedp.ID("f-password"), demo.Password))
	step("log in", chromedp.Click(chromedp.CSS(`main form[action="/login"] button[type=submit]`)))

	step("tab Demandes de changement", chromedp.Click(chromedp.Search(`//nav[contains(@class,"tabs")]//a[normalize-space()="Demandes de changement"]`)))
	step("Demander un changement", chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Demander un changement"]`)))
	if f := text(`document.querySelector("main fieldset#f-item").textContent`); !strings.Contains(f, "Choisissez l’article de changement") ||
		!strings.Contains(f, "Catalogue de Changement Standard › Gestion des Quotas") {
		t.Fatalf("the list of items %q lacks « Catalogue de Changement Standard › Gestion des Quotas »", f)
	}
	step("continue to the form", chromedp.Click(chromedp.Search(`//main//label[normalize-space()="Nombre d’instances ECS"]`)),
		chromedp.Click(chromedp.Search(`//main//button[normalize-space()="Continuer"]`)))

	do("fill the form",
		chromedp.SetValue(chromedp.ID("f-region"), "eu-west-0"),
		chromedp.SendKeys(chromedp.ID("f-current"), "10"),
		chromedp.SendKeys(chromedp.ID("f-requested"), "5"),
		chromedp.SendKeys(chromedp.ID("f-justification"), "Soldes d’hiver"))
	if _, err := chromedp.RunResponse(bctx, chromedp.Click(chromedp.Search(`//main//button[normalize-space()="Vérifier ma demande"]`))); err != nil {
		t.Fatalf("review: %v", err)
	}
	if msg := text(`(document.getElementById("f-requested-error") || {}).textContent || ""`); !strings.Contains(msg, "supérieure au quota actuel") {
		t.Fatalf("requested below current: message %q beside the field", msg)
	}
	do("correct the form", chromedp.SetValue(chromedp.ID("f-requested"), "15"))
	step("review", chromedp.Click(chromedp.Search(`//main//button[normalize-space()="Vérifier ma demande"]`)))
	if h1 := text(`document.querySelector("main h1").textContent`); !strings.HasPrefix(h1, "Résumé de votre demande de changement") {
		t.Fatalf("summary h1 %q", h1)
	}
	step("Valider", chromedp.Click(chromedp.Search(`//main//button[normalize-space()="Valider"]`)))
	body := text(`document.querySelector("main").textContent`)
	if !regexp.MustCompile(`CHG0000001`).MatchString(body) || !strings.Contains(body, "Demande de changement enregistrée") {
		t.Fatalf("confirmation: %q", body)
	}
	step("link to the request", chromedp.Click(chromedp.Search(`//main//a[normalize-space()="Voir la demande de changement CHG0000001"]`)))
	if h1 := text(`document.querySelector("main h1").textContent`); !strings.Contains(h1, "CHG0000001") || !strings.Contains(h1, "Nombre d’instances ECS") {
		t.Fatalf("request page h1 %q", h1)
	}
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
