package web_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/guichet/guichet/internal/subscription"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// TestBrowserServices is the flow, in French, in a real Chromium: Marie Dupont, referent
// of OCB0000001, renames the contract from the Services tab and reads the new name on the
// Contract tab at once (no agent); then, on the Subscriptions tab, she cancels two of the five
// Workspace desktops and reads the day it takes effect, the first of next month in Paris,
// scheduled while the five are still there.
func TestBrowserServices(t *testing.T) {
	browser := findBrowser(t)
	a := testutil.NewApp(t)
	base := serveDesk(t, a)
	ctx := t.Context()
	tenant, err := tenancy.TenantByCode(ctx, a.DB, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}

	allocCtx := newBrowser(t, browser, 120*time.Second, "fr-FR")
	tabCtx, cancel := chromedp.NewContext(allocCtx)
	defer closeTab(t, tabCtx, cancel)
	marie := incidentTab{t: t, ctx: tabCtx, who: "Marie"}
	marie.speak("fr-FR,fr;q=0.9")
	marie.login(base, "Marie.Dupont")

	// Services → « Modifier le nom de votre contrat » → Commander.
	marie.step("Services", chromedp.Click(marie.find(`//nav//a[normalize-space()="Services"]`)))
	marie.want("h1", `//main//h1`, "Services OCB0000001")
	marie.step("Commander", chromedp.Click(marie.find(`//main//a[@href="/services/order/contract_name"]`)))
	const name = "Dupont Industrie — Production Europe"
	marie.do("type the name", chromedp.SendKeys(marie.find(labelled("Nouveau nom du contrat")), name))
	marie.step("order", chromedp.Click(marie.find(`//main//form[@action="/services/order/contract_name"]//button[@type="submit"]`)))
	if path := marie.eval(`location.pathname`); !strings.HasPrefix(path, "/changes/") {
		t.Fatalf("after the order Marie is on %s, want the order's page", path)
	}
	if main := bhNorm(marie.text(`//main`)); !strings.Contains(main, "Clôturée") {
		t.Fatalf("the order applied at once is not closed:\n%s", main)
	}

	// The Contract tab shows the new name: the desk applied it, no agent needed.
	marie.step("Contrat", chromedp.Click(marie.find(`//nav//a[normalize-space()="Contrat"]`)))
	marie.want("contract name", `//main//dl/dt[normalize-space()="Nom du contrat"]/following-sibling::dd[1]/text()[1]`, name)
	if got, err := tenancy.TenantByID(ctx, a.DB, tenant.ID); err != nil || got.Name != name {
		t.Fatalf("the tenant's name is %q (%v), want %q", got.Name, err, name)
	}

	// Abonnements: cancel two of the five Workspace desktops.
	subs, err := a.Subscriptions.List(ctx, tenancy.System, tenant.ID)
	if err != nil || len(subs) != 1 || subs[0].Kind != subscription.Workspace || subs[0].Instances != 5 {
		t.Fatalf("the demo's Workspace subscription: %+v, %v", subs, err)
	}
	ws := subs[0]
	on := a.Bundle.FormatDate("fr", subscription.EffectiveOn(time.Now()))
	marie.step("Abonnements", chromedp.Click(marie.find(`//nav//a[normalize-space()="Abonnements"]`)))
	row := `//main//tr[@id="subscription-` + strconv.FormatInt(ws.ID, 10) + `"]`
	if help := bhNorm(marie.text(row + `//p[@class="help"]`)); !strings.Contains(help, "Prend effet le "+on+".") {
		t.Fatalf("before cancelling, the form says %q, want the day it takes effect (%s)", help, on)
	}
	field := marie.find(row + `//input[@name="instances"]`)
	marie.do("two instances", chromedp.Clear(field), chromedp.SendKeys(field, "2"))
	marie.step("Résilier", chromedp.Click(marie.find(row+`//button[@type="submit"]`)))
	marie.want("flash", `//main//p[contains(@class,"flash")]`, "La résiliation est enregistrée : elle prend effet le "+on+".")
	marie.want("scheduled", row+`//span[contains(@class,"badge")]`, "2 instances résiliées le "+on+" (programmé)")
	marie.want("instances still there", row+`/td[3]`, "5")

	got, err := subscription.ByID(ctx, a.DB, ws.ID)
	if err != nil || got.Instances != 5 || len(got.Pending) != 1 || got.Pending[0].Instances != 2 ||
		got.Pending[0].EffectiveOn != subscription.EffectiveOn(time.Now()) {
		t.Fatalf("after the cancellation: %+v, %v", got, err)
	}
}
