package web_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// TestBrowserUsersUXRemoveAsksFirst walks item 6 of the Users tab in a real Chromium, in French
// and in English: Marie Dupont clicks "Remove" on Paul Martin's page; a dialog asks, naming the
// consequence; "Go back" keeps Paul a member; confirming removes him and lands on the list.
func TestBrowserUsersUXRemoveAsksFirst(t *testing.T) {
	browser := findBrowser(t)
	for _, c := range []struct {
		lang, accept, scope, choose, remove, flash string
	}{
		{"fr", "fr-FR,fr;q=0.9", "Périmètre", "Choisir", "Retirer du tenant", "Le membre a été retiré."},
		{"en", "en-US,en;q=0.9", "Scope", "Select", "Remove from the tenant", "The member has been removed."},
	} {
		t.Run(c.lang, func(t *testing.T) {
			w := usersUXWords[c.lang]
			ctx := context.Background()
			a := testutil.NewApp(t)
			tn, err := tenancy.TenantByCode(ctx, a.DB, "OCB0000001")
			if err != nil {
				t.Fatal(err)
			}
			marieU, err := identity.UserByLogin(ctx, a.DB, "Marie.Dupont")
			if err != nil {
				t.Fatal(err)
			}
			paul, err := identity.UserByLogin(ctx, a.DB, "Paul.Martin")
			if err != nil {
				t.Fatal(err)
			}
			if err := tenancy.InsertMembership(ctx, a.DB, &tenancy.Membership{TenantID: tn.ID, UserID: paul.ID,
				Rights: tenancy.Rights{Incidents: true, Changes: true}}); err != nil {
				t.Fatal(err)
			}
			if err := a.Identity.SetLanguage(ctx, tenancy.ActorOf(marieU).Actor, c.lang); err != nil {
				t.Fatal(err)
			}
			member := func() bool {
				_, err := tenancy.MembershipOf(ctx, a.DB, tn.ID, paul.ID)
				if err != nil && !errors.Is(err, apperr.ErrNotFound) {
					t.Fatal(err)
				}
				return err == nil
			}
			base := serveDesk(t, a)
			allocCtx := newBrowser(t, browser, 120*time.Second, c.accept)
			mctx, cancel := chromedp.NewContext(allocCtx)
			defer closeTab(t, mctx, cancel)
			marie := incidentTab{t: t, ctx: mctx, who: "Marie"}
			marie.speak(c.accept)

			marie.login(base, "Marie.Dupont")
			marie.step("Users tab", chromedp.Navigate(base+"/users"))
			marie.choose(c.scope, "OCB0000001")
			marie.step(c.choose, chromedp.Click(marie.find(`//header//form[contains(@class,"scope")]//button[normalize-space()="`+c.choose+`"]`)))
			page := "/users/" + strconv.FormatInt(paul.ID, 10)
			marie.step("Paul's page", chromedp.Navigate(base+page))
			removeButton := `//main//form[@action="` + page + `/remove"]//button[normalize-space()="` + c.remove + `"]`
			dialog := func() bool {
				deadline := time.Now().Add(5 * time.Second)
				for time.Now().Before(deadline) {
					if marie.eval(`String(!!document.querySelector("dialog.confirm[open]"))`) == "true" {
						return true
					}
					time.Sleep(50 * time.Millisecond)
				}
				return false
			}

			marie.do("click Remove", chromedp.Click(marie.find(removeButton)))
			if !dialog() {
				t.Fatalf("no dialog after Remove; page %s", marie.eval(`location.pathname`))
			}
			// want compares text with its spaces normalized, the no-break space before "?" too.
			marie.want("the question", `//dialog[@open]//h2[@id="confirm-question"]`, strings.Join(strings.Fields(w.removeQ), " "))
			if got := marie.text(`//dialog[@open]//p[@id="confirm-consequence"]`); len(got) < len(w.removeC) || got[:len(w.removeC)] != w.removeC {
				t.Fatalf("the consequence: %q, want it to start with %q", got, w.removeC)
			}
			if got := marie.eval(`document.activeElement && document.activeElement.value || ""`); got != "no" {
				t.Errorf("focus on %q, want the safe choice", got)
			}
			marie.do("Go back", chromedp.Click(marie.find(`//dialog[@open]//button[@value="no" and normalize-space()="`+w.keep+`"]`)))
			time.Sleep(300 * time.Millisecond)
			if marie.eval(`String(!!document.querySelector("dialog.confirm[open]"))`) != "false" || marie.eval(`location.pathname`) != page {
				t.Fatalf("after Go back: dialog still open or page left (%s)", marie.eval(`location.pathname`))
			}
			if !member() {
				t.Fatal("Go back removed Paul")
			}

			marie.do("click Remove again", chromedp.Click(marie.find(removeButton)))
			if !dialog() {
				t.Fatal("no dialog the second time")
			}
			marie.step("confirm", chromedp.Click(marie.find(`//dialog[@open]//button[@value="yes"]`)))
			if path := marie.eval(`location.pathname`); path != "/users" {
				t.Fatalf("after confirming: %s, want /users", path)
			}
			marie.want("flash", `//main//*[contains(@class,"flash")]`, c.flash)
			if member() {
				t.Fatal("Paul is still a member")
			}
		})
	}
}

// TestBrowserUsersUXPagesFitThePhone: the Users tab (with a long pending address), a member's
// page, the profile of a customer and of staff, the two-factor page and the staff tenant pages
// are no wider than a 320 px or a 390 px screen.
func TestBrowserUsersUXPagesFitThePhone(t *testing.T) {
	browser := findBrowser(t)
	ctx := context.Background()
	a := testutil.NewApp(t)
	tn, err := tenancy.TenantByCode(ctx, a.DB, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}
	marieU, err := identity.UserByLogin(ctx, a.DB, "Marie.Dupont")
	if err != nil {
		t.Fatal(err)
	}
	john, err := identity.UserByLogin(ctx, a.DB, "John.Doe")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Tenancy.Invite(ctx, tenancy.ActorOf(marieU), tn.ID, tenancy.NewInvitation{
		Email: "jean-christophe.de-la-fontaine-montmorency@direction-informatique.example-industrie.fr", Lang: "fr",
		Rights: tenancy.Rights{Incidents: true, Changes: true, Contract: true, Users: true}}); err != nil {
		t.Fatal(err)
	}
	base := serveDesk(t, a)
	allocCtx := newBrowser(t, browser, 180*time.Second, "fr-FR")
	rctx, rcancel := chromedp.NewContext(allocCtx)
	defer closeTab(t, rctx, rcancel)
	if err := chromedp.Do(rctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		login string
		pages []string
	}{
		{"Marie.Dupont", []string{"/users", "/users/" + strconv.FormatInt(john.ID, 10), "/users/" + strconv.FormatInt(marieU.ID, 10), "/profile", "/profile/2fa"}},
		{"Alice.Agent", []string{"/profile", "/staff/tenants", "/staff/tenants/" + strconv.FormatInt(tn.ID, 10)}},
		{"Sophie.Commerciale", []string{"/profile", "/staff/tenants", "/staff/tenants/" + strconv.FormatInt(tn.ID, 10)}},
		{"admin", []string{"/profile", "/staff/tenants", "/staff/tenants/" + strconv.FormatInt(tn.ID, 10)}},
	} {
		tctx, cancel := chromedp.NewContext(rctx, chromedp.WithNewBrowserContext())
		tab := incidentTab{t: t, ctx: tctx, who: p.login}
		tab.login(base, p.login)
		for _, path := range p.pages {
			for _, width := range []int64{320, 390} {
				if err := chromedp.Do(tctx, chromedp.EmulateViewport(width, 800)); err != nil {
					t.Fatal(err)
				}
				tab.step(path, chromedp.Navigate(base+path))
				got, err := chromedp.Run(tctx, chromedp.Evaluate[pageWidth](measureWidth))
				if err != nil {
					t.Fatal(err)
				}
				if got.ScrollWidth > got.InnerWidth {
					t.Errorf("%s %s at %d px: %d px wide; sticking out: %v", p.login, path, width, got.ScrollWidth, got.Culprits)
				}
				// Lists are cards on the phone: none hides a column in a side scroll.
				if n := tab.eval(`String(Array.from(document.querySelectorAll("main .tablewrap")).filter((e) => e.scrollWidth > e.clientWidth + 1).length)`); n != "0" {
					t.Errorf("%s %s at %d px: %s lists scroll sideways", p.login, path, width, n)
				}
			}
		}
		closeTab(t, tctx, cancel)
	}
}
