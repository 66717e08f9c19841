package major_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/testutil"
)

// Through a real SMTP server: each update reaches each person once, however many of their
// incidents are linked, in their own language, in the thread of the major incident; and the
// resolution tells each reporter their incident is resolved, with its reopen window.
func TestUpdatesReachEachPersonOnceInTheirLanguageBySMTP(t *testing.T) {
	f := newFixture(t)
	srv := testutil.StartSMTP(t)
	m := f.open(majorDraft(t1, t4))
	// John (en) reported two incidents on OCB0000001, Marie (fr) one, and Paul (fr) one on OCB0000004.
	f.link(m, f.declare("John.Doe", t1, "evs", "eu-west-0"), f.declare("John.Doe", t1, "ecs", "eu-west-0"),
		f.declare("Marie.Dupont", t1, "evs", "eu-west-0"), f.declare("Paul.Martin", t4, "evs", "eu-west-0"))
	srv.Deliver(f.a) // the declarations' own mail
	before := len(srv.Received())

	f.post(m, major.Identified, "Un contrôleur de stockage est en cause.", "A storage controller is at fault.")
	got := srv.Deliver(f.a)[before:]
	want := map[string]struct{ lang, subject, body string }{
		"john.doe@example.com":    {"en", "Update: Block storage outage in Paris", "A storage controller is at fault."},
		"marie.dupont@example.fr": {"fr", "Mise à jour\u00a0: Panne du stockage bloc à Paris", "Un contrôleur de stockage est en cause."},
		"paul.martin@example.fr":  {"fr", "Mise à jour\u00a0: Panne du stockage bloc à Paris", "Un contrôleur de stockage est en cause."},
	}
	checkRound(t, f, m, got, want)

	before = len(srv.Received())
	f.post(m, major.Resolved, "Le contrôleur a été remplacé.", "The controller was replaced.")
	got = srv.Deliver(f.a)[before:]
	reopen := "You can reopen it until"
	want = map[string]struct{ lang, subject, body string }{
		"john.doe@example.com":    {"en", "Resolved: Block storage outage in Paris", reopen},
		"marie.dupont@example.fr": {"fr", "Résolu\u00a0: Panne du stockage bloc à Paris", "Vous pouvez le rouvrir jusqu’au"},
		"paul.martin@example.fr":  {"fr", "Résolu\u00a0: Panne du stockage bloc à Paris", "Le contrôleur a été remplacé."},
	}
	checkRound(t, f, m, got, want)
}

func checkRound(t *testing.T, f *fixture, m *major.Major, got []testutil.Mail, want map[string]struct{ lang, subject, body string }) {
	t.Helper()
	if len(got) != len(want) {
		var to []string
		for _, g := range got {
			to = append(to, strings.Join(g.To, ","))
		}
		t.Fatalf("%d mails (%v), want one for each of %d people", len(got), to, len(want))
	}
	root := f.a.Notifier.ThreadRoot("major-" + strconv.FormatInt(m.ID, 10))
	for addr, w := range want {
		ms := testutil.To(got, addr)
		if len(ms) != 1 {
			t.Errorf("%s got %d mails, want 1", addr, len(ms))
			continue
		}
		g := ms[0]
		if !strings.Contains(g.Subject, m.Number()) || !strings.Contains(g.Subject, w.subject) {
			t.Errorf("%s: subject %q, want %q", addr, g.Subject, w.subject)
		}
		if !strings.Contains(g.Text, w.body) || !strings.Contains(g.HTML, strings.Split(w.body, "’")[0]) {
			t.Errorf("%s: body lacks %q:\n%s", addr, w.body, g.Text)
		}
		if lang := g.Header.Get("Content-Language"); lang != "" && lang != w.lang {
			t.Errorf("%s: Content-Language %q, want %q", addr, lang, w.lang)
		}
		if !strings.Contains(g.Header.Get("References"), root) || g.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("%s: not threaded under %s: References %q, Auto-Submitted %q", addr, root, g.Header.Get("References"), g.Header.Get("Auto-Submitted"))
		}
	}
}
