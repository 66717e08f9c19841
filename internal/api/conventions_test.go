package api_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/testutil"
)

// TestBadInputGetsLocalizedProblems: malformed JSON, wrong types, unknown fields (named),
// missing fields, values the service refuses, a 10 MB body, bad cursors and bad ETags each get
// a problem+json with the right status in the reader's language, and write nothing.
func TestBadInputGetsLocalizedProblems(t *testing.T) {
	d := newDesk(t)
	c := d.as(t, "Marie.Dupont")
	inc := c.Post("/api/v1/incidents", declaration("OCB0000001", "Baseline"))
	if inc.Status != http.StatusCreated {
		t.Fatalf("declare: %d %s", inc.Status, inc.Body)
	}
	path := inc.Header.Get("Location")
	big := map[string]any{"priority": "P4", "reason": strings.Repeat("a", 10<<20)}
	cases := []struct {
		name, method, path string
		body               any
		headers            []string
		status             int
		fields             []string // refused fields, named
		en, fr             string   // in the detail or a field's message
	}{
		{"malformed JSON", "POST", "/api/v1/incidents", `{"tenant": "OCB0000001",`, nil, 400, nil, "not valid JSON", "pas du JSON valide"},
		{"not an object", "POST", "/api/v1/incidents", `[1,2]`, nil, 422, nil, "Expected an object", "Objet attendu"},
		{"wrong types", "POST", "/api/v1/incidents", map[string]any{"tenant": 1, "title": true, "description": "d", "service": "ecs",
			"region": "eu-west-0", "impact": "high", "urgency": "high"}, nil, 422, []string{"tenant", "title"}, "Expected a string", "Chaîne de caractères attendue"},
		{"unknown field", "POST", "/api/v1/incidents", merge(declaration("OCB0000001", "x"), "severity", "critical"), nil, 422,
			[]string{"severity"}, "Unknown field: severity", "Champ inconnu\u00a0: severity"},
		{"missing fields", "POST", "/api/v1/incidents", map[string]any{"tenant": "OCB0000001"}, nil, 422,
			[]string{"title", "description", "service", "region", "impact", "urgency"}, "required", "obligatoire"},
		{"enum", "POST", "/api/v1/incidents", merge(declaration("OCB0000001", "x"), "impact", "huge"), nil, 422,
			[]string{"impact"}, "allowed values", "valeurs possibles"},
		{"service refuses", "POST", "/api/v1/incidents", merge(declaration("OCB0000001", "  "), "service", "nope"), nil, 422,
			[]string{"title", "service"}, "", ""},
		{"10 MB body", "POST", path + "/priority", big, []string{"If-Match", `"v1"`}, 413, nil, "larger than", "dépasse"},
		{"bad cursor", "GET", "/api/v1/incidents?tenant=OCB0000001&cursor=not-ours", nil, nil, 400, nil, "cursor", "curseur"},
		{"forged cursor", "GET", "/api/v1/incidents?tenant=OCB0000001&cursor=eyJwIjotNX0", nil, nil, 400, nil, "cursor", "curseur"},
		{"limit too big", "GET", "/api/v1/incidents?tenant=OCB0000001&limit=100000", nil, nil, 422, []string{"limit"}, "", ""},
		{"limit not a number", "GET", "/api/v1/incidents?tenant=OCB0000001&limit=abc", nil, nil, 422, []string{"limit"}, "", ""},
		{"no If-Match", "POST", path + "/cancel", nil, nil, 428, nil, "If-Match", "If-Match"},
		{"bad If-Match", "POST", path + "/cancel", nil, []string{"If-Match", "abc"}, 400, nil, "ETag", "ETag"},
		{"stale If-Match", "POST", path + "/cancel", nil, []string{"If-Match", `"v7"`}, 412, nil, "changed since", "a changé"},
		{"no tenant", "GET", "/api/v1/incidents", nil, nil, 422, []string{"tenant"}, "tenant", "tenant"},
		{"unknown route", "GET", "/api/v1/nothing-here", nil, nil, 404, nil, "", ""},
	}
	for _, lang := range []string{"en", "fr"} {
		c.Lang = lang
		for _, tc := range cases {
			before := testutil.Count(t, d.DB, "timeline_entries", "1=1")
			r := c.Do(tc.method, tc.path, tc.body, tc.headers...)
			p := problemOf(t, r)
			what := lang + " " + tc.name
			if r.Status != tc.status {
				t.Errorf("%s: status %d, want %d: %s", what, r.Status, tc.status, r.Body)
				continue
			}
			if r.Header.Get("Content-Language") != lang {
				t.Errorf("%s: Content-Language %q", what, r.Header.Get("Content-Language"))
			}
			fs := p.fields()
			for _, f := range tc.fields {
				if fs[f] == "" {
					t.Errorf("%s: field %q not named: %+v", what, f, p.Errors)
				}
			}
			want := map[string]string{"en": tc.en, "fr": tc.fr}[lang]
			all := p.Title + " " + p.Detail
			for _, e := range p.Errors {
				all += " " + e.Message
			}
			if want != "" && !strings.Contains(all, want) {
				t.Errorf("%s: %q not in %q", what, want, all)
			}
			if strings.Contains(all, "api.") || strings.Contains(all, "incident.error") || strings.Contains(all, "expected ") {
				t.Errorf("%s: untranslated: %q", what, all)
			}
			if after := testutil.Count(t, d.DB, "timeline_entries", "1=1"); after != before {
				t.Errorf("%s: refused but wrote", what)
			}
		}
	}
}

func merge(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// TestIdempotencyKeyReturnsTheFirstResult: a retry with the same key returns the first
// incident (even sent at the same time), another body with it is refused, another key
// declares again.
func TestIdempotencyKeyReturnsTheFirstResult(t *testing.T) {
	d := newDesk(t)
	c := d.as(t, "Marie.Dupont")
	body := declaration("OCB0000001", "Alert 4711")
	var wg sync.WaitGroup
	rs := make([]testutil.APIResponse, 4)
	for i := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rs[i] = c.Post("/api/v1/incidents", body, "Idempotency-Key", "alert-4711")
		}()
	}
	wg.Wait()
	numbers := map[string]bool{}
	for _, r := range rs {
		switch r.Status {
		case http.StatusCreated:
			numbers[r.Map(t)["number"].(string)] = true
		case http.StatusConflict: // the first was still running: the client retries
		default:
			t.Errorf("retry: %d %s", r.Status, r.Body)
		}
	}
	if len(numbers) != 1 {
		t.Fatalf("one key declared %v", numbers)
	}
	if n := testutil.Count(t, d.DB, "incidents", "title = ?", "Alert 4711"); n != 1 {
		t.Fatalf("%d incidents for one key", n)
	}
	r := c.Post("/api/v1/incidents", body, "Idempotency-Key", "alert-4711")
	if r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "true" || r.Header.Get("ETag") == "" {
		t.Errorf("replay: %d %v", r.Status, r.Header)
	}
	c.Lang = "en"
	r = c.Post("/api/v1/incidents", declaration("OCB0000001", "Another alert"), "Idempotency-Key", "alert-4711")
	if p := problemOf(t, r); r.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Detail, "another request") {
		t.Errorf("same key, another body: %d %+v", r.Status, p)
	}
	r = c.Post("/api/v1/incidents", body, "Idempotency-Key", "alert-4712")
	if r.Status != http.StatusCreated || numbers[r.Map(t)["number"].(string)] {
		t.Errorf("a new key: %d %s", r.Status, r.Body)
	}
	// A refused create leaves the key free for the corrected retry.
	bad := merge(body, "impact", "")
	if r := c.Post("/api/v1/incidents", bad, "Idempotency-Key", "fix-me"); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad create: %d", r.Status)
	}
	if r := c.Post("/api/v1/incidents", merge(body, "title", "Fixed"), "Idempotency-Key", "fix-me"); r.Status != http.StatusCreated {
		t.Errorf("corrected retry: %d %s", r.Status, r.Body)
	}
	// Another user's same key is theirs.
	john := d.as(t, "John.Doe")
	if r := john.Post("/api/v1/incidents", body, "Idempotency-Key", "alert-4711"); r.Status != http.StatusCreated || numbers[r.Map(t)["number"].(string)] {
		t.Errorf("John's key: %d %s", r.Status, r.Body)
	}
	if r := c.Post("/api/v1/incidents", body, "Idempotency-Key", strings.Repeat("k", 256)); r.Status != http.StatusBadRequest {
		t.Errorf("a 256-character key: %d", r.Status)
	}
}

// TestIfMatchGuardsEveryUpdate: the ETag read is the version; an update with it passes and
// moves the version on; the same ETag again is 412; "*" takes the current version.
func TestIfMatchGuardsEveryUpdate(t *testing.T) {
	d := newDesk(t)
	c := d.as(t, "Marie.Dupont")
	agent := d.as(t, "Alice.Agent")
	r := c.Post("/api/v1/incidents", declaration("OCB0000001", "Versioned"))
	path, tag := r.Header.Get("Location"), r.Header.Get("ETag")
	if tag != `"v1"` {
		t.Fatalf("ETag %q", tag)
	}
	if g := agent.Get(path); g.Header.Get("ETag") != tag {
		t.Fatalf("GET ETag %q", g.Header.Get("ETag"))
	}
	r = agent.Post(path+"/take", nil, "If-Match", tag)
	if r.Status != http.StatusOK || r.Header.Get("ETag") != `"v2"` || r.Map(t)["assignee"] != "Alice Agent" {
		t.Fatalf("take: %d %v %s", r.Status, r.Header.Get("ETag"), r.Body)
	}
	if r := agent.Post(path+"/priority", map[string]any{"priority": "P4", "reason": "not urgent"}, "If-Match", tag); r.Status != http.StatusPreconditionFailed {
		t.Errorf("stale priority: %d %s", r.Status, r.Body)
	}
	if r := agent.Post(path+"/priority", map[string]any{"priority": "P4", "reason": "not urgent"}, "If-Match", "*"); r.Status != http.StatusOK {
		t.Errorf("priority with *: %d %s", r.Status, r.Body)
	}
	// Replies append: they need no If-Match.
	if r := c.Post(path+"/replies", map[string]any{"body": "Still down."}); r.Status != http.StatusCreated {
		t.Errorf("reply: %d %s", r.Status, r.Body)
	}
}

// TestCursorsWalkEveryIncidentOnce: following next links lists every incident once.
func TestCursorsWalkEveryIncidentOnce(t *testing.T) {
	d := newDesk(t)
	c := d.as(t, "Marie.Dupont")
	for i := range 7 {
		if r := c.Post("/api/v1/incidents", declaration("OCB0000002", "Paged "+strconv.Itoa(i))); r.Status != http.StatusCreated {
			t.Fatal(r.Status)
		}
	}
	seen := map[string]bool{}
	next := "/api/v1/incidents?tenant=OCB0000002&limit=3"
	pages := 0
	for next != "" {
		var page struct {
			Items []struct{ Number string }
			Next  string
		}
		r := c.Get(next)
		r.JSON(t, &page)
		pages++
		for _, it := range page.Items {
			if seen[it.Number] {
				t.Errorf("%s twice", it.Number)
			}
			seen[it.Number] = true
		}
		if page.Next != "" && !strings.Contains(r.Header.Get("Link"), `rel="next"`) {
			t.Errorf("no Link header: %v", r.Header)
		}
		next = page.Next
		if pages > 10 {
			t.Fatal("no end")
		}
	}
	if len(seen) != 7 || pages != 3 {
		t.Errorf("%d incidents in %d pages", len(seen), pages)
	}
}

// TestRateLimitPerToken: beyond its rate a token gets 429 with Retry-After, localized; another
// token goes on.
func TestRateLimitPerToken(t *testing.T) {
	d := newDeskWith(t, func(c *config.Config) { c.APIRate = 8 }) // a burst of 2
	c := d.as(t, "Marie.Dupont")
	c.Lang = "fr"
	var limited testutil.APIResponse
	for range 5 {
		if r := c.Get("/api/v1/me"); r.Status == http.StatusTooManyRequests {
			limited = r
			break
		}
	}
	if limited.Status != http.StatusTooManyRequests {
		t.Fatal("never limited")
	}
	p := problemOf(t, limited)
	if ra, err := strconv.Atoi(limited.Header.Get("Retry-After")); err != nil || ra < 1 || p.Title != "Trop de requêtes" {
		t.Errorf("429: Retry-After %q, %+v", limited.Header.Get("Retry-After"), p)
	}
	if r := d.as(t, "John.Doe").Get("/api/v1/me"); r.Status != http.StatusOK {
		t.Errorf("another token: %d", r.Status)
	}
}

// TestRefusedBeforeTheAPIStillProblems: a body announced beyond the server's own limit is
// refused before any route, by the pages' error handler, which still answers the API's
// problem+json in the reader's language. Through a real connection: app.Test refuses such a
// body itself.
func TestRefusedBeforeTheAPIStillProblems(t *testing.T) {
	d := newDesk(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go d.web.Listener(ln) //nolint:errcheck // ends with Shutdown
	t.Cleanup(func() { d.web.Shutdown() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/incidents HTTP/1.1\r\nHost: guichet\r\nAccept-Language: fr\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n{", 40<<20)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := problemOf(t, testutil.APIResponse{Status: resp.StatusCode, Header: resp.Header, Body: body})
	if resp.StatusCode != http.StatusRequestEntityTooLarge || p.Title != "Requête trop volumineuse" || !strings.Contains(p.Detail, "dépasse") {
		t.Errorf("40 MB: %d %+v", resp.StatusCode, p)
	}
}
