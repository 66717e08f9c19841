package report_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/report"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// The demo desk: Marie.Dupont (fr) is the referent of OCB0000001 (Premium), OCB0000002
// (Business) and OCB0000003 (Standard); Paul.Martin (fr) of OCB0000004 (Basic).
var monthlyTenants = []string{"OCB0000001", "OCB0000002", "OCB0000003", "OCB0000004"}

var (
	monthsFR = []string{"", "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	monthsEN = []string{"", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
)

// monthlyFixture is a desk on a copy of the demo whose clock the test moves: the month reported
// is the one before the real one (the demo's support levels are dated from the real day), and
// the mail is sent on the second day of the real month.
type monthlyFixture struct {
	t     *testing.T
	a     *app.App
	now   time.Time
	month calendar.Date // the first day of the month reported
	send  time.Time     // when the monthly mail is sent
}

func newMonthlyFixture(t *testing.T) *monthlyFixture {
	t.Helper()
	a := testutil.NewApp(t)
	today := calendar.ParisDate(time.Now())
	this := calendar.NewDate(today.Year, today.Month, 1)
	f := &monthlyFixture{t: t, a: a, month: this.AddMonths(-1), send: parisAt(this.AddDays(1), 8, 0)}
	f.now = f.send
	clock := func() time.Time { return f.now }
	// The outbox keeps the real clock, so that the worker sends what the job wrote.
	a.Incidents.Now, a.Changes.Now, a.Reports.Now = clock, clock, clock
	a.Reports.Audience = a.Incidents.Audience
	a.Reports.Cache.Fresh = time.Nanosecond // each run reads what Refresh wrote just before
	// The demo's tenants were made today: they are a month older here.
	f.exec("UPDATE tenants SET created_at = ?", parisAt(f.month.AddMonths(-1), 0, 0))
	return f
}

// parisAt is h:m on day d in Paris.
func parisAt(d calendar.Date, h, m int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, h, m, 0, 0, calendar.Paris).UTC()
}

// at is h:m on day day of the month reported.
func (f *monthlyFixture) at(day, h, m int) time.Time { return parisAt(f.month.AddDays(day-1), h, m) }

func (f *monthlyFixture) exec(query string, args ...any) {
	f.t.Helper()
	if _, err := f.a.DB.NewRaw(query, args...).Exec(f.t.Context()); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
}

func (f *monthlyFixture) actor(login string) tenancy.Actor {
	f.t.Helper()
	u, err := identity.UserByLogin(f.t.Context(), f.a.DB, login)
	if err != nil {
		f.t.Fatalf("user %s: %v", login, err)
	}
	return tenancy.ActorOf(u)
}

func (f *monthlyFixture) tenant(code string) int64 {
	f.t.Helper()
	tn, err := tenancy.TenantByCode(f.t.Context(), f.a.DB, code)
	if err != nil {
		f.t.Fatalf("tenant %s: %v", code, err)
	}
	return tn.ID
}

// declare declares a P2 incident (high impact, medium urgency) as login on tenant code at when.
func (f *monthlyFixture) declare(login, code string, when time.Time) *incident.Incident {
	f.t.Helper()
	f.now = when
	inc, err := f.a.Incidents.Declare(f.t.Context(), f.actor(login), f.tenant(code), incident.Draft{Title: "Volumes inaccessibles",
		Description: "Nos volumes ne répondent plus.", Service: "evs", Region: "eu-west-0", Impact: "high", Urgency: "medium"})
	if err != nil {
		f.t.Fatalf("declare on %s: %v", code, err)
	}
	return inc
}

// do has Alice.Agent apply act to inc at when.
func (f *monthlyFixture) do(inc *incident.Incident, when time.Time, act incident.Act) {
	f.t.Helper()
	f.now = when
	cur, err := incident.ByID(f.t.Context(), f.a.DB, inc.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	act.Version = cur.Version
	if _, err := f.a.Incidents.Do(f.t.Context(), f.actor("Alice.Agent"), inc.ID, act); err != nil {
		f.t.Fatalf("%s on %s: %v", act.Action, inc.Number(), err)
	}
}

// answer has Alice.Agent take inc a minute after it was declared and reply publicly at when.
func (f *monthlyFixture) answer(inc *incident.Incident, when time.Time) {
	f.t.Helper()
	f.do(inc, inc.CreatedAt.Add(time.Minute), incident.Act{Action: incident.Take})
	f.do(inc, when, incident.Act{Action: incident.Reply, Body: "Nous regardons."})
}

func (f *monthlyFixture) resolve(inc *incident.Incident, when time.Time) {
	f.t.Helper()
	f.do(inc, when, incident.Act{Action: incident.Resolve, Body: "Réglé."})
}

// changeAt submits a change request as Marie.Dupont on OCB0000001 at when.
func (f *monthlyFixture) changeAt(when time.Time) {
	f.t.Helper()
	f.now = when
	if _, err := f.a.Changes.Submit(f.t.Context(), f.actor("Marie.Dupont"), f.tenant("OCB0000001"), "vpcs",
		map[string]string{"region": "eu-west-1", "current": "5", "requested": "6", "justification": "Croissance"}); err != nil {
		f.t.Fatalf("change request: %v", err)
	}
}

// sendMonthly computes the report figures, then runs the job, at f.send.
func (f *monthlyFixture) sendMonthly() int {
	f.t.Helper()
	f.now = f.send
	if _, err := report.Refresh(f.t.Context(), f.a.DB, f.a.SLA, f.now, nil); err != nil {
		f.t.Fatalf("refresh: %v", err)
	}
	n, err := f.a.Reports.SendMonthly(f.t.Context(), f.now)
	if err != nil {
		f.t.Fatalf("send the monthly report: %v", err)
	}
	return n
}

// mails are the monthly report mails in the outbox, by tenant code, for the month reported.
func (f *monthlyFixture) mails(month calendar.Date) map[string][]notify.Message {
	f.t.Helper()
	var ms []notify.Message
	if err := f.a.DB.NewSelect().Model(&ms).Where("kind = ?", "report_monthly").OrderExpr("id").Scan(f.t.Context()); err != nil {
		f.t.Fatal(err)
	}
	out := map[string][]notify.Message{}
	for _, code := range monthlyTenants {
		thread := "report-" + strconv.FormatInt(f.tenant(code), 10) + "-" + month.String()[:7]
		for _, m := range ms {
			if m.Thread == thread {
				out[code] = append(out[code], m)
			}
		}
	}
	return out
}

// monthlyOnly fails unless mails holds exactly one mail for each of codes and none for others.
func monthlyOnly(t *testing.T, mails map[string][]notify.Message, codes ...string) {
	t.Helper()
	for _, code := range monthlyTenants {
		want := 0
		for _, c := range codes {
			if c == code {
				want = 1
			}
		}
		if len(mails[code]) != want {
			t.Errorf("%s: %d monthly report mails, want %d", code, len(mails[code]), want)
		}
	}
}

// Running the job again, or on two instances at once, writes one mail per tenant and month; the
// next month is reported again.
func TestMonthlyReportOncePerTenantAndMonth(t *testing.T) {
	f := newMonthlyFixture(t)
	if n := f.sendMonthly(); n != 4 {
		t.Errorf("first run wrote %d mails, want 4", n)
	}
	if n := f.sendMonthly(); n != 0 {
		t.Errorf("second run wrote %d mails, want 0", n)
	}
	monthlyOnly(t, f.mails(f.month), monthlyTenants...)
	if n := testutil.Count(t, f.a.DB, "report_mail", "month = ?", f.month.String()[:7]); n != 4 {
		t.Errorf("%d report_mail rows, want 4", n)
	}

	// A month later, two instances (each with its own cache) run the job at the same time.
	next := f.month.AddMonths(1)
	f.send = f.send.AddDate(0, 1, 0)
	f.now = f.send
	other := &report.Service{DB: f.a.DB, Cache: &report.Cache{DB: f.a.DB}, Policy: f.a.SLA, Notifier: f.a.Notifier,
		Audience: f.a.Reports.Audience, Now: f.a.Reports.Now}
	var wg sync.WaitGroup
	counts, errs := make([]int, 2), make([]error, 2)
	for i, s := range []*report.Service{f.a.Reports, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			counts[i], errs[i] = s.SendMonthly(t.Context(), f.send)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("concurrent run: %v", err)
		}
	}
	if counts[0]+counts[1] != 4 {
		t.Errorf("the two runs wrote %d and %d mails, want 4 in all", counts[0], counts[1])
	}
	monthlyOnly(t, f.mails(next), monthlyTenants...)
	monthlyOnly(t, f.mails(f.month), monthlyTenants...)
}

// A French referent reads the report in French, an English one in English: subject, month in
// words, labels, link to the report of that month.
func TestMonthlyReportInTheReferentsLanguage(t *testing.T) {
	f := newMonthlyFixture(t)
	f.exec("UPDATE users SET lang = 'en' WHERE login = 'Paul.Martin'")
	f.sendMonthly()
	mails := f.mails(f.month)
	monthlyOnly(t, mails, monthlyTenants...)
	ym := f.month.String()[:7]
	last := f.month.AddMonths(1).AddDays(-1)
	first := func(lang string) string {
		if lang == "fr" {
			return "1er"
		}
		return "1"
	}
	tests := []struct {
		code, lang, to, name string
		subject, body        []string
	}{
		{"OCB0000001", "fr", "marie.dupont@example.fr", "Dupont Industrie — Production",
			[]string{"Rapport mensuel du tenant OCB0000001, du " + first("fr") + " " + monthsFR[f.month.Month] + " " + strconv.Itoa(f.month.Year) +
				" au " + strconv.Itoa(last.Day) + " " + monthsFR[last.Month] + " " + strconv.Itoa(last.Year)},
			[]string{"Voici le rapport du tenant OCB0000001 (Dupont Industrie — Production) pour " + monthsFR[f.month.Month] + " " + strconv.Itoa(f.month.Year) + ".",
				"- Incidents déclarés\u00a0: 0", "- SLA de première réponse respecté\u00a0: aucun objectif comptabilisé",
				"- Délai moyen de première réponse\u00a0: aucune première réponse ce mois-ci", "- Délai moyen de résolution\u00a0: aucun incident résolu ce mois-ci",
				"- Incidents ouverts actuellement\u00a0: 0", "- Demandes de changement déposées\u00a0: 0"}},
		{"OCB0000004", "en", "paul.martin@example.fr", "Martin Conseil",
			[]string{"Monthly report of tenant OCB0000004, " + first("en") + " " + monthsEN[f.month.Month] + " " + strconv.Itoa(f.month.Year) +
				" to " + strconv.Itoa(last.Day) + " " + monthsEN[last.Month] + " " + strconv.Itoa(last.Year)},
			[]string{"Here is the report of tenant OCB0000004 (Martin Conseil) for " + monthsEN[f.month.Month] + " " + strconv.Itoa(f.month.Year) + ".",
				"- Incidents declared: 0", "- First-response SLA met: no target counted", "- Resolution SLA met: no target counted",
				"- Mean time to first response: no first response this month", "- Mean time to resolve: no incident resolved this month",
				"- Incidents open now: 0", "- Change requests made: 0"}},
	}
	for _, tt := range tests {
		ms := mails[tt.code]
		if len(ms) != 1 {
			continue
		}
		m := ms[0]
		if m.Lang != tt.lang || m.RecipientEmail != tt.to {
			t.Errorf("%s: to %s in %s, want %s in %s", tt.code, m.RecipientEmail, m.Lang, tt.to, tt.lang)
		}
		for _, s := range tt.subject {
			if m.Subject != s {
				t.Errorf("%s: subject %q, want %q", tt.code, m.Subject, s)
			}
		}
		for _, s := range tt.body {
			if !strings.Contains(m.BodyText, s) {
				t.Errorf("%s: text lacks %q:\n%s", tt.code, s, m.BodyText)
			}
		}
		link := "/reports?tenant=" + tt.code + "&from=" + ym + "&to=" + ym
		if !strings.Contains(m.BodyText, link) || !strings.Contains(m.BodyHTML, strings.ReplaceAll(link, "&", "&amp;")) {
			t.Errorf("%s: no link to %s:\n%s", tt.code, link, m.BodyText)
		}
		if !strings.Contains(m.BodyHTML, tt.name) || !strings.Contains(m.BodyHTML, `lang="`+tt.lang+`"`) {
			t.Errorf("%s: HTML lacks the tenant's name or its language:\n%s", tt.code, m.BodyHTML)
		}
		if m.TenantID == nil || *m.TenantID != f.tenant(tt.code) || m.RequiredRight != string(tenancy.RightContract) {
			t.Errorf("%s: stamped tenant %v right %q, want the tenant and the contract right", tt.code, m.TenantID, m.RequiredRight)
		}
	}
}

// The figures of the mail, on a fixture whose numbers are counted by hand: OCB0000001 is
// Premium, whose P2 targets are a first response in 30 minutes and a resolution in 8 hours,
// around the clock.
func TestMonthlyReportFigures(t *testing.T) {
	f := newMonthlyFixture(t)
	f.exec("UPDATE users SET lang = 'en' WHERE login = 'Paul.Martin'")
	// A: answered in 20 min (met), resolved in 3 h (met).
	a := f.declare("Marie.Dupont", "OCB0000001", f.at(10, 10, 0))
	f.answer(a, f.at(10, 10, 20))
	f.resolve(a, f.at(10, 13, 0))
	// B: answered in 1 h (breached at 9:30), resolved in 11 h 40 min (breached at 17:00).
	b := f.declare("Marie.Dupont", "OCB0000001", f.at(12, 9, 0))
	f.answer(b, f.at(12, 10, 0))
	f.resolve(b, f.at(12, 20, 40))
	// C: answered in 10 min (met), still open: its resolution was breached at 17:00 that day.
	c := f.declare("Marie.Dupont", "OCB0000001", f.at(20, 9, 0))
	f.answer(c, f.at(20, 9, 10))
	// D: declared the month after: open now, not declared in the month.
	f.declare("Marie.Dupont", "OCB0000001", parisAt(f.month.AddMonths(1), 10, 0))
	// Change requests: one in the month, one the month after.
	f.changeAt(f.at(15, 11, 0))
	f.changeAt(parisAt(f.month.AddMonths(1), 11, 0))
	// On OCB0000004 (Basic, no target), for Paul in English: answered in 45 min, resolved in
	// 2 days 4 hours.
	e := f.declare("Paul.Martin", "OCB0000004", f.at(3, 9, 0))
	f.answer(e, f.at(3, 9, 45))
	f.resolve(e, f.at(5, 13, 0))

	if n := f.sendMonthly(); n != 4 {
		t.Fatalf("wrote %d mails, want 4", n)
	}
	mails := f.mails(f.month)
	want := map[string][]string{
		"OCB0000001": {"- Incidents déclarés\u00a0: 3",
			"- SLA de première réponse respecté\u00a0: 66\u00a0% (2/3)",    // A and C met, B breached
			"- SLA de résolution respecté\u00a0: 33\u00a0% (1/3)",          // A met, B and C breached
			"- Délai moyen de première réponse\u00a0: 30\u00a0min",         // (20 + 60 + 10) / 3
			"- Délai moyen de résolution\u00a0: 7\u00a0h\u00a020\u00a0min", // (3 h + 11 h 40) / 2
			"- Incidents ouverts actuellement\u00a0: 2",                    // C and D
			"- Demandes de changement déposées\u00a0: 1"},
		"OCB0000004": {"- Incidents declared: 1", "- First-response SLA met: no target counted",
			"- Resolution SLA met: no target counted", "- Mean time to first response: 45 min",
			"- Mean time to resolve: 2 d 4 h", "- Incidents open now: 0", "- Change requests made: 0"},
		"OCB0000002": {"- Incidents déclarés\u00a0: 0", "- Incidents ouverts actuellement\u00a0: 0"},
	}
	for code, lines := range want {
		ms := mails[code]
		if len(ms) != 1 {
			t.Errorf("%s: %d mails, want 1", code, len(ms))
			continue
		}
		for _, l := range lines {
			if !strings.Contains(ms[0].BodyText, l) {
				t.Errorf("%s: text lacks %q:\n%s", code, l, ms[0].BodyText)
			}
		}
	}
	if ms := mails["OCB0000001"]; len(ms) == 1 {
		for _, s := range []string{"66\u00a0% (2/3)", "33\u00a0% (1/3)", "7\u00a0h\u00a020\u00a0min", "30\u00a0min"} {
			if !strings.Contains(ms[0].BodyHTML, s) {
				t.Errorf("OCB0000001: HTML lacks %q", s)
			}
		}
	}
}

// A cancelled tenant gets no report, nor one made after the month ended; one made on the
// month's last evening gets it.
func TestMonthlyReportSkipsCancelledAndNewTenants(t *testing.T) {
	f := newMonthlyFixture(t)
	end := parisAt(f.month.AddMonths(1), 0, 0)
	f.exec("UPDATE tenants SET status = ? WHERE code = 'OCB0000002'", tenancy.TenantCancelled)
	f.exec("UPDATE tenants SET created_at = ? WHERE code = 'OCB0000003'", end)
	f.exec("UPDATE tenants SET created_at = ? WHERE code = 'OCB0000004'", end.Add(-time.Minute))
	if n := f.sendMonthly(); n != 2 {
		t.Errorf("wrote %d mails, want 2", n)
	}
	monthlyOnly(t, f.mails(f.month), "OCB0000001", "OCB0000004")
	if n := testutil.Count(t, f.a.DB, "report_mail", "1 = 1"); n != 2 {
		t.Errorf("%d report_mail rows, want 2 (none for the tenants skipped)", n)
	}
}

// A referent who may no longer read it gets no mail, and the month counts as done.
func TestMonthlyReportNotToAnInactiveReferent(t *testing.T) {
	f := newMonthlyFixture(t)
	f.exec("UPDATE users SET active = ? WHERE login = 'Paul.Martin'", false)
	if n := f.sendMonthly(); n != 3 {
		t.Errorf("wrote %d mails, want 3", n)
	}
	monthlyOnly(t, f.mails(f.month), "OCB0000001", "OCB0000002", "OCB0000003")
	f.exec("UPDATE users SET active = ? WHERE login = 'Paul.Martin'", true)
	if n := f.sendMonthly(); n != 0 {
		t.Errorf("a second run wrote %d mails, want 0", n)
	}
}

// Through a real SMTP server: each referent gets each tenant's report once, in their language,
// threaded per tenant and month, marked as sent automatically.
func TestMonthlyReportBySMTP(t *testing.T) {
	f := newMonthlyFixture(t)
	f.exec("UPDATE users SET lang = 'en' WHERE login = 'Paul.Martin'")
	srv := testutil.StartSMTP(t)
	before := len(srv.Deliver(f.a)) // the demo's own mail
	f.sendMonthly()
	got := srv.Deliver(f.a)[before:]
	if len(got) != 4 {
		t.Fatalf("%d mails delivered, want 4", len(got))
	}
	want := map[string]struct {
		n             int
		lang, subject string
	}{
		"marie.dupont@example.fr": {3, "fr", "Rapport mensuel du tenant OCB000000"},
		"paul.martin@example.fr":  {1, "en", "Monthly report of tenant OCB0000004"},
	}
	for addr, w := range want {
		ms := testutil.To(got, addr)
		if len(ms) != w.n {
			t.Errorf("%s got %d mails, want %d", addr, len(ms), w.n)
		}
		for _, m := range ms {
			if !strings.HasPrefix(m.Subject, w.subject) {
				t.Errorf("%s: subject %q, want %q…", addr, m.Subject, w.subject)
			}
			if lang := m.Header.Get("Content-Language"); lang != "" && lang != w.lang {
				t.Errorf("%s: Content-Language %q, want %q", addr, lang, w.lang)
			}
			code := m.Subject[strings.Index(m.Subject, "OCB") : strings.Index(m.Subject, "OCB")+10]
			root := f.a.Notifier.ThreadRoot("report-" + strconv.FormatInt(f.tenant(code), 10) + "-" + f.month.String()[:7])
			if !strings.Contains(m.Header.Get("References"), root) || m.Header.Get("Auto-Submitted") != "auto-generated" {
				t.Errorf("%s: not threaded under %s: References %q, Auto-Submitted %q", addr, root, m.Header.Get("References"), m.Header.Get("Auto-Submitted"))
			}
			if !strings.Contains(m.Text, "/reports?tenant="+code) || !strings.Contains(m.HTML, "/reports?tenant="+code) {
				t.Errorf("%s: no link to the report of %s", addr, code)
			}
		}
	}
}
