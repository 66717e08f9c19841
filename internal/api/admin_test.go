package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/testutil"
)

// adminProblemOf decodes a problem+json answer: its detail and its refused fields.
func adminProblemOf(t *testing.T, r testutil.APIResponse) (detail string, fields map[string]string) {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("answer %d is %q, not a problem: %.300s", r.Status, ct, r.Body)
	}
	var p struct {
		Detail string
		Status int
		Errors []struct{ Field, Message string }
	}
	r.JSON(t, &p)
	if p.Status != r.Status {
		t.Fatalf("problem status %d in an answer %d", p.Status, r.Status)
	}
	fields = map[string]string{}
	for _, e := range p.Errors {
		fields[e.Field] = e.Message
	}
	return p.Detail, fields
}

func adminWant(t *testing.T, what string, r testutil.APIResponse, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: %d, want %d: %.500s", what, r.Status, status, r.Body)
	}
}

type adminUserBody struct {
	ID                       int64
	Login, Name, Email, Lang string
	Kind                     string
	Active                   bool
	TwoFactor                bool       `json:"two_factor"`
	LockedAt                 *time.Time `json:"locked_at"`
	CreatedAt, UpdatedAt     time.Time
}

type adminTenantBody struct {
	Code, Name, Status, Level string
	Referent, Owner           *struct{ Login, Name, Email string }
	SalesRep                  *struct{ Login, Name, Email string } `json:"sales_rep"`
	Members                   []struct {
		Login  string
		Rights struct{ Incidents, Changes, Contract, Users, Referent, Owner bool }
	}
	History []struct {
		Level          string
		EffectiveFrom  string `json:"effective_from"`
		CommittedUntil string `json:"committed_until"`
	}
}

type adminMailBody struct {
	ID                          int64
	Status, Kind, Subject, Lang string
	RecipientEmail              string     `json:"recipient_email"`
	LastError                   string     `json:"last_error"`
	BodyText                    string     `json:"body_text"`
	BodyHTML                    string     `json:"body_html"`
	NextAttemptAt               *time.Time `json:"next_attempt_at"`
	DeadlineAt                  time.Time  `json:"deadline_at"`
}

// adminRead decodes an answer into a fresh value: decoding into a value read before would keep
// the fields the new answer leaves out.
func adminRead[T any](t *testing.T, r testutil.APIResponse) T {
	t.Helper()
	var v T
	r.JSON(t, &v)
	return v
}

type adminList[T any] struct {
	Items []T
	Total int
	Next  string
}

// adminMailFor writes the password-reset mail of login in the outbox and returns it.
func adminMailFor(t *testing.T, d *desk, login, email string) *notify.Message {
	t.Helper()
	if err := d.Identity.RequestPasswordReset(context.Background(), login); err != nil {
		t.Fatal(err)
	}
	m := new(notify.Message)
	if err := d.DB.NewSelect().Model(m).Where("recipient_email = ?", email).Order("id DESC").Limit(1).Scan(context.Background()); err != nil {
		t.Fatalf("no mail to %s: %v", email, err)
	}
	return m
}

func adminUserID(t *testing.T, d *desk, login string) int64 {
	t.Helper()
	u, err := identity.UserByLogin(context.Background(), d.DB, login)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// Every admin operation refuses every other persona with 403 and says why in the reader's
// language, a request without a token with 401, and an admin's read-only token may read but
// not change; nothing is written by a refusal.
func TestAdminOperationsRefuseEveryOtherPersona(t *testing.T) {
	d := newDesk(t)
	mail := adminMailFor(t, d, "Paul.Martin", "paul.martin@example.fr")
	john := strconv.FormatInt(adminUserID(t, d, "John.Doe"), 10)
	msg := strconv.FormatInt(mail.ID, 10)
	routes := []struct {
		method, path string
		body         any
		write        bool
	}{
		{http.MethodGet, "/api/v1/admin/users", nil, false},
		{http.MethodGet, "/api/v1/admin/users?q=doe&kind=customer", nil, false},
		{http.MethodPost, "/api/v1/admin/users", map[string]any{"login": "Eve.Intruder", "name": "Eve", "email": "eve@example.com", "kind": "admin"}, true},
		{http.MethodGet, "/api/v1/admin/users/" + john, nil, false},
		{http.MethodPatch, "/api/v1/admin/users/" + john, map[string]any{"kind": "admin"}, true},
		{http.MethodGet, "/api/v1/admin/tenants", nil, false},
		{http.MethodPost, "/api/v1/admin/tenants", map[string]any{"code": "OCB0000077", "name": "Intrus", "referent": "Paul.Martin",
			"owner": "Paul.Martin", "level": "basic", "effective_from": "2026-01-01"}, true},
		{http.MethodGet, "/api/v1/admin/tenants/OCB0000001", nil, false},
		{http.MethodGet, "/api/v1/admin/tenants/OCB0000004", nil, false},
		{http.MethodPatch, "/api/v1/admin/tenants/OCB0000001", map[string]any{"status": "cancelled"}, true},
		{http.MethodGet, "/api/v1/admin/outbox", nil, false},
		{http.MethodGet, "/api/v1/admin/outbox?status=dead", nil, false},
		{http.MethodGet, "/api/v1/admin/outbox/" + msg, nil, false},
		{http.MethodPost, "/api/v1/admin/outbox/" + msg + "/retry", nil, true},
	}
	before := adminFingerprint(t, d)
	for _, who := range []struct{ login, detail string }{
		{"Marie.Dupont", "Seuls les administrateurs peuvent utiliser les opérations /admin."},
		{"John.Doe", "Only administrators may use the /admin operations."},
		{"Paul.Martin", "Seuls les administrateurs peuvent utiliser les opérations /admin."},
		{"Alice.Agent", "Only administrators may use the /admin operations."},
		{"Sophie.Commerciale", "Seuls les administrateurs peuvent utiliser les opérations /admin."},
	} {
		c := d.as(t, who.login)
		for _, rt := range routes {
			r := c.Do(rt.method, rt.path, rt.body)
			what := rt.method + " " + rt.path + " as " + who.login
			adminWant(t, what, r, http.StatusForbidden)
			if detail, _ := adminProblemOf(t, r); detail != who.detail {
				t.Errorf("%s: detail %q", what, detail)
			}
			if strings.Contains(string(r.Body), "paul.martin@example.fr") || strings.Contains(string(r.Body), "Dupont Industrie") {
				t.Errorf("%s: the refusal leaks data: %s", what, r.Body)
			}
		}
	}
	anon := testutil.NewAPIClient(t, d.web, "")
	ro := d.readOnly(t, "admin")
	for _, rt := range routes {
		adminWant(t, rt.method+" "+rt.path+" without a token", anon.Do(rt.method, rt.path, rt.body), http.StatusUnauthorized)
		r := ro.Do(rt.method, rt.path, rt.body)
		switch {
		case rt.write && r.Status != http.StatusForbidden:
			t.Errorf("%s %s with an admin's read-only token: %d", rt.method, rt.path, r.Status)
		case !rt.write && r.Status != http.StatusOK:
			t.Errorf("%s %s as admin: %d %.300s", rt.method, rt.path, r.Status, r.Body)
		}
	}
	if after := adminFingerprint(t, d); after != before {
		t.Errorf("refusals wrote:\n before %s\n after  %s", before, after)
	}
}

// adminFingerprint sums what the admin operations change.
func adminFingerprint(t *testing.T, d *desk) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT count(*) FROM users", "SELECT count(*) FROM users WHERE active", "SELECT count(*) FROM users WHERE kind = 'admin'",
		"SELECT count(*) FROM tenants", "SELECT count(*) FROM tenants WHERE status = 'active'", "SELECT count(*) FROM outbox",
		"SELECT count(*) FROM outbox WHERE status = 'pending'",
	} {
		var n int
		if err := d.DB.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		b.WriteString(strconv.Itoa(n) + " ")
	}
	return b.String()
}

// Admins list accounts with the users page's search, page after page, read one, create one
// (mailed a link to set its password, once even when the create is sent twice), change and
// disable one: a disabled account's token no longer opens the API.
func TestAdminManagesUsersThroughTheAPI(t *testing.T) {
	d := newDesk(t)
	admin := d.as(t, "admin")

	all := adminRead[adminList[adminUserBody]](t, admin.Get("/api/v1/admin/users?limit=3"))
	if len(all.Items) != 3 || all.Total < 6 || all.Next == "" {
		t.Fatalf("first page: %+v", all)
	}
	r := admin.Get(all.Next)
	adminWant(t, "next page", r, http.StatusOK)
	next := adminRead[adminList[adminUserBody]](t, r)
	if len(next.Items) == 0 || next.Items[0].Login == all.Items[0].Login || next.Total != all.Total {
		t.Errorf("second page: %+v", next)
	}
	if link := r.Header.Get("Link"); next.Next != "" && link != "<"+next.Next+`>; rel="next"` {
		t.Errorf("Link %q for next %q", link, next.Next)
	}
	adminWant(t, "bad cursor", admin.Get("/api/v1/admin/users?cursor=nope"), http.StatusBadRequest)
	found := adminRead[adminList[adminUserBody]](t, admin.Get("/api/v1/admin/users?q=DUPONT"))
	if len(found.Items) != 1 || found.Items[0].Login != "Marie.Dupont" || found.Items[0].Name != "Marie Dupont" {
		t.Errorf("search dupont: %+v", found)
	}
	found = adminRead[adminList[adminUserBody]](t, admin.Get("/api/v1/admin/users?kind=agent"))
	for _, u := range found.Items {
		if u.Kind != "agent" {
			t.Errorf("kind=agent lists %s (%s)", u.Login, u.Kind)
		}
	}
	found = adminRead[adminList[adminUserBody]](t, admin.Get("/api/v1/admin/users?locked=true"))
	if found.Total != 0 {
		t.Errorf("locked accounts in the demo: %+v", found)
	}

	johnID := adminUserID(t, d, "John.Doe")
	johnPath := "/api/v1/admin/users/" + strconv.FormatInt(johnID, 10)
	john := adminRead[adminUserBody](t, admin.Get(johnPath))
	if john.Login != "John.Doe" || john.Kind != "customer" || john.Lang != "en" || !john.Active || john.Email != "john.doe@example.com" {
		t.Errorf("John: %+v", john)
	}
	adminWant(t, "no such user", admin.Get("/api/v1/admin/users/999999"), http.StatusNotFound)

	// Create, twice with one key: one account, one mail.
	outbox := func() int {
		n, err := d.DB.NewSelect().Model((*notify.Message)(nil)).Where("recipient_email = 'jane.roe@example.com'").Count(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	newUser := map[string]any{"login": "Jane.Roe", "name": "Jane Roe", "email": "jane.roe@example.com", "kind": "agent"}
	r = admin.Post("/api/v1/admin/users", newUser, "Idempotency-Key", "jane-1")
	adminWant(t, "create", r, http.StatusCreated)
	jane := adminRead[adminUserBody](t, r)
	if jane.Login != "Jane.Roe" || jane.Kind != "agent" || !jane.Active || jane.Lang != d.Config.DefaultLang ||
		r.Header.Get("Location") != "/api/v1/admin/users/"+strconv.FormatInt(jane.ID, 10) {
		t.Errorf("created: %+v at %q", jane, r.Header.Get("Location"))
	}
	again := admin.Post("/api/v1/admin/users", newUser, "Idempotency-Key", "jane-1")
	jane2 := adminRead[adminUserBody](t, again)
	if again.Status != http.StatusCreated || jane2.ID != jane.ID || outbox() != 1 {
		t.Errorf("retry with the same key: %d, id %d vs %d, %d mails", again.Status, jane2.ID, jane.ID, outbox())
	}

	// Refusals, beside the API's field names, in the reader's language; nothing written.
	for _, lang := range []string{"en", "fr"} {
		admin.Lang = lang
		r := admin.Post("/api/v1/admin/users", map[string]any{"login": "bad login!", "name": " ", "email": "not-an-address", "kind": "customer"})
		adminWant(t, "bad user in "+lang, r, http.StatusUnprocessableEntity)
		_, fields := adminProblemOf(t, r)
		for f, key := range map[string]string{"login": "error.user.login_format", "name": "error.field.required", "email": "error.field.email"} {
			if want := d.Bundle.T(lang, key, nil); fields[f] != want {
				t.Errorf("%s: %s refused with %q, want %q", lang, f, fields[f], want)
			}
		}
		if _, ok := fields["display_name"]; ok {
			t.Errorf("%s: the refusal names the page's field: %v", lang, fields)
		}
		r = admin.Post("/api/v1/admin/users", map[string]any{"login": "john.doe", "name": "Another John", "email": "john2@example.com", "kind": "customer"})
		adminWant(t, "taken login in "+lang, r, http.StatusUnprocessableEntity)
		if _, fields := adminProblemOf(t, r); fields["login"] != d.Bundle.T(lang, "error.user.login_taken", nil) {
			t.Errorf("%s: taken login: %v", lang, fields)
		}
		r = admin.Post("/api/v1/admin/users", map[string]any{"login": "Kim.Lee", "name": "Kim", "email": "kim@example.com"})
		adminWant(t, "no kind in "+lang, r, http.StatusUnprocessableEntity)
		if _, fields := adminProblemOf(t, r); fields["kind"] != d.Bundle.T(lang, "api.field.required", nil) {
			t.Errorf("%s: missing kind: %v", lang, fields)
		}
	}
	admin.Lang = ""

	// Update: the fields sent change, the others stay.
	johnSecret := testutil.APIToken(t, d.App, "John.Doe", identity.ScopeRead)
	r = admin.Do(http.MethodPatch, johnPath, map[string]any{"name": "Johnny Doe"})
	adminWant(t, "rename", r, http.StatusOK)
	john = adminRead[adminUserBody](t, r)
	if john.Name != "Johnny Doe" || john.Email != "john.doe@example.com" || john.Kind != "customer" || john.Lang != "en" || !john.Active {
		t.Errorf("renamed: %+v", john)
	}
	r = admin.Do(http.MethodPatch, johnPath, map[string]any{"email": "nope"})
	adminWant(t, "bad address", r, http.StatusUnprocessableEntity)
	if _, fields := adminProblemOf(t, r); fields["email"] == "" {
		t.Errorf("bad address: %v", fields)
	}
	adminWant(t, "John's token before", testutil.NewAPIClient(t, d.web, johnSecret).Get("/api/v1/me"), http.StatusOK)
	r = admin.Do(http.MethodPatch, johnPath, map[string]any{"active": false})
	adminWant(t, "disable", r, http.StatusOK)
	john = adminRead[adminUserBody](t, r)
	if john.Active || john.Name != "Johnny Doe" {
		t.Errorf("disabled: %+v", john)
	}
	adminWant(t, "John's token once disabled", testutil.NewAPIClient(t, d.web, johnSecret).Get("/api/v1/me"), http.StatusUnauthorized)
	adminID := adminUserID(t, d, "admin")
	admin.Lang = "fr"
	r = admin.Do(http.MethodPatch, "/api/v1/admin/users/"+strconv.FormatInt(adminID, 10), map[string]any{"active": false})
	adminWant(t, "disabling oneself", r, http.StatusUnprocessableEntity)
	if _, fields := adminProblemOf(t, r); fields["active"] != d.Bundle.T("fr", "error.user.not_yourself", nil) {
		t.Errorf("disabling oneself: %v", fields)
	}
	adminWant(t, "update no such user", admin.Do(http.MethodPatch, "/api/v1/admin/users/999999", map[string]any{"name": "X"}), http.StatusNotFound)
	r = admin.Do(http.MethodPatch, johnPath, map[string]any{"login": "Johnny"})
	adminWant(t, "the login never changes", r, http.StatusUnprocessableEntity)
	if _, fields := adminProblemOf(t, r); fields["login"] == "" {
		t.Errorf("unknown field login: %v", fields)
	}
}

// Admins list, read, onboard and change tenants; the refusals name the API's fields.
func TestAdminManagesTenantsThroughTheAPI(t *testing.T) {
	d := newDesk(t)
	admin := d.as(t, "admin")

	list := adminRead[adminList[adminTenantBody]](t, admin.Get("/api/v1/admin/tenants?limit=2"))
	if len(list.Items) != 2 || list.Total < 4 || list.Next == "" || list.Items[0].Code != "OCB0000001" || list.Items[0].Level != "premium" {
		t.Fatalf("tenants: %+v", list)
	}
	list = adminRead[adminList[adminTenantBody]](t, admin.Get("/api/v1/admin/tenants?q=pr%C3%A9production"))
	if len(list.Items) != 1 || list.Items[0].Code != "OCB0000002" {
		t.Errorf("search: %+v", list)
	}

	var one adminTenantBody
	r := admin.Get("/api/v1/admin/tenants/OCB0000001")
	adminWant(t, "get", r, http.StatusOK)
	one = adminRead[adminTenantBody](t, r)
	if one.Referent == nil || one.Referent.Login != "Marie.Dupont" || one.Owner == nil || one.Level != "premium" || len(one.History) == 0 {
		t.Errorf("OCB0000001: %+v", one)
	}
	rights := map[string]bool{}
	for _, m := range one.Members {
		rights[m.Login] = m.Rights.Referent && m.Rights.Owner && m.Rights.Users
		if m.Login == "John.Doe" && (!m.Rights.Incidents || m.Rights.Changes || m.Rights.Referent) {
			t.Errorf("John's rights: %+v", m.Rights)
		}
	}
	if !rights["Marie.Dupont"] || len(one.Members) < 2 {
		t.Errorf("members: %+v", one.Members)
	}
	for _, code := range []string{"OCB0000999", "nope", "OCB0000001x"} {
		adminWant(t, "get "+code, admin.Get("/api/v1/admin/tenants/"+url.PathEscape(code)), http.StatusNotFound)
	}

	// Onboard, once with a key sent twice.
	body := map[string]any{"code": "OCB0000042", "name": "Martin Conseil", "referent": "Paul.Martin", "owner": "Paul.Martin",
		"sales_rep": "Sophie.Commerciale", "level": "standard", "effective_from": "2026-01-01"}
	r = admin.Post("/api/v1/admin/tenants", body, "Idempotency-Key", "onboard-42")
	adminWant(t, "onboard", r, http.StatusCreated)
	one = adminRead[adminTenantBody](t, r)
	if r.Header.Get("Location") != "/api/v1/admin/tenants/OCB0000042" || one.Status != "active" || one.SalesRep == nil ||
		one.SalesRep.Login != "Sophie.Commerciale" || len(one.Members) != 1 || len(one.History) != 1 || one.History[0].CommittedUntil != "2026-06-30" {
		t.Errorf("onboarded: %+v at %q", one, r.Header.Get("Location"))
	}
	adminWant(t, "onboard again with the key", admin.Post("/api/v1/admin/tenants", body, "Idempotency-Key", "onboard-42"), http.StatusCreated)
	r = admin.Post("/api/v1/admin/tenants", body)
	adminWant(t, "onboard a taken code", r, http.StatusUnprocessableEntity)
	if _, fields := adminProblemOf(t, r); fields["code"] == "" {
		t.Errorf("taken code: %v", fields)
	}

	for _, lang := range []string{"en", "fr"} {
		admin.Lang = lang
		r := admin.Post("/api/v1/admin/tenants", map[string]any{"code": "BAD", "name": "X", "referent": "Alice.Agent", "owner": "Nobody.Here",
			"level": "basic", "effective_from": "01/01/2026"})
		adminWant(t, "bad tenant in "+lang, r, http.StatusUnprocessableEntity)
		_, fields := adminProblemOf(t, r)
		want := map[string]string{
			"code":           d.Bundle.T(lang, "error.tenant.code_format", nil),
			"referent":       d.Bundle.T(lang, "error.tenant.not_customer", map[string]any{"Login": "Alice.Agent"}),
			"owner":          d.Bundle.T(lang, "error.user.unknown_login", map[string]any{"Login": "Nobody.Here"}),
			"effective_from": d.Bundle.T(lang, "error.field.date", nil),
		}
		for f, msg := range want {
			if fields[f] != msg {
				t.Errorf("%s: %s refused with %q, want %q", lang, f, fields[f], msg)
			}
		}
		r = admin.Post("/api/v1/admin/tenants", map[string]any{"code": "OCB0000043", "name": "X", "referent": "Paul.Martin", "owner": "Paul.Martin",
			"level": "gold", "effective_from": "2026-01-01"})
		adminWant(t, "unknown level in "+lang, r, http.StatusUnprocessableEntity)
		if _, fields := adminProblemOf(t, r); !strings.Contains(fields["level"], "basic") {
			t.Errorf("%s: unknown level: %v", lang, fields)
		}
	}
	admin.Lang = ""

	// Change: the fields sent change, the others stay.
	r = admin.Do(http.MethodPatch, "/api/v1/admin/tenants/OCB0000042", map[string]any{"status": "cancellation_requested"})
	adminWant(t, "status", r, http.StatusOK)
	one = adminRead[adminTenantBody](t, r)
	if one.Status != "cancellation_requested" || one.Name != "Martin Conseil" || one.SalesRep == nil || one.SalesRep.Login != "Sophie.Commerciale" {
		t.Errorf("after the status: %+v", one)
	}
	r = admin.Do(http.MethodPatch, "/api/v1/admin/tenants/ocb0000042", map[string]any{"sales_rep": "", "name": "Martin Conseil SAS"})
	adminWant(t, "no sales rep", r, http.StatusOK)
	one = adminRead[adminTenantBody](t, r)
	if one.SalesRep != nil || one.Name != "Martin Conseil SAS" || one.Status != "cancellation_requested" {
		t.Errorf("after removing the sales rep: %+v", one)
	}
	admin.Lang = "fr"
	r = admin.Do(http.MethodPatch, "/api/v1/admin/tenants/OCB0000042", map[string]any{"sales_rep": "Alice.Agent", "name": ""})
	adminWant(t, "bad change", r, http.StatusUnprocessableEntity)
	_, fields := adminProblemOf(t, r)
	if fields["sales_rep"] != d.Bundle.T("fr", "error.tenant.not_sales", map[string]any{"Login": "Alice.Agent"}) || fields["name"] == "" {
		t.Errorf("bad change: %v", fields)
	}
	r = admin.Do(http.MethodPatch, "/api/v1/admin/tenants/OCB0000042", map[string]any{"status": "closed"})
	adminWant(t, "unknown status", r, http.StatusUnprocessableEntity)
	if _, fields := adminProblemOf(t, r); fields["status"] == "" {
		t.Errorf("unknown status: %v", fields)
	}
	adminWant(t, "change no such tenant", admin.Do(http.MethodPatch, "/api/v1/admin/tenants/OCB0000999", map[string]any{"name": "X"}), http.StatusNotFound)
}

// Admins read the outbox with its status filter and a message with its password link masked,
// in their language, and retry a dead message; a dropped message says why in their language.
func TestAdminReadsAndRetriesTheOutboxThroughTheAPI(t *testing.T) {
	d := newDesk(t)
	admin := d.as(t, "admin")
	m := adminMailFor(t, d, "Paul.Martin", "paul.martin@example.fr")
	path := "/api/v1/admin/outbox/" + strconv.FormatInt(m.ID, 10)

	list := adminRead[adminList[adminMailBody]](t, admin.Get("/api/v1/admin/outbox?status=pending&limit=200"))
	found := false
	for _, it := range list.Items {
		found = found || it.ID == m.ID
		if it.Status != "pending" || it.BodyText != "" {
			t.Errorf("pending list holds %+v", it)
		}
	}
	if !found {
		t.Fatalf("message %d not in the pending list", m.ID)
	}
	adminWant(t, "unknown status", admin.Get("/api/v1/admin/outbox?status=lost"), http.StatusUnprocessableEntity)

	token := m.BodyText[strings.Index(m.BodyText, "/password/reset/")+len("/password/reset/"):]
	token = strings.Fields(token)[0]
	for _, c := range []struct{ lang, hidden string }{{"en", "[link hidden]"}, {"fr", "[lien masqué]"}} {
		admin.Lang = c.lang
		r := admin.Get(path)
		adminWant(t, "message in "+c.lang, r, http.StatusOK)
		got := adminRead[adminMailBody](t, r)
		if !strings.Contains(got.BodyText, "/password/reset/"+c.hidden) || strings.Contains(string(r.Body), token) || got.RecipientEmail != "paul.martin@example.fr" {
			t.Errorf("%s: message %+v", c.lang, got)
		}
	}
	admin.Lang = ""
	adminWant(t, "no such message", admin.Get("/api/v1/admin/outbox/999999"), http.StatusNotFound)
	adminWant(t, "retry no such message", admin.Post("/api/v1/admin/outbox/999999/retry", nil), http.StatusNotFound)

	// A pending message is left as it is; a dead one is due again at once.
	r := admin.Post(path+"/retry", nil)
	adminWant(t, "retry a pending message", r, http.StatusOK)
	if _, err := d.DB.NewUpdate().Model(m).WherePK().Set("status = ?", notify.StatusDead).Set("last_error = 'smtp: 550 mailbox unavailable'").
		Set("deadline_at = ?", time.Now().UTC().Add(-time.Hour)).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	list = adminRead[adminList[adminMailBody]](t, admin.Get("/api/v1/admin/outbox?status=dead"))
	if len(list.Items) != 1 || list.Items[0].ID != m.ID || list.Items[0].LastError != "smtp: 550 mailbox unavailable" || list.Items[0].NextAttemptAt != nil {
		t.Fatalf("dead list: %+v", list)
	}
	r = admin.Post(path+"/retry", nil)
	adminWant(t, "retry", r, http.StatusOK)
	got := adminRead[adminMailBody](t, r)
	if got.Status != "pending" || got.NextAttemptAt == nil || time.Since(*got.NextAttemptAt) > time.Minute || !got.DeadlineAt.After(time.Now()) {
		t.Errorf("after the retry: %+v", got)
	}

	if _, err := d.DB.NewUpdate().Model(m).WherePK().Set("status = ?", notify.StatusDropped).Set("required_right = 'incidents'").
		Set("last_error = ?", notify.ReasonNoRight).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	admin.Lang = "fr"
	list = adminRead[adminList[adminMailBody]](t, admin.Get("/api/v1/admin/outbox?status=dropped"))
	if len(list.Items) != 1 || !strings.Contains(list.Items[0].LastError, "n’a plus le droit «\u00a0Incidents\u00a0»") {
		t.Errorf("dropped in French: %+v", list.Items)
	}
	raw := admin.Get(path)
	var dropped map[string]any
	if err := json.Unmarshal(raw.Body, &dropped); err != nil || strings.Contains(string(raw.Body), "outbox.dropped") {
		t.Errorf("dropped message: %v %s", err, raw.Body)
	}
}
