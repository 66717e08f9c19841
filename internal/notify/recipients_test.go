package notify_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

func describe(rs []notify.Recipient) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprintf("%s/%s/%d", r.Email, r.Lang, r.UserID)
	}
	return out
}

// 9. Roles become people once each, in their languages, never outside the tenant.
func TestRecipients(t *testing.T) {
	a := newDesk(t)
	ctx := context.Background()
	marie, john, paul := user(t, a, "Marie.Dupont"), user(t, a, "John.Doe"), user(t, a, "Paul.Martin")
	alice, sophie := user(t, a, "Alice.Agent"), user(t, a, "Sophie.Commerciale")
	t1, err := tenancy.TenantByCode(ctx, a.DB, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}
	t4, err := tenancy.TenantByCode(ctx, a.DB, "OCB0000004")
	if err != nil {
		t.Fatal(err)
	}
	rc := func(u *identity.User) string { return fmt.Sprintf("%s/%s/%d", u.Email, u.Lang, u.ID) }
	lead := func(addr, lang string) string { return addr + "/" + lang + "/0" }
	leads := []string{"Leads@Example.org", "ALICE.AGENT@example.com", "marie.dupont@example.fr"}
	all := []notify.Role{notify.Requester, notify.Referent, notify.SalesRep, notify.Assignee}

	for _, c := range []struct {
		name  string
		leads []string
		def   string
		aud   notify.Audience
		want  []string
	}{
		{"referent who is the requester gets one message", nil, "fr",
			notify.Audience{TenantID: t1.ID, Actor: tenancy.ActorOf(alice).Actor, RequesterID: marie.ID, Roles: all},
			[]string{rc(marie), rc(sophie)}},
		{"the actor is not told of their own action", nil, "fr",
			notify.Audience{TenantID: t1.ID, Actor: tenancy.ActorOf(marie).Actor, RequesterID: marie.ID, AssigneeID: alice.ID, Roles: all},
			[]string{rc(sophie), rc(alice)}},
		{"unless the message confirms it", nil, "fr",
			notify.Audience{TenantID: t1.ID, Actor: tenancy.ActorOf(marie).Actor, Confirm: true, RequesterID: marie.ID, Roles: all},
			[]string{rc(marie), rc(sophie)}},
		{"a member requester, in English", nil, "fr",
			notify.Audience{TenantID: t1.ID, Actor: tenancy.ActorOf(alice).Actor, RequesterID: john.ID, Roles: []notify.Role{notify.Requester}},
			[]string{rc(john)}},
		{"a customer outside the tenant is never addressed", nil, "fr",
			notify.Audience{TenantID: t1.ID, Actor: tenancy.ActorOf(alice).Actor, RequesterID: paul.ID, Roles: []notify.Role{notify.Requester}},
			[]string{}},
		{"nor as assignee", nil, "fr",
			notify.Audience{TenantID: t1.ID, Actor: tenancy.ActorOf(alice).Actor, AssigneeID: paul.ID, Roles: []notify.Role{notify.Assignee}},
			[]string{}},
		{"staff are addressed", nil, "fr",
			notify.Audience{TenantID: t4.ID, Actor: tenancy.ActorOf(paul).Actor, AssigneeID: alice.ID, Roles: []notify.Role{notify.Assignee, notify.SalesRep}},
			[]string{rc(alice), rc(sophie)}},
		{"unknown user ids are skipped", nil, "fr",
			notify.Audience{TenantID: t1.ID, Actor: tenancy.ActorOf(alice).Actor, RequesterID: 999999, AssigneeID: 999998, Roles: all},
			[]string{rc(marie), rc(sophie)}},
		{"support leads: the referent's language, staff as themselves, once each", leads, "en",
			notify.Audience{TenantID: t1.ID, Actor: tenancy.ActorOf(sophie).Actor, Roles: []notify.Role{notify.Referent, notify.SupportLeads}},
			[]string{rc(marie), lead("Leads@Example.org", "fr"), rc(alice)}},
		{"a support lead who acted is not told; a customer's address is checked as theirs", leads, "en",
			notify.Audience{TenantID: t1.ID, Actor: tenancy.ActorOf(alice).Actor, Roles: []notify.Role{notify.SupportLeads}},
			[]string{lead("Leads@Example.org", "fr"), fmt.Sprintf("marie.dupont@example.fr/fr/%d", marie.ID)}},
		{"a support lead address of a customer outside the tenant is not addressed", []string{"paul.martin@example.fr"}, "fr",
			notify.Audience{TenantID: t1.ID, Actor: tenancy.ActorOf(alice).Actor, Roles: []notify.Role{notify.SupportLeads}},
			[]string{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.aud.Right = notify.RightIncidents
			got, err := a.Notifier.Recipients(ctx, a.DB, c.leads, c.def, c.aud)
			if err != nil {
				t.Fatal(err)
			}
			if d := describe(got); !slices.Equal(d, c.want) && !(len(d) == 0 && len(c.want) == 0) {
				t.Errorf("Recipients = %v, want %v", d, c.want)
			}
		})
	}

	// The leads' language follows the referent's, not the default.
	if _, err := a.DB.NewUpdate().Model((*identity.User)(nil)).Set("lang = 'en'").Where("id = ?", paul.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := a.Notifier.Recipients(ctx, a.DB, []string{"leads@example.org"}, "fr",
		notify.Audience{TenantID: t4.ID, Right: notify.RightIncidents, Actor: tenancy.ActorOf(alice).Actor, Roles: []notify.Role{notify.SupportLeads}})
	if err != nil || !slices.Equal(describe(got), []string{lead("leads@example.org", "en")}) {
		t.Errorf("leads of a tenant whose referent reads English: %v, %v", describe(got), err)
	}

	// An inactive user is not addressed.
	if _, err := a.DB.NewUpdate().Model((*identity.User)(nil)).Set("active = ?", false).Where("id = ?", sophie.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	got, err = a.Notifier.Recipients(ctx, a.DB, nil, "fr",
		notify.Audience{TenantID: t1.ID, Right: notify.RightIncidents, Actor: tenancy.ActorOf(alice).Actor, Roles: []notify.Role{notify.SalesRep}})
	if err != nil || len(got) != 0 {
		t.Errorf("inactive sales rep: %v, %v; want nobody", describe(got), err)
	}
}

// 8 (second half). A key missing in one language fails Enqueue for that language only; a subject
// missing in one language stops NewNotifier.
func TestMissingKeyInOneLanguage(t *testing.T) {
	a := newDesk(t)
	ctx := context.Background()
	tmpl := fstest.MapFS{
		"email/layout.txt":  {Data: []byte(`{{ template "body" . }}`)},
		"email/layout.html": {Data: []byte(`<p>{{ template "body" . }}</p>`)},
		"email/probe.txt":   {Data: []byte(`{{ define "body" }}{{ t "email.probe.line" }}{{ end }}`)},
		"email/probe.html":  {Data: []byte(`{{ define "body" }}{{ t "email.probe.line" }}{{ end }}`)},
	}
	bundle := func(fr, en string) *i18n.Bundle {
		b, err := i18n.Load(fstest.MapFS{"fr.toml": {Data: []byte(fr)}, "en.toml": {Data: []byte(en)}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	full := `"email.probe.subject" = "Sonde"` + "\n" + `"email.probe.line" = "Ligne"` + "\n"
	for _, c := range []struct{ name, fr, en, good, bad string }{
		{"missing in en", full, `"email.probe.subject" = "Probe"` + "\n", "fr", "en"},
		{"missing in fr", `"email.probe.subject" = "Sonde"` + "\n", `"email.probe.subject" = "Probe"` + "\n" + `"email.probe.line" = "Line"` + "\n", "en", "fr"},
	} {
		t.Run(c.name, func(t *testing.T) {
			n, err := notify.NewNotifier(tmpl, bundle(c.fr, c.en), "http://desk.example")
			if err != nil {
				t.Fatal(err)
			}
			enqueue := func(lang string) error {
				return a.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
					if err := n.Enqueue(ctx, tx, notify.Notice{Kind: "probe", Thread: "probe"},
						notify.Recipient{Email: "p@example.com", Name: "P", Lang: lang}); err != nil {
						return err
					}
					return errBoom // keep the outbox clean
				})
			}
			if err := enqueue(c.good); err != errBoom {
				t.Errorf("Enqueue in %s: %v, want it rendered", c.good, err)
			}
			if err := enqueue(c.bad); err == nil || err == errBoom {
				t.Errorf("Enqueue in %s, which lacks email.probe.line: %v, want a render error", c.bad, err)
			}
		})
	}
	if _, err := notify.NewNotifier(tmpl, bundle(full, `"email.probe.line" = "Line"`+"\n"), "http://desk.example"); err == nil {
		t.Error("NewNotifier accepted a kind without an English subject")
	}
}
