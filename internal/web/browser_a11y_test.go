package web_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/testutil"
)

// axeTags are the axe-core rule tags of WCAG 2.2 levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// a11yWidths are the widths every page is checked at, with the height of the window: a laptop
// and a phone.
var a11yWidths = []struct{ width, height int64 }{{1280, 900}, {390, 844}}

// findAxe returns the source of axe-core, from the file GUICHET_AXE names (.ci/run installs it
// from npm), or skips the test when the variable is not set (fails it when
// GUICHET_TEST_STRICT=1).
func findAxe(t *testing.T) string {
	t.Helper()
	path := os.Getenv("GUICHET_AXE")
	if path == "" {
		const msg = "GUICHET_AXE does not name axe-core's axe.min.js (npm install axe-core): accessibility test not run"
		if testutil.Strict() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("GUICHET_AXE: %v", err)
	}
	if !strings.Contains(string(src), "axe") {
		t.Fatalf("GUICHET_AXE=%s is not axe-core", path)
	}
	return string(src)
}

// axeViolation is one rule axe-core finds broken on a page, with the elements that break it.
type axeViolation struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	Nodes   []axeNode `json:"nodes"`
	HelpURL string    `json:"helpUrl"`
}

type axeNode struct {
	Target  string `json:"target"`
	Summary string `json:"summary"`
}

// pageWidth is the page's width against the window's, with the elements that stick out.
type pageWidth struct {
	ScrollWidth int      `json:"scrollWidth"`
	InnerWidth  int      `json:"innerWidth"`
	Culprits    []string `json:"culprits"`
	Count       int      `json:"count"`
}

const runAxe = `(async () => {
	const r = await axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]});
	return r.violations.map((v) => ({id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map((n) => ({target: n.target.map(String).join(" "), summary: n.failureSummary || ""}))}));
})()`

// measureWidth compares the page's width with the window's and, when it is wider, names the
// innermost elements that stick out on the right, furthest first: the first defines the page's
// width. (An absolutely positioned element, such as a visually hidden label, escapes the
// scrolling box around a table unless that box is positioned.)
const measureWidth = `(() => {
	const w = window.innerWidth, sw = document.documentElement.scrollWidth;
	const res = {scrollWidth: sw, innerWidth: w, culprits: [], count: 0};
	if (sw <= w) return res;
	const name = (e) => {
		let s = e.tagName.toLowerCase();
		if (e.id) s += "#" + e.id;
		if (typeof e.className === "string" && e.className.trim()) s += "." + e.className.trim().split(/\s+/).join(".");
		return s;
	};
	const path = (e) => {
		const parts = [];
		for (let x = e; x && x !== document.body && parts.length < 3; x = x.parentElement) parts.unshift(name(x));
		return parts.join(" > ");
	};
	const right = (e) => e.getBoundingClientRect().right;
	const out = (e) => right(e) > w + 0.5;
	const found = [];
	for (const e of document.body.querySelectorAll("*")) {
		const r = e.getBoundingClientRect();
		if ((r.width === 0 && r.height === 0 && getComputedStyle(e).position !== "absolute") || !out(e)) continue;
		if (Array.from(e.children).some(out)) continue;
		found.push([r.right, path(e)]);
	}
	found.sort((a, b) => b[0] - a[0]);
	res.count = found.length;
	res.culprits = found.slice(0, 6).map(([r, p]) => p + " (right edge at " + Math.round(r) + " px)");
	return res;
})()`

// pageLinksJS returns the page's links and its GET forms as sent as they stand.
const pageLinksJS = `(() => {
	const links = Array.from(document.querySelectorAll("a[href]"), (a) => a.getAttribute("href"));
	for (const f of document.querySelectorAll("form")) {
		if ((f.getAttribute("method") || "get").toLowerCase() !== "get") continue;
		const q = new URLSearchParams();
		for (const [k, v] of new FormData(f)) if (typeof v === "string") q.append(k, v);
		const s = q.toString();
		links.push((f.getAttribute("action") || location.pathname) + (s ? "?" + s : ""));
	}
	return links;
})()`

// TestBrowserAccessibility logs every demo persona in through the login form of a real Chromium,
// in the persona's language, visits every page reachable from the home page (one per route
// pattern, see crawlable and routePattern), and checks each page at 1280 px and at 390 px with
// axe-core: no violation of the WCAG 2.2 A and AA rules, and no page wider than the window.
// Every failure of every page is printed at once, grouped by rule and page.
func TestBrowserAccessibility(t *testing.T) {
	browser := findBrowser(t)
	axeSrc := findAxe(t)

	a := testutil.NewApp(t)
	seedCrawlDesk(t, a)
	base := serveDesk(t, a)
	runAxeJS := fmt.Sprintf(runAxe, "["+`"`+strings.Join(axeTags, `","`)+`"`+"]")

	run := &a11yRun{browser: browser, base: base, axeSrc: axeSrc, runAxeJS: runAxeJS, seen: map[[32]byte]string{}}
	// Two personas at a time, each in a browser of its own (the tests' -parallel bounds it).
	t.Run("personas", func(t *testing.T) {
		for _, p := range crawlPersonas() {
			t.Run(p.Login, func(t *testing.T) {
				t.Parallel()
				run.persona(t, p)
			})
		}
	})
	t.Logf("%d pages checked at %d widths (%d personas); %d more pages whose main content another persona's page had",
		run.pages, len(a11yWidths), len(crawlPersonas()), run.same)
	if run.pages < len(crawlPersonas())*5 {
		t.Errorf("only %d pages checked: the crawl found too few links to mean anything", run.pages)
	}
	run.fails.report(t, "accessibility (axe-core "+strings.Join(axeTags, ", ")+"; page width)")
}

// a11yRun is what the personas' crawls share.
type a11yRun struct {
	browser, base, axeSrc, runAxeJS string
	fails                           failureList

	mu    sync.Mutex
	pages int // pages checked
	same  int // pages not checked again
	// seen maps the content of the pages' <main> to the page checked with it: a page that shows
	// the same (the API reference, which every persona reaches) is not checked again, as its
	// header and tabs are on the persona's other pages.
	seen map[[32]byte]string
}

// firstWith says whether no page with this main content was checked yet, and records it.
func (r *a11yRun) firstWith(main, page string) bool {
	h := sha256.Sum256([]byte(main))
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.seen[h]; ok {
		r.same++
		return false
	}
	r.seen[h] = page
	r.pages++
	return true
}

// persona crawls and checks the pages of one persona, in a browser of its own.
func (r *a11yRun) persona(t *testing.T, p demo.User) {
	allocCtx := newBrowser(t, r.browser, 15*time.Minute, p.Lang)
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer closeTab(t, ctx, cancel)

	// Log in through the form, as the persona would.
	if err := chromedp.Do(ctx, chromedp.Navigate(r.base+"/login"),
		chromedp.SendKeys(chromedp.ID("f-login"), p.Login), chromedp.SendKeys(chromedp.ID("f-password"), demo.Password)); err != nil {
		t.Fatalf("%s: open the login page (Chromium %s): %v", p.Login, r.browser, err)
	}
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form[action="/login"] button[type=submit]`)))
	if err != nil || resp == nil || resp.Status != 200 {
		t.Fatalf("%s: log in: response %+v, %v", p.Login, resp, err)
	}

	start, _ := url.Parse(r.base + "/")
	q := newCrawlQueue(start)
	checked := map[string]bool{}
	for u := q.next(); u != nil; u = q.next() {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(u.String()))
		here, herr := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
		final, perr := url.Parse(here)
		if err != nil || herr != nil || perr != nil {
			r.fails.add(pageFailure{Check: "status", Pattern: routePattern(u), Who: p.Login, Page: u.RequestURI(),
				Detail: fmt.Sprint(errors.Join(err, herr, perr))})
			continue
		}
		pattern := routePattern(final)
		q.see(final) // a redirect's end is not visited again
		if checked[pattern] {
			continue
		}
		checked[pattern] = true
		if resp == nil || resp.Status != 200 {
			status := 0
			if resp != nil {
				status = int(resp.Status)
			}
			r.fails.add(pageFailure{Check: "status", Pattern: pattern, Who: p.Login, Page: final.RequestURI(), Detail: fmt.Sprintf("status %d", status)})
			continue
		}
		if ct, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.contentType`)); err != nil || ct != "text/html" {
			continue // a JSON document, an image: not a page
		}
		links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](pageLinksJS))
		if err != nil {
			t.Fatalf("%s: %s: read the links: %v", p.Login, final, err)
		}
		for _, l := range links {
			if to, ok := crawlable(final, l); ok {
				q.add(to)
			}
		}
		main, err := chromedp.Run(ctx, chromedp.Evaluate[string](
			`(document.querySelector("main") || document.body).innerHTML.replace(/name="_csrf" value="[^"]*"/g, "")`))
		if err != nil {
			t.Fatalf("%s: %s: read the page: %v", p.Login, final, err)
		}
		if !r.firstWith(main, final.RequestURI()) {
			continue
		}
		began := time.Now()
		checkPageA11y(t, ctx, r.axeSrc, r.runAxeJS, func(width int64, check, detail string) {
			r.fails.add(pageFailure{Check: check, Pattern: pattern, Who: fmt.Sprintf("%s %s %d px", p.Login, p.Lang, width),
				Page: final.RequestURI(), Detail: detail})
		})
		if took := time.Since(began); took > 5*time.Second {
			t.Logf("%s: checking %s took %s", p.Login, final.RequestURI(), took.Round(time.Millisecond))
		}
	}
}

// checkPageA11y runs axe-core and measures the page's width at each width of a11yWidths, in the
// same tab: the window is resized, the page is not loaded again.
func checkPageA11y(t *testing.T, ctx context.Context, axeSrc, runAxeJS string, fail func(width int64, check, detail string)) {
	t.Helper()
	// axe-core is evaluated through the DevTools protocol, which the page's Content Security
	// Policy does not govern: the page keeps its policy for everything else.
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined"`))
	if err != nil {
		t.Fatalf("look for axe: %v", err)
	}
	if !loaded {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSrc)); err != nil {
			t.Fatalf("inject axe-core: %v", err)
		}
	}
	for _, w := range a11yWidths {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w.width, w.height)); err != nil {
			t.Fatalf("resize the window to %d px: %v", w.width, err)
		}
		pw, err := chromedp.Run(ctx, chromedp.Evaluate[pageWidth](measureWidth))
		if err != nil {
			t.Fatalf("measure the page at %d px: %v", w.width, err)
		}
		if pw.ScrollWidth > pw.InnerWidth {
			detail := fmt.Sprintf("page %d px wide in a %d px window", pw.ScrollWidth, pw.InnerWidth)
			if len(pw.Culprits) > 0 {
				detail += "; sticking out: " + strings.Join(pw.Culprits, "; ")
				if pw.Count > len(pw.Culprits) {
					detail += fmt.Sprintf("; and %d more", pw.Count-len(pw.Culprits))
				}
			}
			fail(w.width, "width", detail)
		}
		vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](runAxeJS, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("run axe-core at %d px: %v", w.width, err)
		}
		for _, v := range vs {
			targets := make([]string, 0, len(v.Nodes))
			for i, node := range v.Nodes {
				if i == 12 {
					targets = append(targets, fmt.Sprintf("and %d more", len(v.Nodes)-i))
					break
				}
				targets = append(targets, node.Target)
			}
			detail := fmt.Sprintf("%d element(s): %s", len(v.Nodes), strings.Join(targets, " | "))
			if len(v.Nodes) > 0 {
				detail += " — " + clip(strings.Join(strings.Fields(v.Nodes[0].Summary), " "), 300)
			}
			fail(w.width, "axe "+v.ID+": "+v.Help+" ("+v.Impact+", "+v.HelpURL+")", detail)
		}
	}
}
