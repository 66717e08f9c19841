package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// incidentUXWords are the words each language's pages use, as the tests click them.
var incidentUXWords = map[string]struct {
	accept, state, cancel, question, consequence, keep, cancelled, noTarget                string
	replyLabel, send, noteLabel, addNote, replied, noteBadge, replyBadge                   string
	validate, titleLabel, kept, declared, attachments, switched, allLink, tenantCol, title string
}{
	"fr": {"fr-FR,fr;q=0.9", "État", "Annuler l’incident", "Annuler l’incident %s ?", "L’incident %s", "Revenir en arrière",
		"Annulé", "aucun engagement de délai",
		"Réponse", "Envoyer au client", "Note", "Ajouter la note interne", "Votre message a été ajouté.", "Note interne", "Réponse",
		"Valider", "Titre", "Fichiers conservés", "Incident déclaré", "Pièces jointes", "Périmètre basculé sur le tenant OCB0000002",
		"Voir les incidents de tous mes tenants", "Tenant", "Incidents récents"},
	"en": {"en-US,en;q=0.9", "Status", "Cancel the incident", "Cancel incident %s?", "Incident %s", "Go back",
		"Cancelled", "no response or resolution target applies any more",
		"Reply", "Send to the customer", "Note", "Add internal note", "Your message was added.", "Internal note", "Reply",
		"Validate", "Title", "Files kept", "Incident declared", "Attachments", "Scope switched to tenant OCB0000002",
		"See the incidents of all my tenants", "Tenant", "Recent incidents"},
}

// TestBrowserIncidentUX walks items 6, 7, 9 and 17 of the incident pages in a real Chromium, in
// French and in English: Marie Dupont declares with a file after a refusal and finds it kept;
// cancels an incident through the confirmation dialog (going back first); follows a link to an
// incident of another of her tenants and finds Périmètre switched; lists all her tenants'
// incidents. Alice Agent replies to the customer and writes an internal note, each from its own
// composer.
func TestBrowserIncidentUX(t *testing.T) {
	browser := findBrowser(t)
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			w := incidentUXWords[lang]
			ctx := context.Background()
			a := testutil.NewApp(t)
			user := func(login string) *identity.User {
				u, err := identity.UserByLogin(ctx, a.DB, login)
				if err != nil {
					t.Fatal(err)
				}
				if err := a.Identity.SetLanguage(ctx, tenancy.ActorOf(u).Actor, lang); err != nil {
					t.Fatal(err)
				}
				return u
			}
			marieU, _ := user("Marie.Dupont"), user("Alice.Agent")
			tenant := func(code string) int64 {
				tn, err := tenancy.TenantByCode(ctx, a.DB, code)
				if err != nil {
					t.Fatal(err)
				}
				return tn.ID
			}
			declare := func(code, title string) *incident.Incident {
				inc, err := a.Incidents.Declare(ctx, tenancy.ActorOf(marieU), tenant(code), incident.Draft{Title: title,
					Description: "Rien ne répond.", Service: "ecs", Region: "eu-west-0", Impact: "medium", Urgency: "medium"})
				if err != nil {
					t.Fatal(err)
				}
				return inc
			}
			toCancel := declare("OCB0000001", "Fausse alerte")
			toWork := declare("OCB0000001", "Console lente")
			elsewhere := declare("OCB0000002", "Base de données en panne")

			base := serveDesk(t, a)
			allocCtx := newBrowser(t, browser, 150*time.Second, w.accept)
			mctx, cancelMarie := chromedp.NewContext(allocCtx)
			defer closeTab(t, mctx, cancelMarie)
			marie := incidentTab{t: t, ctx: mctx, who: "Marie"}
			marie.speak(w.accept)
			actx, cancelAlice := chromedp.NewContext(mctx, chromedp.WithNewBrowserContext())
			defer closeTab(t, actx, cancelAlice)
			alice := incidentTab{t: t, ctx: actx, who: "Alice"}
			alice.speak(w.accept)
			marie.login(base, "Marie.Dupont")
			alice.login(base, "Alice.Agent")
			dialogOpen := func() bool {
				for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
					if marie.eval(`String(!!document.querySelector("dialog.confirm[open]"))`) == "true" {
						return true
					}
				}
				return false
			}

			// Item 9: a file survives a refused declaration.
			dir := t.TempDir()
			file := filepath.Join(dir, "nova-"+lang+".log")
			if err := os.WriteFile(file, []byte("2026-11-24 ERROR nova: instance failed\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			marie.step("form", chromedp.Navigate(base+"/incidents/new"))
			marie.do("description and file",
				chromedp.SendKeys(marie.find(labelled("Description")), "Plus rien ne répond depuis 8 h."),
				chromedp.SetUploadFiles(marie.find(`//main//input[@type="file"]`), []string{file}))
			marie.choose(map[string]string{"fr": "Service concerné", "en": "Affected service"}[lang], "Elastic")
			if resp, err := chromedp.RunResponse(marie.ctx, chromedp.Click(marie.find(`//main//button[normalize-space()="`+w.validate+`"]`))); err != nil || resp == nil || resp.Status != 422 {
				t.Fatalf("refused declaration: %+v, %v", resp, err)
			}
			marie.want("kept", `//main//fieldset[contains(@class,"kept")]/legend`, w.kept)
			if got := marie.text(`//main//fieldset[contains(@class,"kept")]//label`); !strings.HasPrefix(got, "nova-"+lang+".log") {
				t.Fatalf("kept file %q", got)
			}
			marie.do("title", chromedp.SendKeys(marie.find(labelled(w.titleLabel)), "Disque plein"))
			marie.step("declared", chromedp.Click(marie.find(`//main//button[normalize-space()="`+w.validate+`"]`)))
			marie.want("declared", `//main//h1`, w.declared)
			marie.step("follow", chromedp.Click(marie.find(`//main//a[contains(@class,"primary")]`)))
			marie.want("attachment", `//main//ol[contains(@class,"timeline")]//ul[contains(@class,"files")]//a`, "nova-"+lang+".log")

			// Item 6: cancelling asks first.
			page := "/incidents/" + toCancel.Number()
			marie.step("incident to cancel", chromedp.Navigate(base+page))
			cancelButton := `//main//form[@action="` + page + `/cancel"]//button[normalize-space()="` + w.cancel + `"]`
			marie.do("cancel", chromedp.Click(marie.find(cancelButton)))
			if !dialogOpen() {
				t.Fatal("no dialog after Cancel")
			}
			question := strings.Replace(w.question, "%s", toCancel.Number(), 1)
			marie.want("question", `//dialog[@open]//h2[@id="confirm-question"]`, strings.Join(strings.Fields(question), " "))
			if got, want := marie.text(`//dialog[@open]//p[@id="confirm-consequence"]`), strings.Replace(w.consequence, "%s", toCancel.Number(), 1); !strings.HasPrefix(got, want) {
				t.Fatalf("consequence %q, want it to start with %q", got, want)
			}
			marie.do("go back", chromedp.Click(marie.find(`//dialog[@open]//button[@value="no"]`)))
			time.Sleep(300 * time.Millisecond)
			if inc, _ := a.Incidents.Get(ctx, tenancy.ActorOf(marieU), toCancel.ID); inc.Status != incident.New {
				t.Fatalf("going back cancelled the incident")
			}
			marie.do("cancel again", chromedp.Click(marie.find(cancelButton)))
			if !dialogOpen() {
				t.Fatal("no dialog the second time")
			}
			marie.step("confirm", chromedp.Click(marie.find(`//dialog[@open]//button[@value="yes"]`)))
			marie.want("cancelled", fact(w.state), w.cancelled)
			if got := marie.text(`//main//section[contains(@class,"sla")]`); !strings.Contains(got, w.noTarget) {
				t.Errorf("SLA box of the cancelled incident: %q", got)
			}

			// Item 7: Alice replies and writes a note, each from its composer.
			alice.step("incident", chromedp.Navigate(base+"/staff/incidents/"+toWork.Number()))
			alice.do("reply", chromedp.SendKeys(alice.find(labelled(w.replyLabel)), "Nous regardons."))
			alice.step("send", chromedp.Click(alice.find(`//main//button[normalize-space()="`+w.send+`"]`)))
			alice.want("replied", `//main/p[contains(@class,"flash")]`, w.replied)
			alice.do("note", chromedp.SendKeys(alice.find(labelled(w.noteLabel)), "Piste: le cache du proxy."))
			alice.step("add note", chromedp.Click(alice.find(`//main//button[normalize-space()="`+w.addNote+`"]`)))
			alice.want("noted", `//main/p[contains(@class,"flash")]`, w.replied)
			if n := alice.count(`//main//ol[contains(@class,"timeline")]/li[contains(@class,"entry-note")][contains(., "Piste: le cache du proxy.")]`); n != 1 {
				t.Errorf("%d notes with the text", n)
			}
			if n := alice.count(`//main//ol[contains(@class,"timeline")]/li[contains(@class,"entry-reply")][contains(., "Nous regardons.")]`); n != 1 {
				t.Errorf("%d public replies with the text", n)
			}
			marie.step("Marie's page", chromedp.Navigate(base+"/incidents/"+toWork.Number()))
			if tl := marie.text(`//main//ol[contains(@class,"timeline")]`); !strings.Contains(tl, "Nous regardons.") || strings.Contains(tl, "proxy") {
				t.Errorf("Marie's timeline: %q", tl)
			}

			// Item 17: a link to another tenant's incident switches Périmètre.
			marie.step("elsewhere", chromedp.Navigate(base+"/incidents/"+elsewhere.Number()))
			if got := marie.text(`//main//p[contains(@class,"flash")]`); !strings.HasPrefix(got, w.switched) {
				t.Errorf("switch notice %q", got)
			}
			if got := marie.eval(`(() => { const s = document.querySelector("header form.scope select"); return s ? s.options[s.selectedIndex].textContent : "" })()`); !strings.Contains(got, "OCB0000002") {
				t.Errorf("Périmètre shows %q", got)
			}
			marie.step("list", chromedp.Navigate(base+"/incidents"))
			marie.want("list", `//main//h1`, w.title+" OCB0000002")
			marie.step("all my tenants", chromedp.Click(marie.find(`//main//a[normalize-space()="`+w.allLink+`"]`)))
			for _, title := range []string{"Console lente", "Base de données en panne"} {
				if n := marie.count(`//main//table//tr[td[normalize-space()="` + title + `"]]`); n != 1 {
					t.Errorf("%d rows for %q in the list of all tenants", n, title)
				}
			}
			if got := marie.text(`//main//table//tr[td[normalize-space()="Base de données en panne"]]/td[@data-label="` + w.tenantCol + `"]`); got != "OCB0000002" {
				t.Errorf("tenant column %q", got)
			}
		})
	}
}
