package incident_test

import (
	"html"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// The texts of the life below: the note must reach no mail; the others must reach theirs.
const (
	publicReply = "We are restarting the hypervisor that hosts ecs-prod-01."
	secretNote  = "hypervisor nova-17 flaps, ticket OPS-4711, do not tell the customer"
	johnReply   = "Still down for us after the restart, see the attached trace."
	resolution  = "The hypervisor was replaced; ecs-prod-01 runs again."
	leadAddress = "support-leads@example.com"
)

// deliveredMail is a message the SMTP server received, with the outbox row it was sent from.
type deliveredMail struct {
	testutil.Mail
	row notify.Message
}

// TestIncidentMailPerLanguageAndThread runs a whole incident life through the real outbox worker
// and go-mail to a real SMTP server: John Doe (en) declares on OCB0000001, whose referent Marie
// Dupont is French; Alice Agent (en) takes it, replies and writes an internal note; John replies;
// Alice resolves; John reopens. A second incident stays unassigned until the breach job runs far
// ahead. Each recipient gets exactly their messages, in their own language, threaded per
// incident, and the internal note is in none of them.
func TestIncidentMailPerLanguageAndThread(t *testing.T) {
	a := testutil.NewApp(t)
	srv := testutil.StartSMTP(t)
	ctx := t.Context()
	skip := len(srv.Deliver(a)) // whatever the demo data left in the outbox
	svc := a.Incidents
	now := time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC)
	svc.Now = func() time.Time { return now }
	users := map[string]*identity.User{}
	for _, login := range []string{"John.Doe", "Marie.Dupont", "Alice.Agent", "admin"} {
		u, err := identity.UserByLogin(ctx, a.DB, login)
		if err != nil {
			t.Fatal(err)
		}
		users[login] = u
	}
	svc.Audience.Leads = []string{leadAddress, users["admin"].Email} // as GUICHET_SUPPORT_LEADS sets them
	john, alice := tenancy.ActorOf(users["John.Doe"]), tenancy.ActorOf(users["Alice.Agent"])
	tn, err := tenancy.TenantByCode(ctx, a.DB, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}

	d := incident.Draft{Title: "ecs-prod-01 does not boot", Description: "Since 09:00 the instance stays in error.",
		Service: "ecs", Region: "eu-west-0", Impact: "high", Urgency: "medium"}
	inc, err := svc.Declare(ctx, john, tn.ID, d)
	if err != nil {
		t.Fatal(err)
	}
	var resolvedAt time.Time
	for _, s := range []struct {
		who   tenancy.Actor
		after time.Duration
		act   incident.Act
	}{
		{alice, 10 * time.Minute, incident.Act{Action: incident.Take}},
		{alice, 5 * time.Minute, incident.Act{Action: incident.Reply, Body: publicReply}},
		{alice, 5 * time.Minute, incident.Act{Action: incident.Reply, Body: secretNote, Internal: true}},
		{john, 40 * time.Minute, incident.Act{Action: incident.Reply, Body: johnReply}},
		{alice, 30 * time.Minute, incident.Act{Action: incident.Resolve, Body: resolution}},
		{john, time.Hour, incident.Act{Action: incident.Reopen}},
	} {
		now = now.Add(s.after)
		if s.act.Action != incident.Reply {
			s.act.Version = inc.Version
		}
		if s.act.Action == incident.Resolve {
			resolvedAt = now
		}
		if inc, err = svc.Do(ctx, s.who, inc.ID, s.act); err != nil {
			t.Fatalf("%s: %v", s.act.Action, err)
		}
	}
	now = now.Add(5 * time.Minute)
	d.Title, d.Description = "Object storage bucket unreachable", "Every GET answers 503."
	lone, err := svc.Declare(ctx, john, tn.ID, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Duration{30 * 24 * time.Hour, 31 * 24 * time.Hour} { // the second run finds nothing new
		if _, err := svc.NotifyBreaches(ctx, now.Add(at)); err != nil {
			t.Fatal(err)
		}
	}

	got := delivered(t, a, srv.Deliver(a)[skip:])
	want := map[string][]string{ // recipient → the kinds they must get, each once, per incident
		users["John.Doe"].Email:     {"1 incident_declared", "1 incident_reply", "1 incident_resolved", "2 incident_declared"},
		users["Marie.Dupont"].Email: {"1 incident_declared", "2 incident_declared"},
		// Incident 1 answered in time: only its resolution breaches, told to its assignee and to
		// the support leads; incident 2, unassigned, breaches both targets, told to the leads.
		users["Alice.Agent"].Email: {"1 incident_customer_reply", "1 incident_reopened", "1 incident_breach sla.resolution"},
		users["admin"].Email:       {"1 incident_breach sla.resolution", "2 incident_breach sla.first_response", "2 incident_breach sla.resolution"},
		leadAddress:                {"1 incident_breach sla.resolution", "2 incident_breach sla.first_response", "2 incident_breach sla.resolution"},
	}
	byRecipient := map[string][]string{}
	for _, m := range got {
		n := "1 "
		if m.row.Thread == threadOf(lone) {
			n = "2 "
		}
		byRecipient[m.row.RecipientEmail] = append(byRecipient[m.row.RecipientEmail], n+m.row.Kind+breachTarget(t, a, m))
	}
	for addr, kinds := range want {
		slices.Sort(kinds)
		slices.Sort(byRecipient[addr])
		if !slices.Equal(byRecipient[addr], kinds) {
			t.Errorf("%s received %v, want %v", addr, byRecipient[addr], kinds)
		}
		delete(byRecipient, addr)
	}
	for addr, kinds := range byRecipient {
		t.Errorf("%s should receive nothing, received %v", addr, kinds)
	}

	langs := map[string]string{leadAddress: "fr"} // an address without an account reads the referent's language
	names := map[string]string{leadAddress: leadAddress}
	for _, u := range users {
		langs[u.Email], names[u.Email] = u.Lang, u.DisplayName
	}
	incs := map[string]*incident.Incident{threadOf(inc): inc, threadOf(lone): lone}
	for _, m := range got {
		checkLanguage(t, a, m, langs[m.row.RecipientEmail], names[m.row.RecipientEmail], incs)
	}
	checkThreads(t, a, got, inc, lone)
	checkContents(t, a, got, incs, users["Alice.Agent"].Email, resolvedAt)
}

func threadOf(inc *incident.Incident) string { return "incident-" + strconv.FormatInt(inc.ID, 10) }

// breachTarget names the target a breach message is about (" sla.resolution"), "" for others.
func breachTarget(t *testing.T, a *app.App, m deliveredMail) string {
	t.Helper()
	if m.row.Kind != "incident_breach" {
		return ""
	}
	for _, key := range []string{"sla.first_response", "sla.resolution"} {
		name, err := a.Bundle.Lookup(m.row.Lang, key, nil)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(m.Text, "\n\n"+name) {
			return " " + key
		}
	}
	return " (no target named)"
}

// delivered pairs each received message with its outbox row, by Message-ID, and checks that the
// envelope and the To header name the row's recipient.
func delivered(t *testing.T, a *app.App, ms []testutil.Mail) []deliveredMail {
	t.Helper()
	var rows []notify.Message
	if err := a.DB.NewSelect().Model(&rows).Scan(t.Context()); err != nil {
		t.Fatal(err)
	}
	byID := map[string]notify.Message{}
	for _, r := range rows {
		byID[r.MessageID] = r
	}
	var out []deliveredMail
	for _, m := range ms {
		row, ok := byID[m.Header.Get("Message-ID")]
		if !ok {
			t.Fatalf("message %q has Message-ID %q, which no outbox row has", m.Subject, m.Header.Get("Message-ID"))
		}
		delete(byID, row.MessageID)
		if len(m.To) != 1 || !strings.EqualFold(m.To[0], row.RecipientEmail) || !strings.Contains(m.Header.Get("To"), row.RecipientEmail) {
			t.Errorf("%s to %s: envelope %v, To %q", row.Kind, row.RecipientEmail, m.To, m.Header.Get("To"))
		}
		m.Text, m.HTML = strings.ReplaceAll(m.Text, "\r\n", "\n"), strings.ReplaceAll(m.HTML, "\r\n", "\n")
		out = append(out, deliveredMail{m, row})
	}
	return out
}

// checkLanguage checks that a message reads entirely in lang: subject, greeting, intro, footer,
// Content-Language and the HTML's lang attribute, and no sign of the other language.
func checkLanguage(t *testing.T, a *app.App, m deliveredMail, lang, name string, incs map[string]*incident.Incident) {
	t.Helper()
	inc := incs[m.row.Thread]
	if inc == nil {
		t.Errorf("%s to %s is in thread %q, no incident's", m.row.Kind, m.row.RecipientEmail, m.row.Thread)
		return
	}
	what := m.row.Kind + " of " + inc.Number() + " to " + m.row.RecipientEmail
	if m.row.Lang != lang || m.Header.Get("Content-Language") != lang {
		t.Errorf("%s: row language %q, Content-Language %q; want %s", what, m.row.Lang, m.Header.Get("Content-Language"), lang)
	}
	actor := map[string]string{"incident_declared": "John Doe", "incident_reply": "Alice Agent", "incident_customer_reply": "John Doe",
		"incident_resolved": "Alice Agent", "incident_reopened": "John Doe", "incident_breach": "Guichet"}[m.row.Kind]
	args := map[string]any{"Number": inc.Number(), "Title": inc.Title, "Tenant": "OCB0000001", "Actor": actor, "Priority": "P2", "Name": name}
	tr := func(key string) string {
		s, err := a.Bundle.Lookup(lang, key, args)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return s
	}
	if want := tr("email." + m.row.Kind + ".subject"); m.Subject != want {
		t.Errorf("%s: subject %q, want %q", what, m.Subject, want)
	}
	if !strings.HasPrefix(m.Text, tr("email.greeting")) {
		t.Errorf("%s: text does not start with %q:\n%s", what, tr("email.greeting"), m.Text)
	}
	for _, key := range []string{"email." + m.row.Kind + ".intro", "email.footer"} {
		if s := tr(key); !strings.Contains(m.Text, s) || !strings.Contains(m.HTML, s) {
			t.Errorf("%s: text or HTML lacks %s = %q:\n%s", what, key, s, m.Text)
		}
	}
	if !strings.Contains(m.HTML, `<html lang="`+lang+`">`) {
		t.Errorf("%s: HTML is not lang=%q", what, lang)
	}
	other := map[string]string{"fr": "Hello", "en": "Bonjour"}[lang]
	if strings.Contains(m.Text, other) || strings.Contains(m.HTML, other) || strings.Contains(m.Subject, other) {
		t.Errorf("%s: the %s message says %q:\n%s", what, lang, other, m.Text)
	}
}

// checkThreads checks that every message of one incident refers to one thread root, in both
// In-Reply-To and References, and that the two incidents' threads differ.
func checkThreads(t *testing.T, a *app.App, got []deliveredMail, incs ...*incident.Incident) {
	t.Helper()
	roots := map[string]map[string]int{} // thread → In-Reply-To value → messages
	ids := map[string]bool{}
	for _, m := range got {
		irt, refs := m.Header.Get("In-Reply-To"), m.Header.Get("References")
		if irt == "" || irt != refs {
			t.Errorf("%s to %s: In-Reply-To %q, References %q; want one thread root in both", m.row.Kind, m.row.RecipientEmail, irt, refs)
		}
		if roots[m.row.Thread] == nil {
			roots[m.row.Thread] = map[string]int{}
		}
		roots[m.row.Thread][irt]++
		id := m.Header.Get("Message-ID")
		if ids[id] || id == irt {
			t.Errorf("Message-ID %s used twice or equal to its thread root", id)
		}
		ids[id] = true
	}
	seen := map[string]bool{}
	for _, inc := range incs {
		rs := roots[threadOf(inc)]
		want := a.Notifier.ThreadRoot(threadOf(inc))
		if len(rs) != 1 || rs[want] == 0 {
			t.Errorf("%s: messages refer to %v, want all to %s", inc.Number(), rs, want)
		}
		if seen[want] {
			t.Errorf("%s shares its thread root %s with another incident", inc.Number(), want)
		}
		seen[want] = true
	}
	if len(roots) != len(incs) {
		t.Errorf("messages fall in %d threads, want %d: %v", len(roots), len(incs), roots)
	}
}

// checkContents checks what each message must carry and what none may: the internal note.
func checkContents(t *testing.T, a *app.App, got []deliveredMail, incs map[string]*incident.Incident, agent string, resolvedAt time.Time) {
	t.Helper()
	until, err := a.Bundle.Lookup("en", "email.incident_resolved.reopen", map[string]any{"Until": resolvedAt.Add(incident.ReopenWindow)})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range got {
		for _, part := range []string{m.Subject, m.Text, m.HTML} {
			if strings.Contains(part, "nova-17") || strings.Contains(part, "OPS-4711") {
				t.Errorf("%s to %s carries the internal note:\n%s", m.row.Kind, m.row.RecipientEmail, part)
			}
		}
		var must []string
		staff := m.row.RecipientEmail == agent || m.row.Kind == "incident_breach"
		switch m.row.Kind {
		case "incident_reply":
			must = []string{publicReply}
		case "incident_customer_reply":
			must = []string{johnReply}
		case "incident_resolved":
			must = []string{resolution, until}
		}
		link := "/incidents/"
		if staff {
			link = "/staff/incidents/"
		}
		if inc := incs[m.row.Thread]; inc != nil {
			link = a.Notifier.Link(link + inc.Number())
		}
		must = append(must, link)
		for _, s := range must {
			// The HTML part escapes what html/template escapes ("+" of "UTC+1" among them).
			if !strings.Contains(m.Text, s) || !strings.Contains(html.UnescapeString(m.HTML), s) {
				t.Errorf("%s to %s lacks %q:\n%s", m.row.Kind, m.row.RecipientEmail, s, m.Text)
			}
		}
	}
}
