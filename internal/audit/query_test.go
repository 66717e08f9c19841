package audit_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// logDesk is a demo desk whose log is emptied, so that a test counts only what it writes.
type logDesk struct {
	*app.App
	t *testing.T
}

func newLogDesk(t *testing.T) *logDesk {
	t.Helper()
	a := testutil.NewApp(t)
	if _, err := a.DB.NewDelete().Model((*audit.Entry)(nil)).Where("1 = 1").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &logDesk{App: a, t: t}
}

func (d *logDesk) user(login string) *identity.User {
	d.t.Helper()
	u, err := identity.UserByLogin(context.Background(), d.DB, login)
	if err != nil {
		d.t.Fatalf("user %s: %v", login, err)
	}
	return u
}

func (d *logDesk) tenant(code string) *tenancy.Tenant {
	d.t.Helper()
	tn, err := tenancy.TenantByCode(context.Background(), d.DB, code)
	if err != nil {
		d.t.Fatalf("tenant %s: %v", code, err)
	}
	return tn
}

// write records c from ip at the instant at, and returns the entry's id.
func (d *logDesk) write(c audit.Change, ip string, at time.Time) int64 {
	d.t.Helper()
	ctx := audit.WithIP(context.Background(), ip)
	if err := audit.Write(ctx, d.DB, c); err != nil {
		d.t.Fatal(err)
	}
	var id int64
	if err := d.DB.NewSelect().Model((*audit.Entry)(nil)).ColumnExpr("MAX(id)").Scan(ctx, &id); err != nil {
		d.t.Fatal(err)
	}
	if _, err := d.DB.NewUpdate().Model((*audit.Entry)(nil)).Set("at = ?", at.UTC()).Where("id = ?", id).Exec(ctx); err != nil {
		d.t.Fatal(err)
	}
	return id
}

func ids(es []audit.Entry) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestAuditListFiltersAndPages: newest first with names and codes joined; every criterion; the
// days are Paris days; the cursor pages through without a gap or a repeat.
func TestAuditListFiltersAndPages(t *testing.T) {
	d := newLogDesk(t)
	ctx := context.Background()
	admin, marie, john := d.user("admin"), d.user("Marie.Dupont"), d.user("John.Doe")
	t1, t4 := d.tenant("OCB0000001"), d.tenant("OCB0000004")
	// 31 March 22:30 UTC is already 1 April in Paris (summer time).
	e1 := d.write(audit.Change{Action: audit.UserCreated, ActorID: admin.ID, SubjectID: john.ID, Object: "John.Doe",
		After: map[string]any{"login": "John.Doe"}}, "192.0.2.1", time.Date(2026, 3, 30, 10, 0, 0, 0, time.UTC))
	e2 := d.write(audit.Change{Action: audit.MembershipRights, ActorID: marie.ID, TenantID: t1.ID, SubjectID: john.ID,
		Before: map[string]any{"incidents": true, "users": false}, After: map[string]any{"incidents": true, "users": true}},
		"198.51.100.7", time.Date(2026, 3, 31, 22, 30, 0, 0, time.UTC))
	e3 := d.write(audit.Change{Action: audit.RoleReferent, ActorID: admin.ID, TenantID: t4.ID,
		Before: map[string]any{"referent": "Paul.Martin"}, After: map[string]any{"referent": "Marie.Dupont"}},
		"192.0.2.1", time.Date(2026, 4, 2, 8, 0, 0, 0, time.UTC))
	e4 := d.write(audit.Change{Action: audit.BackupTaken, ActorLabel: "job backup.daily", Object: "backup"},
		"", time.Date(2026, 4, 3, 1, 0, 0, 0, time.UTC))
	e5 := d.write(audit.Change{Action: audit.MembershipRemoved, ActorID: marie.ID, TenantID: t1.ID, SubjectID: john.ID,
		Before: map[string]any{"incidents": true}}, "198.51.100.7", time.Date(2026, 4, 3, 9, 0, 0, 0, time.UTC))

	list := func(f audit.Filter, limit int) ([]audit.Entry, int64) {
		t.Helper()
		es, next, err := audit.List(ctx, d.DB, f, limit)
		if err != nil {
			t.Fatal(err)
		}
		return es, next
	}
	es, next := list(audit.Filter{}, 0)
	if !sameIDs(ids(es), []int64{e5, e4, e3, e2, e1}) || next != 0 {
		t.Fatalf("whole log: %v next %d, want newest first", ids(es), next)
	}
	got := es[3]
	if got.ActorName != "Marie Dupont (Marie.Dupont)" || got.SubjectName != "John Doe (John.Doe)" ||
		got.TenantCode != "OCB0000001" || got.IP != "198.51.100.7" || got.Action != audit.MembershipRights {
		t.Errorf("joined entry: %+v", got)
	}
	if es[1].ActorName != "" || es[1].ActorLabel != "job backup.daily" || es[1].TenantCode != "" || es[1].SubjectName != "" {
		t.Errorf("program's entry: %+v", es[1])
	}

	for _, c := range []struct {
		what string
		f    audit.Filter
		want []int64
	}{
		{"actor login, any case", audit.Filter{Actor: "marie.dup"}, []int64{e5, e2}},
		{"actor name without accents", audit.Filter{Actor: "dupont"}, []int64{e5, e2}},
		{"actor id", audit.Filter{Actor: id64(admin.ID)}, []int64{e3, e1}},
		{"actor label", audit.Filter{Actor: "backup.daily"}, []int64{e4}},
		{"subject", audit.Filter{Subject: "john"}, []int64{e5, e2, e1}},
		{"subject id", audit.Filter{Subject: id64(john.ID)}, []int64{e5, e2, e1}},
		{"action", audit.Filter{Action: audit.MembershipRights}, []int64{e2}},
		{"action family", audit.Filter{Action: "membership"}, []int64{e5, e2}},
		{"tenant id", audit.Filter{TenantID: t1.ID}, []int64{e5, e2}},
		{"tenant code", audit.Filter{TenantCode: "OCB0000004"}, []int64{e3}},
		{"Paris day of a UTC evening", audit.Filter{From: calendar.NewDate(2026, 4, 1), To: calendar.NewDate(2026, 4, 1)}, []int64{e2}},
		{"up to 31 March in Paris", audit.Filter{To: calendar.NewDate(2026, 3, 31)}, []int64{e1}},
		{"from 2 April", audit.Filter{From: calendar.NewDate(2026, 4, 2)}, []int64{e5, e4, e3}},
		{"criteria together", audit.Filter{Actor: "marie", Action: "membership", From: calendar.NewDate(2026, 4, 3)}, []int64{e5}},
		{"nobody", audit.Filter{Actor: "nobody-at-all"}, nil},
		{"unknown action", audit.Filter{Action: "no.such"}, nil},
	} {
		if es, _ := list(c.f, 0); !sameIDs(ids(es), c.want) {
			t.Errorf("%s: %v, want %v", c.what, ids(es), c.want)
		}
	}

	// Pages of two: 5 4 | 3 2 | 1, each page's cursor leading to the next.
	var seen []int64
	f := audit.Filter{}
	for page := 0; ; page++ {
		es, next := list(f, 2)
		seen = append(seen, ids(es)...)
		if next == 0 {
			break
		}
		if page > 3 || next != es[len(es)-1].ID {
			t.Fatalf("page %d: next %d after %v", page, next, ids(es))
		}
		f.Before = next
	}
	if !sameIDs(seen, []int64{e5, e4, e3, e2, e1}) {
		t.Errorf("paged: %v", seen)
	}
	// A page that ends exactly at the last entry says there is nothing older.
	if es, next := list(audit.Filter{Before: e2}, 1); !sameIDs(ids(es), []int64{e1}) || next != 0 {
		t.Errorf("last page: %v next %d", ids(es), next)
	}

	// Staff addresses masked, the customer's kept.
	es, _ = list(audit.Filter{MaskStaffIP: true}, 0)
	for _, e := range es {
		staff := e.ActorID != nil && *e.ActorID == admin.ID
		if staff && e.IP != "" || !staff && e.ActorID != nil && e.IP == "" {
			t.Errorf("masked staff addresses: entry %d by %v has IP %q", e.ID, e.ActorName, e.IP)
		}
	}
}

func id64(n int64) string { return strconv.FormatInt(n, 10) }

// TestAuditParseFilter: each refusal beside its field, the rest read.
func TestAuditParseFilter(t *testing.T) {
	f, err := audit.ParseFilter(audit.Query{From: " 2026-04-01 ", To: "2026-04-30", Action: "2fa", Actor: " Marie ",
		Subject: "john", Tenant: "ocb0000001", Before: "42"})
	if err != nil {
		t.Fatal(err)
	}
	if f.From != calendar.NewDate(2026, 4, 1) || f.To != calendar.NewDate(2026, 4, 30) || f.Action != "2fa" ||
		f.Actor != "Marie" || f.Subject != "john" || f.TenantCode != "OCB0000001" || f.Before != 42 {
		t.Errorf("parsed: %+v", f)
	}
	for _, c := range []struct {
		q      audit.Query
		fields map[string]string
	}{
		{audit.Query{From: "31/03/2026"}, map[string]string{"from": "audit.error.date"}},
		{audit.Query{To: "2026-02-30"}, map[string]string{"to": "audit.error.date"}},
		{audit.Query{From: "0000-01-01"}, map[string]string{"from": "audit.error.date"}},
		{audit.Query{From: "2026-04-02", To: "2026-04-01"}, map[string]string{"to": "audit.error.period"}},
		{audit.Query{Action: "membership.nope"}, map[string]string{"action": "audit.error.action"}},
		{audit.Query{Action: "config"}, map[string]string{"action": "audit.error.action"}}, // a family of one is no group
		{audit.Query{Actor: strings.Repeat("é", audit.MaxText+1)}, map[string]string{"actor": "audit.error.too_long"}},
		{audit.Query{Before: "-3"}, map[string]string{"": "audit.error.cursor"}},
		{audit.Query{Before: "9223372036854775808"}, map[string]string{"": "audit.error.cursor"}},
		{audit.Query{From: "x", Action: "x", Subject: strings.Repeat("a", 101)},
			map[string]string{"from": "audit.error.date", "action": "audit.error.action", "subject": "audit.error.too_long"}},
	} {
		_, err := audit.ParseFilter(c.q)
		es, ok := i18n.AsErrors(err)
		if !ok {
			t.Errorf("%+v: %v, want refusals", c.q, err)
			continue
		}
		got := map[string]string{}
		for _, e := range es {
			got[e.Field] = e.Key
		}
		if len(got) != len(c.fields) {
			t.Errorf("%+v: refusals %v, want %v", c.q, got, c.fields)
		}
		for field, key := range c.fields {
			if got[field] != key {
				t.Errorf("%+v: field %q refused with %q, want %q", c.q, field, got[field], key)
			}
		}
	}
	if _, err := audit.ParseFilter(audit.Query{}); err != nil {
		t.Errorf("empty filter refused: %v", err)
	}
}

// TestAuditActionsAreGroupedAndLabelled: every action is offered once, every family of several
// is a group, and every action, group and known value has its label in both languages.
func TestAuditActionsAreGroupedAndLabelled(t *testing.T) {
	d := testutil.NewApp(t)
	seen := map[string]bool{}
	for _, g := range audit.ActionGroups() {
		if g.Name != "" && len(g.Actions) < 2 {
			t.Errorf("group %q of %d action", g.Name, len(g.Actions))
		}
		for _, lang := range i18n.Langs {
			if g.Name != "" && !d.Bundle.Has(lang, "audit.group."+g.Name) {
				t.Errorf("%s: no label for group %q", lang, g.Name)
			}
		}
		for _, a := range g.Actions {
			if seen[a] {
				t.Errorf("action %q offered twice", a)
			}
			seen[a] = true
		}
	}
	if len(seen) != len(audit.Actions) {
		t.Errorf("%d actions offered, want %d", len(seen), len(audit.Actions))
	}
	for _, a := range audit.Actions {
		for _, lang := range i18n.Langs {
			if !d.Bundle.Has(lang, "audit.action."+a) {
				t.Errorf("%s: no label for action %q", lang, a)
			}
		}
	}
	if _, err := audit.ParseFilter(audit.Query{Action: "membership"}); err != nil {
		t.Errorf("family refused: %v", err)
	}
}

// TestAuditPresenterWritesEntriesForTheReader: labels and values in the reader's language,
// unknown names as they are, the program in words, and the CSV's columns.
func TestAuditPresenterWritesEntriesForTheReader(t *testing.T) {
	d := testutil.NewApp(t)
	fr, en := audit.NewPresenter(d.Bundle, "fr"), audit.NewPresenter(d.Bundle, "en")
	changes := fr.Changes(audit.MembershipRights, `{"users":false,"incidents":true,"zz_unknown":"x"}`,
		`{"users":true,"incidents":true,"lang":"en","kind":"customer","zz_unknown":"y","new_one":3}`)
	var got []string
	for _, c := range changes {
		got = append(got, c.Label+"="+c.Before+">"+c.After)
	}
	want := []string{"Type d’utilisateur=>Client", "Langue=>Anglais", "Droit Incidents=Oui>Oui", "Droit Utilisateurs=Non>Oui",
		"new_one=>3", "zz_unknown=x>y"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("French changes:\n got %v\nwant %v", got, want)
	}
	if c := changes[0]; c.HasBefore || !c.HasAfter {
		t.Errorf("a value set for the first time: %+v", c)
	}
	if cs := en.Changes(audit.InvitationCancelled, `{"status":"pending"}`, `{"status":"cancelled"}`); cs[0].Before != "Pending" || cs[0].After != "Cancelled" {
		t.Errorf("invitation status in English: %+v", cs)
	}
	if cs := en.Changes(audit.TokenCreated, "", `{"expires":"2027-01-31"}`); cs[0].After != "31 January 2027" {
		t.Errorf("a day in English: %+v", cs)
	}
	if cs := fr.Changes(audit.UserUpdated, "not json", ""); len(cs) != 1 || cs[0].Label != "" || cs[0].Before != "not json" || cs[0].HasAfter {
		t.Errorf("text that is not JSON: %+v", cs)
	}

	uid := int64(7)
	lines := fr.Lines([]audit.Entry{
		{ID: 3, At: time.Date(2026, 7, 1, 22, 5, 0, 0, time.UTC), ActorLabel: "job backup.daily", Action: audit.BackupTaken},
		{ID: 2, At: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC), ActorID: &uid, ActorName: "Marie Dupont (Marie.Dupont)",
			IP: "192.0.2.1", Action: audit.MembershipRights, TenantCode: "OCB0000001", SubjectName: "John Doe (John.Doe)",
			Before: `{"users":false}`, After: `{"users":true}`},
		{ID: 1, Action: "future.action", ActorLabel: "invitee@example.com"},
		{ID: 0, Action: audit.TwoFactorReset, ActorLabel: "command line (user reset-2fa)"},
	})
	if l := lines[3]; l.Who != "ligne de commande (guichet user reset-2fa)" || l.WhoIsData {
		t.Errorf("a command's entry: %+v", l)
	}
	if l := lines[0]; l.Who != "tâche backup.daily" || l.WhoIsData || l.ActionLabel != "Sauvegarde effectuée" {
		t.Errorf("the program's entry: %+v", l)
	}
	if l := lines[1]; l.Who != "Marie Dupont (Marie.Dupont)" || !l.WhoIsData {
		t.Errorf("a person's entry: %+v", l)
	}
	if l := lines[2]; l.Who != "invitee@example.com" || !l.WhoIsData || l.ActionLabel != "future.action" {
		t.Errorf("an unknown label and action: %+v", l)
	}
	if w := en.Line(audit.Entry{Action: audit.ConfigLoaded}).Who; w != "Guichet (the program)" {
		t.Errorf("the program without a label: %q", w)
	}

	header, rows := fr.CSV([]audit.Entry{lines[1].Entry, lines[0].Entry})
	if strings.Join(header, ";") != "Date;Auteur;Depuis (adresse IP);Action;Code de l’action;Tenant;Personne concernée;Objet;Avant;Après" {
		t.Errorf("French header: %v", header)
	}
	if r := rows[0]; r[0] != "2026-01-01 09:00:00" || r[4] != audit.MembershipRights || r[8] != "Droit Utilisateurs\u00a0: Non" ||
		r[9] != "Droit Utilisateurs\u00a0: Oui" || r[5] != "OCB0000001" {
		t.Errorf("French row: %q", r)
	}
	if r := rows[1]; r[0] != "2026-07-02 00:05:00" || r[1] != "tâche backup.daily" {
		t.Errorf("the program's row, in Paris summer time: %q", r)
	}
	if _, rows := en.CSV([]audit.Entry{lines[1].Entry}); rows[0][9] != "Users right: Yes" {
		t.Errorf("English row: %q", rows[0])
	}
}
