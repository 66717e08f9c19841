package web_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/report"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// reportNewDesk is a desk whose report cache reads what each refresh wrote, at once.
func reportNewDesk(t *testing.T) *desk {
	t.Helper()
	d := newDesk(t)
	d.Reports.Cache.Fresh = time.Nanosecond
	return d
}

// reportDeclare declares an incident as login on tenant code; impact and urgency make its
// priority (high+high P1, medium+medium P3, low+low P4).
func reportDeclare(t *testing.T, d *desk, login, code, title, impact, urgency, service, region string) *incident.Incident {
	t.Helper()
	inc, err := d.Incidents.Declare(context.Background(), tenancy.ActorOf(d.user(t, login)), d.tenant(t, code).ID, incident.Draft{
		Title: title, Description: "Nos machines ne répondent plus.", Service: service, Region: region, Impact: impact, Urgency: urgency})
	if err != nil {
		t.Fatalf("declare %q on %s: %v", title, code, err)
	}
	return inc
}

// reportAct has Alice apply act to inc, at the incident's current version.
func reportAct(t *testing.T, d *desk, inc *incident.Incident, act incident.Act) {
	t.Helper()
	cur, err := incident.ByID(context.Background(), d.DB, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	act.Version = cur.Version
	if _, err := d.Incidents.Do(context.Background(), tenancy.ActorOf(d.user(t, "Alice.Agent")), inc.ID, act); err != nil {
		t.Fatalf("%s on %s: %v", act.Action, inc.Number(), err)
	}
}

// reportRefresh runs the report job now.
func reportRefresh(t *testing.T, d *desk) {
	t.Helper()
	if _, err := report.Refresh(context.Background(), d.DB, d.SLA, time.Now(), nil); err != nil {
		t.Fatalf("refresh: %v", err)
	}
}

// reportExec runs a statement on the test database.
func reportExec(t *testing.T, d *desk, query string, args ...any) {
	t.Helper()
	if _, err := d.DB.NewRaw(query, args...).Exec(context.Background()); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// reportSalesRep creates a sales rep who can log in, and makes them the rep of tenants codes.
func reportSalesRep(t *testing.T, d *desk, login, lang string, codes ...string) *identity.User {
	t.Helper()
	u, err := d.Identity.CreateUser(context.Background(), tenancy.System.Actor, identity.UserInput{Login: login,
		Email: strings.ToLower(login) + "@example.com", DisplayName: login, Lang: lang, Kind: identity.Sales, Active: true, Password: demo.Password})
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range codes {
		reportExec(t, d, "UPDATE tenants SET sales_rep_id = ? WHERE code = ?", u.ID, code)
	}
	return u
}

// reportFixture is the small desk of TestReportDashboardFigures, declared today:
//
//	A OCB0000001 P1 ecs eu-west-0: taken, answered and resolved by Alice
//	B OCB0000001 P3 evs eu-west-0: taken by Alice (in progress)
//	C OCB0000001 P4 ecs eu-west-1: new
//	D OCB0000004 P4 obs na-east-0: new, declared by Paul
type reportFixture struct{ a, b, c, d *incident.Incident }

func reportDeclareFixture(t *testing.T, d *desk) reportFixture {
	t.Helper()
	var f reportFixture
	f.a = reportDeclare(t, d, "Marie.Dupont", "OCB0000001", "Serveurs arrêtés", "high", "high", "ecs", "eu-west-0")
	f.b = reportDeclare(t, d, "Marie.Dupont", "OCB0000001", "Volumes lents", "medium", "medium", "evs", "eu-west-0")
	f.c = reportDeclare(t, d, "Marie.Dupont", "OCB0000001", "Question sur une instance", "low", "low", "ecs", "eu-west-1")
	f.d = reportDeclare(t, d, "Paul.Martin", "OCB0000004", "Seau inaccessible", "low", "low", "obs", "na-east-0")
	reportAct(t, d, f.a, incident.Act{Action: incident.Take})
	reportAct(t, d, f.a, incident.Act{Action: incident.Reply, Body: "Nous regardons."})
	reportAct(t, d, f.a, incident.Act{Action: incident.Resolve, Body: "Réglé."})
	reportAct(t, d, f.b, incident.Act{Action: incident.Take})
	reportRefresh(t, d)
	return f
}

// reportSpaces are the spaces HTML collapses (not the no-break ones).
var reportSpaces = regexp.MustCompile(`[ \t\r\n]+`)

// reportTable is the table of section id of a report page, a row per <tr> (the header
// first), each cell's text with its spaces collapsed; nil when the section has no table.
func reportTable(t *testing.T, body, id string) [][]string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sec := reportFind(doc, func(n *html.Node) bool { return n.DataAtom == atom.Section && reportAttr(n, "id") == id })
	if sec == nil {
		t.Fatalf("no section %q", id)
	}
	var rows [][]string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom == atom.Tr {
			var row []string
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.DataAtom == atom.Th || c.DataAtom == atom.Td {
					row = append(row, strings.TrimSpace(reportSpaces.ReplaceAllString(reportText(c), " ")))
				}
			}
			rows = append(rows, row)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(sec)
	return rows
}

func reportFind(n *html.Node, ok func(*html.Node) bool) *html.Node {
	if n.Type == html.ElementNode && ok(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := reportFind(c, ok); f != nil {
			return f
		}
	}
	return nil
}

func reportAttr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func reportText(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(reportText(c))
	}
	return b.String()
}

// reportRow is the first row whose first cell is first, nil when none.
func reportRow(rows [][]string, first string) []string {
	for _, r := range rows {
		if len(r) > 0 && r[0] == first {
			return r
		}
	}
	return nil
}

// reportSum adds up column col of rows after the header, as whole numbers.
func reportSum(t *testing.T, what string, rows [][]string, col int) int {
	t.Helper()
	n := 0
	for _, r := range rows[min(1, len(rows)):] {
		if col >= len(r) {
			t.Fatalf("%s: row %q has no column %d", what, r, col)
		}
		if r[col] == "" || r[col] == "—" {
			continue
		}
		x, err := strconv.Atoi(strings.NewReplacer("\u202f", "", ",", "").Replace(r[col]))
		if err != nil {
			t.Fatalf("%s: cell %q of %q is not a count", what, r[col], r)
		}
		n += x
	}
	return n
}

// reportFirstColumn is the first cell of each row after the header.
func reportFirstColumn(rows [][]string) []string {
	var out []string
	for _, r := range rows[min(1, len(rows)):] {
		if len(r) > 0 {
			out = append(out, r[0])
		}
	}
	return out
}

// wantReportRow fails unless a row of rows begins with want.
func wantReportRow(t *testing.T, what string, rows [][]string, want ...string) {
	t.Helper()
	r := reportRow(rows, want[0])
	if r == nil || len(r) < len(want) || !slices.Equal(r[:len(want)], want) {
		t.Errorf("%s: row %q is %q, want %q\nall rows: %q", what, want[0], r, want, rows)
	}
}

func reportNotServerError(t *testing.T, what string, r testutil.Response) {
	t.Helper()
	if r.Status < 400 || r.Status >= 500 {
		t.Errorf("%s: status %d, want a 4xx; body %.300s", what, r.Status, r.Body)
	}
}

// reportNBSP is the no-break space French puts before : ; ? ! and %.
const reportNBSP = "\u00a0"

// reportWantFileName checks the download's name: name, then the day of the export in Paris.
func reportWantFileName(t *testing.T, what string, r testutil.Response, name string) {
	t.Helper()
	name += "-" + time.Now().In(calendar.Paris).Format("2006-01-02") + ".csv"
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="`+name+`"` {
		t.Errorf("%s: Content-Disposition %q, want file %s", what, cd, name)
	}
}

// reportToday is today in Paris, as the reports count it.
func reportToday() calendar.Date { return calendar.ParisDate(time.Now()) }

// A customer's report counts only the tenants whose report they may read, on the page and in
// the CSV; another customer's tenant answers 404, a member without the contract right 403, and
// the staff dashboard is not theirs.
func TestReportCustomerSeesOnlyTheirTenants(t *testing.T) {
	d := reportNewDesk(t)
	reportDeclare(t, d, "Paul.Martin", "OCB0000004", "Conseil en panne", "low", "low", "ecs", "eu-west-0")
	reportDeclare(t, d, "Paul.Martin", "OCB0000004", "Conseil encore en panne", "low", "low", "ecs", "eu-west-0")
	reportDeclare(t, d, "Marie.Dupont", "OCB0000001", "Production arrêtée", "low", "low", "ecs", "eu-west-0")
	reportRefresh(t, d)

	marie := d.as(t, "Marie.Dupont")
	r := marie.Get("/reports")
	wantStatus(t, "Marie's report", r, http.StatusOK)
	wantNoBody(t, "Marie's report", r, "OCB0000004", "Martin Conseil")
	if n := reportSum(t, "Marie's report", reportTable(t, r.Body, "volume"), 1); n != 1 {
		t.Errorf("Marie's report counts %d incidents declared, want 1 (hers, not Paul's)", n)
	}
	r = marie.Get("/reports?tenant=OCB0000001")
	wantStatus(t, "Marie's report of OCB0000001", r, http.StatusOK)
	if n := reportSum(t, "Marie's report of OCB0000001", reportTable(t, r.Body, "volume"), 1); n != 1 {
		t.Errorf("Marie's report of OCB0000001 counts %d incidents declared, want 1", n)
	}
	rows := readCSV(t, "Marie's CSV", marie.Get("/reports/export.csv"), ';')
	if n := reportSum(t, "Marie's CSV", rows, 1); n != 1 {
		t.Errorf("Marie's CSV counts %d incidents declared, want 1: %q", n, rows)
	}
	wantStatus(t, "another customer's tenant", marie.Get("/reports?tenant=OCB0000004"), http.StatusNotFound)
	wantStatus(t, "another customer's tenant, CSV", marie.Get("/reports/export.csv?tenant=OCB0000004"), http.StatusNotFound)
	wantStatus(t, "a tenant that does not exist", marie.Get("/reports?tenant=OCB9999999"), http.StatusNotFound)
	wantStatus(t, "a tenant that does not exist, CSV", marie.Get("/reports/export.csv?tenant=OCB9999999"), http.StatusNotFound)

	// Paul's report counts his two: the fixture is seen where it belongs.
	paul := d.as(t, "Paul.Martin")
	r = paul.Get("/reports")
	wantStatus(t, "Paul's report", r, http.StatusOK)
	if n := reportSum(t, "Paul's report", reportTable(t, r.Body, "volume"), 1); n != 2 {
		t.Errorf("Paul's report counts %d incidents declared, want 2", n)
	}
	wantNoBody(t, "Paul's report", r, "OCB0000001", "Dupont Industrie")
	rows = readCSV(t, "Paul's CSV", paul.Get("/reports/export.csv"), ';')
	if n := reportSum(t, "Paul's CSV", rows, 1); n != 2 {
		t.Errorf("Paul's CSV counts %d incidents declared, want 2", n)
	}
	wantStatus(t, "Marie's tenant for Paul", paul.Get("/reports/export.csv?tenant=OCB0000001"), http.StatusNotFound)

	john := d.as(t, "John.Doe")
	wantStatus(t, "member without the contract right", john.Get("/reports"), http.StatusForbidden)
	wantStatus(t, "member without the contract right, CSV", john.Get("/reports/export.csv"), http.StatusForbidden)
	wantStatus(t, "member without the contract right, bad months", john.Get("/reports?from=2026-13"), http.StatusForbidden)
	reportNotServerError(t, "member without the contract right, CSV with bad months", john.Get("/reports/export.csv?from=2026-13"))

	for _, path := range []string{"/staff/reports", "/staff/reports/export.csv?section=tenant", "/staff/reports/export.csv?section=breaches"} {
		r := marie.Get(path)
		reportNotServerError(t, "a customer on "+path, r)
		if strings.Contains(r.Body, "OCB0000004") {
			t.Errorf("a customer on %s reads another tenant", path)
		}
	}
	// Logged out: the login page, never the figures.
	r = d.client(t).Get("/reports")
	if r.Status == http.StatusOK && strings.Contains(r.Body, `id="volume"`) {
		t.Errorf("anonymous reader got the report")
	}
	r = d.client(t).Get("/staff/reports/export.csv?section=tenant")
	if r.Status == http.StatusOK {
		t.Errorf("anonymous reader got the dashboard CSV")
	}
}

// A sales rep's dashboard counts only the tenants they are the rep of: the page, the tenant
// filter, the volumes and the breaches CSV leave out another rep's tenant, which answers 404.
func TestReportSalesRepSeesOnlyTheirTenants(t *testing.T) {
	d := reportNewDesk(t)
	reportSalesRep(t, d, "Rita.Rep", "en", "OCB0000002")
	// P1 incidents declared two days ago and never answered: their targets are breached now,
	// on Premium (OCB0000001) as on Business (OCB0000002), which count around the clock. One
	// has a title typed as a formula, with markup.
	d.Incidents.Now = func() time.Time { return time.Now().Add(-48 * time.Hour) }
	mine := reportDeclare(t, d, "Marie.Dupont", "OCB0000001", "Production en panne", "high", "high", "ecs", "eu-west-0")
	theirs := reportDeclare(t, d, "Marie.Dupont", "OCB0000002", "Préproduction en panne", "high", "high", "evs", "eu-west-0")
	formula := reportDeclare(t, d, "Marie.Dupont", "OCB0000001", "=HYPERLINK(\"http://x\",\"<b>y</b>\")", "high", "high", "ecs", "eu-west-0")
	d.Incidents.Now = nil
	reportRefresh(t, d)

	// Agents see both: the fixture breaches where the test expects.
	alice := d.as(t, "Alice.Agent")
	rows := readCSV(t, "Alice's breaches", alice.Get("/staff/reports/export.csv?section=breaches"), ',')
	if got := reportFirstColumn(rows); !slices.Contains(got, mine.Number()) || !slices.Contains(got, theirs.Number()) {
		t.Fatalf("Alice's breaches %q lack %s or %s", rows, mine.Number(), theirs.Number())
	}
	rows = readCSV(t, "Alice's tenants", alice.Get("/staff/reports/export.csv?section=tenant"), ',')
	wantReportRow(t, "Alice's tenants", rows, "OCB0000001", "2")
	wantReportRow(t, "Alice's tenants", rows, "OCB0000002", "1")

	sophie := d.as(t, "Sophie.Commerciale")
	r := sophie.Get("/staff/reports")
	wantStatus(t, "Sophie's dashboard", r, http.StatusOK)
	wantNoBody(t, "Sophie's dashboard", r, "OCB0000002", theirs.Number(), "Préproduction en panne")
	wantBody(t, "Sophie's dashboard", r, `<option value="OCB0000001"`, mine.Number())
	if got := reportFirstColumn(reportTable(t, r.Body, "tenant")); !slices.Equal(got, []string{"OCB0000001"}) {
		t.Errorf("Sophie's tenant table lists %q, want OCB0000001 only", got)
	}
	if n := reportSum(t, "Sophie's flow", reportTable(t, r.Body, "flow"), 1); n != 2 {
		t.Errorf("Sophie's dashboard counts %d declared, want 2", n)
	}
	rows = readCSV(t, "Sophie's tenants", sophie.Get("/staff/reports/export.csv?section=tenant"), ';')
	if got := reportFirstColumn(rows); !slices.Equal(got, []string{"OCB0000001"}) {
		t.Errorf("Sophie's tenant CSV lists %q, want OCB0000001 only", got)
	}
	rows = readCSV(t, "Sophie's breaches", sophie.Get("/staff/reports/export.csv?section=breaches"), ';')
	if got := reportFirstColumn(rows); !slices.Contains(got, mine.Number()) || slices.Contains(got, theirs.Number()) {
		t.Errorf("Sophie's breaches CSV lists %q: want %s, not %s", got, mine.Number(), theirs.Number())
	}
	for _, row := range rows[1:] {
		if slices.Contains(row, "OCB0000002") {
			t.Errorf("Sophie's breaches CSV has another rep's tenant: %q", row)
		}
	}
	// A title typed as a formula is text in the CSV, and markup is text on the page.
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("Sophie's breaches CSV: cell %q would run as a formula", cell)
			}
		}
	}
	// A sales rep reads no incident: the breaches give no title, on the page or in the CSV.
	if row := reportRow(rows, formula.Number()); row == nil || slices.ContainsFunc(row, func(c string) bool { return strings.Contains(c, "HYPERLINK") }) {
		t.Errorf("Sophie's breaches CSV: the formula's row %q (want it, without its title)", row)
	}
	wantNoBody(t, "Sophie's dashboard", r, "HYPERLINK")
	// An agent reads them: a title typed as a formula is text in the CSV, and markup is text on
	// the page.
	rows = readCSV(t, "Alice's breaches", alice.Get("/staff/reports/export.csv?section=breaches"), ',')
	if row := reportRow(rows, formula.Number()); !slices.Contains(row, `'=HYPERLINK("http://x","<b>y</b>")`) {
		t.Errorf("Alice's breaches CSV: the formula's row %q", row)
	}
	r = alice.Get("/staff/reports")
	wantBody(t, "Alice's dashboard", r, "=HYPERLINK(&#34;http://x&#34;,&#34;&lt;b&gt;y&lt;/b&gt;&#34;)")
	wantNoBody(t, "Alice's dashboard", r, "<b>y</b>")
	for _, path := range []string{"/staff/reports?tenant=OCB0000002", "/staff/reports?tenant=ocb0000002",
		"/staff/reports/export.csv?section=tenant&tenant=OCB0000002", "/staff/reports/export.csv?section=breaches&tenant=OCB0000002"} {
		wantStatus(t, "another rep's tenant: "+path, sophie.Get(path), http.StatusNotFound)
	}
	r = sophie.Get("/staff/reports?tenant=OCB0000001")
	wantStatus(t, "Sophie's own tenant", r, http.StatusOK)

	rita := d.as(t, "Rita.Rep")
	r = rita.Get("/staff/reports")
	wantStatus(t, "Rita's dashboard", r, http.StatusOK)
	wantNoBody(t, "Rita's dashboard", r, "OCB0000001", mine.Number())
	if got := reportFirstColumn(reportTable(t, r.Body, "tenant")); !slices.Equal(got, []string{"OCB0000002"}) {
		t.Errorf("Rita's tenant table lists %q, want OCB0000002 only", got)
	}
	rows = readCSV(t, "Rita's breaches", rita.Get("/staff/reports/export.csv?section=breaches"), ',')
	if got := reportFirstColumn(rows); slices.Contains(got, mine.Number()) || !slices.Contains(got, theirs.Number()) {
		t.Errorf("Rita's breaches CSV lists %q: want %s, not %s", got, theirs.Number(), mine.Number())
	}
	wantStatus(t, "Sophie's tenant for Rita", rita.Get("/staff/reports?tenant=OCB0000001"), http.StatusNotFound)
	wantStatus(t, "Sophie's tenant for Rita, CSV", rita.Get("/staff/reports/export.csv?section=breaches&tenant=OCB0000001"), http.StatusNotFound)

	// A rep of no tenant sees an empty dashboard, not everyone's.
	reportSalesRep(t, d, "Nora.Rep", "en")
	r = d.as(t, "Nora.Rep").Get("/staff/reports")
	wantStatus(t, "Nora's dashboard", r, http.StatusOK)
	wantNoBody(t, "Nora's dashboard", r, "OCB0000001", "OCB0000002", mine.Number(), theirs.Number())
	rows = readCSV(t, "Nora's breaches", d.as(t, "Nora.Rep").Get("/staff/reports/export.csv?section=breaches"), ',')
	if len(rows) != 1 {
		t.Errorf("Nora's breaches CSV has rows: %q", rows)
	}
}

// The dashboard's tables show the fixture's counts, and each section's CSV the same numbers:
// in English with commas and a decimal point, in French with semicolons and a decimal comma.
func TestReportDashboardFigures(t *testing.T) {
	d := reportNewDesk(t)
	reportDeclareFixture(t, d)

	alice := d.as(t, "Alice.Agent")
	r := alice.Get("/staff/reports")
	wantStatus(t, "dashboard", r, http.StatusOK)
	backlog := reportTable(t, r.Body, "backlog")
	// Columns: priority, new, in progress, waiting for the customer, total.
	wantReportRow(t, "backlog", backlog, "P1", "0", "0", "0", "0")
	wantReportRow(t, "backlog", backlog, "P2", "0", "0", "0", "0")
	wantReportRow(t, "backlog", backlog, "P3", "0", "1", "0", "1")
	wantReportRow(t, "backlog", backlog, "P4", "2", "0", "0", "2")
	flow := reportTable(t, r.Body, "flow")
	if c, res := reportSum(t, "flow", flow, 1), reportSum(t, "flow", flow, 2); c != 4 || res != 1 {
		t.Errorf("flow: %d declared and %d resolved, want 4 and 1: %q", c, res, flow)
	}
	service := reportTable(t, r.Body, "service")
	wantReportRow(t, "service", service, "Elastic Cloud Server", "2", "50.0%")
	wantReportRow(t, "service", service, "Elastic Volume Service", "1", "25.0%")
	wantReportRow(t, "service", service, "Object Storage Service", "1", "25.0%")
	if n := reportSum(t, "region", reportTable(t, r.Body, "region"), 1); n != 4 {
		t.Errorf("region: %d incidents, want 4", n)
	}
	tenants := reportTable(t, r.Body, "tenant")
	wantReportRow(t, "tenant", tenants, "OCB0000001", "3", "75.0%")
	wantReportRow(t, "tenant", tenants, "OCB0000004", "1", "25.0%")
	ttr := reportTable(t, r.Body, "ttr")
	wantReportRow(t, "time to resolve", ttr, "P1", "1")
	wantReportRow(t, "time to resolve", ttr, "All priorities", "1")
	// A's targets were met on Premium; B's and C's have not ended yet, D (Basic) has none.
	var premium []string
	for _, row := range reportTable(t, r.Body, "sla")[1:] {
		if len(row) > 1 && row[1] == "Premium" {
			premium = row[2:]
		} else if len(row) > 3 && (row[2] != "0" || row[3] != "0") {
			t.Errorf("sla: a target counted on another level: %q", row)
		}
	}
	if !slices.Equal(premium, []string{"1", "0", "100.0%", "1", "0", "100.0%"}) {
		t.Errorf("sla: Premium's row %q", premium)
	}
	if n := reportSum(t, "first response", reportTable(t, r.Body, "first_response"), 1); n != 1 {
		t.Errorf("first response: %d answered, want 1", n)
	}

	// The CSV of each section has the page's numbers.
	rows := readCSV(t, "backlog CSV", alice.Get("/staff/reports/export.csv?section=backlog"), ',')
	if !reflect.DeepEqual(rows[1:], [][]string{{"P1", "0", "0", "0", "0"}, {"P2", "0", "0", "0", "0"}, {"P3", "0", "1", "0", "1"}, {"P4", "2", "0", "0", "2"}}) {
		t.Errorf("backlog CSV: %q", rows)
	}
	if !slices.Equal(rows[0], backlog[0]) {
		t.Errorf("backlog CSV header %q, page %q", rows[0], backlog[0])
	}
	rows = readCSV(t, "service CSV", alice.Get("/staff/reports/export.csv?section=service"), ',')
	wantReportRow(t, "service CSV", rows, "Elastic Cloud Server", "2", "50.0")
	wantReportRow(t, "service CSV", rows, "Object Storage Service", "1", "25.0")
	rows = readCSV(t, "flow CSV", alice.Get("/staff/reports/export.csv?section=flow"), ',')
	if c, res := reportSum(t, "flow CSV", rows, 1), reportSum(t, "flow CSV", rows, 2); c != 4 || res != 1 {
		t.Errorf("flow CSV: %d declared and %d resolved, want 4 and 1", c, res)
	}
	rows = readCSV(t, "ttr CSV", alice.Get("/staff/reports/export.csv?section=ttr"), ',')
	if !strings.HasSuffix(rows[0][2], "(hours)") {
		t.Errorf("ttr CSV: a duration's column does not say its unit: %q", rows[0])
	}
	if p1 := reportRow(rows, "P1"); len(p1) < 3 || !regexp.MustCompile(`^\d+\.\d\d$`).MatchString(p1[2]) {
		t.Errorf("ttr CSV: P1's mean %q is not hours with a decimal point", p1)
	}
	rows = readCSV(t, "tenant CSV", alice.Get("/staff/reports/export.csv?section=tenant"), ',')
	wantReportRow(t, "tenant CSV", rows, "OCB0000001", "3", "75.0")
	reportWantFileName(t, "tenant CSV", alice.Get("/staff/reports/export.csv?section=tenant"), "dashboard-tenant")
	reportWantFileName(t, "tenant CSV of one tenant", alice.Get("/staff/reports/export.csv?section=tenant&tenant=OCB0000004"), "dashboard-tenant-OCB0000004")

	// The filters: a tenant, a level, a service.
	r = alice.Get("/staff/reports?tenant=OCB0000004")
	wantStatus(t, "one tenant", r, http.StatusOK)
	wantReportRow(t, "one tenant", reportTable(t, r.Body, "service"), "Object Storage Service", "1", "100.0%")
	if got := reportFirstColumn(reportTable(t, r.Body, "tenant")); !slices.Equal(got, []string{"OCB0000004"}) {
		t.Errorf("one tenant: tenant table %q", got)
	}
	r = alice.Get("/staff/reports?tenant=ocb0000004&level=basic")
	wantStatus(t, "one tenant, lower case", r, http.StatusOK)
	wantReportRow(t, "one tenant, lower case", reportTable(t, r.Body, "tenant"), "OCB0000004", "1")
	r = alice.Get("/staff/reports?service=ecs")
	wantStatus(t, "one service", r, http.StatusOK)
	if n := reportSum(t, "one service", reportTable(t, r.Body, "flow"), 1); n != 2 {
		t.Errorf("one service: %d declared, want 2", n)
	}
	r = alice.Get("/staff/reports?level=premium")
	wantStatus(t, "one level", r, http.StatusOK)
	if got := reportFirstColumn(reportTable(t, r.Body, "tenant")); !slices.Equal(got, []string{"OCB0000001"}) {
		t.Errorf("one level: tenant table %q", got)
	}
	rows = readCSV(t, "one level, CSV", alice.Get("/staff/reports/export.csv?section=backlog&level=premium"), ',')
	wantReportRow(t, "one level, CSV", rows, "P4", "1", "0", "0", "1")

	// In French: the same numbers, semicolons and decimal commas.
	sophie := d.as(t, "Sophie.Commerciale")
	r = sophie.Get("/staff/reports")
	wantStatus(t, "French dashboard", r, http.StatusOK)
	wantReportRow(t, "French backlog", reportTable(t, r.Body, "backlog"), "P4", "2", "0", "0", "2")
	wantReportRow(t, "French service", reportTable(t, r.Body, "service"), "Elastic Cloud Server", "2", "50,0"+reportNBSP+"%")
	rows = readCSV(t, "French service CSV", sophie.Get("/staff/reports/export.csv?section=service"), ';')
	wantReportRow(t, "French service CSV", rows, "Elastic Cloud Server", "2", "50,0")
	wantReportRow(t, "French service CSV", rows, "Elastic Volume Service", "1", "25,0")
	rows = readCSV(t, "French backlog CSV", sophie.Get("/staff/reports/export.csv?section=backlog"), ';')
	if !reflect.DeepEqual(rows[1:], [][]string{{"P1", "0", "0", "0", "0"}, {"P2", "0", "0", "0", "0"}, {"P3", "0", "1", "0", "1"}, {"P4", "2", "0", "0", "2"}}) {
		t.Errorf("French backlog CSV: %q", rows)
	}
	if rows[0][0] != "Priorité" {
		t.Errorf("French backlog CSV header %q", rows[0])
	}
	rows = readCSV(t, "French ttr CSV", sophie.Get("/staff/reports/export.csv?section=ttr"), ';')
	if p1 := reportRow(rows, "P1"); len(p1) < 3 || !regexp.MustCompile(`^\d+,\d\d$`).MatchString(p1[2]) {
		t.Errorf("French ttr CSV: P1's mean %q is not hours with a decimal comma", p1)
	}
	reportWantFileName(t, "French CSV", sophie.Get("/staff/reports/export.csv?section=service"), "tableau-de-bord-service")

	// The customer report counts Marie's three, month by month; Paul's one is his.
	marie := d.as(t, "Marie.Dupont")
	r = marie.Get("/reports")
	wantStatus(t, "Marie's report", r, http.StatusOK)
	volume := reportTable(t, r.Body, "volume")
	if n := reportSum(t, "Marie's report", volume, 1); n != 3 {
		t.Errorf("Marie's report: %d declared, want 3: %q", n, volume)
	}
	if len(volume) != 13 {
		t.Errorf("Marie's report: %d rows, want a header and 12 months", len(volume))
	}
	// Open now: B and C are hers.
	wantBody(t, "Marie's report", r, `<span class="figure">2</span>`)
	res := marie.Get("/reports/export.csv")
	reportWantFileName(t, "Marie's CSV", res, "rapport")
	reportWantFileName(t, "Marie's CSV of one tenant", marie.Get("/reports/export.csv?tenant=ocb0000001"), "rapport-OCB0000001")
	rows = readCSV(t, "Marie's CSV", res, ';')
	if n := reportSum(t, "Marie's CSV", rows, 1); n != 3 {
		t.Errorf("Marie's CSV: %d declared, want 3", n)
	}
	if len(rows) != len(volume) {
		t.Errorf("Marie's CSV has %d rows, the page %d", len(rows), len(volume))
	}
}

// Input the dashboard cannot read comes back with the message beside its field, in the
// reader's language, and what was typed kept; a tenant that is not there is 404; the CSV of a
// section that does not exist is a 4xx.
func TestReportDashboardRefusesBadInput(t *testing.T) {
	d := reportNewDesk(t)
	alice := d.as(t, "Alice.Agent")
	today := reportToday()
	early, late := today.AddDays(-40).String(), today.AddDays(-10).String()
	cases := []struct {
		query  string
		fields map[string]string // field → the English message
		kept   []string
	}{
		{"period=custom&from=" + late + "&to=" + early, map[string]string{"to": "The end comes before the start: swap them."}, []string{late, early}},
		{"period=custom&from=2010-01-01&to=2020-01-01", map[string]string{"to": "A period covers at most 366 days; this one covers 3653."}, []string{"2010-01-01", "2020-01-01"}},
		{"period=custom&from=2025-02-30&to=nope", map[string]string{"from": "Write a day as YYYY-MM-DD, for example 2026-11-30.", "to": "Write a day as YYYY-MM-DD, for example 2026-11-30."}, []string{"2025-02-30", "nope"}},
		{"period=custom&from=&to=", map[string]string{"from": "Write a day as YYYY-MM-DD, for example 2026-11-30."}, nil},
		{"period=custom&from=1999-12-01&to=2000-01-15", map[string]string{"from": "Reports start on"}, []string{"1999-12-01"}},
		{"period=custom&from=" + early + "&to=" + today.AddDays(3).String(), map[string]string{"to": "The last day cannot be after today"}, []string{early, today.AddDays(3).String()}},
		{"period=yearly", map[string]string{"period": "Choose one of the periods offered."}, nil},
		{"level=gold&service=nope", map[string]string{"level": "Choose one of the support levels offered.", "service": "Choose one of the services offered."}, nil},
		{"period=custom&from=" + late + "&to=" + early + "&level=gold", map[string]string{"to": "swap them", "level": "Choose one of the support levels offered."}, []string{late, early}},
	}
	for _, c := range cases {
		r := alice.Get("/staff/reports?" + c.query)
		wantStatus(t, c.query, r, http.StatusUnprocessableEntity)
		for f, msg := range c.fields {
			if got := fieldError(r.Body, f); !strings.Contains(got, msg) {
				t.Errorf("%s: field %s says %q, want %q", c.query, f, got, msg)
			}
		}
		for _, v := range c.kept {
			wantBody(t, c.query+": kept", r, `value="`+v+`"`)
		}
		wantBody(t, c.query, r, "Correct the filters above to see the figures.")
		wantNoBody(t, c.query, r, `<svg`)
		// The CSV of the same query is refused too, never a server error.
		reportNotServerError(t, c.query+" (CSV)", alice.Get("/staff/reports/export.csv?section=backlog&"+c.query))
	}
	// The filters that were right stay chosen beside the wrong one.
	r := alice.Get("/staff/reports?level=premium&service=nope&tenant=OCB0000001")
	wantStatus(t, "one wrong filter", r, http.StatusUnprocessableEntity)
	wantBody(t, "one wrong filter", r, `<option value="premium" selected>`, `<option value="OCB0000001" selected>`)

	// In French, with French words.
	sophie := d.as(t, "Sophie.Commerciale")
	r = sophie.Get("/staff/reports?period=custom&from=" + late + "&to=" + early)
	wantStatus(t, "French reversed", r, http.StatusUnprocessableEntity)
	if got := fieldError(r.Body, "to"); got != "La fin précède le début"+reportNBSP+": inversez-les." {
		t.Errorf("French reversed: %q", got)
	}
	r = sophie.Get("/staff/reports?period=custom&from=2010-01-01&to=2020-01-01&service=nope")
	wantStatus(t, "French too long", r, http.StatusUnprocessableEntity)
	if got := fieldError(r.Body, "to"); !strings.Contains(got, "Une période couvre au plus 366") {
		t.Errorf("French too long: %q", got)
	}
	if got := fieldError(r.Body, "service"); got != "Choisissez l’un des services proposés." {
		t.Errorf("French service: %q", got)
	}

	for _, path := range []string{"/staff/reports?tenant=OCB9999999", "/staff/reports?tenant=nope",
		"/staff/reports/export.csv?section=backlog&tenant=OCB9999999"} {
		wantStatus(t, path, alice.Get(path), http.StatusNotFound)
	}
	for _, path := range []string{"/staff/reports/export.csv?section=nope", "/staff/reports/export.csv",
		"/staff/reports/export.csv?section=Backlog", "/staff/reports/export.csv?section=" + url.QueryEscape("../../etc"),
		"/staff/reports?period=" + strings.Repeat("x", 3000)} {
		reportNotServerError(t, path, alice.Get(path))
	}
	if r := alice.Get("/staff/reports/export.csv?section=nope"); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("unknown section: %d", r.Status)
	}
	// Each section the page links to answers its CSV.
	for _, s := range []string{"backlog", "flow", "sla", "breaches", "ttr", "first_response", "service", "region", "tenant", "changes", "approval", "sales", "decision"} {
		readCSV(t, "section "+s, alice.Get("/staff/reports/export.csv?section="+s), ',')
	}
}

// The customer report refuses months it cannot read, beside their fields, in French for Marie.
func TestReportCustomerRefusesBadMonths(t *testing.T) {
	d := reportNewDesk(t)
	marie := d.as(t, "Marie.Dupont")
	this := report.MonthOf(reportToday())
	m := func(back int) string { return (this - report.Month(back)).String() }
	cases := []struct {
		query  string
		fields map[string]string // field → the French message, or a part of it
		kept   []string
	}{
		{"from=" + m(1) + "&to=" + m(5), map[string]string{"to": "La fin précède le début" + reportNBSP + ": inversez-les."}, []string{m(1), m(5)}},
		{"from=" + m(29) + "&to=" + m(0), map[string]string{"to": "Un rapport couvre au plus 24 mois" + reportNBSP + "; celui-ci en couvre 30."}, []string{m(29), m(0)}},
		{"from=2026-13&to=" + m(0), map[string]string{"from": "Écrivez un mois au format AAAA-MM, par exemple 2026-11."}, []string{"2026-13"}},
		{"from=nope&to=2026-00", map[string]string{"from": "Écrivez un mois", "to": "Écrivez un mois"}, []string{"nope", "2026-00"}},
		{"from=" + m(2) + "&to=" + (this + 2).String(), map[string]string{"to": "Le dernier mois ne peut pas être après le mois en cours."}, []string{(this + 2).String()}},
		{"from=1999-01", map[string]string{"from": "Les rapports commencent le"}, []string{"1999-01"}},
	}
	for _, c := range cases {
		r := marie.Get("/reports?" + c.query)
		wantStatus(t, c.query, r, http.StatusUnprocessableEntity)
		for f, msg := range c.fields {
			if got := fieldError(r.Body, f); !strings.Contains(got, msg) {
				t.Errorf("%s: field %s says %q, want %q", c.query, f, got, msg)
			}
		}
		for _, v := range c.kept {
			wantBody(t, c.query+": kept", r, `value="`+v+`"`)
		}
		wantBody(t, c.query, r, "Corrigez les mois ci-dessus pour voir le rapport.")
		reportNotServerError(t, c.query+" (CSV)", marie.Get("/reports/export.csv?"+c.query))
	}
	if r := marie.Get("/reports/export.csv?from=2026-13"); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("CSV with a bad month: %d", r.Status)
	}
	// 24 months is the most a report covers; a report of them is read.
	r := marie.Get("/reports?from=" + m(23) + "&to=" + m(0))
	wantStatus(t, "24 months", r, http.StatusOK)
	if n := len(reportTable(t, r.Body, "volume")); n != 25 {
		t.Errorf("24 months: %d rows, want a header and 24", n)
	}
}

var (
	reportRawKey   = regexp.MustCompile(`\b(report|nav|incident|contract|sla|cloud|change)\.[a-z_]+(\.[a-z0-9_]+)*\b`)
	reportSVG      = regexp.MustCompile(`(?s)<svg\b.*?</svg>`)
	reportSVGTitle = regexp.MustCompile(`<title id="chart-[a-z_-]+-title">[^<]+</title>`)
	reportSVGDesc  = regexp.MustCompile(`<desc id="chart-[a-z_-]+-desc">[^<]+</desc>`)
)

// wantReportCharts checks every chart of a page: an image to assistive technology, named by
// its <title> and described by its <desc>, with no style attribute; at least min of them.
func wantReportCharts(t *testing.T, what, body string, min int) {
	t.Helper()
	svgs := reportSVG.FindAllString(body, -1)
	if len(svgs) < min {
		t.Errorf("%s: %d charts, want at least %d", what, len(svgs), min)
	}
	for _, s := range svgs {
		open := s[:strings.IndexByte(s, '>')+1]
		if !strings.Contains(open, `role="img"`) || !strings.Contains(open, `aria-labelledby="chart-`) {
			t.Errorf("%s: chart without its role or label: %s", what, open)
		}
		if !reportSVGTitle.MatchString(s) || !reportSVGDesc.MatchString(s) {
			t.Errorf("%s: chart without its title or description: %.300s", what, s)
		}
		if strings.Contains(s, " style=") || strings.Contains(s, "<style") {
			t.Errorf("%s: chart with a style attribute or element: %.300s", what, s)
		}
	}
	if strings.Contains(body, " style=\"") {
		t.Errorf("%s: a style attribute on the page", what)
	}
}

// wantReportNoRawKey fails on a message key shown as is.
func wantReportNoRawKey(t *testing.T, what, body string) {
	t.Helper()
	text := regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(body, " ") // the text, not the attributes
	if k := reportRawKey.FindAllString(text, 5); len(k) > 0 {
		t.Errorf("%s: raw keys on the page: %q", what, k)
	}
}

// The dashboard and the report read in both languages, with accessible charts.
func TestReportDashboardInBothLanguages(t *testing.T) {
	d := reportNewDesk(t)
	reportDeclareFixture(t, d)

	r := d.as(t, "Sophie.Commerciale").Get("/staff/reports")
	wantStatus(t, "French dashboard", r, http.StatusOK)
	wantBody(t, "French dashboard", r, `<html lang="fr">`, "<h1>Tableau de bord</h1>", "Incidents ouverts maintenant",
		"Déclarés et résolus", "Afficher")
	wantNoBody(t, "French dashboard", r, "Open incidents now", "Dashboard</h1>")
	wantReportNoRawKey(t, "French dashboard", r.Body)
	wantReportCharts(t, "French dashboard", r.Body, 5)

	r = d.as(t, "Alice.Agent").Get("/staff/reports")
	wantStatus(t, "English dashboard", r, http.StatusOK)
	wantBody(t, "English dashboard", r, `<html lang="en">`, "<h1>Dashboard</h1>", "Open incidents now", "Declared and resolved")
	wantNoBody(t, "English dashboard", r, "Tableau de bord", "Incidents ouverts maintenant")
	wantReportNoRawKey(t, "English dashboard", r.Body)
	wantReportCharts(t, "English dashboard", r.Body, 5)
	for _, id := range []string{"backlog", "flow", "sla", "breaches", "ttr", "first_response", "service", "region", "tenant", "changes", "approval", "sales", "decision"} {
		wantBody(t, "English dashboard", r, `<section class="report-section" id="`+id+`"`, `<li><a href="#`+id+`">`)
	}
	// The title of a chart is its section's, in the reader's language.
	wantBody(t, "English dashboard", r, `<title id="chart-backlog-title">Open incidents now</title>`)

	// Alice switches to French.
	reportExec(t, d, "UPDATE users SET lang = 'fr' WHERE login = 'Alice.Agent'")
	r = d.as(t, "Alice.Agent").Get("/staff/reports")
	wantBody(t, "Alice in French", r, "<h1>Tableau de bord</h1>", `<title id="chart-backlog-title">Incidents ouverts maintenant</title>`)
	wantReportNoRawKey(t, "Alice in French", r.Body)

	// A refused form is in French too, without raw keys.
	r = d.as(t, "Sophie.Commerciale").Get("/staff/reports?period=yearly&level=gold")
	wantStatus(t, "French refusal", r, http.StatusUnprocessableEntity)
	wantReportNoRawKey(t, "French refusal", r.Body)
	if got := fieldError(r.Body, "period"); got != "Choisissez l’une des périodes proposées." {
		t.Errorf("French refusal: period says %q", got)
	}

	r = d.as(t, "Marie.Dupont").Get("/reports")
	wantStatus(t, "French report", r, http.StatusOK)
	wantBody(t, "French report", r, "<h1>Rapports</h1>")
	wantReportNoRawKey(t, "French report", r.Body)
	wantReportCharts(t, "French report", r.Body, 2)
	reportExec(t, d, "UPDATE users SET lang = 'en' WHERE login = 'Marie.Dupont'")
	r = d.as(t, "Marie.Dupont").Get("/reports")
	wantBody(t, "English report", r, "<h1>Reports</h1>")
	wantReportNoRawKey(t, "English report", r.Body)
	wantReportCharts(t, "English report", r.Body, 2)
	// English CSV: commas.
	readCSV(t, "English report CSV", d.as(t, "Marie.Dupont").Get("/reports/export.csv"), ',')
}

var (
	reportStaffLink = regexp.MustCompile(`<a href="/staff/reports"[^>]*>([^<]*)</a>`)
	reportTabLink   = regexp.MustCompile(`<a href="/reports"[^>]*>([^<]*)</a>`)
)

// The staff menu links to the dashboard for agents, sales reps and admins; the customer tab
// "Reports" is there for those who may read a report, not for the others.
func TestReportNavigationLinks(t *testing.T) {
	d := reportNewDesk(t)
	for _, c := range []struct{ login, word string }{
		{"Alice.Agent", "Dashboard"}, {"admin", "Dashboard"}, {"Sophie.Commerciale", "Tableau de bord"},
	} {
		r := d.as(t, c.login).Get("/staff/tenants")
		wantStatus(t, c.login, r, http.StatusOK)
		if m := reportStaffLink.FindStringSubmatch(r.Body); m == nil || m[1] != c.word {
			t.Errorf("%s: dashboard link %q, want %q", c.login, m, c.word)
		}
		r = d.as(t, c.login).Get("/staff/reports")
		wantBody(t, c.login+" on the dashboard", r, `<a href="/staff/reports" aria-current="page">`+c.word+`</a>`)
	}
	marie := d.as(t, "Marie.Dupont")
	r := marie.Get("/incidents")
	wantStatus(t, "Marie's incidents", r, http.StatusOK)
	if m := reportTabLink.FindStringSubmatch(r.Body); m == nil || m[1] != "Rapports" {
		t.Errorf("Marie: reports tab %q", m)
	}
	wantBody(t, "Marie on her report", marie.Get("/reports"), `<a href="/reports" aria-current="page">Rapports</a>`)
	r = d.as(t, "John.Doe").Get("/incidents")
	wantStatus(t, "John's incidents", r, http.StatusOK)
	if reportTabLink.MatchString(r.Body) {
		t.Errorf("John has the reports tab")
	}
	r = d.as(t, "Paul.Martin").Get("/incidents")
	if m := reportTabLink.FindStringSubmatch(r.Body); m == nil || m[1] != "Rapports" {
		t.Errorf("Paul: reports tab %q", m)
	}
	// A member with the contract right, not the referent, has the tab and reads the report.
	reportExec(t, d, "UPDATE memberships SET can_contract = ? WHERE user_id = ?", true, d.user(t, "John.Doe").ID)
	john := d.as(t, "John.Doe")
	r = john.Get("/incidents")
	if m := reportTabLink.FindStringSubmatch(r.Body); m == nil || m[1] != "Reports" {
		t.Errorf("John with the contract right: reports tab %q", m)
	}
	wantStatus(t, "John with the contract right", john.Get("/reports"), http.StatusOK)
	readCSV(t, "John with the contract right, CSV", john.Get("/reports/export.csv"), ',')
}

// A tenant typed in lower case is the same filter: the figures are that tenant's, and the form
// shows it chosen, so that changing the period keeps it.
func TestReportFilterKeepsTheTenantChosen(t *testing.T) {
	d := reportNewDesk(t)
	r := d.as(t, "Alice.Agent").Get("/staff/reports?tenant=ocb0000001")
	wantStatus(t, "dashboard", r, http.StatusOK)
	wantBody(t, "dashboard", r, `<option value="OCB0000001" selected>`, "· OCB0000001 ·")
	r = d.as(t, "Marie.Dupont").Get("/reports?tenant=ocb0000001")
	wantStatus(t, "report", r, http.StatusOK)
	wantBody(t, "report", r, `<option value="OCB0000001" selected>`)
}
