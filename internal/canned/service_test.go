package canned_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/canned"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/tenancy"
)

// An agent writes a response in both languages, an admin another; both list them by name,
// with no use yet, at version 1.
func TestAgentsAndAdminsWriteAndListResponses(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	first := f.create("Alice.Agent", acknowledge)
	second := f.create("admin", canned.Draft{Name: "Attente des journaux", TextFR: "Pouvez-vous nous envoyer les journaux ?",
		TextEN: "Could you send us the logs?", Action: canned.Pending})
	if first.Name != acknowledge.Name || first.TextFR != acknowledge.TextFR || first.TextEN != acknowledge.TextEN ||
		first.Action != canned.None || first.Uses != 0 || first.Version != 1 || first.CreatedBy != f.actor("Alice.Agent").UserID {
		t.Errorf("written %+v", first)
	}
	for _, login := range []string{"Alice.Agent", "admin"} {
		rs, err := f.svc.List(ctx, f.actor(login))
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 2 || rs[0].ID != first.ID || rs[1].ID != second.ID || rs[1].Action != canned.Pending {
			t.Errorf("%s lists %+v", login, rs)
		}
		got, err := f.svc.Get(ctx, f.actor(login), second.ID)
		if err != nil || got.TextEN != "Could you send us the logs?" {
			t.Errorf("%s reads %+v, %v", login, got, err)
		}
	}
}

// A response with a language missing, a placeholder the desk does not know, or a name another
// response has in any case is refused beside its field, and nothing is written.
func TestRefusedResponsesWriteNothing(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice := f.actor("Alice.Agent")
	f.create("Alice.Agent", acknowledge)
	for _, tc := range []struct {
		name        string
		draft       canned.Draft
		field, key  string
		placeholder string
	}{
		{"no French", canned.Draft{Name: "Sans français", TextEN: "Hello"}, "text_fr", "canned.error.text_fr_required", ""},
		{"no English", canned.Draft{Name: "Sans anglais", TextFR: "Bonjour"}, "text_en", "canned.error.text_en_required", ""},
		{"unknown placeholder", canned.Draft{Name: "Inconnue", TextFR: "Bonjour {client}", TextEN: "Hello"}, "text_fr", "canned.error.placeholder_unknown", "{client}"},
		{"same name in capitals", canned.Draft{Name: "ACCUSÉ DE RÉCEPTION", TextFR: "Bonjour", TextEN: "Hello"}, "name", "canned.error.name_taken", ""},
		{"same name with spaces", canned.Draft{Name: "  accusé de réception ", TextFR: "Bonjour", TextEN: "Hello"}, "name", "canned.error.name_taken", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.Create(ctx, alice, tc.draft)
			wantField(t, err, tc.field, tc.key)
			if tc.placeholder != "" && fieldKeys(t, err)[tc.field].Args["Name"] != tc.placeholder {
				t.Errorf("the message does not name %s: %v", tc.placeholder, fieldKeys(t, err)[tc.field].Args)
			}
			if n := f.count(); n != 1 {
				t.Errorf("%d responses after a refusal", n)
			}
		})
	}
}

// An edit is made at the version it was read at: a stale or missing version is refused. A name
// may change case, not become another response's.
func TestUpdateChecksVersionAndName(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice := f.actor("Alice.Agent")
	r := f.create("Alice.Agent", acknowledge)
	other := f.create("Alice.Agent", canned.Draft{Name: "Résolu", TextFR: "C’est réglé.", TextEN: "It is fixed.", Action: canned.Resolve})

	d := acknowledge
	d.Name, d.Action = "ACCUSÉ de réception", canned.Pending
	got, err := f.svc.Update(ctx, alice, r.ID, r.Version, d)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || got.Name != "ACCUSÉ de réception" || got.Action != canned.Pending {
		t.Errorf("updated %+v", got)
	}
	for _, v := range []int{0, r.Version} {
		if _, err := f.svc.Update(ctx, alice, r.ID, v, d); !errors.Is(err, apperr.ErrStale) {
			t.Errorf("version %d: %v, want stale", v, err)
		}
	}
	d.Name = "résolu"
	_, err = f.svc.Update(ctx, alice, r.ID, got.Version, d)
	wantField(t, err, "name", "canned.error.name_taken")
	d.Name, d.TextEN = "Autre", ""
	_, err = f.svc.Update(ctx, alice, r.ID, got.Version, d)
	wantField(t, err, "text_en", "canned.error.text_en_required")
	if now, _ := f.svc.Get(ctx, alice, r.ID); now.Version != 2 || now.TextEN != acknowledge.TextEN {
		t.Errorf("a refused edit wrote: %+v", now)
	}
	if _, err := f.svc.Update(ctx, alice, 999999, 1, acknowledge); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("missing response: %v", err)
	}
	if now, _ := f.svc.Get(ctx, alice, other.ID); now.Name != "Résolu" || now.Version != 1 {
		t.Errorf("the other response changed: %+v", now)
	}
}

// Sending counts a use without moving the version; a deleted response is no longer offered,
// read or counted.
func TestUsedAndDeleted(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice := f.actor("Alice.Agent")
	r := f.create("Alice.Agent", acknowledge)
	for range 2 {
		if err := f.svc.Used(ctx, alice, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := f.svc.Get(ctx, alice, r.ID)
	if got.Uses != 2 || got.Version != 1 {
		t.Errorf("after two uses: %+v", got)
	}
	if err := f.svc.Delete(ctx, f.actor("admin"), r.ID); err != nil {
		t.Fatal(err)
	}
	if rs, _ := f.svc.List(ctx, alice); len(rs) != 0 {
		t.Errorf("a deleted response is listed: %+v", rs)
	}
	if _, err := f.svc.Get(ctx, alice, r.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("get a deleted response: %v", err)
	}
	if err := f.svc.Used(ctx, alice, r.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("count a deleted response: %v", err)
	}
	if err := f.svc.Delete(ctx, alice, r.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	// Its name is free again.
	f.create("Alice.Agent", acknowledge)
}

// Filling a response for an incident writes it in the reporter's language, each placeholder
// filled: a French reporter gets the French text, an English one the English text; a tenant
// without SLA target says that no due time runs.
func TestFillInTheReportersLanguage(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice := f.actor("Alice.Agent")
	r := f.create("Alice.Agent", acknowledge)
	for _, tc := range []struct {
		reporter, code, lang, name string
	}{
		{"Marie.Dupont", "OCB0000001", "fr", "Marie Dupont"},
		{"John.Doe", "OCB0000001", "en", "John Doe"},
		{"Paul.Martin", "OCB0000004", "fr", "Paul Martin"},
	} {
		t.Run(tc.reporter, func(t *testing.T) {
			inc := f.declare(tc.reporter, tc.code, "Passerelle en erreur {link}")
			got, err := f.svc.Fill(ctx, alice, r.ID, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			due := f.a.Bundle.T(tc.lang, "canned.value.no_due", nil)
			if inc.HasDue() {
				due = f.a.Bundle.FormatDateTime(tc.lang, inc.SLADueAt)
			}
			vals := map[string]string{"customer_name": tc.name, "incident_number": inc.Number(), "title": inc.Title,
				"agent_name": "Alice Agent", "due_time": due, "link": f.a.Notifier.Link("/incidents/" + inc.Number())}
			want := canned.Fill(r.Text(tc.lang), vals)
			if got.Lang != tc.lang || got.Text != want || got.Response.ID != r.ID {
				t.Errorf("filled %s %q, want %s %q", got.Lang, got.Text, tc.lang, want)
			}
			if tc.code == "OCB0000004" && inc.HasDue() {
				t.Errorf("a Basic tenant's incident has a due time")
			}
			if tc.code == "OCB0000001" && !inc.HasDue() {
				t.Errorf("a Premium tenant's incident has no due time")
			}
		})
	}
	// The due time is written as the desk writes dates, with the zone.
	inc := f.declare("Marie.Dupont", "OCB0000001", "Réseau lent")
	got, _ := f.svc.Fill(ctx, alice, r.ID, inc.ID)
	if want := "réponse avant le " + f.a.Bundle.FormatDateTime("fr", inc.SLADueAt) + "."; !strings.Contains(got.Text, want) || !strings.Contains(got.Text, "(UTC+") {
		t.Errorf("French due time: %q", got.Text)
	}
	if _, err := f.svc.Fill(ctx, alice, 999999, inc.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown response: %v", err)
	}
	if _, err := f.svc.Fill(ctx, alice, r.ID, 999999); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown incident: %v", err)
	}
}

// Customers and sales reps neither read nor write canned responses: to them the library does
// not exist.
func TestOnlyAgentsAndAdmins(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	r := f.create("Alice.Agent", acknowledge)
	inc := f.declare("Marie.Dupont", "OCB0000001", "Console injoignable")
	for _, login := range []string{"Marie.Dupont", "John.Doe", "Sophie.Commerciale"} {
		who := f.actor(login)
		if _, err := f.svc.List(ctx, who); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s lists: %v", login, err)
		}
		if _, err := f.svc.Get(ctx, who, r.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s reads: %v", login, err)
		}
		if _, err := f.svc.Create(ctx, who, acknowledge); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s creates: %v", login, err)
		}
		if _, err := f.svc.Update(ctx, who, r.ID, r.Version, acknowledge); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s edits: %v", login, err)
		}
		if err := f.svc.Used(ctx, who, r.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s counts: %v", login, err)
		}
		if _, err := f.svc.Fill(ctx, who, r.ID, inc.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s fills: %v", login, err)
		}
		if err := f.svc.Delete(ctx, who, r.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s deletes: %v", login, err)
		}
	}
	if got, _ := f.svc.Get(ctx, f.actor("admin"), r.ID); got == nil || got.Uses != 0 || got.Version != 1 {
		t.Errorf("the response changed: %+v", got)
	}
}

// Two agents writing one name at the same time: one response is written, the other agent is
// told the name is taken.
func TestSameNameAtOnce(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	actors := []tenancy.Actor{f.actor("Alice.Agent"), f.actor("admin")}
	var wg sync.WaitGroup
	errs := make([]error, len(actors))
	for i, actor := range actors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.svc.Create(ctx, actor, acknowledge)
		}()
	}
	wg.Wait()
	ok, taken := 0, 0
	for _, err := range errs {
		switch es, _ := i18n.AsErrors(err); {
		case err == nil:
			ok++
		case len(es) == 1 && es[0].Key == "canned.error.name_taken":
			taken++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || taken != 1 || f.count() != 1 {
		t.Errorf("%d written, %d refused, %d rows", ok, taken, f.count())
	}
}
