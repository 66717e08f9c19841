package web_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/testutil"
)

// TestHugePageNumbersAreRefusedNotFatal: the page number that overflowed the list arithmetic
// and killed the process is a localized 400, on the customer list, the agents' queue and a
// search alike; the desk answers afterwards.
func TestHugePageNumbersAreRefusedNotFatal(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Volume x inaccessible")
	alice := d.as(t, "Alice.Agent")
	for _, tc := range []struct {
		c    *testutil.Client
		path string
	}{
		{marie, "/incidents?q=x&page=288230376151711745"},
		{marie, "/incidents?page=288230376151711745"},
		{marie, "/incidents?q=x&page=-3"},
		{marie, "/changes?page=9223372036854775808"},
		{alice, "/staff/incidents?q=x&page=288230376151711745"},
		{alice, "/staff/incidents?page=10001"},
	} {
		r := tc.c.Get(tc.path)
		wantStatus(t, tc.path, r, http.StatusBadRequest)
	}
	r := marie.Get("/incidents?q=x&page=288230376151711745")
	wantBody(t, "French message", r, "Le numéro de page doit être un nombre entier entre 1 et 10000")
	wantStatus(t, "far but valid page", marie.Get("/incidents?q=x&page=10000"), http.StatusOK)
	wantStatus(t, "alive", marie.Get("/incidents"), http.StatusOK)
}

// TestBadBytesAreRefusedAtTheEdgeWithTheInputKept: NUL, invalid UTF-8 and a line break in a
// one-line field get a localized 400 that gives back what was typed; nothing is written.
func TestBadBytesAreRefusedAtTheEdgeWithTheInputKept(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	marie.Get("/incidents/new")
	for name, title := range map[string]string{"NUL": "Disque\x00 plein", "invalid UTF-8": "Disque \xff plein",
		"line break": "Disque plein\r\nBcc: x@example.com"} {
		form := validIncidentForm()
		form.Set("title", title)
		r := marie.PostFiles("/incidents", form)
		wantStatus(t, name, r, http.StatusBadRequest)
		wantBody(t, name, r, "Texte refusé", "Voici ce que vous avez saisi", "Disque", "Le volume vol-42 est en erreur depuis 8 h.")
	}
	if n := countIncidents(t, d); n != 0 {
		t.Fatalf("%d incidents written from refused input", n)
	}
	// Line breaks are fine where several lines are expected.
	form := validIncidentForm()
	form.Set("description", "Ligne 1\r\nLigne 2")
	wantStatus(t, "multi-line description", marie.PostFiles("/incidents", form), http.StatusSeeOther)

	anon := d.client(t)
	anon.Lang = "en"
	anon.Get("/login")
	r := anon.Post("/login", url.Values{"login": {"Marie\x00"}, "password": {"x"}})
	wantStatus(t, "anonymous login with NUL", r, http.StatusBadRequest)
	wantBody(t, "in English", r, "Text refused", "Marie")
	wantNoBody(t, "password never shown back", r, `>x</textarea>`)
	r = anon.Post("/password/forgot", url.Values{"login": {"\xff"}})
	wantStatus(t, "forgotten password with invalid UTF-8", r, http.StatusBadRequest)
	wantStatus(t, "query with NUL", marie.Get("/incidents?q=a%00b"), http.StatusBadRequest)
}

// TestMalformedMultipartIsALocalizedError: a body cut off mid-part no longer loses its file
// silently: the reader is told, and nothing is written.
func TestMalformedMultipartIsALocalizedError(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	marie.Get("/incidents/new")
	body := "--XYZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n" + marie.CSRF() +
		"\r\n--XYZ\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.log\"\r\n\r\nERROR disk"
	req := httptest.NewRequest(http.MethodPost, "/incidents", strings.NewReader(body))
	req.Header.Set("Content-Type", "multipart/form-data; boundary=XYZ")
	r := marie.Send(req)
	wantStatus(t, "cut-off multipart", r, http.StatusBadRequest)
	wantBody(t, "cut-off multipart", r, "Formulaire illisible")
	if n := countIncidents(t, d); n != 0 {
		t.Fatalf("%d incidents written", n)
	}
}

// TestCSRFTokenIsReadFromTheBodyOrHeaderOnly: a token in the query string is not accepted.
func TestCSRFTokenIsReadFromTheBodyOrHeaderOnly(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	token := marie.CSRF()
	r := marie.PostRaw("/profile/lang?_csrf="+url.QueryEscape(token), url.Values{"lang": {"en"}})
	wantStatus(t, "token in the query string", r, http.StatusForbidden)
	req := httptest.NewRequest(http.MethodPost, "/profile/lang", strings.NewReader("lang=en"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", token)
	wantStatus(t, "token in the header", marie.Send(req), http.StatusSeeOther)
	wantStatus(t, "token in the body", marie.Post("/profile/lang", url.Values{"lang": {"fr"}}), http.StatusSeeOther)
}

// TestHeadIsServedWhereverGetIs and a wrong method on a known path is a 405 with Allow.
func TestHeadIsServedWhereverGetIs(t *testing.T) {
	d := newDesk(t)
	anon := d.client(t)
	for _, path := range []string{"/login", "/password/forgot", "/healthz"} {
		get := anon.Get(path)
		head := anon.Send(httptest.NewRequest(http.MethodHead, path, nil))
		if head.Status != get.Status || head.Body != "" || head.Header.Get("Content-Type") != get.Header.Get("Content-Type") {
			t.Errorf("HEAD %s: %d %q %q; GET: %d %q", path, head.Status, head.Header.Get("Content-Type"), head.Body,
				get.Status, get.Header.Get("Content-Type"))
		}
	}
	marie := d.as(t, "Marie.Dupont")
	for _, path := range []string{"/", "/incidents", "/incidents/new", "/changes", "/contract", "/profile"} {
		if r := marie.Send(httptest.NewRequest(http.MethodHead, path, nil)); r.Status != http.StatusOK || r.Body != "" {
			t.Errorf("HEAD %s as Marie: %d, %d bytes", path, r.Status, len(r.Body))
		}
	}
	for _, tc := range []struct{ method, path, allow string }{
		{http.MethodPut, "/login", "GET, HEAD, POST"},
		{http.MethodDelete, "/incidents", "GET, HEAD, POST"},
		{http.MethodPost, "/incidents/new", "GET, HEAD"},
	} {
		r := marie.Send(httptest.NewRequest(tc.method, tc.path, nil))
		if r.Status != http.StatusMethodNotAllowed || r.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d Allow %q, want 405 Allow %q", tc.method, tc.path, r.Status, r.Header.Get("Allow"), tc.allow)
		}
	}
	wantStatus(t, "unknown path", marie.Get("/no/such/page"), http.StatusNotFound)
}

// TestDoubleSubmitShowsTheFirstTicket: the declare form and the change summary sent twice (a
// double click) create one ticket, and the second sending lands on the first.
func TestDoubleSubmitShowsTheFirstTicket(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	page := marie.Get("/incidents/new")
	form := validIncidentForm()
	form.Set("_once", onceToken(t, "the declare form", page.Body))
	first := marie.PostFiles("/incidents", form)
	second := marie.PostFiles("/incidents", form)
	wantStatus(t, "first", first, http.StatusSeeOther)
	wantStatus(t, "second", second, http.StatusSeeOther)
	if first.Location != second.Location {
		t.Errorf("second submit went to %q, first to %q", second.Location, first.Location)
	}
	if n := countIncidents(t, d); n != 1 {
		t.Errorf("%d incidents from one form sent twice", n)
	}
	// A new form is a new incident.
	page = marie.Get("/incidents/new")
	form.Set("_once", onceToken(t, "the declare form", page.Body))
	wantStatus(t, "new form", marie.PostFiles("/incidents", form), http.StatusSeeOther)
	if n := countIncidents(t, d); n != 2 {
		t.Errorf("%d incidents after a second form, want 2", n)
	}

	summary := marie.Post("/changes/new", quotaForm("ecs_instances", "10", "12"))
	wantStatus(t, "summary", summary, http.StatusOK)
	f := quotaForm("ecs_instances", "10", "12")
	f.Set("_once", onceToken(t, "the change summary", summary.Body))
	f.Set("step", "submit")
	a, b := marie.Post("/changes", f), marie.Post("/changes", f)
	if a.Status != http.StatusSeeOther || a.Location != b.Location {
		t.Errorf("change sent twice: %d %q then %d %q", a.Status, a.Location, b.Status, b.Location)
	}
	n, err := d.DB.NewSelect().Model((*change.Request)(nil)).Count(context.Background())
	if err != nil || n != 1 {
		t.Errorf("%d change requests from one summary sent twice (%v)", n, err)
	}
}

// TestDoubleSubmitAtOnceCreatesOneTicket: the same form sent from several tabs at the same
// moment (on PostgreSQL the transactions run side by side, and the twins fail on the token's
// key) creates one incident, and every sending lands on it.
func TestDoubleSubmitAtOnceCreatesOneTicket(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	page := marie.Get("/incidents/new")
	form := validIncidentForm()
	form.Set("_once", onceToken(t, "the declare form", page.Body))
	const tabs = 6
	answers := make([]testutil.Response, tabs)
	var wg sync.WaitGroup
	for i := range tabs {
		tab := marie.Clone()
		wg.Go(func() { answers[i] = tab.PostFiles("/incidents", form) })
	}
	wg.Wait()
	for i, r := range answers {
		if r.Status != http.StatusSeeOther || r.Location != answers[0].Location {
			t.Errorf("tab %d: %d to %q, want 303 to %q", i, r.Status, r.Location, answers[0].Location)
		}
	}
	if n := countIncidents(t, d); n != 1 {
		t.Errorf("%d incidents from one form sent from %d tabs at once", n, tabs)
	}
}

// TestOversizedRequestsGetTheirLocalizedPage: a request line beyond the read buffer is a 431
// page and a body beyond the limit a 413 page, in the reader's language, not a bare status.
func TestOversizedRequestsGetTheirLocalizedPage(t *testing.T) {
	d := newDesk(t)
	base := d.serve(t)
	for _, tc := range []struct {
		name, method, target, body string
		status                     int
		text                       string
	}{
		{"long URL", http.MethodGet, "/login?q=" + strings.Repeat("x", 64<<10), "", http.StatusRequestHeaderFieldsTooLarge,
			"L’adresse ou les en-têtes de votre requête sont trop longs"},
	} {
		req, err := http.NewRequest(tc.method, base+tc.target, strings.NewReader(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", "fr")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %.200v", tc.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.text) {
			t.Errorf("%s: %d %.300q, want %d with %q", tc.name, resp.StatusCode, b, tc.status, tc.text)
		}
	}
	// A body announced beyond the limit is answered before it is sent, as a browser would see it.
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: guichet\r\nAccept-Language: fr\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\nlogin=x", 40<<20)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "Ce que vous avez envoyé est trop volumineux") {
		t.Errorf("large body: %d %.300q, want the 413 page", resp.StatusCode, b)
	}
	if resp, err := http.Get(base + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("desk not answering afterwards: %v", err)
	}
}

// serve runs the desk on a loopback port, for what only a real connection shows (requests
// refused by the HTTP server before any handler), and returns its base URL.
func (d *desk) serve(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go d.web.Listener(ln)
	t.Cleanup(func() { d.web.Shutdown() })
	return "http://" + ln.Addr().String()
}

// TestErrorsUnderAPIAreProblemJSON: under /api/ the error path answers RFC 9457 problem JSON
// in the reader's language, not an HTML page.
func TestErrorsUnderAPIAreProblemJSON(t *testing.T) {
	d := newDesk(t)
	c := d.client(t)
	c.Lang = "fr"
	// Without a token the API says so before anything else, whatever the path.
	r := c.Get("/api/v1/nothing-here")
	wantStatus(t, "unknown API path", r, http.StatusUnauthorized)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("content type %q", ct)
	}
	wantBody(t, "problem", r, `"status":401`, `"title":"Authentification requise"`, `"request_id":"`+r.Header.Get("X-Request-Id")+`"`)
}

var onceField = regexp.MustCompile(`name="_once" value="([^"]+)"`)

// onceToken is the one-time token of the form a page carries (what names the form).
func onceToken(t *testing.T, what, body string) string {
	t.Helper()
	m := onceField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s carries no one-time token", what)
	}
	return m[1]
}
