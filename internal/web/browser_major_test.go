package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/testutil"
)

// TestBrowserMajorIncident walks an outage in a real Chromium: Alice Agent (en) opens a major
// incident in English and French on EVS in Paris; Marie Dupont (fr) sees its banner on her home
// page, starts declaring an incident on EVS in Paris, and the form says, as soon as she chooses
// them and before Valider, that it is probably the same problem: she clicks « C'est le même
// problème : me tenir informé ». Alice posts an update and resolves the major incident (the page
// asks first); Marie gets both in French by mail and finds her incident resolved.
func TestBrowserMajorIncident(t *testing.T) {
	browser := findBrowser(t)
	a := testutil.NewApp(t)
	smtp := testutil.StartSMTP(t)
	base := serveDesk(t, a)

	allocCtx := newBrowser(t, browser, 150*time.Second, "fr-FR")
	mctx, cancelMarie := chromedp.NewContext(allocCtx)
	defer closeTab(t, mctx, cancelMarie)
	marie := incidentTab{t: t, ctx: mctx, who: "Marie"}
	marie.speak("fr-FR,fr;q=0.9")
	actx, cancelAlice := chromedp.NewContext(mctx, chromedp.WithNewBrowserContext())
	defer closeTab(t, actx, cancelAlice)
	alice := incidentTab{t: t, ctx: actx, who: "Alice"}
	alice.speak("en-US,en;q=0.9")

	// Alice opens the major incident, in English, with its French text.
	alice.login(base, "Alice.Agent")
	alice.step("Major incidents", chromedp.Click(alice.find(`//nav[contains(@class,"mainnav")]//a[normalize-space()="Major incidents"]`)))
	alice.step("Open a major incident", chromedp.Click(alice.find(`//main//a[normalize-space()="Open a major incident"]`)))
	alice.want("form", `//main//h1`, "New major incident")
	alice.do("fill the texts",
		chromedp.SendKeys(alice.find(labelled("Title in French")), "Panne du stockage bloc à Paris"),
		chromedp.SendKeys(alice.find(labelled("Title in English")), "Block storage outage in Paris"),
		chromedp.SendKeys(alice.find(labelled("Public description in French")), "Les volumes EVS de Paris ne répondent plus."),
		chromedp.SendKeys(alice.find(labelled("Public description in English")), "EVS volumes in Paris do not answer."),
		chromedp.Click(alice.find(`//main//fieldset[legend[starts-with(normalize-space(),"Affected services")]]//label[normalize-space()="Elastic Volume Service"]/input`)),
		chromedp.Click(alice.find(`//main//fieldset[legend[starts-with(normalize-space(),"Affected regions")]]//label[normalize-space()="Paris"]/input`)))
	alice.step("Open the major incident", chromedp.Click(alice.find(`//main//button[normalize-space()="Open the major incident"]`)))
	alice.want("opened", `//main/p[contains(@class,"flash")]`, "The major incident is open.")
	number := strings.TrimPrefix(alice.eval(`location.pathname`), "/staff/major/")
	if !strings.HasPrefix(number, "MAJ") {
		t.Fatalf("opened at %q", number)
	}

	// Marie sees the banner, in French, and declares "the same problem".
	marie.login(base, "Marie.Dupont")
	marie.want("banner", `//main//aside[contains(@class,"major-banner")]//h2`, "Incident majeur en cours")
	marie.want("banner title", `//main//aside[contains(@class,"major-banner")]//li/a`, "Panne du stockage bloc à Paris")
	marie.step("Déclarer un incident", chromedp.Click(marie.find(`//main//a[normalize-space()="Déclarer un incident"]`)))
	marie.want("banner on the form", `//main//aside[contains(@class,"major-banner")]//li/a`, "Panne du stockage bloc à Paris")
	if n := marie.count(`//main//div[contains(@class,"same-problem") and not(@hidden)]`); n != 0 {
		t.Fatalf("the same-problem notice shows before a service is chosen (%d)", n)
	}
	marie.do("fill the form",
		chromedp.SendKeys(marie.find(labelled("Titre")), "Volume vol-42 inaccessible"),
		chromedp.SendKeys(marie.find(labelled("Description")), "Le volume vol-42 est en erreur depuis 8 h."))
	marie.choose("Service concerné", "Elastic Volume Service")
	marie.do("radios",
		chromedp.Click(marie.find(radio("Région", "Paris"))),
		chromedp.Click(marie.find(radio("Impact", "Élevé"))),
		chromedp.Click(marie.find(radio("Urgence", "Moyenne"))))
	marie.want("the form says so", `//main//div[contains(@class,"same-problem") and not(@hidden)]//h2`, "Est-ce le même problème ?")
	marie.step("same problem", chromedp.Click(marie.find("//main//button[normalize-space()=\"C’est le même problème\u00a0: me tenir informé\"]")))
	marie.want("declared", `//main//h1`, "Incident déclaré")
	if got := marie.text(`//main//div[contains(@class,"done")]`); !strings.Contains(got, "Il est rattaché à l’incident majeur "+number) {
		t.Fatalf("declared page: %q", got)
	}
	inc, err := incident.ByID(t.Context(), a.DB, 1)
	if err != nil || inc.MajorID == nil {
		t.Fatalf("INC0000001 not linked: %+v %v", inc, err)
	}

	// Alice sees it linked, posts an update, then resolves.
	alice.step("reload", chromedp.Reload())
	alice.want("linked row", `//main//tr[td/a[normalize-space()="INC0000001"]]/td/a`, "INC0000001")
	alice.choose("State after this update", "Identified")
	alice.do("write the update",
		chromedp.SendKeys(alice.find(labelled("Text in French")), "Un contrôleur de stockage est en cause."),
		chromedp.SendKeys(alice.find(labelled("Text in English")), "A storage controller is at fault."))
	alice.step("Post the update", chromedp.Click(alice.find(`//main//button[normalize-space()="Post the update"]`)))
	alice.want("posted", `//main/p[contains(@class,"flash")]`, "The update is published.")
	alice.choose("State after this update", "Resolved")
	alice.do("write the resolution",
		chromedp.SendKeys(alice.find(labelled("Text in French")), "Le contrôleur a été remplacé ; tout fonctionne."),
		chromedp.SendKeys(alice.find(labelled("Text in English")), "The controller was replaced; all works."))
	alice.step("Post the resolution", chromedp.Click(alice.find(`//main//button[normalize-space()="Post the update"]`)))
	alice.step("confirm", chromedp.Click(alice.find(`//main//button[normalize-space()="Resolve the major incident"]`)))
	alice.want("resolved", `//main/p[contains(@class,"flash")]`, "The major incident is resolved, and the linked incidents still open with it.")

	// Marie's mail, in French: the update and the resolution, one each.
	var mine []testutil.Mail
	for _, m := range testutil.To(smtp.Deliver(a), "marie.dupont@example.fr") {
		if strings.Contains(m.Subject, number) {
			mine = append(mine, m)
		}
	}
	if len(mine) != 2 || !strings.Contains(mine[0].Subject, "Mise à jour") || !strings.Contains(mine[1].Subject, "Résolu") ||
		!strings.Contains(mine[0].Text, "Un contrôleur de stockage est en cause.") || !strings.Contains(mine[1].Text, "Vous pouvez le rouvrir jusqu’au") {
		var subjects []string
		for _, m := range mine {
			subjects = append(subjects, m.Subject)
		}
		t.Fatalf("Marie's mail about %s: %q", number, subjects)
	}

	// Her incident is resolved, with the French text; the banner is gone.
	marie.step("her incident", chromedp.Navigate(base+"/incidents/INC0000001"))
	marie.want("state", fact("État"), "Résolu")
	if tl := marie.text(`//main//ol[contains(@class,"timeline")]`); !strings.Contains(tl, "Le contrôleur a été remplacé ; tout fonctionne.") {
		t.Errorf("Marie's timeline lacks the resolution:\n%s", tl)
	}
	marie.step("home", chromedp.Navigate(base+"/"))
	if n := marie.count(`//main//aside[contains(@class,"major-banner")]`); n != 0 {
		t.Errorf("the banner still shows after the resolution")
	}
}
