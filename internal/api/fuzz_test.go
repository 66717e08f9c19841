package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/guichet/guichet/internal/config"
	"github.com/guichet/guichet/internal/testutil"
)

// hostile are the values the API fuzz walk puts in every path parameter, query parameter and
// body field: numbers that overflow, signs, NUL, invalid UTF-8, header injection, bidi
// controls, SQL, a long text.
var hostile = []any{
	"288230376151711745", "9223372036854775808", "-1", "0", "a\x00b", "\xff\xfe", "x\r\nBcc: evil@example.com",
	"\u202egnp.exe", "%00%ff", "INC9999999999999999999", "OCB0000001' OR '1'='1", strings.Repeat("é", 70000), "",
	9223372036854775807, -1, 1.5, true, nil, []any{"a", 1}, map[string]any{"$ne": 1},
}

// garbage are bodies that are not what any operation takes.
var garbage = []string{`{`, `[]`, `"x"`, `null`, `{"a":` + strings.Repeat("[", 5000), "\x00\xff", `{"title": "\ud800"}`}

// operation is one operation of the document, as the walk sends it.
type operation struct {
	method, path string // path with {params}
	params       []string
	query        []string
	body         []string // the request body's properties
}

func operations(doc *openapi3.T) []operation {
	var ops []operation
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o := operation{method: method, path: "/api/v1" + p}
			for _, prm := range op.Parameters {
				switch prm.Value.In {
				case "path":
					o.params = append(o.params, prm.Value.Name)
				case "query":
					o.query = append(o.query, prm.Value.Name)
				}
			}
			if op.RequestBody != nil {
				if mt := op.RequestBody.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
					for name := range mt.Schema.Value.Properties {
						o.body = append(o.body, name)
					}
					sort.Strings(o.body)
				}
			}
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].path+ops[i].method < ops[j].path+ops[j].method })
	return ops
}

func (o operation) fill(v string) string {
	p := o.path
	for _, name := range o.params {
		p = strings.Replace(p, "{"+name+"}", url.PathEscape(v), 1)
	}
	return p
}

// TestAPIFuzzNeverAnswers5xx walks every operation of the document for every persona with
// hostile values in every path parameter, query parameter and body field, wrong types and
// garbage bodies: no answer is 5xx or undocumented, and a refused request writes nothing.
func TestAPIFuzzNeverAnswers5xx(t *testing.T) {
	if testing.Short() {
		t.Skip("the API fuzz walk takes a while")
	}
	for _, login := range []string{"Marie.Dupont", "John.Doe", "Alice.Agent", "Sophie.Commerciale", "admin"} {
		t.Run(login, func(t *testing.T) {
			d := newDeskWith(t, func(c *config.Config) { c.APIRate = 100000 })
			c := d.as(t, login)
			ops := operations(testutil.APIDocument(t, d.web))
			sent := 0
			for _, o := range ops {
				if o.method == http.MethodDelete && strings.HasPrefix(o.path, "/api/v1/tokens") {
					continue // revoking its own token would end the walk
				}
				for i, v := range hostile {
					s := fmt.Sprint(v)
					if v == nil {
						s = ""
					}
					// A request line longer than the server's buffer is refused before any
					// route (431): the path and the query carry at most 300 bytes a value.
					short := s
					if len(short) > 300 {
						short = short[:300]
					}
					target := o.fill(short)
					q := url.Values{}
					for _, name := range o.query {
						q.Set(name, short)
					}
					if len(q) > 0 {
						target += "?" + q.Encode()
					}
					var body any
					if o.method != http.MethodGet && o.method != http.MethodDelete {
						m := map[string]any{}
						for _, name := range o.body {
							m[name] = v
						}
						body = m
					}
					headers := []string{"If-Match", []string{`"v1"`, "*", "garbage", `"v99999999999999999999"`}[i%4],
						"Idempotency-Key", fmt.Sprintf("fuzz-%d", i)}
					before := testutil.Fingerprint(t, d.DB)
					// An empty path parameter makes a path no operation has: nothing to check
					// the answer against but its status.
					c.NoCheck = short == "" && len(o.params) > 0
					r := c.Do(o.method, target, body, headers...)
					c.NoCheck = false
					sent++
					if r.Status >= 400 {
						if after := testutil.Fingerprint(t, d.DB); after != before {
							t.Errorf("%s %.200s (%.40q) refused with %d but wrote:\n before %s\n after  %s", o.method, target, s, r.Status, before, after)
						}
					}
				}
				if o.method != http.MethodGet && o.method != http.MethodDelete {
					c.NoCheck = true // a body that is not JSON is refused before any operation
					for _, g := range garbage {
						before := testutil.Fingerprint(t, d.DB)
						r := c.Do(o.method, o.fill("1"), g, "If-Match", "*")
						sent++
						if r.Status < 400 || r.Header.Get("Content-Type") != "application/problem+json" {
							t.Errorf("%s %s with garbage %.20q: %d %s", o.method, o.path, g, r.Status, r.Header.Get("Content-Type"))
						}
						if after := testutil.Fingerprint(t, d.DB); after != before {
							t.Errorf("%s %s with garbage wrote", o.method, o.path)
						}
					}
					c.NoCheck = false
				}
			}
			// The desk still answers.
			if r := c.Get("/api/v1/me"); r.Status != http.StatusOK {
				t.Errorf("after the walk: %d", r.Status)
			}
			t.Logf("%d requests over %d operations", sent, len(ops))
			if !slices.ContainsFunc(ops, func(o operation) bool { return o.path == "/api/v1/incidents" }) {
				t.Error("the walk does not see the incidents")
			}
		})
	}
}
