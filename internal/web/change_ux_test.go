package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// mainOf is the page's <main>, where the page's own buttons are.
func mainOf(r testutil.Response) string {
	s := r.Body
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if i := strings.Index(s, "</main>"); i >= 0 {
		s = s[:i]
	}
	return s
}

var primaryButton = regexp.MustCompile(`class="(button )?primary"`)

// wantOnePrimary fails unless the page's main part has exactly one primary button.
func wantOnePrimary(t *testing.T, what string, r testutil.Response) {
	t.Helper()
	if n := len(primaryButton.FindAllString(mainOf(r), -1)); n != 1 {
		t.Errorf("%s: %d primary buttons, want 1", what, n)
	}
}

// wantStep fails unless the step indicator marks step n of 3 as the current one.
func wantStep(t *testing.T, what string, r testutil.Response, n int, position string) {
	t.Helper()
	m := regexp.MustCompile(`(?s)<ol class="steps"[^>]*>(.*?)</ol>`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("%s: no step indicator", what)
	}
	items := strings.Split(m[1], "</li>")
	for i, it := range items[:3] {
		if strings.Contains(it, `aria-current="step"`) != (i+1 == n) {
			t.Errorf("%s: step %d marked %v, want step %d current", what, i+1, !(i+1 == n), n)
		}
	}
	if !strings.Contains(items[n-1], position) {
		t.Errorf("%s: current step %q does not say %q", what, items[n-1], position)
	}
}

// The path of "Demander un changement" in three steps on one page, in French and in English:
// the item from a list (no catalogue nor category asked, there is one of each), its form, the
// summary; one primary button per step, "Back" keeping what was typed, nothing recorded before
// Valider.
func TestChangeUXPath(t *testing.T) {
	d := newDesk(t)
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			execSQL(t, d, "UPDATE users SET lang = ? WHERE login = 'Marie.Dupont'", lang)
			marie := d.as(t, "Marie.Dupont")
			w := map[string]map[string]string{
				"fr": {"pick": "Choisissez l’article de changement", "step1": "Étape 1 sur 3\u00a0:", "step2": "Étape 2 sur 3\u00a0:",
					"step3": "Étape 3 sur 3\u00a0:", "item": "Nombre d’instances ECS", "other": "Nombre de vCPU", "noitem": "Choisissez un article de changement.",
					"review": "Vérifier ma demande", "back": "Retour", "valider": "Valider", "above": "supérieure au quota actuel"},
				"en": {"pick": "Choose the change item", "step1": "Step 1 of 3:", "step2": "Step 2 of 3:", "step3": "Step 3 of 3:",
					"item": "ECS instances", "other": "vCPUs", "noitem": "Choose a change item.", "review": "Review my request",
					"back": "Back", "valider": "Validate", "above": "greater than the current quota"},
			}[lang]

			r := marie.Get("/changes/new")
			wantStatus(t, "step 1", r, 200)
			wantBody(t, "step 1", r, w["pick"], w["item"], `method="get"`)
			wantStep(t, "step 1", r, 1, w["step1"])
			wantOnePrimary(t, "step 1", r)

			r = marie.Get("/changes/new?item=ecs_instances")
			wantStatus(t, "step 2", r, 200)
			wantStep(t, "step 2", r, 2, w["step2"])
			wantOnePrimary(t, "step 2", r)
			wantBody(t, "step 2", r, `name="step" value="choose" class="link">`+w["back"])

			bad := quotaForm("ecs_instances", "10", "8")
			bad.Set("v_justification", "Soldes d’hiver <b>")
			r = marie.Post("/changes/new", bad)
			wantStatus(t, "step 2, bad", r, 422)
			wantBody(t, "step 2, bad", r, w["above"], `value="8"`, "Soldes d’hiver &lt;b&gt;")
			wantStep(t, "step 2, bad", r, 2, w["step2"])

			// Back to step 1: the item stays chosen, the values travel hidden; step 1 then posts.
			back := quotaForm("ecs_instances", "10", "8")
			back.Set("step", "choose")
			r = marie.Post("/changes/new", back)
			wantStatus(t, "back to step 1", r, 200)
			wantStep(t, "back to step 1", r, 1, w["step1"])
			wantBody(t, "back to step 1", r, `method="post"`, `value="ecs_instances" aria-describedby="f-item-ecs_instances-help" checked`,
				`<input type="hidden" name="v_current" value="10">`, `<input type="hidden" name="v_justification" value="Soldes d’hiver">`)
			wantOnePrimary(t, "back to step 1", r)

			// Another item of the same kind: its form comes back filled in.
			next := quotaForm("ecs_vcpus", "10", "8")
			next.Set("step", "details")
			r = marie.Post("/changes/new", next)
			wantStatus(t, "step 2 again", r, 200)
			wantStep(t, "step 2 again", r, 2, w["step2"])
			wantBody(t, "step 2 again", r, w["other"], `value="10"`, `value="8"`, "Soldes d’hiver</textarea>")
			none := url.Values{"step": {"details"}, "v_current": {"10"}}
			r = marie.Post("/changes/new", none)
			wantStatus(t, "step 1 without an item", r, 422)
			wantBody(t, "step 1 without an item", r, w["noitem"], `<input type="hidden" name="v_current" value="10">`)

			good := quotaForm("ecs_vcpus", "10", "15")
			r = marie.Post("/changes/new", good)
			wantStatus(t, "step 3", r, 200)
			wantStep(t, "step 3", r, 3, w["step3"])
			wantOnePrimary(t, "step 3", r)
			wantBody(t, "step 3", r, `class="primary">`+w["valider"], `name="step" value="edit" class="link">`+w["back"])

			edit := quotaForm("ecs_vcpus", "10", "15")
			edit.Set("step", "edit")
			r = marie.Post("/changes", edit)
			wantStatus(t, "back to step 2", r, 200)
			wantStep(t, "back to step 2", r, 2, w["step2"])
			wantBody(t, "back to step 2", r, `value="15"`, "Soldes d’hiver</textarea>")
			if n := count(t, d, "SELECT count(*) FROM change_requests"); n != 0 {
				t.Fatalf("%d requests recorded before Valider", n)
			}
			r = marie.Post("/changes", good)
			wantStatus(t, "validate", r, 303)
			wantBody(t, "confirmation", marie.Get(r.Location), chgNumber.FindString(marie.Get(r.Location).Body))
			execSQL(t, d, "DELETE FROM change_requests")
		})
	}
}

// tbodyOf is the rows of the page's list, "" when it has none.
func tbodyOf(r testutil.Response) string {
	m := regexp.MustCompile(`(?s)<tbody>(.*?)</tbody>`).FindStringSubmatch(r.Body)
	if m == nil {
		return ""
	}
	return m[1]
}

func count(t *testing.T, d *desk, query string) int {
	t.Helper()
	var n int
	if err := d.DB.NewRaw(query).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Cancelling a change asks first, naming the consequence: the page without script, 200 and
// nothing changed; then with confirm=1 it is cancelled. A cancellation the rules refuse is
// refused without a question.
func TestChangeUXCancelAsksFirst(t *testing.T) {
	d := newDesk(t)
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			execSQL(t, d, "UPDATE users SET lang = ? WHERE login = 'Marie.Dupont'", lang)
			r := mustChange(t, d, d.tenant(t, "OCB0000001").ID, "ecs_instances", "10", "15")
			marie := d.as(t, "Marie.Dupont")
			path := "/changes/" + id(r.ID)
			page := marie.Get(path)
			question := map[string]string{"fr": "Annuler la demande de changement " + r.Number() + "\u00a0?",
				"en": "Cancel change request " + r.Number() + "?"}[lang]
			consequence := map[string]string{"fr": "ne sera jamais réalisée", "en": "never implemented"}[lang]
			wantBody(t, "page", page, `data-confirm-question="`+question, consequence)
			res := marie.Post(path+"/cancel", url.Values{"version": {"1"}})
			wantStatus(t, "without confirmation", res, 200)
			wantBody(t, "without confirmation", res, question, consequence, `name="version" value="1"`, `href="`+path+`"`)
			if got := state(t, d, r.ID); got != change.Approved {
				t.Fatalf("state %s after the question alone", got)
			}
			res = marie.Post(path+"/cancel", url.Values{"version": {"1"}, "confirm": {"1"}})
			wantStatus(t, "confirmed", res, 303)
			if got := state(t, d, r.ID); got != change.Cancelled {
				t.Fatalf("state %s after confirming", got)
			}
			res = marie.Post(path+"/cancel", url.Values{"version": {"2"}})
			wantStatus(t, "cancel twice", res, 422)
		})
	}
}

func state(t *testing.T, d *desk, id int64) change.State {
	t.Helper()
	r, err := change.ByID(context.Background(), d.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	return r.State
}

// "All my tenants": a customer with several tenants sees their changes in one list with a tenant
// column, only of the tenants where they hold the changes right; the export follows.
func TestChangeUXAllMyTenants(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	t1, t2, t4 := d.tenant(t, "OCB0000001"), d.tenant(t, "OCB0000002"), d.tenant(t, "OCB0000004")
	marie := d.user(t, "Marie.Dupont")
	if err := tenancy.InsertMembership(ctx, d.DB, &tenancy.Membership{TenantID: t4.ID, UserID: marie.ID,
		Rights: tenancy.Rights{Incidents: true}, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	on1 := mustChange(t, d, t1.ID, "ecs_instances", "10", "15")
	on2 := mustChange(t, d, t2.ID, "vpcs", "5", "6")
	foreign := mustChange(t, d, t4.ID, "vpcs", "5", "6")

	for _, lang := range []string{"fr", "en"} {
		execSQL(t, d, "UPDATE users SET lang = ? WHERE id = ?", lang, marie.ID)
		c := d.as(t, "Marie.Dupont")
		all, one := map[string]string{"fr": "Tous mes tenants", "en": "All my tenants"}[lang], map[string]string{"fr": "Ce tenant (OCB0000001)", "en": "This tenant (OCB0000001)"}[lang]
		r := c.Get("/changes")
		wantStatus(t, lang+" one tenant", r, 200)
		wantBody(t, lang+" one tenant", r, on1.Number(), `href="/changes?all=1">`+all, `aria-current="page">`+one)
		wantNoBody(t, lang+" one tenant", r, on2.Number(), foreign.Number())
		r = c.Get("/changes?all=1")
		wantStatus(t, lang+" all", r, 200)
		wantBody(t, lang+" all", r, on1.Number(), on2.Number(), "OCB0000002 — Dupont Industrie — Préproduction",
			`<input type="hidden" name="all" value="1">`, `<table class="cards">`, `data-label="Tenant"`)
		if body := tbodyOf(r); strings.Contains(body, foreign.Number()) || strings.Contains(body, "OCB0000004") {
			t.Errorf("%s all: another's tenant's request listed: %s", lang, body)
		}
		r = c.Get("/changes?all=1&q=" + foreign.Number())
		wantStatus(t, lang+" all, by number", r, 200)
		if body := tbodyOf(r); body != "" {
			t.Errorf("%s all: another's tenant's request found by its number: %s", lang, body)
		}
		res := c.Get("/changes/export.csv?all=1")
		sep := map[string]rune{"fr": ';', "en": ','}[lang]
		rows := readCSV(t, lang+" export", res, sep)
		if len(rows) != 3 {
			t.Errorf("%s export: %q", lang, rows)
		}
		wantNoBody(t, lang+" export", res, foreign.Number())
		wantFileName(t, lang+" export", res, map[string]string{"fr": "demandes-de-changement-tous-mes-tenants", "en": "changes-all-my-tenants"}[lang])
		// A request of another of their tenants makes it the scope.
		page := c.Get("/changes/" + id(on2.ID))
		wantStatus(t, lang+" other tenant's page", page, 200)
		wantBody(t, lang+" other tenant's page", page, "OCB0000002 — Dupont Industrie — Préproduction", `role="status"`)
		execSQL(t, d, "UPDATE sessions SET scope_tenant_id = ?", t1.ID)
	}

	// Paul has one tenant: no choice, ?all=1 is his tenant.
	paul := d.as(t, "Paul.Martin")
	r := paul.Get("/changes?all=1")
	wantStatus(t, "Paul", r, 200)
	wantBody(t, "Paul", r, foreign.Number())
	wantNoBody(t, "Paul", r, `href="/changes?all=1"`, on1.Number())
	// John holds the changes right nowhere.
	wantStatus(t, "John", d.as(t, "John.Doe").Get("/changes?all=1"), 403)
}

// The agents' queue: a state filter kept in the URL and by the pages, a due column; the staff
// change page has breadcrumbs.
func TestChangeUXStaffQueue(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	t1 := d.tenant(t, "OCB0000001")
	var rs []*change.Request
	for range 52 {
		rs = append(rs, mustChange(t, d, t1.ID, "vpcs", "5", "6")) // approved at once
	}
	alice := d.user(t, "Alice.Agent")
	sched, err := d.Changes.Act(ctx, tenancy.ActorOf(alice), rs[0].ID, change.StepInput{Action: change.Schedule, Date: "2099-01-05", Version: rs[0].Version})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"fr", "en"} {
		execSQL(t, d, "UPDATE users SET lang = ? WHERE id = ?", lang, alice.ID)
		c := d.as(t, "Alice.Agent")
		w := map[string]map[string]string{
			"fr": {"due": "Prochaine échéance", "sched": "Planifiée le 5 janvier 2099", "expected": "Attendue d’ici le", "work": "Travail en cours", "crumb": "File des changements"},
			"en": {"due": "Next due", "sched": "Scheduled for 5 January 2099", "expected": "Expected by", "work": "Work in progress", "crumb": "Change queue"},
		}[lang]
		r := c.Get("/staff/changes?state=scheduled")
		wantStatus(t, lang+" scheduled", r, 200)
		wantBody(t, lang+" scheduled", r, sched.Number(), `<option value="scheduled" selected>`, `<th scope="col">`+w["due"], w["sched"], `<table class="cards">`)
		wantNoBody(t, lang+" scheduled", r, rs[1].Number()+"<")
		r = c.Get("/staff/changes?state=approved")
		wantBody(t, lang+" approved", r, rs[1].Number(), w["expected"], `href="/staff/changes?state=approved&amp;page=2"`)
		wantNoBody(t, lang+" approved", r, sched.Number()+"<")
		r = c.Get("/staff/changes?state=approved&page=2")
		wantStatus(t, lang+" page 2", r, 200)
		wantBody(t, lang+" page 2", r, `<option value="approved" selected>`, `href="/staff/changes?state=approved&amp;page=1"`)
		r = c.Get("/staff/changes?page=2")
		wantBody(t, lang+" default, scheduled after those to schedule", r, w["work"], sched.Number())
		r = c.Get("/staff/changes?state=nope")
		wantStatus(t, lang+" unknown state", r, 200)
		page := c.Get("/staff/changes/" + id(sched.ID))
		wantBody(t, lang+" page", page, `<nav class="crumbs"`, `<a href="/staff/changes">`+w["crumb"]+`</a>`, `aria-current="page">`+sched.Number())
	}
	sophie := d.as(t, "Sophie.Commerciale")
	page := sophie.Get("/staff/changes/" + id(rs[1].ID))
	wantBody(t, "sales rep's crumbs", page, `<a href="/staff/approvals">`)
	wantBody(t, "sales rep's approvals, every state", sophie.Get("/staff/approvals?state=all"), rs[51].Number())
}
