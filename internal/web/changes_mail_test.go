package web_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// TestChangeMailIsDeliveredInEachRecipientsLanguage follows a request from John Doe (English),
// given the changes right, on Marie Dupont's tenant (French referent): every step's mail goes
// to the right people, in their language, with the item's label in that language, threaded.
func TestChangeMailIsDeliveredInEachRecipientsLanguage(t *testing.T) {
	d := newDesk(t)
	srv := testutil.StartSMTP(t)
	ctx := context.Background()
	tn := d.tenant(t, "OCB0000001")
	marie, john, sophie := d.user(t, "Marie.Dupont"), d.user(t, "John.Doe"), d.user(t, "Sophie.Commerciale")
	if err := d.Tenancy.SetRights(ctx, tenancy.ActorOf(marie), tn.ID, john.ID, tenancy.Rights{Incidents: true, Changes: true}); err != nil {
		t.Fatal(err)
	}
	srv.Deliver(d.App) // whatever the demo left in the outbox
	before := len(srv.Deliver(d.App))

	jc := d.as(t, "John.Doe")
	jc.Get("/changes/new?item=ecs_instances")
	res := jc.Post("/changes", quotaForm("ecs_instances", "10", "900"))
	wantStatus(t, "submit", res, 303)
	num := chgNumber.FindString(jc.Get(res.Location).Body)
	r, err := change.ByID(ctx, d.DB, mustParseNumber(t, num))
	if err != nil {
		t.Fatal(err)
	}

	all := srv.Deliver(d.App)[before:]
	toJohn, toMarie, toSophie := testutil.To(all, john.Email), testutil.To(all, marie.Email), testutil.To(all, sophie.Email)
	if len(toJohn) != 1 || len(toMarie) != 1 || len(toSophie) != 1 || len(all) != 3 {
		t.Fatalf("after submission: %d mails (John %d, Marie %d, Sophie %d), want one each", len(all), len(toJohn), len(toMarie), len(toSophie))
	}
	wantMail(t, "John's", toJohn[0], "["+num+"] Change request received: ECS instances", "has been recorded", "Requested quota: 900 instances")
	wantMail(t, "Marie's", toMarie[0], "["+num+"] Demande de changement reçue\u00a0: Nombre d’instances ECS", "a été enregistrée", "Quota demandé\u00a0: 900 instances")
	wantMail(t, "Sophie's", toSophie[0], "["+num+"] Demande de changement à approuver\u00a0: Nombre d’instances ECS", "/staff/changes/"+id(r.ID))
	thread := toJohn[0].Header.Get("References")
	if thread == "" || toMarie[0].Header.Get("References") != thread {
		t.Errorf("not threaded: %q, %q", thread, toMarie[0].Header.Get("References"))
	}

	sc := d.as(t, "Sophie.Commerciale")
	sc.Get("/staff/changes/" + id(r.ID))
	wantStatus(t, "reject", sc.Post("/staff/changes/"+id(r.ID)+"/reject", url.Values{"reason": {"Trop élevé pour le contrat."}, "version": {"1"}}), 303)
	all = srv.Deliver(d.App)[before+3:]
	if len(all) != 2 {
		t.Fatalf("after rejection: %d mails, want 2 (requester and referent)", len(all))
	}
	wantMail(t, "John's rejection", testutil.To(all, john.Email)[0], "Change request rejected: ECS instances", "Trop élevé pour le contrat.")
	wantMail(t, "Marie's rejection", testutil.To(all, marie.Email)[0], "Demande de changement refusée\u00a0: Nombre d’instances ECS", "Trop élevé")
}

// TestChangeStepsMailTheirPeople checks who hears of approval, scheduling and implementation.
func TestChangeStepsMailTheirPeople(t *testing.T) {
	d := newDesk(t)
	srv := testutil.StartSMTP(t)
	before := len(srv.Deliver(d.App))
	r := mustChange(t, d, d.tenant(t, "OCB0000001").ID, "vpcs", "5", "40")
	marie := d.user(t, "Marie.Dupont")
	steps := []struct {
		who, action string
		form        url.Values
		subject     string
		count       int
	}{
		{"Sophie.Commerciale", "approve", url.Values{"version": {"1"}}, "Demande de changement approuvée", 1},
		{"Alice.Agent", "schedule", url.Values{"date": {"2099-03-02"}, "version": {"2"}}, "Demande de changement planifiée", 1},
		{"Alice.Agent", "implement", url.Values{"value": {"40"}, "version": {"3"}}, "Demande de changement réalisée", 1},
	}
	got := len(srv.Deliver(d.App)) // submission: Marie, and the sales rep
	for _, s := range steps {
		c := d.as(t, s.who)
		c.Get("/staff/changes/" + id(r.ID))
		wantStatus(t, s.action, c.Post("/staff/changes/"+id(r.ID)+"/"+s.action, s.form), 303)
		all := srv.Deliver(d.App)
		fresh := all[got:]
		got = len(all)
		if len(fresh) != s.count || len(testutil.To(fresh, marie.Email)) != 1 {
			t.Fatalf("%s: %d mails, want %d to Marie", s.action, len(fresh), s.count)
		}
		wantMail(t, s.action, fresh[0], s.subject)
	}
	if got-before < 5 {
		t.Errorf("only %d mails in all", got-before)
	}
	all := srv.Deliver(d.App)
	wantMail(t, "scheduled", all[len(all)-2], "planifiée", "Date de réalisation\u00a0: 2 mars 2099")
}

func wantMail(t *testing.T, what string, m testutil.Mail, subject string, body ...string) {
	t.Helper()
	if !strings.Contains(m.Subject, subject) {
		t.Errorf("%s mail: subject %q, want %q", what, m.Subject, subject)
	}
	if !strings.Contains(m.HTML, "<html lang=") || !strings.Contains(m.HTML, chgNumber.FindString(m.Subject)) {
		t.Errorf("%s mail: HTML part without the number of %q", what, m.Subject)
	}
	for _, b := range body {
		if !strings.Contains(m.Text, b) {
			t.Errorf("%s mail lacks %q in its text:\n%s", what, b, m.Text)
		}
	}
}

func mustParseNumber(t *testing.T, num string) int64 {
	t.Helper()
	n, ok := change.ParseNumber(num)
	if !ok {
		t.Fatalf("no number in %q", num)
	}
	return n
}

// TestOldRequestsKeepTheirSnapshot edits the catalogue after a request was made: the item is
// renamed and retired. The old request shows as it was made; the item takes no new request.
func TestOldRequestsKeepTheirSnapshot(t *testing.T) {
	d := newDesk(t)
	r := mustChange(t, d, d.tenant(t, "OCB0000001").ID, "ecs_instances", "10", "15")

	src, err := os.ReadFile(filepath.Join("..", "change", "catalogue.toml"))
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), `code = "ecs_instances"`, `code = "ecs_instances"`+"\nretired = true", 1)
	edited = strings.ReplaceAll(edited, "Nombre d’instances ECS", "Serveurs virtuels")
	edited = strings.ReplaceAll(edited, `label.fr = "Quota demandé"`, `label.fr = "Nouveau plafond"`)
	file := filepath.Join(t.TempDir(), "catalogue.toml")
	if err := os.WriteFile(file, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	cat, err := change.LoadCatalogue(file)
	if err != nil {
		t.Fatal(err)
	}
	*d.Catalogue = *cat // the running desk now has the edited catalogue

	marie := d.as(t, "Marie.Dupont")
	page := marie.Get("/changes/" + id(r.ID))
	wantStatus(t, "old request", page, 200)
	wantBody(t, "old request", page, "Nombre d’instances ECS", "Quota demandé", "15 instances")
	wantNoBody(t, "old request", page, "Serveurs virtuels", "Nouveau plafond")
	wantBody(t, "list", marie.Get("/changes"), "Nombre d’instances ECS")
	wantStatus(t, "retired item", marie.Get("/changes/new?item=ecs_instances"), 404)
	wantStatus(t, "retired item posted", marie.Post("/changes", quotaForm("ecs_instances", "1", "2")), 404)
	wantNoBody(t, "category list", marie.Get("/changes/new?catalogue=standard&category=quotas"), "Serveurs virtuels")
}
