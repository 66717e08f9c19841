package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

const (
	// declaredMails is how many mails the customers' declarations queue through the two desks.
	declaredMails = 300
	// breachedIncidents are declared a month before the desks start: both their SLA targets are
	// breached and not yet told.
	breachedIncidents = 30
	supportLead       = "leads@example.com"
)

// TestTwoInstances runs two real desks on one database, as a deployment behind a load balancer
// does. Started together on an empty database, both serve and the migrations run once. A user
// who logs in on one continues on the other, whose forms accept the first one's CSRF tokens.
// Mails queued through both are delivered once each, and the SLA breaches the jobs find when
// both start are told once each.
func TestTwoInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the program")
	}
	bin := testutil.GuichetBinary(t)
	dsn := testutil.NewDatabase(t)
	srv := testutil.StartSMTP(t)
	env := append(os.Environ(), "GUICHET_DATABASE="+dsn, "GUICHET_ADDR=127.0.0.1:0", "GUICHET_LOG_LEVEL=info", "GUICHET_LOG_FORMAT=text",
		"GUICHET_SMTP_HOST=127.0.0.1", "GUICHET_SMTP_PORT="+strconv.Itoa(srv.Port), "GUICHET_SMTP_TLS=none",
		"GUICHET_SUPPORT_LEADS="+supportLead)

	// a. Both start together on the empty database, each loading the demo data; one of them
	// migrates it, and the demo's rows are there once.
	desks := startTogether(t, bin, env, 2, "--demo")
	for i, d := range desks {
		if st, body, _ := send(t, http.DefaultClient, http.MethodGet, d.URL("/login"), nil); st != http.StatusOK || !strings.Contains(body, `name="password"`) {
			t.Fatalf("desk %d: GET /login: status %d\n%s", i, st, d.Logs())
		}
	}
	checkMigratedOnce(t, dsn, desks)
	stopAll(t, desks)

	// Then incidents declared a month ago whose breaches nobody was told yet.
	checkDemoOnce(t, dsn)
	breached := declareLongAgo(t, dsn, breachedIncidents)
	bdb, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bdb.Close() })
	ctx := context.Background()
	// The desks of the first start took the jobs' current ticks; the next start comes a tick
	// later, as it would in a deployment, rather than a minute into this test.
	if _, err := bdb.NewRaw("UPDATE job_runs SET next_run_at = ?", time.Now().UTC().Add(-time.Hour)).Exec(ctx); err != nil {
		t.Fatal(err)
	}

	// d (its first half). Both start together, and each runs its jobs at start.
	desks = startTogether(t, bin, env, 2)

	// b. John logs in on A and goes on with B.
	john := browser(t)
	loginAcross(t, john, desks[0], desks[1])

	// c. Declarations through both desks, each form read on one and posted to the other,
	// until they have queued declaredMails mails.
	before := declarationMails(t, bdb)
	var wg sync.WaitGroup
	var mu sync.Mutex
	declared := 0
	for w := range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				if n := declarationMails(t, bdb); n-before >= declaredMails || t.Failed() {
					return
				}
				loc, ok := declareAcross(t, john, desks[w], desks[1-w], fmt.Sprintf("worker %d, incident %d", w, i))
				if !ok {
					return
				}
				if !strings.HasSuffix(loc, "/declared") {
					t.Errorf("declaration redirected to %q", loc)
					return
				}
				mu.Lock()
				declared++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if queued := declarationMails(t, bdb) - before; queued != 2*declared {
		t.Errorf("%d declarations queued %d mails, want two each (John and Marie, the referent)", declared, queued)
	} else {
		t.Logf("%d declarations through the two desks queued %d mails", declared, queued)
	}

	waitBreachesTold(t, bdb, breached, desks)
	waitDrained(t, dsn, desks[0])
	stopAll(t, desks)

	// Every message of the outbox arrived once, and nothing else did.
	var rows []notify.Message
	if err := bdb.NewSelect().Model(&rows).Order("id").Scan(ctx); err != nil {
		t.Fatal(err)
	}
	perID := map[string]int{}
	for _, m := range srv.Received() {
		perID[m.Header.Get("Message-ID")]++
	}
	inOutbox := map[string]bool{}
	dups, lost := 0, 0
	for _, m := range rows {
		inOutbox[m.MessageID] = true
		if m.Status != notify.StatusSent {
			t.Errorf("message %d (%s to %s) is %s: %s", m.ID, m.Kind, m.RecipientEmail, m.Status, m.LastError)
		}
		switch n := perID[m.MessageID]; {
		case n == 0:
			lost++
		case n > 1:
			dups += n - 1
		}
	}
	for id, n := range perID {
		if !inOutbox[id] {
			t.Errorf("the relay received %d message(s) with Message-ID %q, which is not in the outbox", n, id)
		}
	}
	if dups != 0 || lost != 0 {
		t.Errorf("of %d outbox messages, %d extra copies were received and %d messages never were", len(rows), dups, lost)
	}
	t.Logf("%d outbox messages, %d received by the relay", len(rows), len(srv.Received()))

	// d (its second half). Each breach told once, by one desk's run of the job.
	checkBreachesOnce(t, bdb, breached, desks)
}

// url is the address of path on the desk.

// startTogether runs n `guichet serve` at once on env, and waits until each listens.
func startTogether(t *testing.T, bin string, env []string, n int, args ...string) []*child {
	t.Helper()
	cs := make([]*child, n)
	addrs := make([]<-chan string, n)
	for i := range cs {
		cs[i], addrs[i] = testutil.SpawnDesk(t, bin, env, args...)
	}
	deadline := time.After(30 * time.Second)
	for i, c := range cs {
		select {
		case c.Addr = <-addrs[i]:
		case <-deadline:
			t.Fatalf("desk %d did not start listening\n%s", i, c.Logs())
		}
	}
	return cs
}

// stopAll stops the desks gracefully, all at once, and checks that each exits cleanly.
func stopAll(t *testing.T, cs []*child) {
	t.Helper()
	for _, c := range cs {
		if err := c.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cs {
		if st := c.Wait(t); !st.Success() {
			t.Errorf("desk %d exited with %v\n%s", i, st, c.Logs())
		}
	}
}

// checkMigratedOnce checks that each migration is recorded once and that one desk applied them
// all, the other none.
func checkMigratedOnce(t *testing.T, dsn string, cs []*child) {
	t.Helper()
	bdb, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	var names []string
	if err := bdb.NewRaw("SELECT name FROM schema_migrations").Scan(context.Background(), &names); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, n := range names {
		seen[n]++
	}
	for n, k := range seen {
		if k != 1 {
			t.Errorf("migration %s recorded %d times", n, k)
		}
	}
	dialect := "sqlite"
	if testutil.OnPostgres() {
		dialect = "pg"
	}
	var files []string
	for _, dir := range []string{"", dialect} {
		fs, err := filepath.Glob(filepath.Join("..", "..", "internal", "db", "migrations", dir, "*.up.sql"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	// The migrations written in Go count with the files.
	files = append(files, db.GoMigrations()...)
	if len(files) == 0 || len(seen) != len(files) {
		t.Errorf("%d migrations recorded, %d files and migrations in Go", len(seen), len(files))
	}
	var lines []int
	migrators := 0
	for _, c := range cs {
		n := strings.Count(c.Logs(), `msg="migration applied"`)
		lines = append(lines, n)
		if n > 0 {
			migrators++
		}
		if n != 0 && n != len(files) {
			t.Errorf("a desk applied %d of the %d migrations\n%s", n, len(files), c.Logs())
		}
	}
	if migrators != 1 {
		t.Errorf("%d desks applied migrations (lines per desk: %v), want one", migrators, lines)
	}
}

// declareLongAgo declares n incidents of John's on OCB0000001 a month before now, with the
// program's own services: by now both SLA targets of each are breached, and nobody was told.
func declareLongAgo(t *testing.T, dsn string, n int) []*incident.Incident {
	t.Helper()
	ctx := context.Background()
	a, err := app.Open(ctx, testutil.Config(dsn), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	then := time.Now().Add(-30 * 24 * time.Hour)
	a.Incidents.Now = func() time.Time { return then }
	u, err := identity.UserByLogin(ctx, a.DB, "John.Doe")
	if err != nil {
		t.Fatal(err)
	}
	tn, err := tenancy.TenantByCode(ctx, a.DB, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}
	var out []*incident.Incident
	for i := range n {
		inc, err := a.Incidents.Declare(ctx, tenancy.ActorOf(u), tn.ID, incident.Draft{Title: fmt.Sprintf("Old outage %d", i),
			Description: "Nothing answers since this morning.", Service: "ecs", Region: "eu-west-0", Impact: "high", Urgency: "high"})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, inc)
	}
	return out
}

// browser returns an HTTP client that keeps cookies as a browser does and shows redirects
// instead of following them.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// send makes a request (a form post when form is not nil) and returns the status, the body and
// the redirect's location. A transport error fails the test.
func send(t *testing.T, hc *http.Client, method, u string, form url.Values) (int, string, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, u, err)
		return 0, "", ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("%s %s: %v", method, u, err)
	}
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

var (
	csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)
	onceInput = regexp.MustCompile(`name="_once" value="([^"]+)"`)
)

// hidden returns the value of a form's hidden field in body, or "".
func hidden(re *regexp.Regexp, body string) string {
	if m := re.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

// loginAcross logs John in on a, then reads and posts on b with that session.
func loginAcross(t *testing.T, hc *http.Client, a, b *child) {
	t.Helper()
	st, body, _ := send(t, hc, http.MethodGet, a.URL("/login"), nil)
	token := hidden(csrfInput, body)
	if st != http.StatusOK || token == "" {
		t.Fatalf("GET /login on A: status %d, CSRF token %q", st, token)
	}
	st, _, loc := send(t, hc, http.MethodPost, a.URL("/login"), url.Values{"login": {"John.Doe"}, "password": {demo.Password}, "_csrf": {token}})
	if st != http.StatusSeeOther || loc != "/" {
		t.Fatalf("POST /login on A: status %d, location %q\n%s", st, loc, a.Logs())
	}
	// The cookie jar keys cookies by host, not port: the session cookie A set goes to B too.
	au, _ := url.Parse(a.URL("/"))
	bu, _ := url.Parse(b.URL("/"))
	if ca, cb := hc.Jar.Cookies(au), hc.Jar.Cookies(bu); len(ca) == 0 || fmt.Sprint(ca) != fmt.Sprint(cb) {
		t.Fatalf("cookies for A %v, for B %v: want the same session", ca, cb)
	}

	// Without the session, B sends to the login page; with it, B shows John his incidents.
	if st, _, loc := send(t, browser(t), http.MethodGet, b.URL("/incidents"), nil); st != http.StatusSeeOther || !strings.HasPrefix(loc, "/login") {
		t.Fatalf("GET /incidents on B without a session: status %d, location %q", st, loc)
	}
	st, body, loc = send(t, hc, http.MethodGet, b.URL("/incidents"), nil)
	if st != http.StatusOK || !strings.Contains(body, `href="/profile">John Doe</a>`) {
		t.Fatalf("GET /incidents on B with A's session: status %d, location %q\n%.500s", st, loc, body)
	}

	// A form read on A is accepted by B (the CSRF secret is the database's), and a forged
	// token is not.
	st, body, _ = send(t, hc, http.MethodGet, a.URL("/incidents/new"), nil)
	form := incidentForm("Declared on B from A's form", hidden(csrfInput, body), hidden(onceInput, body))
	if st != http.StatusOK || form.Get("_csrf") == "" || form.Get("_once") == "" {
		t.Fatalf("GET /incidents/new on A: status %d, form %v", st, form)
	}
	forged := incidentForm("Forged", "x"+form.Get("_csrf"), form.Get("_once")+"x")
	if st, _, _ := send(t, hc, http.MethodPost, b.URL("/incidents"), forged); st != http.StatusForbidden {
		t.Errorf("POST /incidents on B with a forged CSRF token: status %d, want 403", st)
	}
	st, _, loc = send(t, hc, http.MethodPost, b.URL("/incidents"), form)
	if st != http.StatusSeeOther || !strings.HasSuffix(loc, "/declared") {
		t.Fatalf("POST /incidents on B with A's token: status %d, location %q\n%s", st, loc, b.Logs())
	}
	st, body, _ = send(t, hc, http.MethodGet, a.URL(loc), nil)
	if number := strings.TrimSuffix(strings.TrimPrefix(loc, "/incidents/"), "/declared"); st != http.StatusOK || !strings.Contains(body, number) {
		t.Fatalf("GET %s on A: status %d", loc, st)
	}
}

// incidentForm is a declaration as a browser running the form's script sends it: the help
// articles were offered as the title was typed (suggested), so Valider declares at once.
func incidentForm(title, csrf, once string) url.Values {
	return url.Values{"title": {title}, "description": {"The volume vol-42 is in error since 8 am."},
		"service": {"evs"}, "region": {"eu-west-0"}, "impact": {"medium"}, "urgency": {"high"},
		"phone": {"+33 6 12 34 56 78"}, "_csrf": {csrf}, "_once": {once}, "suggested": {"1"}}
}

// declareAcross reads the declaration form on from and posts it to to, and returns where the
// answer redirects; false when the test failed.
func declareAcross(t *testing.T, hc *http.Client, from, to *child, title string) (string, bool) {
	st, body, _ := send(t, hc, http.MethodGet, from.URL("/incidents/new"), nil)
	if st != http.StatusOK {
		t.Errorf("GET /incidents/new: status %d", st)
		return "", false
	}
	st, body, loc := send(t, hc, http.MethodPost, to.URL("/incidents"), incidentForm(title, hidden(csrfInput, body), hidden(onceInput, body)))
	if st != http.StatusSeeOther {
		t.Errorf("POST /incidents: status %d\n%.500s", st, body)
		return "", false
	}
	return loc, true
}

// declarationMails counts the mails of the outbox that tell of a declaration.
func declarationMails(t *testing.T, bdb *bun.DB) int {
	n, err := bdb.NewSelect().Model((*notify.Message)(nil)).Where("kind = 'incident_declared'").Count(context.Background())
	if err != nil {
		t.Error(err)
	}
	return int(n)
}

// waitBreachesTold waits until the job has claimed both breaches of each incident.
func waitBreachesTold(t *testing.T, bdb *bun.DB, incs []*incident.Incident, cs []*child) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		left := 0
		for _, inc := range incs {
			got, err := incident.ByID(context.Background(), bdb, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.FRBreachNotified || !got.ResBreachNotified {
				left++
			}
		}
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d incidents still have a breach untold\nA:\n%s\nB:\n%s", left, len(incs), cs[0].Logs(), cs[1].Logs())
		}
	}
}

// checkBreachesOnce checks that each breached incident's two breaches were each written once
// for the support lead (there is no assignee), that no other incident breached, and that one
// desk ran the breach job's tick that told them.
func checkBreachesOnce(t *testing.T, bdb *bun.DB, incs []*incident.Incident, cs []*child) {
	t.Helper()
	var rows []notify.Message
	if err := bdb.NewSelect().Model(&rows).Where("kind = 'incident_breach'").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	perThread := map[string]int{}
	for _, m := range rows {
		if m.RecipientEmail != supportLead {
			t.Errorf("breach mail to %s", m.RecipientEmail)
		}
		perThread[m.Thread]++
	}
	for _, inc := range incs {
		thread := "incident-" + strconv.FormatInt(inc.ID, 10)
		if n := perThread[thread]; n != 2 {
			t.Errorf("%s: %d breach mails, want 2 (first response and resolution)", inc.Number(), n)
		}
		delete(perThread, thread)
	}
	for thread, n := range perThread {
		t.Errorf("%d breach mails for %s, which was declared just now", n, thread)
	}
	ran := 0
	for _, c := range cs {
		if strings.Contains(c.Logs(), `msg="job done" job=incidents.notify_breaches count=`) {
			ran++
		}
	}
	if ran != 1 {
		t.Errorf("%d desks logged telling breaches, want one\nA:\n%s\nB:\n%s", ran, cs[0].Logs(), cs[1].Logs())
	}
}

// checkDemoOnce fails t unless the demo users and tenants are each there once.
func checkDemoOnce(t *testing.T, dsn string) {
	t.Helper()
	bdb, err := db.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if n := testutil.Count(t, bdb, "users", "1 = 1"); n != len(demo.Users) {
		t.Errorf("%d users after two starts with --demo, want the %d demo users once each", n, len(demo.Users))
	}
	if n := testutil.Count(t, bdb, "tenants", "1 = 1"); n != 4 {
		t.Errorf("%d tenants after two starts with --demo, want the 4 demo tenants once each", n)
	}
	arts, err := demo.HelpArticles()
	if err != nil {
		t.Fatal(err)
	}
	if n := testutil.Count(t, bdb, "help_articles", "1 = 1"); n != len(arts) {
		t.Errorf("%d help articles after two starts with --demo, want the %d demo articles once each", n, len(arts))
	}
}
