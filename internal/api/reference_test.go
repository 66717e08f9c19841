package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/testutil"
)

// getReference asks for the reference page without a token, with the given headers as pairs.
func getReference(t *testing.T, d *desk, path string, headers ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := d.web.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

var (
	attrURL  = regexp.MustCompile(`\s(?:href|src|action|formaction|srcset|poster|data)\s*=\s*"([^"]*)"`)
	attrID   = regexp.MustCompile(`\sid="([^"]*)"`)
	handler  = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	htmlLang = regexp.MustCompile(`<html lang="([a-z]+)">`)
)

// TestReferencePage: the page is public, in both languages, lists every operation of the
// document with its anchor, and keeps to the CSP: no script, no inline style or handler,
// nothing from another origin, and every in-page link lands on an anchor.
func TestReferencePage(t *testing.T) {
	d := newDesk(t)
	doc := testutil.APIDocument(t, d.web)
	type operation struct{ id, method, path string }
	var ops []operation
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops = append(ops, operation{op.OperationID, method, "/api/v1" + p})
		}
	}
	if len(ops) < 10 {
		t.Fatalf("only %d operations in the document", len(ops))
	}
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			resp, page := getReference(t, d, "/api/v1/reference", "Accept-Language", lang)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %.300s", resp.StatusCode, page)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type %q", ct)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
				t.Errorf("CSP %q", csp)
			}
			if got := resp.Header.Get("Content-Language"); got != lang {
				t.Errorf("Content-Language %q, want %s", got, lang)
			}
			if m := htmlLang.FindStringSubmatch(page); m == nil || m[1] != lang {
				t.Errorf("html lang %v, want %s", m, lang)
			}
			// The chrome is in the reader's language, every key translated.
			for _, key := range []string{"api.reference.title", "api.reference.parameters", "api.reference.body",
				"api.reference.responses", "api.reference.errors.title", "api.reference.pagination.title"} {
				if want := d.Bundle.T(lang, key, nil); !strings.Contains(page, ">"+want) {
					t.Errorf("%s (%q) not on the page", key, want)
				}
			}
			if i := strings.Index(page, "api.reference."); i >= 0 {
				t.Errorf("an untranslated key: %.80s", page[i:])
			}
			// The conventions.
			for _, s := range []string{"Idempotency-Key", "If-Match", "ETag", "Retry-After", "429", "Accept-Language",
				"application/problem+json", `id="schema-ProblemDetails"`, `href="/api/v1/openapi.json"`} {
				if !strings.Contains(page, strings.ReplaceAll(s, "+", "&#43;")) && !strings.Contains(page, s) {
					t.Errorf("%q not on the page", s)
				}
			}
			// Every operation, with its anchor, its path and a link from the contents.
			for _, op := range ops {
				anchor := "op-" + op.id
				if !strings.Contains(page, `id="`+anchor+`"`) || !strings.Contains(page, `href="#`+anchor+`"`) {
					t.Errorf("%s %s: no anchor %s or no link to it", op.method, op.path, anchor)
				}
				if !strings.Contains(page, "<code>"+op.path+"</code>") {
					t.Errorf("%s %s: path not on the page", op.method, op.path)
				}
			}
			// Keyboard and screen readers: a skip link to main, one h1, tables with headers.
			if !strings.Contains(page, `<a class="skip" href="#main">`) || !strings.Contains(page, `<main id="main"`) {
				t.Error("no skip link to main")
			}
			if n := strings.Count(page, "<h1"); n != 1 {
				t.Errorf("%d h1", n)
			}
			if strings.Count(page, "<table") == 0 || strings.Count(page, `<th scope="col">`) < strings.Count(page, "<thead>") {
				t.Error("tables without column headers")
			}
			// Under the CSP: nothing inline, nothing from elsewhere.
			if strings.Contains(strings.ToLower(page), "<script") {
				t.Error("a script on the page")
			}
			if strings.Contains(strings.ToLower(page), "<style") || strings.Contains(page, " style=") {
				t.Error("an inline style on the page")
			}
			if m := handler.FindString(page); m != "" {
				t.Errorf("an inline event handler: %q", m)
			}
			ids := map[string]bool{}
			for _, m := range attrID.FindAllStringSubmatch(page, -1) {
				if ids[m[1]] {
					t.Errorf("id %q twice", m[1])
				}
				ids[m[1]] = true
			}
			for _, m := range attrURL.FindAllStringSubmatch(page, -1) {
				u := m[1]
				switch {
				case strings.HasPrefix(u, "#"):
					if !ids[u[1:]] {
						t.Errorf("link to %s: no such anchor", u)
					}
				case strings.HasPrefix(u, "//"), strings.Contains(u, ":"):
					t.Errorf("a URL of another origin or scheme: %q", u)
				case !strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "?"):
					t.Errorf("an unexpected URL: %q", u)
				}
			}
		})
	}
}

// TestReferenceLanguage: the lang query parameter (the page's switcher), then the lang cookie,
// then Accept-Language; an unknown one is ignored.
func TestReferenceLanguage(t *testing.T) {
	d := newDesk(t)
	for _, tc := range []struct {
		path   string
		header []string
		want   string
	}{
		{"/api/v1/reference", []string{"Accept-Language", "en-GB,en;q=0.9"}, "en"},
		{"/api/v1/reference", []string{"Accept-Language", "fr-FR"}, "fr"},
		{"/api/v1/reference", []string{"Accept-Language", "fr", "Cookie", "lang=en"}, "en"},
		{"/api/v1/reference?lang=fr", []string{"Accept-Language", "en", "Cookie", "lang=en"}, "fr"},
		{"/api/v1/reference?lang=de", []string{"Accept-Language", "en"}, "en"},
	} {
		resp, page := getReference(t, d, tc.path, tc.header...)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s %v: status %d", tc.path, tc.header, resp.StatusCode)
			continue
		}
		if m := htmlLang.FindStringSubmatch(page); m == nil || m[1] != tc.want {
			t.Errorf("%s %v: lang %v, want %s", tc.path, tc.header, m, tc.want)
		}
		if !strings.Contains(page, "<title>"+d.Bundle.T(tc.want, "api.reference.title", nil)+" · Guichet</title>") {
			t.Errorf("%s %v: title not in %s", tc.path, tc.header, tc.want)
		}
	}
	// A token is not needed, and a wrong one does not matter: the page is public.
	resp, _ := getReference(t, d, "/api/v1/reference", "Authorization", "Bearer gch_nothing")
	if resp.StatusCode != http.StatusOK {
		t.Errorf("with a wrong token: %d", resp.StatusCode)
	}
	// Its stylesheet is served.
	resp, css := getReference(t, d, "/static/api-reference.css")
	if resp.StatusCode != http.StatusOK || !strings.Contains(css, ".apiref") {
		t.Errorf("/static/api-reference.css: %d", resp.StatusCode)
	}
}
