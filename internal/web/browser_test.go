package web_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/testutil"
)

// browserPage is what the browser test reads from the page shown, in one evaluation, so that
// a missing element is an empty field and not a query that waits for the timeout.
type browserPage struct {
	Path      string   `json:"path"`
	Lang      string   `json:"lang"`
	Title     string   `json:"title"`
	H1        string   `json:"h1"`
	Scope     string   `json:"scope"`
	Tabs      []string `json:"tabs"`
	Switcher  string   `json:"switcher"`
	Flash     string   `json:"flash"`
	Profile   string   `json:"profile"`
	LoginForm bool     `json:"loginForm"`
}

const readBrowserPage = `(() => {
	const text = (sel) => { const e = document.querySelector(sel); return e ? e.textContent.trim() : ""; };
	return {
		path: location.pathname,
		lang: document.documentElement.getAttribute("lang") || "",
		title: document.title,
		h1: text("main h1"),
		scope: text("label[for=scope-tenant]"),
		tabs: Array.from(document.querySelectorAll("nav.tabs a"), (a) => a.textContent.trim()),
		switcher: text("form.langswitch button[name=lang]"),
		flash: text("main .flash"),
		profile: text("header a.profile"),
		loginForm: document.querySelector("#f-login") !== null && document.querySelector("#f-password") !== null,
	};
})()`

// findBrowser returns the Chromium or Chrome to drive, or skips the test when there is none
// (fails it when GUICHET_TEST_STRICT=1).
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	const msg = "no Chromium or Chrome found (chromium, chromium-browser, google-chrome): browser test not run"
	if testutil.Strict() {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// serveDesk serves a on 127.0.0.1, on a free port, until the test ends, and returns its base
// URL.
func serveDesk(t *testing.T, a *app.App) (baseURL string) {
	t.Helper()
	a.Config.Addr = "127.0.0.1:0"
	srvCtx, stop := context.WithCancel(context.Background())
	addrc := make(chan string, 1)
	served := make(chan error, 1)
	go func() { served <- a.Serve(srvCtx, 5*time.Second, func(addr string) { addrc <- addr }) }()
	// Registered after testutil.NewApp's cleanup, so it runs first: the server stops before the
	// database closes.
	t.Cleanup(func() {
		stop()
		select {
		case err := <-served:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("Serve did not return within 15 s of its context's end")
		}
	})
	select {
	case addr := <-addrc:
		return "http://" + addr
	case err := <-served:
		t.Fatalf("Serve returned before listening: %v", err)
	case <-time.After(15 * time.Second):
		t.Fatal("server not listening after 15 s")
	}
	return ""
}

// newBrowser starts the allocator of a headless Chromium, browser (from findBrowser), whose UI
// speaks lang, and returns its context, for the tabs of chromedp.NewContext. The whole browser
// part, Chromium's start and end included, has timeout. Call it after serveDesk: its cleanup
// then runs before the server stops, and after the tabs' deferred closes.
func newBrowser(t *testing.T, browser string, timeout time.Duration, lang string) (allocCtx context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	// The profile and a private HOME, where Chromium's crash handler keeps its database, share
	// one fresh directory: nothing is written outside it, and every process of this browser has
	// it on its command line.
	root := t.TempDir()
	profile, home := filepath.Join(root, "profile"), filepath.Join(root, "home")
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", lang),
		chromedp.UserDataDir(profile),
		chromedp.Env("HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache")),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	// Ends Chromium and waits for it; then makes sure that none of its processes is left.
	t.Cleanup(func() {
		cancelAlloc()
		if left := killBrowserProcesses(root); len(left) > 0 {
			t.Errorf("Chromium processes left after the browser closed (killed now): %v", left)
		}
		cancel()
	})
	return allocCtx
}

// closeTab closes the tab of ctx (Chromium itself, for the first tab of an allocator), then
// cancels ctx.
func closeTab(t *testing.T, ctx context.Context, cancel context.CancelFunc) {
	if err := chromedp.Cancel(ctx); err != nil && !errors.Is(err, context.Canceled) {
		t.Logf("closing a tab: %v", err)
	}
	cancel()
}

// TestBrowserLanguageSwitch drives a real Chromium against the real server: a French browser
// gets the French login page, Marie Dupont logs in and sees her French home, switches to
// English with the switcher, and after logging out the login page stays English, because
// the switcher set her preference and the lang cookie, which win over Accept-Language.
func TestBrowserLanguageSwitch(t *testing.T) {
	browser := findBrowser(t)

	a := testutil.NewApp(t)
	// The desk would speak French anyway with the default "fr": make English the default, so
	// that the French pages can only come from the browser's Accept-Language.
	a.Config.DefaultLang = "en"
	base := serveDesk(t, a)

	// The whole browser part, Chromium's start and end included, has 60 s.
	allocCtx := newBrowser(t, browser, 60*time.Second, "fr-FR")
	bctx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer closeTab(t, bctx, cancelBrowser)

	// The lang flag (newBrowser) sets the browser's UI language; the header makes sure that
	// every request says French, as a French browser's would.
	if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Accept-Language": "fr-FR,fr;q=0.9"},
	}); err != nil {
		t.Fatalf("start Chromium (%s) and set Accept-Language: %v", browser, err)
	}

	read := func(step string) browserPage {
		t.Helper()
		p, err := chromedp.Run(bctx, chromedp.Evaluate[browserPage](readBrowserPage))
		if err != nil {
			t.Fatalf("%s: read the page: %v", step, err)
		}
		return p
	}
	wantStatus := func(step string, resp *network.Response, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if resp == nil || resp.Status != 200 {
			t.Fatalf("%s: response %+v, want status 200", step, resp)
		}
	}

	// 1. A French browser gets the French login page.
	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(base+"/login"))
	wantStatus("GET /login", resp, err)
	p := read("login page")
	if p.Lang != "fr" || p.H1 != "Connexion" || p.Title != "Connexion · Guichet" || !p.LoginForm || p.Switcher != "English" {
		t.Fatalf("login page for Accept-Language fr: %+v; want lang fr, h1 and title Connexion, the login form, switcher English", p)
	}

	// 2. Marie Dupont logs in and gets her French customer home.
	if err := chromedp.Do(bctx,
		chromedp.SendKeys(chromedp.ID("f-login"), "Marie.Dupont"),
		chromedp.SendKeys(chromedp.ID("f-password"), demo.Password),
	); err != nil {
		t.Fatalf("fill the login form: %v", err)
	}
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`main form[action="/login"] button[type=submit]`)))
	wantStatus("log in", resp, err)
	p = read("home after login")
	if p.Path != "/" || p.Lang != "fr" || p.Scope != "Périmètre" || !slices.Contains(p.Tabs, "Utilisateurs") ||
		p.Switcher != "English" || p.Profile != "Marie Dupont" || p.LoginForm {
		t.Fatalf("home after login: %+v; want path /, lang fr, scope Périmètre, tab Utilisateurs, switcher English, profile Marie Dupont", p)
	}
	for _, tab := range []string{"Accueil", "Contrat"} {
		if !slices.Contains(p.Tabs, tab) {
			t.Errorf("French home: tabs %q lack %q", p.Tabs, tab)
		}
	}
	scope, err := chromedp.Run(bctx, chromedp.Evaluate[string](
		`(() => { const s = document.querySelector("#scope-tenant"); return s ? s.options[s.selectedIndex].text : ""; })()`))
	if err != nil {
		t.Fatalf("read the scope selector: %v", err)
	}
	if !strings.HasPrefix(scope, "OCB000000") {
		t.Errorf("scope selector shows %q, want one of Marie Dupont's tenants OCB0000001–3", scope)
	}
	if dir := os.Getenv("GUICHET_TEST_SCREENSHOTS"); dir != "" {
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		if !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
			t.Fatalf("screenshot is not a PNG (%d bytes)", len(png))
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, "home-fr.png")
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot of the French home: %s", file)
	}

	// 3. The switcher turns the page English, on the same page.
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`form.langswitch button[name=lang]`)))
	wantStatus("switch to English", resp, err)
	p = read("home after the switch")
	if p.Path != "/" || p.Lang != "en" || p.Title != "Home · Guichet" || p.Scope != "Scope" ||
		!slices.Contains(p.Tabs, "Users") || slices.Contains(p.Tabs, "Utilisateurs") || p.Switcher != "Français" {
		t.Fatalf("home after switching to English: %+v; want path /, lang en, title Home, scope Scope, tab Users, switcher Français", p)
	}
	var pref string
	if err := a.DB.QueryRowContext(allocCtx, "SELECT lang FROM users WHERE login = ?", "Marie.Dupont").Scan(&pref); err != nil {
		t.Fatalf("read Marie Dupont's language: %v", err)
	}
	if pref != "en" {
		t.Errorf("Marie Dupont's language preference after the switch is %q, want en", pref)
	}

	// 4. After logging out, the login page is still English: the lang cookie wins over the
	// browser's Accept-Language fr.
	resp, err = chromedp.RunResponse(bctx, chromedp.Click(chromedp.CSS(`form[action="/logout"] button[type=submit]`)))
	wantStatus("log out", resp, err)
	p = read("login page after logout")
	if p.Path != "/login" || p.Lang != "en" || p.H1 != "Log in" || p.Title != "Log in · Guichet" ||
		p.Flash != "You are logged out." || !p.LoginForm || p.Profile != "" || p.Switcher != "Français" {
		t.Fatalf("login page after logout: %+v; want path /login, lang en, h1 and title Log in, flash You are logged out., the login form, no profile link", p)
	}
	cookies, err := chromedp.Call(bctx, network.GetCookies, network.GetCookiesParams{URLs: []string{base + "/"}})
	if err != nil {
		t.Fatalf("read the cookies: %v", err)
	}
	jar := map[string]string{}
	for _, c := range cookies.Cookies {
		jar[c.Name] = c.Value
	}
	if jar["lang"] != "en" {
		t.Errorf("lang cookie after logout = %q, want en (cookies %v)", jar["lang"], jar)
	}
	if _, ok := jar["guichet_session"]; ok {
		t.Errorf("session cookie still set after logout")
	}
}

// killBrowserProcesses waits a little for the processes that have dir, the test's fresh
// t.TempDir(), on their command line to end (only the Chromium of this test has it), then
// kills, by pid, those still there and returns their pids.
func killBrowserProcesses(dir string) []int {
	deadline := time.Now().Add(3 * time.Second)
	for {
		pids := processesUsing(dir)
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			for _, pid := range pids {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			return pids
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func processesUsing(dir string) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if bytes.Contains(cmdline, []byte(dir+string(filepath.Separator))) {
			pids = append(pids, pid)
		}
	}
	return pids
}
