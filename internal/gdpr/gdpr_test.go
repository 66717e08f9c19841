package gdpr_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/gdpr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/report"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

// fixture is the demo desk with what John Doe and Marie Dupont left on it: an incident each on
// OCB0000001, replies (John's with a file), the agent's reply on John's, the mail all that
// wrote, and an audit entry about each.
type fixture struct {
	t                 *testing.T
	a                 *app.App
	svc               *gdpr.Service
	john, marie       *identity.User
	johnInc, marieInc *incident.Incident
}

const (
	johnTitle   = "Kubernetes cluster zanzibar unreachable"
	johnDesc    = "Since this morning the cluster zanzibar answers nothing. Call me back."
	johnReply   = "Still down on my side, see the capture quetzalcoatl attached."
	johnFile    = "capture-john.txt"
	marieTitle  = "Sauvegarde bilboquet en échec"
	marieReply  = "La sauvegarde bilboquet échoue encore ce matin."
	agentReply  = "We are looking into it."
	johnPhone   = "+33 6 12 34 56 78"
	auditMarker = "audit-marker-about-marie"
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	a := testutil.NewApp(t)
	ctx := t.Context()
	f := &fixture{t: t, a: a, svc: gdpr.New(a.DB, a.Bundle, "fr")}
	f.john, f.marie = f.user("John.Doe"), f.user("Marie.Dupont")
	t1 := f.tenant("OCB0000001")
	// The support leads' address has no account: their mail names the reporter.
	a.Incidents.Audience.Leads = []string{"leads@example.com"}
	var err error
	d := incident.Draft{Title: johnTitle, Description: johnDesc, Service: "ecs", Region: "eu-west-0", Impact: "high", Urgency: "medium", Phone: johnPhone}
	if f.johnInc, err = a.Incidents.Declare(ctx, tenancy.ActorOf(f.john), t1, d); err != nil {
		t.Fatal(err)
	}
	d.Title, d.Description, d.Phone = marieTitle, "Depuis hier soir.", "+33 1 00 00 00 00"
	if f.marieInc, err = a.Incidents.Declare(ctx, tenancy.ActorOf(f.marie), t1, d); err != nil {
		t.Fatal(err)
	}
	alice := tenancy.ActorOf(f.user("Alice.Agent"))
	f.act(alice, f.johnInc.ID, incident.Act{Action: incident.Reply, Body: agentReply})
	f.act(tenancy.ActorOf(f.john), f.johnInc.ID, incident.Act{Action: incident.Reply, Body: johnReply,
		Files: []timeline.Upload{{Name: johnFile, ContentType: "text/plain; charset=utf-8", Data: []byte("john's screen")}}})
	f.act(tenancy.ActorOf(f.marie), f.marieInc.ID, incident.Act{Action: incident.Reply, Body: marieReply})
	for _, c := range []audit.Change{
		{Action: audit.UserUpdated, ActorID: f.user("admin").ID, SubjectID: f.john.ID,
			Before: map[string]any{"email": "old@example.com"}, After: map[string]any{"email": f.john.Email, "name": f.john.DisplayName}},
		{Action: audit.UserUpdated, ActorID: f.user("admin").ID, SubjectID: f.marie.ID, After: map[string]any{"note": auditMarker}},
	} {
		if err := audit.Write(ctx, a.DB, c); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) act(actor tenancy.Actor, id int64, act incident.Act) {
	f.t.Helper()
	if _, err := f.a.Incidents.Do(f.t.Context(), actor, id, act); err != nil {
		f.t.Fatalf("%s on %d: %v", act.Action, id, err)
	}
}

func (f *fixture) user(login string) *identity.User {
	f.t.Helper()
	u, err := identity.UserByLogin(f.t.Context(), f.a.DB, login)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *fixture) tenant(code string) int64 {
	f.t.Helper()
	tn, err := tenancy.TenantByCode(f.t.Context(), f.a.DB, code)
	if err != nil {
		f.t.Fatal(err)
	}
	return tn.ID
}

func (f *fixture) admin() identity.Actor { return identity.ActorOf(f.user("admin")) }

func (f *fixture) count(query string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.a.DB.NewRaw(query, args...).Scan(f.t.Context(), &n); err != nil {
		f.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// unzip reads an archive into its files' contents.
func unzip(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string]string{}
	for _, zf := range zr.File {
		r, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[zf.Name] = string(b)
	}
	return files
}

func TestGDPRExportHoldsThePersonsDataAndNothingOfOthers(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	before := f.count("SELECT COUNT(*) FROM audit_log WHERE action = ?", audit.GDPRExported)
	a, err := f.svc.Export(ctx, identity.ActorOf(f.john), f.john.ID)
	if err != nil {
		t.Fatal(err)
	}
	day := calendar.ParisDate(time.Now())
	if want := "guichet-data-" + itoa(f.john.ID) + "-" + strings.ReplaceAll(day.String(), "-", "") + ".zip"; a.Name != want {
		t.Errorf("name %q, want %q", a.Name, want)
	}
	files := unzip(t, a.Data)
	for _, name := range []string{gdpr.FileReadme, gdpr.FileAccount, gdpr.FileMemberships, gdpr.FileTickets, gdpr.FileReplies, gdpr.FileMails, gdpr.FileAudit} {
		if _, ok := files[name]; !ok {
			t.Errorf("no %s in %v", name, keys(files))
		}
		if strings.HasSuffix(name, ".json") && !json.Valid([]byte(files[name])) {
			t.Errorf("%s is not JSON: %.200s", name, files[name])
		}
	}
	// John's language is English: the README is.
	if !strings.Contains(files[gdpr.FileReadme], "This archive holds") {
		t.Errorf("README not in English: %.200s", files[gdpr.FileReadme])
	}
	want := map[string][]string{
		gdpr.FileAccount:     {`"login": "John.Doe"`, `"email": "john.doe@example.com"`, `"display_name": "John Doe"`},
		gdpr.FileMemberships: {`"tenant": "OCB0000001"`, `"incidents": true`},
		gdpr.FileTickets:     {johnTitle, johnDesc, johnPhone, f.johnInc.Number()},
		gdpr.FileReplies:     {johnReply, johnFile, `"file": "attachments/`},
		gdpr.FileMails:       {`"to": "john.doe@example.com"`},
		gdpr.FileAudit:       {`"action": "user.updated"`, `"about_you": true`},
	}
	for name, parts := range want {
		for _, p := range parts {
			if !strings.Contains(files[name], p) {
				t.Errorf("%s lacks %q:\n%.1500s", name, p, files[name])
			}
		}
	}
	var attached int
	for name, content := range files {
		if strings.HasPrefix(name, gdpr.DirAttachments) {
			attached++
			if content != "john's screen" || !strings.HasSuffix(name, johnFile) {
				t.Errorf("attachment %s: %q", name, content)
			}
		}
	}
	if attached != 1 || a.Files != 1 {
		t.Errorf("%d attachments (%d counted), want 1", attached, a.Files)
	}
	// Nothing of Marie, nor of Marie's audit entry; the agent's reply only in the mail John got.
	for name, content := range files {
		for _, other := range []string{f.marie.Email, marieTitle, marieReply, auditMarker, f.marieInc.Number()} {
			if strings.Contains(content, other) {
				t.Errorf("%s holds %q of someone else", name, other)
			}
		}
		if name != gdpr.FileMails && strings.Contains(content, agentReply) {
			t.Errorf("%s holds the agent's reply", name)
		}
	}
	if n := f.count("SELECT COUNT(*) FROM audit_log WHERE action = ? AND subject_user_id = ?", audit.GDPRExported, f.john.ID); n != before+1 {
		t.Errorf("%d export entries, want %d", n, before+1)
	}

	// Marie may not export John's data: as if he did not exist. An admin may, in John's language.
	if _, err := f.svc.Export(ctx, identity.ActorOf(f.marie), f.john.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Marie exporting John: %v, want not found", err)
	}
	if _, err := f.svc.Export(ctx, f.admin(), 999999); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("no such user: %v", err)
	}
	if a, err = f.svc.Export(ctx, f.admin(), f.marie.ID); err != nil {
		t.Fatal(err)
	}
	files = unzip(t, a.Data)
	if !strings.Contains(files[gdpr.FileReadme], "Cette archive contient") || !strings.Contains(files[gdpr.FileTickets], marieTitle) ||
		strings.Contains(files[gdpr.FileTickets], johnTitle) || strings.Contains(files[gdpr.FileReplies], johnReply) {
		t.Errorf("Marie's archive:\n%.600s\n%.600s", files[gdpr.FileReadme], files[gdpr.FileTickets])
	}
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// dashboard is the staff dashboard's incident figures over the last 30 days, just refreshed.
func (f *fixture) dashboard() report.Incidents {
	f.t.Helper()
	ctx := f.t.Context()
	if _, err := report.Refresh(ctx, f.a.DB, f.a.SLA, time.Now(), nil); err != nil {
		f.t.Fatal(err)
	}
	svc := &report.Service{DB: f.a.DB, Cache: &report.Cache{DB: f.a.DB, Fresh: time.Nanosecond}, Policy: f.a.SLA, Notifier: f.a.Notifier}
	today := calendar.ParisDate(time.Now())
	d, err := svc.Dashboard(ctx, tenancy.Of(f.admin()), report.Query{Period: report.Period{Kind: report.PeriodCustom, From: today.AddDays(-7), To: today}})
	if err != nil {
		f.t.Fatal(err)
	}
	return d.Incidents
}

func TestGDPRErasureDoesWhatItsPreviewSays(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	// John has a session and an API token, and Marie named him in a mail to the agent.
	if _, err := f.a.Identity.StartSession(ctx, f.john); err != nil {
		t.Fatal(err)
	}
	testutil.APIToken(t, f.a, "John.Doe", identity.ScopeRead)
	figures := f.dashboard()

	pv, err := f.svc.PreviewErasure(ctx, f.admin(), f.john.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	c := pv.Counts
	if c.Memberships != 1 || c.Sessions != 1 || c.APITokens != 1 || c.Incidents != 1 || c.Attachments != 1 ||
		c.Texts != 1 || c.Mails == 0 || c.Audit == 0 || pv.Pseudonym != "Utilisateur supprimé n°\u00a0"+itoa(f.john.ID) {
		t.Fatalf("preview %+v", pv)
	}
	// A preview that no longer holds is refused, with nothing written.
	if _, err := f.svc.Erase(ctx, f.admin(), f.john.ID, false, pv.Fingerprint); !errors.Is(err, gdpr.ErrChanged) || !errors.Is(err, apperr.ErrStale) {
		t.Fatalf("erase with another choice than the preview's: %v", err)
	}
	if u := f.user("John.Doe"); u.Email != f.john.Email || !u.Active {
		t.Fatalf("a refused erasure changed the account: %+v", u)
	}
	done, err := f.svc.Erase(ctx, f.admin(), f.john.ID, true, pv.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(done.Counts, pv.Counts) {
		t.Errorf("erasure did %+v, preview said %+v", done.Counts, pv.Counts)
	}

	u, err := identity.UserByID(ctx, f.a.DB, f.john.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.DisplayName != pv.Pseudonym || u.Login != "deleted-"+itoa(u.ID) || u.Email != "" || u.Active || u.PasswordHash != "" {
		t.Errorf("account after erasure: %+v", u)
	}
	for table, n := range map[string]int{
		"sessions":    f.count("SELECT COUNT(*) FROM sessions WHERE user_id = ?", u.ID),
		"memberships": f.count("SELECT COUNT(*) FROM memberships WHERE user_id = ?", u.ID),
		"api_tokens":  f.count("SELECT COUNT(*) FROM api_tokens WHERE user_id = ?", u.ID),
		"outbox":      f.count("SELECT COUNT(*) FROM outbox WHERE recipient_user_id = ?", u.ID),
		"files":       f.count("SELECT COUNT(*) FROM attachments WHERE purged_at IS NULL AND entry_id IN (SELECT id FROM timeline_entries WHERE actor_id = ?)", u.ID),
		"phone":       f.count("SELECT COUNT(*) FROM incidents WHERE phone <> '' AND reporter_id = ?", u.ID),
		"not erased":  f.count("SELECT COUNT(*) FROM users WHERE id = ? AND erased_at IS NULL", u.ID),
	} {
		if n != 0 {
			t.Errorf("%s: %d rows left", table, n)
		}
	}
	// The tickets stay, with their timelines; John's texts are the notice.
	if n := f.count("SELECT COUNT(*) FROM incidents WHERE reporter_id = ?", u.ID); n != 1 {
		t.Errorf("%d incidents of John left, want 1", n)
	}
	inc, err := incident.ByID(ctx, f.a.DB, f.johnInc.ID)
	if err != nil {
		t.Fatal(err)
	}
	notice := f.a.Bundle.T("fr", "gdpr.redacted", nil)
	if inc.Title != notice || inc.Description != notice || inc.ReporterName != pv.Pseudonym {
		t.Errorf("incident after erasure: %q %q %q", inc.Title, inc.Description, inc.ReporterName)
	}
	// No text of the desk names John any more: mail, audit, timeline.
	for _, what := range []string{f.john.DisplayName, f.john.Email, johnTitle, johnReply, johnPhone} {
		for _, q := range []string{
			"SELECT COUNT(*) FROM outbox WHERE subject LIKE ? OR body_text LIKE ? OR body_html LIKE ? OR recipient_name LIKE ? OR recipient_email LIKE ?",
			"SELECT COUNT(*) FROM audit_log WHERE before_json LIKE ? OR after_json LIKE ? OR object LIKE ? OR actor_label LIKE ? OR ip LIKE ?",
			"SELECT COUNT(*) FROM audit_log WHERE object LIKE ? OR object LIKE ? OR object LIKE ? OR object LIKE ? OR object = 'John.Doe'",
			"SELECT COUNT(*) FROM timeline_entries WHERE body LIKE ? OR from_value LIKE ? OR to_value LIKE ? OR event LIKE ? OR via LIKE ?",
			"SELECT COUNT(*) FROM incidents WHERE title LIKE ? OR description LIKE ? OR phone LIKE ? OR region_other LIKE ? OR service LIKE ?",
		} {
			p := "%" + what + "%"
			if n := f.count(q, p, p, p, p, p); n != 0 {
				t.Errorf("%q still in %d rows: %s", what, n, q)
			}
		}
	}
	// The search finds the notice where John's words were, and his words no more.
	staff := timeline.Scope{Notes: true}
	for _, q := range []string{"zanzibar", "quetzalcoatl"} {
		if ids, err := timeline.Matches(ctx, f.a.DB, timeline.ParseQuery(q), staff, math.MaxInt64, 10); err != nil || len(ids) != 0 {
			t.Errorf("search %q: %v %v", q, ids, err)
		}
	}
	if ids, err := timeline.Matches(ctx, f.a.DB, timeline.ParseQuery("bilboquet"), staff, math.MaxInt64, 10); err != nil || len(ids) != 2 {
		t.Errorf("Marie's texts: %v %v", ids, err)
	}
	if ids, err := timeline.Matches(ctx, f.a.DB, timeline.ParseQuery(notice), staff, math.MaxInt64, 10); err != nil || len(ids) != 2 {
		t.Errorf("the notice is found %v %v, want John's incident and reply", ids, err)
	}
	// The reports count the same.
	if after := f.dashboard(); !reflect.DeepEqual(after, figures) {
		t.Errorf("figures changed:\n%+v\n%+v", after, figures)
	}
	if n := f.count("SELECT COUNT(*) FROM audit_log WHERE action = ? AND subject_user_id = ?", audit.GDPRErased, u.ID); n != 1 {
		t.Errorf("%d erasure entries", n)
	}
	// Erased once: a second erasure is refused.
	if _, err := f.svc.PreviewErasure(ctx, f.admin(), u.ID, false); !hasKey(err, "gdpr.error.erased") {
		t.Errorf("second erasure: %v", err)
	}
}

func hasKey(err error, key string) bool {
	es, ok := i18n.AsErrors(err)
	if !ok {
		return false
	}
	for _, e := range es {
		if e.Key == key {
			return true
		}
	}
	return false
}

func TestGDPRErasureWithoutRedactionKeepsTheTexts(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	pv, err := f.svc.PreviewErasure(ctx, f.admin(), f.john.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	done, err := f.svc.Erase(ctx, f.admin(), f.john.ID, false, pv.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(done.Counts, pv.Counts) {
		t.Errorf("erasure did %+v, preview said %+v", done.Counts, pv.Counts)
	}
	inc, err := incident.ByID(ctx, f.a.DB, f.johnInc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if inc.Title != johnTitle || inc.Phone != "" || inc.ReporterName != pv.Pseudonym {
		t.Errorf("incident: %q %q %q", inc.Title, inc.Phone, inc.ReporterName)
	}
	if ids, err := timeline.Matches(ctx, f.a.DB, timeline.ParseQuery("quetzalcoatl"), timeline.Scope{Notes: true}, math.MaxInt64, 10); err != nil || len(ids) != 1 {
		t.Errorf("John's reply kept in the search: %v %v", ids, err)
	}
	// The erased account cannot be brought back by the admin's user form.
	_, err = f.a.Identity.UpdateUser(ctx, f.admin(), f.john.ID, identity.UserInput{Email: "john.again@example.com",
		DisplayName: "John Doe", Lang: "en", Kind: identity.Customer, Active: true})
	testutil.WantFields(t, err, ":error.user.erased")
	if u, err := identity.UserByID(ctx, f.a.DB, f.john.ID); err != nil || u.Active || u.Email != "" || u.ErasedAt == nil {
		t.Errorf("erased account after an edit: %+v %v", u, err)
	}
}

// An agent's erasure renames them in the assignment events and leaves their incidents assigned.
func TestGDPRErasureOfAnAgentRenamesTheirEvents(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice := f.user("Alice.Agent")
	inc, err := f.a.Incidents.Get(ctx, tenancy.ActorOf(alice), f.marieInc.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.act(tenancy.ActorOf(alice), inc.ID, incident.Act{Action: incident.Take, Version: inc.Version})
	pv, err := f.svc.PreviewErasure(ctx, f.admin(), alice.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if pv.Counts.Events != 1 || pv.AssignedOpen != 1 {
		t.Errorf("preview %+v", pv)
	}
	if _, err := f.svc.Erase(ctx, f.admin(), alice.ID, false, pv.Fingerprint); err != nil {
		t.Fatal(err)
	}
	if n := f.count("SELECT COUNT(*) FROM timeline_entries WHERE to_value = ? OR from_value = ?", alice.DisplayName, alice.DisplayName); n != 0 {
		t.Errorf("%d events still name Alice", n)
	}
	if n := f.count("SELECT COUNT(*) FROM timeline_entries WHERE to_value = ?", pv.Pseudonym); n != 1 {
		t.Errorf("%d events name the pseudonym", n)
	}
}

func TestGDPRErasureRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	admin := f.user("admin")
	snapshot := func() string {
		var b strings.Builder
		for _, q := range []string{"SELECT COUNT(*) FROM audit_log", "SELECT COUNT(*) FROM memberships", "SELECT COUNT(*) FROM sessions",
			"SELECT COUNT(*) FROM users WHERE erased_at IS NOT NULL OR NOT active", "SELECT COUNT(*) FROM outbox"} {
			b.WriteString(itoa(int64(f.count(q))) + " ")
		}
		return b.String()
	}
	before := snapshot()
	for _, tc := range []struct {
		name  string
		actor identity.Actor
		id    int64
		keys  []string
	}{
		// The command line's admin erasing the only admin.
		{"last admin", identity.System, admin.ID, []string{"gdpr.error.last_admin"}},
		{"yourself", f.admin(), admin.ID, []string{"gdpr.error.last_admin", "gdpr.error.yourself"}},
		{"referent and owner", f.admin(), f.marie.ID, []string{"gdpr.error.referent", "gdpr.error.owner"}},
	} {
		_, err := f.svc.PreviewErasure(ctx, tc.actor, tc.id, false)
		_, err2 := f.svc.Erase(ctx, tc.actor, tc.id, false, "")
		for _, k := range tc.keys {
			if !hasKey(err, k) || !hasKey(err2, k) {
				t.Errorf("%s: %v / %v, want %s", tc.name, err, err2, k)
			}
		}
		if tc.name == "referent and owner" {
			es, _ := i18n.AsErrors(err)
			msg := f.a.Bundle.Message("en", es[0])
			if !strings.Contains(msg, "OCB0000001, OCB0000002, OCB0000003") || !strings.Contains(msg, "Marie Dupont") {
				t.Errorf("refusal %q names the person and the tenants", msg)
			}
		}
	}
	for _, actor := range []identity.Actor{identity.ActorOf(f.john), identity.ActorOf(f.user("Alice.Agent"))} {
		if _, err := f.svc.PreviewErasure(ctx, actor, f.marie.ID, false); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("%s previewing: %v", actor.Login, err)
		}
		if _, err := f.svc.Erase(ctx, actor, f.john.ID, false, ""); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("%s erasing: %v", actor.Login, err)
		}
	}
	if after := snapshot(); after != before {
		t.Errorf("refusals wrote: %s → %s", before, after)
	}
	// With a second active admin, the first may go.
	if _, err := f.a.Identity.CreateUser(ctx, identity.System, identity.UserInput{Login: "second.admin", Email: "second@example.com",
		DisplayName: "Second Admin", Lang: "fr", Kind: identity.Admin, Active: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Check(ctx, identity.System, admin.ID); err != nil {
		t.Errorf("erasing an admin beside another: %v", err)
	}
}

// A person who wrote a lot is erased all the same: their texts are looked for in others' mails a
// few at a time, never in one expression too deep for SQLite.
func TestGDPRErasureOfAProlificWriter(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	for i := range 400 {
		if _, err := f.a.DB.NewRaw("INSERT INTO timeline_entries (subject_kind, subject_id, kind, body, actor_id, created_at) VALUES (?, ?, 'reply', ?, ?, ?)",
			incident.SubjectKind, f.johnInc.ID, "Reply number "+itoa(int64(i))+" of a long story", f.john.ID, time.Now().UTC()).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	pv, err := f.svc.PreviewErasure(ctx, f.admin(), f.john.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if pv.Counts.Texts != 401 {
		t.Errorf("%d texts, want 401", pv.Counts.Texts)
	}
	if _, err := f.svc.Erase(ctx, f.admin(), f.john.ID, true, pv.Fingerprint); err != nil {
		t.Fatal(err)
	}
}

// A role handed to the person while they are erased: either the handover commits first and the
// erasure is refused, or the erasure does and the handover finds no member. Never an erased
// referent without a membership.
func TestGDPRErasureAndARoleHandedOverAtOnce(t *testing.T) {
	for i := range 4 {
		f := newFixture(t)
		ctx := t.Context()
		t1 := f.tenant("OCB0000001")
		pv, err := f.svc.PreviewErasure(ctx, f.admin(), f.john.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var eraseErr, handErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, eraseErr = f.svc.Erase(ctx, f.admin(), f.john.ID, false, pv.Fingerprint)
		}()
		go func() {
			defer wg.Done()
			handErr = f.a.Tenancy.ChangeReferent(ctx, tenancy.ActorOf(f.marie), t1, f.john.ID)
		}()
		wg.Wait()
		if (eraseErr == nil) == (handErr == nil) {
			t.Fatalf("round %d: erasure %v, handover %v: want exactly one to pass", i, eraseErr, handErr)
		}
		tn, err := tenancy.TenantByID(ctx, f.a.DB, t1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tenancy.MembershipOf(ctx, f.a.DB, t1, tn.ReferentID); err != nil {
			t.Errorf("round %d: the referent %d is no member: %v", i, tn.ReferentID, err)
		}
	}
}
