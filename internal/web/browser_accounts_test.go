package web_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/pquerna/otp/totp"
)

// TestBrowserInvitationAndTwoFactor walks the new member's path in a real Chromium: Marie
// Dupont (fr) invites an address from the Users tab and sees only that address, pending; the
// invited person (en), with no account, opens the mail's link, creates her account and logs in
// to the tenant; she turns on two-factor authentication with a code computed from the key the
// page shows, keeps a recovery code, logs out, and logs in again with her password and that code.
func TestBrowserInvitationAndTwoFactor(t *testing.T) {
	browser := findBrowser(t)
	a := testutil.NewApp(t)
	base := serveDesk(t, a)

	allocCtx := newBrowser(t, browser, 120*time.Second, "fr-FR")
	mctx, cancelMarie := chromedp.NewContext(allocCtx)
	defer closeTab(t, mctx, cancelMarie)
	marie := incidentTab{t: t, ctx: mctx, who: "Marie"}
	marie.speak("fr-FR,fr;q=0.9")
	nctx, cancelNina := chromedp.NewContext(mctx, chromedp.WithNewBrowserContext())
	defer closeTab(t, nctx, cancelNina)
	nina := incidentTab{t: t, ctx: nctx, who: "Nina"}
	nina.speak("en-US,en;q=0.9")

	const address = "nina.petit@example.com"
	marie.login(base, "Marie.Dupont")
	marie.step("Users tab", chromedp.Navigate(base+"/users"))
	marie.choose("Périmètre", "OCB0000001")
	marie.step("Choisir", chromedp.Click(marie.find(`//header//form[contains(@class,"scope")]//button[normalize-space()="Choisir"]`)))
	marie.want("invite title", `//main//h2[@id="invite"]`, "Inviter un membre")
	marie.do("fill the invitation",
		chromedp.SendKeys(marie.find(labelled("Adresse e-mail")), address),
		chromedp.Click(marie.find(`//main//fieldset[contains(@class,"rights")]//label[normalize-space()="Incidents"]/input`)))
	marie.step("Envoyer l’invitation", chromedp.Click(marie.find(`//main//button[normalize-space()="Envoyer l’invitation"]`)))
	if n := marie.count(`//main//td[normalize-space()="` + address + `"]`); n != 1 {
		t.Fatalf("the pending invitation is not listed once (%d):\n%s", n, marie.text(`//main`))
	}

	var mail notify.Message
	if err := a.DB.NewSelect().Model(&mail).Where("kind = 'invitation'").Scan(context.Background()); err != nil {
		t.Fatalf("invitation mail: %v", err)
	}
	link := regexp.MustCompile(`/invitation/[A-Za-z0-9_-]+`).FindString(mail.BodyText)
	if link == "" {
		t.Fatalf("no link in the invitation mail:\n%s", mail.BodyText)
	}

	const password = "a long enough password"
	nina.step("open the link", chromedp.Navigate(base+link))
	nina.do("create the account",
		chromedp.SendKeys(nina.find(labelled("Login")), "Nina.Petit"),
		chromedp.SendKeys(nina.find(labelled("Name")), "Nina Petit"),
		chromedp.SendKeys(nina.find(labelled("Password")), password),
		chromedp.SendKeys(nina.find(labelled("Password again")), password))
	nina.step("Create my account", chromedp.Click(nina.find(`//main//button[normalize-space()="Create my account and join the tenant"]`)))
	logIn := func() {
		nina.step("login page", chromedp.Navigate(base+"/login"))
		nina.do("fill login", chromedp.SendKeys(chromedp.ID("f-login"), "Nina.Petit"), chromedp.SendKeys(chromedp.ID("f-password"), password))
		nina.step("log in", chromedp.Click(chromedp.CSS(`main form[action="/login"] button[type=submit]`)))
	}
	logIn()
	nina.step("Incidents", chromedp.Navigate(base+"/incidents"))
	nina.want("member of the tenant", `//main//h1`, "Recent incidents OCB0000001")

	nina.step("two-factor page", chromedp.Navigate(base+"/profile/2fa"))
	// The key is shown in groups of four, as people type it into an app.
	code, err := totp.GenerateCode(strings.ReplaceAll(nina.text(`//code[@id="totp-key"]`), " ", ""), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	nina.do("type the code", chromedp.SendKeys(nina.find(labelled("Code from the app")), code))
	nina.step("turn it on", chromedp.Click(nina.find(`//main//button[normalize-space()="Turn on two-factor authentication"]`)))
	nina.want("recovery codes", `//main//h1`, "Your recovery codes")
	recovery := nina.text(`//ol[@id="recovery-codes"]/li[1]/code`)
	if recovery == "" {
		t.Fatal("no recovery code shown")
	}

	nina.step("log out", chromedp.Click(nina.find(`//header//form[@action="/logout"]//button`)))
	logIn()
	if path := nina.eval(`location.pathname`); path != "/login/code" {
		t.Fatalf("after the password: %s, want the second step\n%s", path, nina.text(`//main`))
	}
	nina.do("type the recovery code", chromedp.SendKeys(nina.find(labelled("Code")), recovery))
	nina.step("Verify", chromedp.Click(nina.find(`//main//button[normalize-space()="Verify"]`)))
	nina.step("Incidents again", chromedp.Navigate(base+"/incidents"))
	nina.want("logged in with the second factor", `//main//h1`, "Recent incidents OCB0000001")
}
