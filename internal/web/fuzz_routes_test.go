package web_test

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/templates"
)

// hostile are the values the route fuzz test puts in every path parameter, query parameter and
// form field: numbers that overflow, signs, NUL, invalid UTF-8, header injection, bidi controls.
var hostile = []string{
	"288230376151711745",
	"9223372036854775808",
	"-9223372036854775809",
	"-1",
	"0",
	"a\x00b",
	"\xff\xfe\xfd",
	"x\r\nBcc: evil@example.com",
	"\u202egnp.exe",
	"%00%ff",
	"INC9999999999999999999",
	"OCB0000001' OR '1'='1",
}

// long is the value every field of one request carries, and huge the one the fields that take
// free text carry (about 22 MB in all, under the body limit). A 1 MiB query string is refused
// by the HTTP server itself, before any route: TestOversizedRequestsGetTheirLocalizedPage sees
// that one through a real connection.
var (
	long = strings.Repeat("é", 64<<10)
	huge = strings.Repeat("a", 1<<20)
)

// fieldNames are every form field and query parameter the desk's templates name, and the
// change catalogue's fields: the test reaches what a new form adds without being told.
func fieldNames(t *testing.T) []string {
	seen := map[string]bool{"page": true, "q": true, "next": true, "v_region": true, "v_current": true,
		"v_requested": true, "v_justification": true, "mine": true, "unassigned": true}
	re := regexp.MustCompile(`name="([a-z_0-9]+)"`)
	err := fs.WalkDir(templates.FS, ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".html") {
			return err
		}
		b, err := fs.ReadFile(templates.FS, path)
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			seen[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	delete(seen, "_csrf")
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// fingerprint sums what the desk's business tables hold (see testutil.Fingerprint).
func fingerprint(t *testing.T, d *desk) string { return testutil.Fingerprint(t, d.DB) }

// fuzzRequest is one hostile request of the walk.
type fuzzRequest struct {
	what string
	req  *http.Request
}

// hostileRequests builds the requests one route gets: each hostile value in the path, the query
// and every form field (with the browser's valid CSRF token, so that the values reach the
// handler), duplicated fields, a huge query string and body, and bodies of the wrong type.
func hostileRequests(method, path string, params []string, names []string, csrf string) []fuzzRequest {
	var out []fuzzRequest
	fill := func(v string) string {
		p := path
		for _, name := range params {
			p = strings.Replace(p, ":"+name, url.PathEscape(v), 1)
		}
		return p
	}
	form := func(v string, twice bool) url.Values {
		f := url.Values{"_csrf": {csrf}}
		for _, n := range names {
			f[n] = []string{v}
			if twice {
				f[n] = []string{"1", v}
			}
		}
		return f
	}
	values := append(slices.Clone(hostile), "")
	for i, v := range values {
		target := fill(v) + "?" + form(v, i%2 == 1).Encode()
		if method == http.MethodGet {
			out = append(out, fuzzRequest{fmt.Sprintf("value %q", clipQ(v)), httptest.NewRequest(method, target, nil)})
			continue
		}
		r := httptest.NewRequest(method, fill(v), strings.NewReader(form(v, i%2 == 1).Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		out = append(out, fuzzRequest{fmt.Sprintf("form %q", clipQ(v)), r})
		mr, ct := multipartOf(form(v, false))
		r = httptest.NewRequest(method, fill(v), mr)
		r.Header.Set("Content-Type", ct)
		out = append(out, fuzzRequest{fmt.Sprintf("multipart %q", clipQ(v)), r})
	}
	ok := fill("1")
	if method == http.MethodPost {
		f := form(long, false)
		for _, n := range []string{"title", "description", "body", "q", "login"} {
			f.Set(n, huge)
		}
		r := httptest.NewRequest(method, ok, strings.NewReader(f.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		out = append(out, fuzzRequest{"huge fields", r})
		for _, ct := range []string{"application/json", "text/plain", "multipart/form-data", "multipart/form-data; boundary=x"} {
			r := httptest.NewRequest(method, ok, strings.NewReader(`{"_csrf":"`+csrf+`","title":1}`+"\r\n--x\r\nbroken"))
			r.Header.Set("Content-Type", ct)
			r.Header.Set("X-CSRF-Token", csrf)
			out = append(out, fuzzRequest{"content type " + ct, r})
		}
	}
	return out
}

func multipartOf(f url.Values) (io.Reader, string) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range f {
		for _, v := range vs {
			w.WriteField(k, v)
		}
	}
	fw, _ := w.CreateFormFile("files", "\u202egnp.exe\x00.png")
	fw.Write([]byte("\x89PNG\r\n\x1a\n"))
	w.Close()
	return &buf, w.FormDataContentType()
}

func clipQ(s string) string {
	if len(s) > 24 {
		return s[:24] + "…"
	}
	return s
}

// TestRouteFuzzNeverAnswers5xx walks app.GetRoutes() for every persona with hostile values in
// every path parameter, query parameter and form field: no answer is 5xx, the desk still
// answers afterwards, and a refused request writes nothing.
func TestRouteFuzzNeverAnswers5xx(t *testing.T) {
	if testing.Short() {
		t.Skip("the route fuzz walk takes a while")
	}
	names := fieldNames(t)
	for _, p := range personas {
		name := p.name()
		t.Run(name, func(t *testing.T) {
			d := newDesk(t)
			c := d.client(t)
			if p.login != "" {
				c.Login(p.login)
				if p.kind == identity.Customer {
					c.Get("/incidents")
				}
			}
			routes := d.web.GetRoutes(true)
			sort.Slice(routes, func(i, j int) bool { return routes[i].Path+routes[i].Method < routes[j].Path+routes[j].Method })
			sent, failures := 0, 0
			for _, rt := range routes {
				if rt.Method != http.MethodGet && rt.Method != http.MethodPost || rt.Path == "/logout" ||
					strings.HasPrefix(rt.Path, "/static") {
					continue
				}
				for _, fr := range hostileRequests(rt.Method, rt.Path, rt.Params, names, c.CSRF()) {
					before := fingerprint(t, d)
					status := c.Send(fr.req).Status
					sent++
					what := rt.Method + " " + rt.Path + " (" + fr.what + ") as " + name
					switch {
					case status >= 500:
						t.Errorf("%s: status %d", what, status)
						failures++
					case status >= 400:
						if after := fingerprint(t, d); after != before {
							t.Errorf("%s: refused with %d but wrote:\n before %s\n after  %s", what, status, before, after)
							failures++
						}
					}
					if failures > 20 {
						t.Fatal("too many failures; stopping")
					}
				}
				if p.login != "" && c.Get("/profile").Status != http.StatusOK {
					// A request of the walk ended the session (a password changed to a hostile
					// value is still a password): log in again.
					c = d.client(t)
					c.Login(p.login)
				}
			}
			if r := c.Get("/healthz"); r.Status != http.StatusOK {
				t.Fatalf("desk not answering after the walk: %d", r.Status)
			}
			t.Logf("%d hostile requests", sent)
		})
	}
}

// TestPanicAnswersThe500PageAndTheDeskGoesOn makes a handler panic: the reader gets the
// localized 500 page, the stack is logged with the request id, and the next request is served.
func TestPanicAnswersThe500PageAndTheDeskGoesOn(t *testing.T) {
	d := newDesk(t)
	d.web.Get("/boom", func(c *fiber.Ctx) error { panic("boom") })
	c := d.client(t)
	c.Lang = "fr"
	r := c.Get("/boom")
	wantStatus(t, "panic", r, http.StatusInternalServerError)
	if !strings.Contains(r.Body, "Une erreur inattendue") {
		t.Errorf("500 page not in French: %.400s", r.Body)
	}
	logs := d.logs.String()
	if !strings.Contains(logs, "panic") || !strings.Contains(logs, "request_id=") || !strings.Contains(logs, "goroutine") {
		t.Errorf("panic not logged with its stack and request id:\n%s", logs)
	}
	wantStatus(t, "after the panic", c.Get("/login"), http.StatusOK)
}
