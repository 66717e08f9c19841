package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/testutil"
)

// contractBrowserPage is what the contract browser test reads from a page in one evaluation.
type contractBrowserPage struct {
	Path  string `json:"path"`
	Lang  string `json:"lang"`
	H1    string `json:"h1"`
	Flash string `json:"flash"`
	Main  string `json:"main"`
}

const readContractPage = `(() => {
	const text = (sel) => { const e = document.querySelector(sel); return e ? e.textContent.trim().replace(/\s+/g, " ") : ""; };
	return { path: location.pathname, lang: document.documentElement.getAttribute("lang") || "",
		h1: text("main h1"), flash: text("main .flash"),
		main: (document.querySelector("main") || document.body).innerText.trim().replace(/\s+/g, " ") };
})()`

// TestBrowserSupportLevelUpgrade: Marie Dupont, a French referent, asks for an upgrade of
// OCB0000003 to Business in a real Chromium; Sam Sales, the tenant's English sales rep, accepts
// it in English on the sales desk; Marie's Contract tab then shows the scheduled change.
func TestBrowserSupportLevelUpgrade(t *testing.T) {
	browser := findBrowser(t)
	a := testutil.NewApp(t)
	englishRep(t, a, "OCB0000003")
	base := serveDesk(t, a)

	allocCtx := newBrowser(t, browser, 90*time.Second, "fr-FR")
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer closeTab(t, bctx, cancelBrowser)
	if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": "fr-FR,fr;q=0.9"}}); err != nil {
		t.Fatalf("start Chromium (%s): %v", browser, err)
	}
	// do runs actions; the last one, a click or a navigation, loads a page, which is read once loaded.
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) contractBrowserPage {
		t.Helper()
		if err := chromedp.Do(bctx, actions[:len(actions)-1]...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		resp, err := chromedp.RunResponse(bctx, actions[len(actions)-1])
		if err != nil || resp == nil || resp.Status != 200 {
			t.Fatalf("%s: response %+v, error %v", step, resp, err)
		}
		p, err := chromedp.Run(bctx, chromedp.Evaluate[contractBrowserPage](readContractPage))
		if err != nil {
			t.Fatalf("%s: read the page: %v", step, err)
		}
		return p
	}
	login := func(login string) contractBrowserPage {
		return do("log in as "+login,
			chromedp.Navigate(base+"/login"),
			chromedp.SendKeys(chromedp.ID("f-login"), login),
			chromedp.SendKeys(chromedp.ID("f-password"), demo.Password),
			chromedp.Click(chromedp.CSS(`main form[action="/login"] button[type=submit]`)),
		)
	}
	logout := func() {
		do("log out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button[type=submit]`)))
	}
	tenant3 := id(mustTenantID(t, a, "OCB0000003"))
	chooseScope := func() {
		do("choose OCB0000003", chromedp.SetValue(chromedp.ID("scope-tenant"), tenant3),
			chromedp.Click(chromedp.CSS(`form.scope button[type=submit]`)))
	}

	// 1. Marie asks for Business in French.
	login("Marie.Dupont")
	chooseScope()
	p := do("Contract tab", chromedp.Navigate(base+"/contract"))
	if p.Lang != "fr" || !strings.HasPrefix(p.H1, "Contrat") || !strings.Contains(p.Main, "Standard") {
		t.Fatalf("French Contract tab: %+v", p)
	}
	p = do("level form", chromedp.Click(chromedp.ID("ask-level")))
	if !strings.Contains(p.Main, "Ce tenant a déjà le niveau de support Standard.") {
		t.Errorf("level form does not say why Standard is not offered: %.600s", p.Main)
	}
	p = do("ask for Business",
		chromedp.Click(chromedp.CSS(`input[name=level][value=business]`)),
		chromedp.SendKeys(chromedp.ID("f-details"), "Passage en production"),
		chromedp.Click(chromedp.CSS(`#request-form button[type=submit]`)))
	if !strings.HasPrefix(p.Path, "/contract/requests/") || p.Flash != "Votre demande a été envoyée à votre commercial." ||
		!strings.Contains(p.H1, "REQ0000001") || !strings.Contains(p.Main, "En attente") {
		t.Fatalf("request page after filing: %+v", p)
	}
	logout()

	// 2. Sam Sales accepts in English.
	login("Sam.Sales")
	p = do("sales desk", chromedp.Navigate(base+"/staff/sales"))
	if p.Lang != "en" || p.H1 != "Sales desk" || !strings.Contains(p.Main, "REQ0000001") || !strings.Contains(p.Main, "Support-level change") {
		t.Fatalf("English sales desk: %+v", p)
	}
	p = do("open the request", chromedp.Click(chromedp.CSS(`#sales-queue a`)))
	next := calendar.ParisDate(time.Now()).FirstOfNextMonth()
	if !strings.Contains(p.Main, "If you accept today: Business from") {
		t.Errorf("the decision does not preview the effective date: %.600s", p.Main)
	}
	p = do("accept", chromedp.SendKeys(chromedp.ID("f-reason"), "Welcome to Business"),
		chromedp.Click(chromedp.ID("accept")))
	if p.Flash != "The request is accepted." || !strings.Contains(p.Main, "Accepted") {
		t.Fatalf("after accepting: %+v", p)
	}
	logout()

	// 3. Marie's Contract tab shows the scheduled change, in French.
	login("Marie.Dupont")
	chooseScope()
	p = do("Contract tab after acceptance", chromedp.Navigate(base+"/contract"))
	want := "Changement programmé Business à partir du " + a.Bundle.FormatDate("fr", next)
	if !strings.Contains(p.Main, want) {
		t.Fatalf("Contract tab lacks %q: %.800s", want, p.Main)
	}
}

func mustTenantID(t *testing.T, a *app.App, code string) int64 {
	t.Helper()
	var tid int64
	if err := a.DB.QueryRowContext(context.Background(), "SELECT id FROM tenants WHERE code = ?", code).Scan(&tid); err != nil {
		t.Fatal(err)
	}
	return tid
}
