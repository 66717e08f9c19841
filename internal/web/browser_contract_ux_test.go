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

// contractUXPage is what the browser test reads of a page: its contract page fields, whether
// the main part offers a submit button, and how the fact lists are laid out.
type contractUXPage struct {
	contractBrowserPage
	Submits  int      `json:"submits"`
	FormNone string   `json:"formNone"`
	Overlaps []string `json:"overlaps"`
	Sections []string `json:"sections"`
	Width    int      `json:"width"`
	Viewport int      `json:"viewport"`
}

const readContractUXPage = `(() => {
	const text = (sel) => { const e = document.querySelector(sel); return e ? e.textContent.trim().replace(/\s+/g, " ") : ""; };
	const overlaps = [];
	for (const dl of document.querySelectorAll("main dl.facts")) {
		const items = [...dl.children].filter(e => e.tagName === "DT" || e.tagName === "DD")
			.map(e => ({ r: e.getBoundingClientRect(), s: e.tagName + " " + e.textContent.trim().slice(0, 30), e }));
		for (const it of items) {
			if (it.e.scrollWidth > it.e.clientWidth + 1) overlaps.push("overflows: " + it.s);
		}
		for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) {
			const a = items[i].r, b = items[j].r;
			if (a.width && b.width && a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
				overlaps.push(items[i].s + " / " + items[j].s);
		}
	}
	return { path: location.pathname, lang: document.documentElement.getAttribute("lang") || "",
		h1: text("main h1"), flash: text("main .flash"),
		main: (document.querySelector("main") || document.body).innerText.trim().replace(/\s+/g, " "),
		submits: document.querySelectorAll("main button[type=submit], main input[type=submit], main button:not([type])").length,
		formNone: text("#form-none"), overlaps,
		sections: [...document.querySelectorAll("main section > h2")].map(h => h.textContent.trim()),
		width: document.documentElement.scrollWidth, viewport: window.innerWidth };
})()`

// TestBrowserContractUXLevelRequest (item 1), in French and English: on OCB0000001, Premium
// within its commitment, Marie sees no choice and no button but why, in the FAQ's words; on
// OCB0000003 she files Business and the request page names the level. The sales rep's page
// of that request has a section for the request and one for the tenant, whose labels do not
// overlap at 1280 px nor at 390 px.
func TestBrowserContractUXLevelRequest(t *testing.T) {
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
			for _, login := range []string{"Marie.Dupont", "Sophie.Commerciale"} {
				if _, err := a.DB.ExecContext(context.Background(), "UPDATE users SET lang = ? WHERE login = ?", lang, login); err != nil {
					t.Fatal(err)
				}
			}
			base := serveDesk(t, a)
			accept := w("en-US,en;q=0.9", "fr-FR,fr;q=0.9")
			allocCtx := newBrowser(t, browser, 120*time.Second, w("en-US", "fr-FR"))
			bctx, cancelBrowser := chromedp.NewContext(allocCtx)
			defer closeTab(t, bctx, cancelBrowser)
			if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
				Headers: network.Headers{"Accept-Language": accept}}); err != nil {
				t.Fatalf("start Chromium (%s): %v", browser, err)
			}
			read := func(step string) contractUXPage {
				t.Helper()
				p, err := chromedp.Run(bctx, chromedp.Evaluate[contractUXPage](readContractUXPage))
				if err != nil {
					t.Fatalf("%s: read the page: %v", step, err)
				}
				return p
			}
			do := func(step string, actions ...chromedp.Action[chromedp.Void]) contractUXPage {
				t.Helper()
				if err := chromedp.Do(bctx, actions[:len(actions)-1]...); err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				resp, err := chromedp.RunResponse(bctx, actions[len(actions)-1])
				if err != nil || resp == nil || resp.Status != 200 {
					t.Fatalf("%s: response %+v, error %v", step, resp, err)
				}
				return read(step)
			}
			login := func(login string) {
				do("log in as "+login,
					chromedp.Navigate(base+"/login"),
					chromedp.SendKeys(chromedp.ID("f-login"), login),
					chromedp.SendKeys(chromedp.ID("f-password"), demo.Password),
					chromedp.Click(chromedp.CSS(`main form[action="/login"] button[type=submit]`)))
			}
			chooseScope := func(code string) {
				do("choose "+code, chromedp.SetValue(chromedp.ID("scope-tenant"), id(mustTenantID(t, a, code))),
					chromedp.Click(chromedp.CSS(`form.scope button[type=submit]`)))
			}

			// 1. No level can be asked for on OCB0000001: the reason, no choice, no button.
			login("Marie.Dupont")
			chooseScope("OCB0000001")
			p := do("level form of OCB0000001", chromedp.Navigate(base+"/contract/level"))
			faq := w("during the commitment period you can only subscribe to a higher support level, and Premium is the highest",
				"pendant la période d’engagement, vous ne pouvez souscrire qu’à un niveau de support supérieur, et Premium est le plus élevé")
			if p.Lang != lang || !strings.Contains(p.FormNone, faq) || p.Submits != 0 {
				t.Fatalf("level form where no level can be asked for: %+v", p)
			}
			p = do("contract tab of OCB0000001", chromedp.Navigate(base+"/contract"))
			if !strings.Contains(p.Main, faq) || strings.Contains(p.Main, w("Ask for a support-level change", "Demander un changement de niveau de support")) {
				t.Errorf("contract tab where no level can be asked for: %.800s", p.Main)
			}

			// 2. On OCB0000003 Marie asks for Business; the request names it.
			chooseScope("OCB0000003")
			p = do("level form of OCB0000003", chromedp.Navigate(base+"/contract/level"))
			if p.Submits != 1 || p.FormNone != "" {
				t.Fatalf("level form where levels can be asked for: %+v", p)
			}
			p = do("ask for Business",
				chromedp.Click(chromedp.CSS(`input[name=level][value=business]`)),
				chromedp.Click(chromedp.CSS(`#request-form button[type=submit]`)))
			want := w("Level asked for Standard → Business", "Niveau demandé Standard → Business")
			if !strings.HasPrefix(p.Path, "/contract/requests/") || !strings.Contains(p.H1, "REQ0000001") || !strings.Contains(p.Main, want) {
				t.Fatalf("request page after filing lacks %q: %+v", want, p)
			}
			if strings.Contains(p.Main, "contract.") {
				t.Errorf("request page shows a raw key: %.800s", p.Main)
			}
			do("log out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button[type=submit]`)))

			// 3. The rep's page of the request: two headed sections, labels clear of their values.
			login("Sophie.Commerciale")
			for _, vp := range []struct{ w, h int64 }{{1280, 900}, {390, 844}} {
				if err := chromedp.Do(bctx, chromedp.EmulateViewport(vp.w, vp.h)); err != nil {
					t.Fatal(err)
				}
				p = do("sales request", chromedp.Navigate(base+"/staff/sales/1"))
				if len(p.Sections) < 3 || strings.Join(p.Sections[:3], "|") != w("Request|Tenant|Decision", "Demande|Tenant|Décision") {
					t.Errorf("%d px: sections %q", vp.w, p.Sections)
				}
				if len(p.Overlaps) > 0 {
					t.Errorf("%d px: overlapping facts %q", vp.w, p.Overlaps)
				}
				if p.Width > p.Viewport {
					t.Errorf("%d px: the page is %d px wide", vp.w, p.Width)
				}
			}
		})
	}
}
