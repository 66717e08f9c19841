package load

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/testutil"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/uptrace/bun"
)

// demoIncidents is how many generated incidents the tests' desks hold.
const demoIncidents = 300

// demoDatabase is a copy of the demo database with generated incidents, loaded by the
// program's own `guichet demo --incidents`.
func demoDatabase(t *testing.T) (bin, dsn string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	bin, dsn = testutil.GuichetBinary(t), testutil.NewDemoDatabase(t)
	cmd := exec.Command(bin, "demo", "--incidents", strconv.Itoa(demoIncidents))
	cmd.Env = append(os.Environ(), "GUICHET_DATABASE="+dsn)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("guichet demo: %v\n%s", err, out)
	}
	return bin, dsn
}

// testConfig is a short run: two workers, 300 ms a scenario.
func testConfig(t *testing.T, dsn string, log io.Writer) Config {
	cfg := Defaults()
	cfg.Database, cfg.Concurrency, cfg.Duration, cfg.Warmup = dsn, 2, 300*time.Millisecond, 100*time.Millisecond
	cfg.JSON, cfg.Log = filepath.Join(t.TempDir(), "report.json"), log
	return cfg
}

func openDB(t *testing.T, dsn string) *bun.DB {
	t.Helper()
	bdb, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	return bdb
}

// TestRunSpawnsADesk runs the whole tool as `guichet-load -desk … -database …` does: every
// scenario answers as expected, is compared with its ceiling and has the desk's memory; the
// start-up time and peak are reported; the desk is stopped, the scratch table dropped, the
// tokens revoked and the sessions ended.
func TestRunSpawnsADesk(t *testing.T) {
	bin, dsn := demoDatabase(t)
	cfg := testConfig(t, dsn, &testutil.SyncBuffer{})
	cfg.Desk, cfg.CommandLine = bin, "guichet-load -desk guichet"
	var out bytes.Buffer
	rep, err := Run(context.Background(), cfg, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, cfg.Log)
	}
	if rep.Failed() {
		t.Fatalf("the run failed:\n%s\n%s", out.String(), cfg.Log)
	}

	var names []string
	for _, r := range rep.Scenarios {
		names = append(names, r.Name)
		want := "200"
		if r.Kind == Write {
			want = "303"
		}
		if r.Requests == 0 || r.Errors != 0 || r.PerSecond <= 0 || r.P50 <= 0 || r.P99 < r.P50 || r.Statuses[want] != int(r.Requests) {
			t.Errorf("%s: %+v", r.Name, r)
		}
		wantCeiling := map[Kind]string{Read: "ceiling-select", Write: "ceiling-insert"}[r.Kind]
		if r.Ceiling != wantCeiling || r.Ratio == nil || *r.Ratio <= 0 {
			t.Errorf("%s: ceiling %q, ratio %v", r.Name, r.Ceiling, r.Ratio)
		}
		// The kernel updates VmHWM lazily: a VmRSS read may pass it by a few pages.
		if r.MaxRSS < 10<<20 || r.MaxRSS > rep.VmHWM+4<<20 {
			t.Errorf("%s: max RSS %d, VmHWM %d", r.Name, r.MaxRSS, rep.VmHWM)
		}
	}
	if !slices.Equal(names, ScenarioNames()) {
		t.Errorf("scenarios run: %v", names)
	}
	if len(rep.Ceilings) != 2 || rep.Ceilings[0].Name != "ceiling-select" || rep.Ceilings[1].Name != "ceiling-insert" ||
		rep.Ceilings[0].Requests == 0 || rep.Ceilings[1].Requests == 0 {
		t.Errorf("ceilings: %+v", rep.Ceilings)
	}
	if rep.Startup == nil || *rep.Startup <= 0 || rep.Startup != nil && time.Duration(*rep.Startup) > time.Minute {
		t.Errorf("start-up: %v", rep.Startup)
	}
	wantDB := map[bool]string{false: "sqlite", true: "postgresql"}[testutil.OnPostgres()]
	if rep.Database != wantDB || rep.Incident == "" || rep.ReplyTo == "" || rep.Rare != rep.Incident {
		t.Errorf("report: database %q, incident %q, reply to %q, rare %q", rep.Database, rep.Incident, rep.ReplyTo, rep.Rare)
	}

	// The Markdown report on out, the same in JSON.
	md := out.String()
	for _, want := range append(ScenarioNames(), "| scenario | req/s | p50 | p95 | p99 | errors | ratio | max RSS |",
		"ceiling-select", "ceiling-insert", "Start-up: ", "Peak RSS (VmHWM) at the end: ", "Command: guichet-load -desk guichet") {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	data, err := os.ReadFile(cfg.JSON)
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back.Markdown() != rep.Markdown() {
		t.Errorf("the JSON report reads back differently:\n%s\nwant\n%s", back.Markdown(), rep.Markdown())
	}

	// Stopped and cleaned up.
	if r, err := http.Get(rep.Desk + "/healthz"); err == nil {
		r.Body.Close()
		t.Errorf("the desk still answers at %s", rep.Desk)
	}
	bdb := openDB(t, dsn)
	if slices.Contains(testutil.Tables(t, bdb), ceilingTable) {
		t.Errorf("%s is still there", ceilingTable)
	}
	if n := testutil.Count(t, bdb, "api_tokens", "revoked_at IS NULL"); n != 0 {
		t.Errorf("%d API tokens left active", n)
	}
	if n := testutil.Count(t, bdb, "sessions", "TRUE"); n != 0 {
		t.Errorf("%d sessions left open", n)
	}
	// What was measured was written: each declaration an incident, each reply an entry.
	declared := testutil.Count(t, bdb, "incidents", "title LIKE ?", titlePrefix+": instance%")
	if d := rep.Scenarios[slices.Index(names, "declare")]; declared < int(d.Requests) {
		t.Errorf("%d incidents declared for %d declarations", declared, d.Requests)
	}
	id, ok := incidentID(rep.ReplyTo)
	replies := testutil.Count(t, bdb, "timeline_entries", "subject_kind = 'incident' AND subject_id = ? AND kind = 'reply'", id)
	if r := rep.Scenarios[slices.Index(names, "reply")]; !ok || replies < int(r.Requests) {
		t.Errorf("%d replies on %s for %d replies sent", replies, rep.ReplyTo, r.Requests)
	}
}

func incidentID(number string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(number, "INC"), 10, 64)
	return n, err == nil
}

// TestRunOnARunningDesk measures a desk started elsewhere (-url, -pid): no start-up time,
// the memory of the process named.
func TestRunOnARunningDesk(t *testing.T) {
	bin, dsn := demoDatabase(t)
	d := testutil.StartDesk(t, bin, append(os.Environ(), "GUICHET_DATABASE="+dsn, "GUICHET_ADDR=127.0.0.1:0", "GUICHET_LOG_LEVEL=error"))
	defer func() {
		d.Cmd.Process.Signal(syscall.SIGTERM) //nolint:errcheck // Wait says
		d.Wait(t)
	}()
	cfg := testConfig(t, dsn, &testutil.SyncBuffer{})
	cfg.URL, cfg.PID, cfg.Scenarios = d.URL("/"), d.Cmd.Process.Pid, []string{"incident-page", "declare"}
	var out bytes.Buffer
	rep, err := Run(context.Background(), cfg, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s", err, cfg.Log)
	}
	if rep.Failed() || len(rep.Scenarios) != 2 || rep.Startup != nil || rep.VmHWM == 0 || strings.Contains(out.String(), "Start-up") {
		t.Fatalf("report:\n%s\n%s", out.String(), cfg.Log)
	}
	for _, r := range rep.Scenarios {
		if r.MaxRSS == 0 || r.Ratio == nil || r.Errors != 0 {
			t.Errorf("%s: %+v", r.Name, r)
		}
	}
	if r, err := http.Get(d.URL("/healthz")); err != nil || r.StatusCode != http.StatusOK {
		t.Errorf("the desk the tool did not start was stopped: %v", err)
	} else {
		r.Body.Close()
	}
}

// TestScenariosAskWhatTheySay sends each scenario's request once and reads the page: the list
// filtered on the status, the searches on their word, the incident page of the demo incident,
// the API's JSON; a declaration makes an incident, a reply an entry.
func TestScenariosAskWhatTheySay(t *testing.T) {
	bin, dsn := demoDatabase(t)
	desk := testutil.StartDesk(t, bin, deskEnv(os.Environ(), dsn, "127.0.0.1:0"))
	ctx := context.Background()
	cfg := Defaults()
	base, _ := url.Parse(desk.URL(""))
	d, err := prepare(ctx, base, &cfg, "test")
	defer func() {
		if err := d.finish(ctx); err != nil {
			t.Error(err)
		}
	}()
	if err != nil {
		t.Fatal(err)
	}
	if len(d.tokens) != apiTokens || d.Incident == "" || d.ReplyTo == "" || d.Incident == d.ReplyTo {
		t.Fatalf("set-up: %+v", d)
	}
	bdb := openDB(t, dsn)
	before := testutil.Count(t, bdb, "incidents", "TRUE")
	entries := testutil.Count(t, bdb, "timeline_entries", "TRUE")

	for _, s := range scenarios {
		var tg vegeta.Target
		if err := s.target(d, &cfg)(&tg); err != nil {
			t.Fatal(err)
		}
		req, err := tg.Request()
		if err != nil {
			t.Fatal(err)
		}
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		res := &vegeta.Result{Code: uint16(resp.StatusCode), Headers: resp.Header, Body: body}
		if why := s.check(res, d); why != "" {
			t.Errorf("%s: %s%s", s.Name, why, bodyHint(body))
			continue
		}
		page := string(body)
		filter := func(action string) *form {
			f, err := findForm(body, action)
			if err != nil {
				t.Fatalf("%s: %v", s.Name, err)
			}
			return f
		}
		switch s.Name {
		case "customer-list":
			if n := len(listedIncidents(body)); n == 0 || !strings.Contains(page, cfg.Tenant) {
				t.Errorf("%s: %d incidents listed", s.Name, n)
			}
		case "filtered-list":
			if f := filter("/incidents"); f.Get("status") != cfg.Status {
				t.Errorf("%s: the filter shows status %q", s.Name, f.Get("status"))
			}
		case "search-customer-common":
			if f := filter("/incidents"); f.Get("q") != cfg.Common || len(listedIncidents(body)) == 0 {
				t.Errorf("%s: the filter shows %q, %d incidents listed", s.Name, f.Get("q"), len(listedIncidents(body)))
			}
		case "search-agent-common", "search-rare":
			want := map[string]string{"search-agent-common": cfg.Common, "search-rare": d.Incident}[s.Name]
			if f := filter("/staff/incidents"); f.Get("q") != want {
				t.Errorf("%s: the filter shows %q, want %q", s.Name, f.Get("q"), want)
			}
		case "agent-queue":
			if !strings.Contains(page, `action="/staff/incidents"`) {
				t.Errorf("%s: not the queue", s.Name)
			}
		case "incident-page":
			if !strings.Contains(page, d.Incident) {
				t.Errorf("%s: the page does not name %s", s.Name, d.Incident)
			}
		case "api-list":
			var list struct {
				Items []struct{ Number, Tenant string } `json:"items"`
			}
			if err := json.Unmarshal(body, &list); err != nil || len(list.Items) == 0 || list.Items[0].Tenant != cfg.Tenant {
				t.Errorf("%s: %v %.300s", s.Name, err, body)
			}
		case "api-get":
			var inc struct{ Number string }
			if err := json.Unmarshal(body, &inc); err != nil || inc.Number != d.Incident {
				t.Errorf("%s: %v %.300s", s.Name, err, body)
			}
		}
	}
	if n := testutil.Count(t, bdb, "incidents", "TRUE"); n != before+1 {
		t.Errorf("%d incidents after one declaration, want %d", n, before+1)
	}
	if n := testutil.Count(t, bdb, "timeline_entries", "TRUE"); n < entries+2 {
		t.Errorf("%d timeline entries after a declaration and a reply, had %d", n, entries)
	}
}
