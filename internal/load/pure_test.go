package load

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestParseForms(t *testing.T) {
	page := `<html><body>
<form method="post" action="/scope" class="inline scope"><input type="hidden" name="_csrf" value="tok">
  <input type="hidden" name="next" value="/incidents">
  <select id="scope-tenant" name="tenant"><option value="1">OCB0000001 — Dupont</option><option value="2" selected>OCB0000002 — Dupont 2</option></select>
  <button type="submit">Choisir</button></form>
<form method="post" action="/incidents" enctype="multipart/form-data" novalidate>
  <input type="hidden" name="_csrf" value="tok"><input type="hidden" name="_once" value="abc">
  <input id="f-title" name="title" type="text" value="">
  <textarea name="description" rows="8">
Ligne 1 &amp; 2</textarea>
  <select name="service"><option value="">Choisir…</option><option value="ecs">ECS</option></select>
  <label><input type="radio" name="region" value="eu-west-0" checked> Paris</label>
  <label><input type="radio" name="region" value="eu-west-2"> Lyon</label>
  <input type="radio" name="impact" value="high"><input type="radio" name="impact" value="low">
  <input type="checkbox" name="notify">
  <input id="f-files" name="files" type="file" multiple>
  <input type="date" name="expires" value="2026-12-01" min="2026-11-30" max="2027-11-30">
  <button type="submit" name="go" value="1">Valider</button>
</form>
<form action="/incidents" method="get"><input name="q" type="search" value="hyperviseur"><select name="status"><option>new</option><option value="closed">Closed</option></select></form>
</body></html>`
	forms := parseForms([]byte(page))
	if len(forms) != 3 {
		t.Fatalf("%d forms", len(forms))
	}
	type kv struct {
		Name, Value string
		File, Omit  bool
	}
	flat := func(f *form) []kv {
		var out []kv
		for _, fl := range f.Fields {
			out = append(out, kv{fl.Name, fl.Value, fl.File, fl.Omit})
		}
		return out
	}
	cases := []struct {
		form                    *form
		action, method, enctype string
		fields                  []kv
	}{
		{forms[0], "/scope", "POST", "", []kv{{"_csrf", "tok", false, false}, {"next", "/incidents", false, false}, {"tenant", "2", false, false}}},
		{forms[1], "/incidents", "POST", "multipart/form-data", []kv{
			{"_csrf", "tok", false, false}, {"_once", "abc", false, false}, {"title", "", false, false},
			{"description", "Ligne 1 & 2", false, false}, {"service", "", false, false}, {"region", "eu-west-0", false, false},
			{"impact", "", false, true}, {"notify", "", false, true}, {"files", "", true, false}, {"expires", "2026-12-01", false, false}}},
		{forms[2], "/incidents", "GET", "", []kv{{"q", "hyperviseur", false, false}, {"status", "new", false, false}}},
	}
	for i, c := range cases {
		if c.form.Action != c.action || c.form.Method != c.method || c.form.Enctype != c.enctype {
			t.Errorf("form %d: %q %q %q", i, c.form.Action, c.form.Method, c.form.Enctype)
		}
		if got := flat(c.form); !reflect.DeepEqual(got, c.fields) {
			t.Errorf("form %d fields:\n got %v\nwant %v", i, got, c.fields)
		}
	}
	if sel, _ := forms[0].Field("tenant"); !reflect.DeepEqual(sel.Options, []option{{"1", "OCB0000001 — Dupont"}, {"2", "OCB0000002 — Dupont 2"}}) {
		t.Errorf("options: %v", sel.Options)
	}
	if fl, _ := forms[1].Field("expires"); fl.Attrs["min"] != "2026-11-30" {
		t.Errorf("attributes: %v", fl.Attrs)
	}
	if _, err := findForm([]byte(page), "/nowhere"); err == nil {
		t.Error("a missing form was found")
	}
}

func TestFormEncode(t *testing.T) {
	f := &form{Action: "/incidents", Method: "POST", Enctype: "multipart/form-data", Fields: []field{
		{Name: "_csrf", Value: "tok"}, {Name: "title", Value: "Panne réseau"}, {Name: "impact", Omit: true}, {Name: "files", File: true}}}
	g := f.Clone()
	g.Set("title", "Autre")
	if f.Get("title") != "Panne réseau" {
		t.Fatal("Clone shares the fields")
	}
	body, ct, err := f.Encode()
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil || !strings.HasPrefix(ct, "multipart/form-data; boundary=") {
		t.Fatalf("%q %v", ct, err)
	}
	// As a browser sends a file input left empty: a part with an empty file name.
	r := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
	var parts []string
	for {
		p, err := r.NextPart()
		if err != nil {
			break
		}
		data, _ := io.ReadAll(p)
		parts = append(parts, p.Header.Get("Content-Disposition")+" "+p.Header.Get("Content-Type")+" "+string(data))
	}
	want := []string{`form-data; name="_csrf"  tok`, `form-data; name="title"  Panne réseau`,
		`form-data; name="files"; filename="" application/octet-stream `}
	if !reflect.DeepEqual(parts, want) {
		t.Errorf("parts:\n got %q\nwant %q", parts, want)
	}

	f.Enctype = ""
	f.Set("impact", "low")
	body, ct, _ = f.Encode()
	wantURL := url.Values{"_csrf": {"tok"}, "title": {"Panne réseau"}, "impact": {"low"}}
	if ct != "application/x-www-form-urlencoded" || string(body) != wantURL.Encode() {
		t.Errorf("%s: %s", ct, body)
	}
}

func TestParseStatus(t *testing.T) {
	cases := []struct {
		in       string
		rss, hwm int64
		ok       bool
	}{
		{"Name:\tguichet\nVmPeak:\t 1000 kB\nVmHWM:\t  120000 kB\nVmRSS:\t  100000 kB\nThreads:\t8\n", 100000 << 10, 120000 << 10, true},
		{"VmRSS:\t 5 kB\n", 0, 0, false},
		{"VmHWM:\t 5 MB\nVmRSS:\t 5 kB\n", 0, 0, false},
		{"VmHWM:\t x kB\nVmRSS:\t 5 kB\n", 0, 0, false},
	}
	for _, c := range cases {
		rss, hwm, err := parseStatus([]byte(c.in))
		if (err == nil) != c.ok || rss != c.rss || hwm != c.hwm {
			t.Errorf("%q: %d %d %v", c.in, rss, hwm, err)
		}
	}
}

func TestFormats(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "—"}, {450 * time.Microsecond, "0.450 ms"}, {4567 * time.Microsecond, "4.57 ms"}, {45678 * time.Microsecond, "45.7 ms"},
		{456789 * time.Microsecond, "457 ms"}, {1234 * time.Millisecond, "1.23 s"},
	} {
		if got := formatLatency(c.d); got != c.want {
			t.Errorf("formatLatency(%s) = %q, want %q", c.d, got, c.want)
		}
	}
	for _, c := range []struct {
		f    float64
		want string
	}{{0, "0.00"}, {3.456, "3.46"}, {45.67, "45.7"}, {1234.5, "1234"}} {
		if got := formatRate(c.f); got != c.want {
			t.Errorf("formatRate(%v) = %q, want %q", c.f, got, c.want)
		}
	}
	for _, c := range []struct {
		n    int64
		want string
	}{{0, "—"}, {1 << 20, "1.0 MiB"}, {150 << 20, "150.0 MiB"}} {
		if got := formatBytes(c.n); got != c.want {
			t.Errorf("formatBytes(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	if got := statusSummary(map[string]int{"200": 5, "500": 2, "transport": 2}); got != "200×5, 500×2, transport×2" {
		t.Errorf("statusSummary: %q", got)
	}
}

func TestMarkdown(t *testing.T) {
	startup := ms(412 * time.Millisecond)
	rep := &Report{Command: "guichet-load -desk /tmp/guichet -database x.db", Desk: "http://127.0.0.1:4000", Database: "sqlite",
		Concurrency: 16, Duration: ms(10 * time.Second), Warmup: ms(2 * time.Second), Startup: &startup, VmHWM: 200 << 20,
		Incident: "INC0000042", ReplyTo: "INC0000099", Rare: "INC0000042",
		Ceilings: []Row{{Name: "ceiling-select", Kind: Read, Requests: 50000, PerSecond: 5000, P50: ms(3 * time.Millisecond),
			P95: ms(5 * time.Millisecond), P99: ms(8 * time.Millisecond), Statuses: map[string]int{"200": 50000}}},
		Scenarios: []Row{
			{Name: "customer-list", Kind: Read, Requests: 20000, PerSecond: 2000, P50: ms(7 * time.Millisecond), P95: ms(12 * time.Millisecond),
				P99: ms(20 * time.Millisecond), Ceiling: "ceiling-select", Ratio: ptr(0.4), MaxRSS: 150 << 20, Statuses: map[string]int{"200": 20000}},
			{Name: "agent-queue", Kind: Read, Requests: 100, PerSecond: 9.5, P50: ms(150 * time.Millisecond), P95: ms(1500 * time.Millisecond),
				P99: ms(2 * time.Second), Errors: 5, Transport: 1, Statuses: map[string]int{"200": 95, "500": 4, "transport": 1},
				FirstError: "500 Internal Server Error: Erreur", Ceiling: "ceiling-select", Ratio: ptr(0.0019), MaxRSS: 160 << 20},
		}}
	want := `| scenario | req/s | p50 | p95 | p99 | errors | ratio | max RSS |
|---|--:|--:|--:|--:|--:|--:|--:|
| ceiling-select | 5000 | 3.00 ms | 5.00 ms | 8.00 ms | 0 | — | — |
| customer-list | 2000 | 7.00 ms | 12.0 ms | 20.0 ms | 0 | 0.40 | 150.0 MiB |
| agent-queue | 9.50 | 150 ms | 1.50 s | 2.00 s | 5 (1 without answer) | 0.00 | 160.0 MiB |

- agent-queue: 5 of 100 failed (200×95, 500×4, transport×1); the first: 500 Internal Server Error: Erreur
Ratio: req/s over the ceiling's (reads: ceiling-select, a plain 50-row select rendered by a bare Fiber route; declare and reply: ceiling-insert, a plain single-row insert), on the same sqlite database.
Concurrency 16, 10s measured per scenario after 2s of warm-up; desk http://127.0.0.1:4000; demo incident INC0000042, replies on INC0000099, rare word "INC0000042".
Start-up: 412 ms (spawn → first 200 on /healthz)
Peak RSS (VmHWM) at the end: 200.0 MiB
Command: guichet-load -desk /tmp/guichet -database x.db
`
	if got := rep.Markdown(); got != want {
		t.Errorf("Markdown:\n%s\nwant\n%s", got, want)
	}
	if !rep.Failed() {
		t.Error("a report with errors did not fail")
	}
	rep.Scenarios = rep.Scenarios[:1]
	if rep.Failed() {
		t.Error("a report without errors failed")
	}
	rep.Problems = []string{"the desk stopped with exit status 1"}
	if !rep.Failed() || !strings.Contains(rep.Markdown(), "- problem: the desk stopped with exit status 1\n") {
		t.Error("a problem is not a failure")
	}
	rep.Startup, rep.VmHWM, rep.Problems = nil, 0, nil
	if md := rep.Markdown(); strings.Contains(md, "Start-up") || !strings.Contains(md, "Peak RSS (VmHWM) at the end: —") {
		t.Errorf("without start-up nor memory:\n%s", md)
	}
}

func TestChecks(t *testing.T) {
	d := &desk{ReplyTo: "INC0000099"}
	res := func(code int, headers ...string) *vegeta.Result {
		h := http.Header{}
		for i := 0; i+1 < len(headers); i += 2 {
			h.Set(headers[i], headers[i+1])
		}
		return &vegeta.Result{Code: uint16(code), Headers: h}
	}
	cases := []struct {
		name  string
		check func(*vegeta.Result, *desk) string
		r     *vegeta.Result
		want  string
	}{
		{"page", wantOK, res(200), ""},
		{"page sent to login", wantOK, res(303, "Location", "/login"), "303 See Other → /login"},
		{"page refused", wantOK, res(403), "403 Forbidden"},
		{"no answer", wantOK, &vegeta.Result{Error: "dial tcp: connection refused"}, "dial tcp: connection refused"},
		{"json", wantJSON, res(200, "Content-Type", "application/json; charset=utf-8"), ""},
		{"problem json", wantJSON, res(429, "Content-Type", "application/problem+json"), "429 Too Many Requests"},
		{"html for json", wantJSON, res(200, "Content-Type", "text/html"), "200 with Content-Type text/html"},
		{"declared", wantDeclared, res(303, "Location", "/incidents/INC0000123/declared"), ""},
		{"declaration refused", wantDeclared, res(422), "422 Unprocessable Entity"},
		{"declaration elsewhere", wantDeclared, res(303, "Location", "/incidents/INC0000123"), "303 See Other → /incidents/INC0000123"},
		{"replied", wantReplied, res(303, "Location", "/incidents/INC0000099"), ""},
		{"replied elsewhere", wantReplied, res(303, "Location", "/incidents/INC0000098"), "303 See Other → /incidents/INC0000098"},
		{"reply refused", wantReplied, res(422), "422 Unprocessable Entity"},
	}
	for _, c := range cases {
		if got := c.check(c.r, d); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := Defaults()
	ok.Desk, ok.Database = "/tmp/guichet", "/tmp/big.db"
	cases := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"spawn", func(*Config) {}, ""},
		{"running", func(c *Config) { c.Desk, c.URL, c.PID = "", "http://127.0.0.1:8080", 42 }, ""},
		{"neither", func(c *Config) { c.Desk = "" }, "want -desk PATH"},
		{"both", func(c *Config) { c.URL = "http://127.0.0.1:8080" }, "exclude each other"},
		{"no database", func(c *Config) { c.Database = "" }, "-database is required"},
		{"pid without url", func(c *Config) { c.PID = 42 }, "-pid goes with -url"},
		{"bad url", func(c *Config) { c.Desk, c.URL = "", "127.0.0.1:8080" }, "want http://host:port"},
		{"url with a path", func(c *Config) { c.Desk, c.URL = "", "http://127.0.0.1:8080/incidents" }, "want http://host:port"},
		{"no worker", func(c *Config) { c.Concurrency = 0 }, "-c 0"},
		{"no duration", func(c *Config) { c.Duration = 0 }, "-d 0s"},
		{"negative warm-up", func(c *Config) { c.Warmup = -time.Second }, "-warmup -1s"},
		{"no common word", func(c *Config) { c.Common = " " }, "-common"},
		{"unknown scenario", func(c *Config) { c.Scenarios = []string{"customer-list", "nope"} }, `no scenario "nope"`},
	}
	for _, c := range cases {
		cfg := ok
		c.change(&cfg)
		err := cfg.Validate()
		if (err == nil) != (c.want == "") || err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	cfg := ok
	cfg.Scenarios = []string{"reply", "customer-list"}
	var names []string
	for _, s := range cfg.chosen() {
		names = append(names, s.Name)
	}
	if !reflect.DeepEqual(names, []string{"customer-list", "reply"}) {
		t.Errorf("chosen: %v", names)
	}
}

func TestDeskEnv(t *testing.T) {
	env := deskEnv([]string{"PATH=/usr/bin", "GUICHET_SMTP_HOST=smtp.example.com", "GUICHET_IMAP_URL=imaps://imap.example.com",
		"GUICHET_STAFF_2FA=required", "GUICHET_DB_POOL=50", "GUICHET_DATABASE=other.db", "HOME=/root"}, "big.db", "127.0.0.1:4000")
	got := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if _, dup := got[k]; dup {
			t.Errorf("%s set twice", k)
		}
		got[k] = v
	}
	want := map[string]string{"PATH": "/usr/bin", "HOME": "/root", "GUICHET_DB_POOL": "50", "GUICHET_DATABASE": "big.db",
		"GUICHET_ADDR": "127.0.0.1:4000", "GUICHET_API_RATE": "100000", "GUICHET_LOG_LEVEL": "error", "GUICHET_SMTP_HOST": "",
		"GUICHET_IMAP_URL": "", "GUICHET_MAIL_REPLY_TO": "", "GUICHET_WEBHOOK_ALLOW_PRIVATE": "false", "GUICHET_STAFF_2FA": "off"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("env:\n got %v\nwant %v", got, want)
	}
}

func TestPageText(t *testing.T) {
	cases := []struct{ body, want string }{
		{`<html><head><title>x</title><style>p{}</style></head><body><nav>Menu</nav><main id="main"><h1>Accès refusé</h1>
<p>Vous n&#39;avez pas   accès.</p></main><footer>f</footer></body></html>`, "Accès refusé Vous n'avez pas accès."},
		{`{"title":"Too Many Requests","status":429}`, `{"title":"Too Many Requests","status":429}`},
		{"<main><p>" + strings.Repeat("é", 300), strings.Repeat("é", 240) + "…"},
		{"", ""},
	}
	for _, c := range cases {
		if got := briefBody([]byte(c.body), 240); got != c.want {
			t.Errorf("briefBody(%.40q) = %q, want %q", c.body, got, c.want)
		}
	}
	rows := listedIncidents([]byte(`<tr>
    <td><a href="/incidents/INC0000042">INC0000042</a></td>
    <td>Instance web-prod-001 ne d&#39;marre plus</td>
    <td><span class="badge">Nouveau</span></td></tr><tr><td><a href="/incidents/INC0000007">INC0000007</a></td><td>guichet-load: x</td></tr>`))
	if !reflect.DeepEqual(rows, []listedIncident{{"INC0000042", "Instance web-prod-001 ne d'marre plus"}, {"INC0000007", "guichet-load: x"}}) {
		t.Errorf("listed: %v", rows)
	}
}
