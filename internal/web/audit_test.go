package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/audit"
	"github.com/guichet/guichet/internal/testutil"
)

// clearAuditLog empties the log of the demo desk, so that a test sees only what it writes.
func clearAuditLog(t *testing.T, d *desk) {
	t.Helper()
	if _, err := d.DB.NewDelete().Model((*audit.Entry)(nil)).Where("1 = 1").Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// writeAudit records c from ip, as the services do, and returns the entry's id.
func writeAudit(t *testing.T, d *desk, ip string, c audit.Change) int64 {
	t.Helper()
	ctx := audit.WithIP(context.Background(), ip)
	if err := audit.Write(ctx, d.DB, c); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := d.DB.NewSelect().Model((*audit.Entry)(nil)).ColumnExpr("MAX(id)").Scan(ctx, &id); err != nil {
		t.Fatal(err)
	}
	return id
}

// auditCount counts the entries of action (every entry for "").
func auditCount(t *testing.T, d *desk, action string) int {
	t.Helper()
	q := d.DB.NewSelect().Model((*audit.Entry)(nil))
	if action != "" {
		q = q.Where("action = ?", action)
	}
	n, err := q.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// auditSeed writes three entries: Marie changes John's rights on OCB0000001, the admin hands
// over OCB0000004's referent role, the backup job runs.
func auditSeed(t *testing.T, d *desk) (rights, referent, job int64) {
	clearAuditLog(t, d)
	marie, john, admin := d.user(t, "Marie.Dupont"), d.user(t, "John.Doe"), d.user(t, "admin")
	t1, t4 := d.tenant(t, "OCB0000001"), d.tenant(t, "OCB0000004")
	rights = writeAudit(t, d, "198.51.100.7", audit.Change{Action: audit.MembershipRights, ActorID: marie.ID, TenantID: t1.ID,
		SubjectID: john.ID, Before: map[string]any{"incidents": true, "users": false}, After: map[string]any{"incidents": true, "users": true}})
	referent = writeAudit(t, d, "192.0.2.44", audit.Change{Action: audit.RoleReferent, ActorID: admin.ID, TenantID: t4.ID,
		Before: map[string]any{"referent": "Paul.Martin"}, After: map[string]any{"referent": "Marie.Dupont"}})
	job = writeAudit(t, d, "", audit.Change{Action: audit.BackupTaken, ActorLabel: "job backup.daily", Object: "guichet-2026-04-01.db"})
	return rights, referent, job
}

func auditRow(n int64) string { return `id="audit-` + id(n) + `"` }

// wantRows checks which entries a page of the log shows.
func wantRows(t *testing.T, what string, r testutil.Response, shown []int64, hidden ...int64) {
	t.Helper()
	for _, e := range shown {
		if !strings.Contains(r.Body, auditRow(e)) {
			t.Errorf("%s: entry %d not shown", what, e)
		}
	}
	for _, e := range hidden {
		if strings.Contains(r.Body, auditRow(e)) {
			t.Errorf("%s: entry %d shown", what, e)
		}
	}
}

var auditPostForm = regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]*)"`)

// wantNoEditControl fails on a form that posts anywhere but to the language switch and logout.
func wantNoEditControl(t *testing.T, what string, r testutil.Response) {
	t.Helper()
	for _, m := range auditPostForm.FindAllStringSubmatch(r.Body, -1) {
		if m[1] != "/lang" && m[1] != "/logout" && m[1] != "/scope" {
			t.Errorf("%s: a form posts to %s", what, m[1])
		}
	}
}

func setLang(t *testing.T, c *testutil.Client, lang string) {
	t.Helper()
	c.Get("/profile")
	wantStatus(t, "switch to "+lang, c.Post("/lang", url.Values{"lang": {lang}, "next": {"/"}}), http.StatusSeeOther)
}

// TestAuditAdminPageShowsFiltersAndPages: an admin reads the log newest first, in their
// language, filters it, pages through it, and cannot change it.
func TestAuditAdminPageShowsFiltersAndPages(t *testing.T) {
	d := newDesk(t)
	rights, referent, job := auditSeed(t, d)
	admin := d.as(t, "admin") // reads English

	r := admin.Get("/admin/audit")
	wantStatus(t, "the log", r, http.StatusOK)
	wantRows(t, "the log", r, []int64{rights, referent, job})
	wantBody(t, "the log", r, "Audit log", "Marie Dupont (Marie.Dupont)", "Admin Guichet (admin)", "John Doe (John.Doe)",
		"198.51.100.7", "192.0.2.44", "job backup.daily", "Member’s rights changed", "Referent role handed over",
		"Backup taken", "Users right", "Incidents right", ">No<", ">Yes<", "OCB0000001", "OCB0000004", "guichet-2026-04-01.db",
		`href="/admin/audit" aria-current="page"`, `<caption class="sr-only">`, `<th scope="col">`, `<label for="f-actor">`)
	if i, j := strings.Index(r.Body, auditRow(job)), strings.Index(r.Body, auditRow(rights)); i < 0 || j < 0 || i > j {
		t.Errorf("the log is not newest first")
	}
	wantNoBody(t, "the log", r, "Older entries")
	wantNoEditControl(t, "the log", r)
	wantBody(t, "the overview", admin.Get("/admin"), `href="/admin/audit"`)

	for _, c := range []struct {
		query  string
		shown  []int64
		hidden []int64
	}{
		{"action=role.referent", []int64{referent}, []int64{rights, job}},
		{"action=membership", []int64{rights}, []int64{referent, job}},
		{"actor=marie", []int64{rights}, []int64{referent, job}},
		{"actor=" + id(d.user(t, "admin").ID), []int64{referent}, []int64{rights, job}},
		{"actor=backup", []int64{job}, []int64{rights, referent}},
		{"subject=John", []int64{rights}, []int64{referent, job}},
		{"tenant=ocb0000004", []int64{referent}, []int64{rights, job}},
		{"from=2000-01-01&to=2000-12-31", nil, []int64{rights, referent, job}},
	} {
		r := admin.Get("/admin/audit?" + c.query)
		wantStatus(t, c.query, r, http.StatusOK)
		wantRows(t, c.query, r, c.shown, c.hidden...)
		wantBody(t, c.query, r, "Clear the filters")
	}
	wantBody(t, "nothing matches", admin.Get("/admin/audit?actor=nobody-at-all"), "No entry matches these filters.")
	if r := admin.Get("/admin/audit?action=role.referent"); !strings.Contains(r.Body, `<option value="role.referent" selected>`) {
		t.Errorf("the action chosen is not kept")
	}

	// Pages of fifty, older ones through the cursor, which keeps the filter.
	marie := d.user(t, "Marie.Dupont")
	for i := 0; i < 50; i++ {
		writeAudit(t, d, "198.51.100.7", audit.Change{Action: audit.UserUpdated, ActorID: marie.ID, SubjectID: marie.ID})
	}
	r = admin.Get("/admin/audit")
	wantRows(t, "first page", r, nil, rights, referent, job)
	older := regexp.MustCompile(`<a href="([^"]+)" rel="next">Older entries</a>`).FindStringSubmatch(r.Body)
	if older == nil {
		t.Fatalf("no link to older entries")
	}
	r = admin.Get(strings.ReplaceAll(older[1], "&amp;", "&"))
	wantStatus(t, "older entries", r, http.StatusOK)
	wantRows(t, "older entries", r, []int64{rights, referent, job})
	wantBody(t, "older entries", r, "Back to the newest entries")
	wantNoBody(t, "older entries", r, "Older entries")
	r = admin.Get("/admin/audit?actor=Marie")
	if !strings.Contains(r.Body, `href="/admin/audit?actor=Marie&amp;before=`) {
		t.Errorf("the link to older entries drops the filter")
	}
	wantStatus(t, "a broken cursor", admin.Get("/admin/audit?before=abc"), http.StatusUnprocessableEntity)

	clearAuditLog(t, d)
	r = admin.Get("/admin/audit")
	wantStatus(t, "empty log", r, http.StatusOK)
	wantBody(t, "empty log", r, "The log is empty")
}

// TestAuditBadFilterIsShownBesideItsField: in each language, each refusal beside its field with
// what was typed kept, and a 422, never a 5xx; the export refuses too, and records nothing.
func TestAuditBadFilterIsShownBesideItsField(t *testing.T) {
	d := newDesk(t)
	auditSeed(t, d)
	admin := d.as(t, "admin")
	bad := "/admin/audit?from=31%2F03%2F2026&action=nope.nope&actor=Marie&tenant=OCB9999999"
	for _, c := range []struct {
		lang string
		msgs []string
	}{
		{"en", []string{"Enter a day as YYYY-MM-DD", "you typed “31/03/2026”", "Choose an action from the list.",
			"Please correct the following:"}},
		{"fr", []string{"Saisissez un jour au format AAAA-MM-JJ", "vous avez saisi «\u00a031/03/2026\u00a0»",
			"Choisissez une action dans la liste."}},
	} {
		setLang(t, admin, c.lang)
		r := admin.Get(bad)
		wantStatus(t, c.lang+": bad filter", r, http.StatusUnprocessableEntity)
		wantBody(t, c.lang+": bad filter", r, c.msgs...)
		wantBody(t, c.lang+": input kept", r, `value="31/03/2026"`, `value="Marie"`, `value="OCB9999999"`,
			`<option value="nope.nope" selected`, `id="f-from-error"`, `id="f-action-error"`, `aria-invalid="true"`)

		r = admin.Get("/admin/audit?from=2026-04-02&to=2026-04-01")
		wantStatus(t, c.lang+": period backwards", r, http.StatusUnprocessableEntity)
		wantBody(t, c.lang+": period backwards", r, `id="f-to-error"`, `value="2026-04-02"`, `value="2026-04-01"`)

		r = admin.Get("/admin/audit?tenant=OCB9999999")
		wantStatus(t, c.lang+": unknown tenant", r, http.StatusUnprocessableEntity)
		wantBody(t, c.lang+": unknown tenant", r, `id="f-tenant-error"`)
	}
	wantBody(t, "French period", admin.Get("/admin/audit?from=2026-04-02&to=2026-04-01"), "La période ne peut pas finir avant de commencer.")
	wantBody(t, "French tenant", admin.Get("/admin/audit?tenant=OCB9999999"), "Aucun tenant n’a le code OCB9999999.")
	setLang(t, admin, "en")
	wantBody(t, "English period", admin.Get("/admin/audit?from=2026-04-02&to=2026-04-01"), "The period cannot end before it starts.")

	n := auditCount(t, d, "")
	wantStatus(t, "export with a bad filter", admin.Get("/admin/audit/export.csv?from=x"), http.StatusUnprocessableEntity)
	wantStatus(t, "export of an unknown tenant", admin.Get("/admin/audit/export.csv?tenant=OCB9999999"), http.StatusUnprocessableEntity)
	if got := auditCount(t, d, ""); got != n {
		t.Errorf("refused exports wrote %d entries", got-n)
	}
}

// TestAuditExportIsExcelReadyAndRecorded: the export keeps the filter, is the reader's CSV
// (byte-order mark, comma in English, semicolon in French) and is recorded in the log first.
func TestAuditExportIsExcelReadyAndRecorded(t *testing.T) {
	d := newDesk(t)
	rights, _, _ := auditSeed(t, d)
	admin := d.as(t, "admin")
	r := admin.Get("/admin/audit?actor=marie")
	if !strings.Contains(r.Body, `href="/admin/audit/export.csv?actor=marie"`) {
		t.Errorf("the export link drops the filter")
	}

	r = admin.Get("/admin/audit/export.csv?actor=marie")
	rows := readCSV(t, "English export", r, ',')
	wantFileName(t, "English export", r, "audit-log")
	if strings.Join(rows[0], "|") != "When|Who|From (IP address)|Action|Action code|Tenant|Person concerned|Object|Before|After" {
		t.Errorf("English header: %q", rows[0])
	}
	if len(rows) != 2 || rows[1][1] != "Marie Dupont (Marie.Dupont)" || rows[1][2] != "198.51.100.7" ||
		rows[1][3] != "Member’s rights changed" || rows[1][4] != audit.MembershipRights || rows[1][5] != "OCB0000001" ||
		rows[1][8] != "Incidents right: Yes\nUsers right: No" || rows[1][9] != "Incidents right: Yes\nUsers right: Yes" {
		t.Errorf("English rows: %q", rows)
	}
	if n := auditCount(t, d, audit.AuditExported); n != 1 {
		t.Fatalf("%d export entries, want 1", n)
	}
	r = admin.Get("/admin/audit?action=audit.exported")
	wantBody(t, "the export in the log", r, "Audit log exported", "Admin Guichet (admin)", "Entries exported")
	wantRows(t, "the export in the log", r, nil, rights)

	setLang(t, admin, "fr")
	r = admin.Get("/admin/audit/export.csv?tenant=OCB0000001")
	rows = readCSV(t, "French export", r, ';')
	wantFileName(t, "French export", r, "journal-audit-OCB0000001")
	if rows[0][0] != "Date" || rows[0][2] != "Depuis (adresse IP)" || len(rows) != 2 || rows[1][3] != "Droits d’un membre modifiés" ||
		rows[1][9] != "Droit Incidents\u00a0: Oui\nDroit Utilisateurs\u00a0: Oui" {
		t.Errorf("French export: %q", rows)
	}
	if n := auditCount(t, d, audit.AuditExported); n != 2 {
		t.Errorf("%d export entries, want 2", n)
	}
}

// TestAuditTenantTabIsTheReferents: Marie reads the entries about OCB0000001 in her Journal
// tab, without the provider's addresses, and exports them; John, a member, has no tab and is
// refused; Paul reads his own tenant's and never Marie's.
func TestAuditTenantTabIsTheReferents(t *testing.T) {
	d := newDesk(t)
	rights, referent, job := auditSeed(t, d)
	t1 := d.tenant(t, "OCB0000001")
	byAdmin := writeAudit(t, d, "192.0.2.45", audit.Change{Action: audit.RoleOwner, ActorID: d.user(t, "admin").ID, TenantID: t1.ID,
		Before: map[string]any{"owner": "Marie.Dupont"}, After: map[string]any{"owner": "Marie.Dupont"}})

	marie := d.as(t, "Marie.Dupont") // reads French
	r := marie.Get("/audit")
	wantStatus(t, "Marie's log", r, http.StatusOK)
	wantRows(t, "Marie's log", r, []int64{rights, byAdmin}, referent, job)
	wantBody(t, "Marie's log", r, "Journal d’audit", `href="/audit" aria-current="page"`, "Droits d’un membre modifiés",
		"Droit Utilisateurs", "198.51.100.7", "John Doe (John.Doe)", "Rôle de propriétaire du domaine transmis")
	wantNoBody(t, "Marie's log", r, "192.0.2.45", "192.0.2.44", `id="f-tenant"`)
	wantNoEditControl(t, "Marie's log", r)
	wantBody(t, "Marie's tabs", marie.Get("/incidents"), `href="/audit"`)

	r = marie.Get("/audit?from=bad")
	wantStatus(t, "Marie's bad filter", r, http.StatusUnprocessableEntity)
	wantBody(t, "Marie's bad filter", r, "Saisissez un jour au format AAAA-MM-JJ", `value="bad"`)

	n := auditCount(t, d, audit.AuditExported)
	r = marie.Get("/audit/export.csv?action=membership")
	rows := readCSV(t, "Marie's export", r, ';')
	wantFileName(t, "Marie's export", r, "journal-audit-OCB0000001")
	if len(rows) != 2 || rows[1][5] != "OCB0000001" || rows[1][4] != audit.MembershipRights {
		t.Errorf("Marie's export: %q", rows)
	}
	if auditCount(t, d, audit.AuditExported) != n+1 {
		t.Fatalf("Marie's export was not recorded")
	}
	var e audit.Entry
	if err := d.DB.NewSelect().Model(&e).Where("action = ?", audit.AuditExported).Order("id DESC").Limit(1).Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e.TenantID == nil || *e.TenantID != t1.ID || e.ActorID == nil || *e.ActorID != d.user(t, "Marie.Dupont").ID {
		t.Errorf("Marie's export entry: %+v", e)
	}

	john := d.as(t, "John.Doe")
	wantNoBody(t, "John's tabs", john.Get("/incidents"), `href="/audit"`)
	wantStatus(t, "John's log", john.Get("/audit"), http.StatusForbidden)
	wantStatus(t, "John's log, bad filter", john.Get("/audit?from=bad"), http.StatusForbidden)
	wantStatus(t, "John's export", john.Get("/audit/export.csv"), http.StatusForbidden)
	wantStatus(t, "John's export, bad filter", john.Get("/audit/export.csv?from=bad"), http.StatusForbidden)

	paul := d.as(t, "Paul.Martin")
	r = paul.Get("/audit")
	wantStatus(t, "Paul's log", r, http.StatusOK)
	wantRows(t, "Paul's log", r, []int64{referent}, rights, byAdmin, job)
	wantStatus(t, "Paul chooses Marie's tenant", paul.Post("/scope", url.Values{"tenant": {id(t1.ID)}, "next": {"/audit"}}), http.StatusNotFound)
	r = paul.Get("/audit/export.csv")
	if rows := readCSV(t, "Paul's export", r, ';'); len(rows) != 2 || rows[1][5] != "OCB0000004" {
		t.Errorf("Paul's export: %q", rows)
	}

	for _, login := range []string{"Alice.Agent", "Marie.Dupont"} {
		c := d.as(t, login)
		wantStatus(t, login+" on the admin log", c.Get("/admin/audit"), http.StatusForbidden)
		wantStatus(t, login+" on the admin export", c.Get("/admin/audit/export.csv"), http.StatusForbidden)
	}
}
