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
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/report"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// reportsPage is what TestBrowserReports reads from a dashboard or a report, in one evaluation.
type reportsPage struct {
	Lang     string   `json:"lang"`
	H1       string   `json:"h1"`
	Sections []string `json:"sections"` // the ids of the report's sections, in order
	Charts   int      `json:"charts"`   // svg.chart in main
	Titled   int      `json:"titled"`   // of those, with role="img" and a <title> that says something
	Tables   int      `json:"tables"`   // details.report-table
	RawKeys  []string `json:"rawKeys"`  // translation keys shown as they are
	Print    string   `json:"print"`    // the Print button's text, "" when it is not shown
}

const readReportsPage = `(() => {
	const main = document.querySelector("main") || document.body;
	const charts = Array.from(main.querySelectorAll("svg.chart"));
	const titled = charts.filter((s) => s.getAttribute("role") === "img" &&
		s.querySelector(":scope > title") && s.querySelector(":scope > title").textContent.trim() !== "");
	// The text people read or hear: the page's, the charts' (innerText skips SVG), the labels.
	const texts = [document.title, document.body.innerText];
	for (const s of document.querySelectorAll("svg")) texts.push(s.textContent);
	for (const e of document.querySelectorAll("[aria-label], [title], [placeholder]"))
		texts.push(e.getAttribute("aria-label") || "", e.getAttribute("title") || "", e.getAttribute("placeholder") || "");
	const keys = new Set();
	for (const t of texts)
		for (const m of t.matchAll(/\b(?:report|nav|incident|sla|contract|cloud|change|error|sales|major|form)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*/g)) keys.add(m[0]);
	const print = document.querySelector("button[data-print]");
	const shown = print && !print.hidden && getComputedStyle(print).display !== "none" && print.getBoundingClientRect().width > 0;
	const h1 = document.querySelector("main h1");
	return {
		lang: document.documentElement.getAttribute("lang") || "",
		h1: h1 ? h1.textContent.trim() : "",
		sections: Array.from(main.querySelectorAll("section.report-section"), (s) => s.id),
		charts: charts.length,
		titled: titled.length,
		tables: main.querySelectorAll("details.report-table").length,
		rawKeys: Array.from(keys),
		print: shown ? print.textContent.trim() : "",
	};
})()`

// printState is what a report shows, on screen or printed: its navigation, filters and tools,
// and its tables.
type printState struct {
	Shown   []string `json:"shown"`   // navigation, filters and tools still displayed
	Present int      `json:"present"` // how many such elements the page has
	Closed  int      `json:"closed"`  // details.report-table not open
	Hidden  int      `json:"hidden"`  // tables of details.report-table not drawn
	Tables  int      `json:"tables"`
}

const readPrintState = `(() => {
	const res = {shown: [], present: 0, closed: 0, hidden: 0, tables: 0};
	for (const sel of ["header.top", "nav.mainnav", "nav.tabs", "a.skip", "form.report-filters", "nav.report-toc", "button[data-print]", "p.report-csv"]) {
		for (const e of document.querySelectorAll(sel)) {
			res.present++;
			if (getComputedStyle(e).display !== "none") res.shown.push(sel);
		}
	}
	for (const d of document.querySelectorAll("details.report-table")) {
		if (!d.open) res.closed++;
		const t = d.querySelector("table");
		if (!t) continue;
		res.tables++;
		// A folded table's box may still measure: checkVisibility says whether it is drawn.
		if (!t.checkVisibility() || t.getBoundingClientRect().height === 0) res.hidden++;
	}
	return res;
})()`

// TestBrowserReports opens the staff dashboard and the customer report in a real Chromium, on a
// desk whose report rows are computed, in English and in French: each page has its sections,
// charts labelled by their <title>, no raw translation key and the Print button; axe-core finds
// no violation of the WCAG 2.2 A and AA rules at 1280 px and 390 px, as served and with every
// table opened, and the page is no wider than the window; printed, the navigation, the filters
// and the tools are gone and every table is drawn.
func TestBrowserReports(t *testing.T) {
	browser := findBrowser(t)
	axeSrc := findAxe(t)

	a := testutil.NewApp(t)
	seedCrawlDesk(t, a)
	seedReportIncidents(t, a)
	if _, err := report.Refresh(t.Context(), a.DB, a.SLA, time.Now(), nil); err != nil {
		t.Fatalf("compute the report rows: %v", err)
	}
	// Every dashboard reads the rows the job wrote, however recent.
	a.Reports.Cache.Fresh = time.Nanosecond
	base := serveDesk(t, a)
	runAxeJS := fmt.Sprintf(runAxe, `["`+strings.Join(axeTags, `","`)+`"]`)

	dashboard := []string{"backlog", "flow", "sla", "breaches", "ttr", "first_response", "service", "region", "tenant",
		"changes", "approval", "sales", "decision", "help"}
	customer := []string{"volume", "sla"}
	visits := []struct {
		login, accept string
		toEnglish     bool // switch the persona, French by preference, to English first
		lang, h1      string
		pages         []string
		sections      []string
	}{
		{"Alice.Agent", "en-US,en;q=0.9", false, "en", "Dashboard", []string{"/staff/reports", "/staff/reports?period=quarter"}, dashboard},
		{"Sophie.Commerciale", "fr-FR,fr;q=0.9", false, "fr", "Tableau de bord", []string{"/staff/reports", "/staff/reports?period=quarter"}, dashboard},
		{"Marie.Dupont", "fr-FR,fr;q=0.9", false, "fr", "Rapports", []string{"/reports", "/reports?tenant=OCB0000001"}, customer},
		{"Paul.Martin", "en-US,en;q=0.9", true, "en", "Reports", []string{"/reports"}, customer},
	}

	allocCtx := newBrowser(t, browser, 5*time.Minute, "en-US")
	root, cancelRoot := chromedp.NewContext(allocCtx)
	defer closeTab(t, root, cancelRoot)
	var fails failureList
	for i, v := range visits {
		// A browser context of their own each: their own cookies.
		ctx := root
		if i > 0 {
			var cancel context.CancelFunc
			ctx, cancel = chromedp.NewContext(root, chromedp.WithNewBrowserContext())
			defer closeTab(t, ctx, cancel)
		}
		tab := incidentTab{t: t, ctx: ctx, who: v.login}
		tab.speak(v.accept)
		tab.login(base, v.login)
		if v.toEnglish {
			if lang := tab.eval(`document.documentElement.lang`); lang != "fr" {
				t.Fatalf("%s: home in %q after login, want fr (the persona's preference)", v.login, lang)
			}
			tab.step("switch to English", chromedp.Click(chromedp.CSS(`form.langswitch button[name=lang]`)))
		}
		for _, path := range v.pages {
			checkReportPage(t, tab, base+path, v.lang, v.h1, v.sections, axeSrc, runAxeJS, &fails)
		}
	}
	fails.report(t, "reports (content; axe-core "+strings.Join(axeTags, ", ")+"; page width; print)")
}

// checkReportPage opens a dashboard or report in tab and checks it: its language, sections,
// charts and Print button, no raw key; accessibility and width at both widths (a11yWidths), as
// served and with every table opened; and what printing shows.
func checkReportPage(t *testing.T, tab incidentTab, address, lang, h1 string, sections []string, axeSrc, runAxeJS string, fails *failureList) {
	t.Helper()
	u, err := url.Parse(address)
	if err != nil {
		t.Fatal(err)
	}
	fail := func(who, check, detail string) {
		fails.add(pageFailure{Check: check, Pattern: u.Path, Who: who, Page: u.RequestURI(), Detail: detail})
	}
	who := tab.who + " " + lang
	tab.do("window at 1280 px", chromedp.EmulateViewport(1280, 900))
	tab.step(u.RequestURI(), chromedp.Navigate(address))

	p, err := chromedp.Run(tab.ctx, chromedp.Evaluate[reportsPage](readReportsPage))
	if err != nil {
		t.Fatalf("%s: read %s: %v", tab.who, u.RequestURI(), err)
	}
	if p.Lang != lang || p.H1 != h1 {
		fail(who, "language", fmt.Sprintf("lang %q, h1 %q; want %q, %q", p.Lang, p.H1, lang, h1))
	}
	if strings.Join(p.Sections, " ") != strings.Join(sections, " ") {
		fail(who, "sections", fmt.Sprintf("%q, want %q", p.Sections, sections))
	}
	if p.Charts == 0 || p.Titled != p.Charts {
		fail(who, "charts", fmt.Sprintf("%d charts, %d of them role=img with a <title>; want at least one, all titled", p.Charts, p.Titled))
	}
	if p.Tables == 0 {
		fail(who, "tables", "no details.report-table")
	}
	if len(p.RawKeys) > 0 {
		fail(who, "raw key", strings.Join(p.RawKeys, ", "))
	}
	if want := map[string]string{"en": "Print", "fr": "Imprimer"}[lang]; p.Print != want {
		fail(who, "print button", fmt.Sprintf("shown as %q with script on, want %q", p.Print, want))
	}

	checkPageA11y(t, tab.ctx, axeSrc, runAxeJS, func(width int64, check, detail string) {
		fail(fmt.Sprintf("%s %d px", who, width), check, detail)
	})
	checkReportPrint(t, tab, p.Tables, func(check, detail string) { fail(who, check, detail) })

	// The tables folded under the charts, opened as a reader would: axe-core skips what is
	// folded, and an open table must scroll inside its box, not widen the page.
	tab.eval(`(() => { document.querySelectorAll("details.report-table").forEach((d) => { d.open = true; }); return ""; })()`)
	checkPageA11y(t, tab.ctx, axeSrc, runAxeJS, func(width int64, check, detail string) {
		fail(fmt.Sprintf("%s %d px, tables open", who, width), check, detail)
	})
}

// checkReportPrint checks the page of tab as printed: the navigation, the filters and the tools
// are hidden and the tables folded under their charts are drawn; the script opens them before
// printing (beforeprint) and folds them again after (afterprint). tables is how many the page has.
func checkReportPrint(t *testing.T, tab incidentTab, tables int, fail func(check, detail string)) {
	t.Helper()
	tab.do("window at 1280 px", chromedp.EmulateViewport(1280, 900))
	media := func(m string) {
		t.Helper()
		if _, err := chromedp.Call(tab.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
			t.Fatalf("%s: emulate %s media: %v", tab.who, m, err)
		}
	}
	read := func(js string) printState {
		t.Helper()
		s, err := chromedp.Run(tab.ctx, chromedp.Evaluate[printState](js+readPrintState))
		if err != nil {
			t.Fatalf("%s: read the printed page: %v", tab.who, err)
		}
		return s
	}
	screen := read("")
	media("print")
	defer media("screen")
	before := read("")
	// On screen the chrome shows and the folded tables are not drawn: what print must change.
	if len(screen.Shown) != screen.Present || screen.Closed == 0 || screen.Hidden != screen.Closed {
		fail("print", fmt.Sprintf("on screen: %d of %d navigation, filter and tool elements displayed; %d tables folded, %d not drawn; want all displayed, some folded and not drawn",
			len(screen.Shown), screen.Present, screen.Closed, screen.Hidden))
	}
	if before.Present < 3 || len(before.Shown) > 0 {
		fail("print", fmt.Sprintf("still displayed when printed: %q (of %d navigation, filter and tool elements)", before.Shown, before.Present))
	}
	// The stylesheet alone draws the folded tables, for a browser that prints without script.
	if before.Hidden != 0 {
		fail("print", fmt.Sprintf("printed, before beforeprint: %d of %d tables not drawn", before.Hidden, before.Tables))
	}
	during := read(`window.dispatchEvent(new Event("beforeprint")), `)
	if during.Closed != 0 || during.Hidden != 0 || during.Tables != tables {
		fail("print", fmt.Sprintf("after beforeprint: %d of %d tables still folded, %d not rendered", during.Closed, during.Tables, during.Hidden))
	}
	after := read(`window.dispatchEvent(new Event("afterprint")), `)
	if after.Closed != before.Closed {
		fail("print", fmt.Sprintf("after afterprint: %d tables folded, want the %d folded before", after.Closed, before.Closed))
	}
}

// seedReportIncidents declares incidents on services, regions and priorities of every kind on
// OCB0000001 (Marie Dupont) and OCB0000004 (Paul Martin); Alice Agent takes them all, replies to
// most and resolves some, so that every chart of the reports has something to draw.
func seedReportIncidents(t *testing.T, a *app.App) {
	t.Helper()
	ctx := t.Context()
	actor := func(login string) tenancy.Actor {
		u, err := identity.UserByLogin(ctx, a.DB, login)
		if err != nil {
			t.Fatalf("user %s: %v", login, err)
		}
		return tenancy.ActorOf(u)
	}
	alice := actor("Alice.Agent")
	for _, x := range []struct {
		login, code, title, service, region string
		impact, urgency                     incident.Level
		reply, resolve                      bool
	}{
		{"Marie.Dupont", "OCB0000001", "Base de données indisponible", "rds", "eu-west-0", incident.High, incident.High, true, true},
		{"Marie.Dupont", "OCB0000001", "Volumes lents à Amsterdam", "evs", "eu-west-1", incident.Medium, incident.High, true, false},
		{"Marie.Dupont", "OCB0000001", "Question sur le stockage objet", "obs", "na-east-0", incident.Low, incident.Low, false, false},
		{"Marie.Dupont", "OCB0000001", "Répartiteur de charge en erreur", "elb", "eu-west-0", incident.Medium, incident.Medium, true, true},
		{"Paul.Martin", "OCB0000004", "Accès à la console refusé", "iam", "eu-west-0", incident.Low, incident.Medium, true, true},
		{"Paul.Martin", "OCB0000004", "Cluster de conteneurs arrêté", "cce", "eu-west-1", incident.High, incident.High, true, false},
	} {
		tn, err := tenancy.TenantByCode(ctx, a.DB, x.code)
		if err != nil {
			t.Fatalf("tenant %s: %v", x.code, err)
		}
		inc, err := a.Incidents.Declare(ctx, actor(x.login), tn.ID, incident.Draft{Title: x.title,
			Description: "Constaté ce matin ; détails dans le ticket.", Service: x.service, Region: x.region,
			Impact: string(x.impact), Urgency: string(x.urgency)})
		if err != nil {
			t.Fatalf("%s declares %q on %s: %v", x.login, x.title, x.code, err)
		}
		if inc, err = a.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Take, Version: inc.Version}); err != nil {
			t.Fatalf("Alice takes %d: %v", inc.ID, err)
		}
		if x.reply {
			if inc, err = a.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reply, Body: "Nous regardons."}); err != nil {
				t.Fatalf("Alice replies on %d: %v", inc.ID, err)
			}
		}
		if x.resolve {
			if _, err = a.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Resolve, Body: "Corrigé.", Version: inc.Version}); err != nil {
				t.Fatalf("Alice resolves %d: %v", inc.ID, err)
			}
		}
	}
}
