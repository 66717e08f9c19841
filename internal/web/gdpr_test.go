package web_test

import (
	"archive/zip"
	"bytes"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

// gdprZip reads a downloaded archive's files.
func gdprZip(t *testing.T, r testutil.Response) map[string]string {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/zip" {
		t.Fatalf("archive served as %q: %.300s", ct, r.Body)
	}
	zr, err := zip.NewReader(strings.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		io.Copy(&b, rc) //nolint:errcheck
		rc.Close()
		files[f.Name] = b.String()
	}
	return files
}

func gdprDeclare(t *testing.T, d *desk, login, title string) *incident.Incident {
	t.Helper()
	u := d.user(t, login)
	inc, err := d.Incidents.Declare(t.Context(), tenancy.ActorOf(u), d.tenant(t, "OCB0000001").ID, incident.Draft{Title: title,
		Description: title + " depuis ce matin.", Service: "ecs", Region: "eu-west-0", Impact: "high", Urgency: "high", Phone: "+33 6 11 22 33 44"})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func TestGDPRPagesAndExports(t *testing.T) {
	d := newDesk(t)
	john, marie, admin := d.user(t, "John.Doe"), d.user(t, "Marie.Dupont"), d.user(t, "admin")
	gdprDeclare(t, d, "John.Doe", "Panne réseau zanzibar")
	gdprDeclare(t, d, "Marie.Dupont", "Sauvegarde bilboquet")

	// Only admins reach the GDPR pages.
	for _, login := range []string{"John.Doe", "Alice.Agent", "Sophie.Commerciale"} {
		c := d.as(t, login)
		wantStatus(t, login+" GDPR page", c.Get("/admin/users/"+id(marie.ID)+"/gdpr"), http.StatusForbidden)
		wantStatus(t, login+" export", c.Post("/admin/users/"+id(marie.ID)+"/gdpr/export", nil), http.StatusForbidden)
		wantStatus(t, login+" erase", c.Post("/admin/users/"+id(marie.ID)+"/gdpr/erase", url.Values{"fingerprint": {"x"}}), http.StatusForbidden)
	}

	// A person downloads their own data from the profile, and only theirs.
	jc := d.as(t, "John.Doe")
	wantBody(t, "profile", jc.Get("/profile"), `action="/profile/export"`, "Download my data")
	r := jc.Post("/profile/export", nil)
	wantStatus(t, "own export", r, http.StatusOK)
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, `attachment; filename="guichet-data-`+id(john.ID)+"-") {
		t.Errorf("Content-Disposition %q", cd)
	}
	files := gdprZip(t, r)
	for name, content := range files {
		if strings.Contains(content, marie.Email) || strings.Contains(content, "bilboquet") {
			t.Errorf("%s of John's archive holds Marie's data", name)
		}
	}
	if !strings.Contains(files["tickets.json"], "zanzibar") || !strings.Contains(files["account.json"], john.Email) {
		t.Errorf("John's archive lacks his data: %.500s", files["tickets.json"])
	}
	// Without the form's token, nothing.
	wantStatus(t, "export without CSRF", jc.PostRaw("/profile/export", url.Values{}), http.StatusForbidden)

	// The admin's page of a person: export and erasure form, linked from the user's page.
	ac := d.as(t, "admin")
	wantBody(t, "user page", ac.Get("/admin/users/"+id(john.ID)), `href="/admin/users/`+id(john.ID)+`/gdpr"`, "Personal data (GDPR)")
	r = ac.Get("/admin/users/" + id(john.ID) + "/gdpr")
	wantStatus(t, "GDPR page", r, http.StatusOK)
	wantBody(t, "GDPR page", r, "/gdpr/export", "/gdpr/erase/preview", `name="redact"`)
	files = gdprZip(t, ac.Post("/admin/users/"+id(john.ID)+"/gdpr/export", nil))
	if !strings.Contains(files["README.txt"], "This archive holds") || !strings.Contains(files["account.json"], john.Email) {
		t.Errorf("admin's export of John: %.300s", files["README.txt"])
	}
	wantStatus(t, "no such user", ac.Post("/admin/users/999999/gdpr/export", nil), http.StatusNotFound)
	wantStatus(t, "no such user", ac.Get("/admin/users/999999/gdpr"), http.StatusNotFound)

	// Marie holds her tenants' roles, the admin is the last one: the page says why not, a
	// preview is refused with the same words, and nothing is written.
	r = ac.Get("/admin/users/" + id(marie.ID) + "/gdpr")
	wantBody(t, "referent's page", r, "still the referent of OCB0000001, OCB0000002, OCB0000003", "still the domain owner of")
	wantNoBody(t, "referent's page", r, "/gdpr/erase/preview")
	r = ac.Post("/admin/users/"+id(marie.ID)+"/gdpr/erase/preview", url.Values{"redact": {"on"}})
	wantStatus(t, "referent's preview", r, http.StatusUnprocessableEntity)
	wantBody(t, "referent's preview", r, "still the referent of OCB0000001")
	r = ac.Post("/admin/users/"+id(marie.ID)+"/gdpr/erase", url.Values{"fingerprint": {"0"}})
	wantStatus(t, "referent's erasure", r, http.StatusUnprocessableEntity)
	r = ac.Post("/admin/users/"+id(admin.ID)+"/gdpr/erase/preview", nil)
	wantStatus(t, "own erasure", r, http.StatusUnprocessableEntity)
	wantBody(t, "own erasure", r, "the last active administrator", "your own account")
	if u := d.user(t, "Marie.Dupont"); !u.Active || u.Email != marie.Email {
		t.Errorf("a refused erasure changed Marie: %+v", u)
	}
}

var fingerprintField = regexp.MustCompile(`name="fingerprint" value="([0-9a-f]+)"`)

func TestGDPRErasureLeavesNoTraceOfThePerson(t *testing.T) {
	d := newDesk(t)
	ctx := t.Context()
	john := d.user(t, "John.Doe")
	inc := gdprDeclare(t, d, "John.Doe", "Panne réseau zanzibar")
	alice := tenancy.ActorOf(d.user(t, "Alice.Agent"))
	if _, err := d.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reply, Body: "Nous regardons."}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Incidents.Do(ctx, tenancy.ActorOf(john), inc.ID, incident.Act{Action: incident.Reply, Body: "Toujours en panne chez moi.",
		Files: []timeline.Upload{{Name: "john-doe-capture.txt", ContentType: "text/plain; charset=utf-8", Data: []byte("capture")}}}); err != nil {
		t.Fatal(err)
	}
	johnToken := testutil.APIToken(t, d.App, "John.Doe", identity.ScopeRead)
	jc := d.as(t, "John.Doe")
	marieAPI := testutil.NewAPIClient(t, d.web, testutil.APIToken(t, d.App, "Marie.Dupont", identity.ScopeRead))
	adminAPI := testutil.NewAPIClient(t, d.web, testutil.APIToken(t, d.App, "admin", identity.ScopeRead))
	traces := []string{john.DisplayName, john.Email, john.Login}

	staffPages := []string{"/staff/incidents", "/staff/incidents/" + inc.Number(), "/staff/incidents?q=zanzibar",
		"/staff/incidents/export", "/admin/users", "/admin/users?q=John", "/admin/users/" + id(john.ID), "/admin/outbox"}
	ac, alc, mc := d.as(t, "admin"), d.as(t, "Alice.Agent"), d.as(t, "Marie.Dupont")
	customerPages := []string{"/incidents", "/incidents/" + inc.Number(), "/incidents?q=zanzibar", "/incidents/export", "/users"}
	// The pages named John before.
	wantBody(t, "incident before", alc.Get("/staff/incidents/"+inc.Number()), john.DisplayName)
	wantBody(t, "search before", alc.Get("/staff/incidents?q=zanzibar"), inc.Number())
	wantBody(t, "customer search before", mc.Get("/incidents?q=zanzibar"), inc.Number())

	r := ac.Post("/admin/users/"+id(john.ID)+"/gdpr/erase/preview", url.Values{"redact": {"on"}})
	wantStatus(t, "preview", r, http.StatusOK)
	wantBody(t, "preview", r, "Utilisateur supprimé n°\u00a0"+id(john.ID), "deleted-"+id(john.ID), "1 membership removed",
		"1 incident they reported kept, its title and description replaced by the notice", "1 API token deleted")
	m := fingerprintField.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no fingerprint in the preview: %.500s", r.Body)
	}
	// A confirmation made from another preview shows the new one.
	r = ac.Post("/admin/users/"+id(john.ID)+"/gdpr/erase", url.Values{"fingerprint": {m[1]}})
	wantStatus(t, "stale confirmation", r, http.StatusConflict)
	wantBody(t, "stale confirmation", r, "no longer what the preview said")
	r = ac.Post("/admin/users/"+id(john.ID)+"/gdpr/erase", url.Values{"fingerprint": {m[1]}, "redact": {"on"}})
	wantStatus(t, "erasure", r, http.StatusSeeOther)
	if r.Location != "/admin/users/"+id(john.ID) {
		t.Errorf("erasure went to %q", r.Location)
	}
	wantBody(t, "after erasure", ac.Get(r.Location), "The person’s data was erased")

	for _, p := range staffPages {
		for _, c := range []*testutil.Client{ac, alc} {
			r := c.Get(p)
			if r.Status == http.StatusForbidden {
				continue
			}
			wantStatus(t, p, r, http.StatusOK)
			wantNoBody(t, p, r, traces...)
			if strings.Contains(p, "?q=") {
				wantNoBody(t, p, r, inc.Number()) // the search finds John's words no more
			} else {
				wantNoBody(t, p, r, "zanzibar")
			}
		}
	}
	for _, p := range customerPages {
		r := mc.Get(p)
		wantStatus(t, p, r, http.StatusOK)
		wantNoBody(t, p, r, traces...)
		if strings.Contains(p, "?q=") {
			wantNoBody(t, p, r, inc.Number())
		} else {
			wantNoBody(t, p, r, "zanzibar")
		}
	}
	r = alc.Get("/staff/incidents/" + inc.Number())
	wantBody(t, "incident after", r, "Utilisateur supprimé n°\u00a0"+id(john.ID), "Fichier supprimé (RGPD)")
	wantNoBody(t, "incident after", r, "john-doe-capture")
	var fileID int64
	if err := d.DB.NewRaw("SELECT id FROM attachments WHERE subject_id = ?", inc.ID).Scan(ctx, &fileID); err != nil {
		t.Fatal(err)
	}
	if r := alc.Get("/attachments/" + id(fileID)); r.Status >= 500 || strings.Contains(r.Body, "capture") && r.Status == http.StatusOK {
		t.Errorf("the erased file: %d %.200s", r.Status, r.Body)
	}
	for _, p := range []string{"/api/v1/incidents?tenant=OCB0000001", "/api/v1/incidents/" + inc.Number()} {
		a := marieAPI.Get(p)
		if a.Status != http.StatusOK || strings.Contains(string(a.Body), john.DisplayName) || strings.Contains(string(a.Body), john.Email) {
			t.Errorf("API %s: %d %.300s", p, a.Status, a.Body)
		}
	}
	for _, p := range []string{"/api/v1/admin/users", "/api/v1/admin/users/" + id(john.ID)} {
		a := adminAPI.Get(p)
		for _, trace := range traces {
			if a.Status != http.StatusOK || strings.Contains(string(a.Body), trace) {
				t.Errorf("API %s: %d holds %q: %.300s", p, a.Status, trace, a.Body)
			}
		}
	}
	// John is out: his session and his token open nothing.
	if r := jc.Get("/"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
		t.Errorf("John's session after erasure: %d %q", r.Status, r.Location)
	}
	if a := testutil.NewAPIClient(t, d.web, johnToken).Get("/api/v1/me"); a.Status != http.StatusUnauthorized {
		t.Errorf("John's token after erasure: %d", a.Status)
	}
	// No mail names him.
	var n int
	for _, trace := range traces[:2] {
		p := "%" + trace + "%"
		if err := d.DB.NewRaw("SELECT COUNT(*) FROM outbox WHERE recipient_email LIKE ? OR recipient_name LIKE ? OR subject LIKE ? OR body_text LIKE ? OR body_html LIKE ?",
			p, p, p, p, p).Scan(ctx, &n); err != nil || n != 0 {
			t.Errorf("%d mails hold %q (%v)", n, trace, err)
		}
	}
	// His page says he was erased, and a second erasure is refused.
	r = ac.Get("/admin/users/" + id(john.ID) + "/gdpr")
	wantBody(t, "erased page", r, "This account has already been erased.")
	wantNoBody(t, "erased page", r, "/gdpr/erase/preview")
}
