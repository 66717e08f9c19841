package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

const hyperlink = `=HYPERLINK("http://x","y")`

// readCSV parses an export as a spreadsheet would: byte-order mark, then sep-separated cells.
func readCSV(t *testing.T, what string, r testutil.Response, sep rune) [][]string {
	t.Helper()
	wantStatus(t, what, r, http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("%s: Content-Type %q", what, ct)
	}
	body, ok := strings.CutPrefix(r.Body, "\ufeff")
	if !ok {
		t.Fatalf("%s: no byte-order mark: %.60q", what, r.Body)
	}
	cr := csv.NewReader(strings.NewReader(body))
	cr.Comma = sep
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("%s: not CSV separated by %q: %v\n%s", what, sep, err, body)
	}
	return rows
}

// wantNeutralized fails on any cell a spreadsheet would read as a formula, and checks that want
// is there, neutralized.
func wantNeutralized(t *testing.T, what string, rows [][]string, want ...string) {
	t.Helper()
	seen := map[string]bool{}
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("%s: cell %q would run as a formula", what, cell)
			}
			seen[cell] = true
		}
	}
	for _, w := range want {
		if !seen["'"+w] {
			t.Errorf("%s: no cell %q", what, "'"+w)
		}
	}
}

func wantFileName(t *testing.T, what string, r testutil.Response, name string) {
	t.Helper()
	name += "-" + time.Now().In(calendar.Paris).Format("2006-01-02") + ".csv"
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="`+name+`"` {
		t.Errorf("%s: Content-Disposition %q, want file %s", what, cd, name)
	}
}

// declareAlliance opens an incident on tenant as Marie, in a Cloud Alliance region she names.
func declareAlliance(t *testing.T, d *desk, tenantID int64, title, region string) *incident.Incident {
	t.Helper()
	inc, err := d.Incidents.Declare(context.Background(), tenancy.ActorOf(d.user(t, "Marie.Dupont")), tenantID, incident.Draft{
		Title: title, Description: "La console affiche un lien étrange.", Service: "ecs", Region: incident.RegionAlliance,
		RegionOther: region, Impact: "low", Urgency: "low"})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func execSQL(t *testing.T, d *desk, query string, args ...any) {
	t.Helper()
	if _, err := d.DB.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatal(err)
	}
}

// A title, a region or a name typed as a formula comes out of every incident export as text: for
// the customer (in French, separated by semicolons) and for the agent (in English, by commas).
func TestIncidentExportsNeutralizeFormulas(t *testing.T) {
	d := newDesk(t)
	t1 := d.tenant(t, "OCB0000001")
	inc := declareAlliance(t, d, t1.ID, hyperlink, "@SUM(1+1)*cmd|' /C calc'!A0")
	execSQL(t, d, "UPDATE users SET display_name = ? WHERE login = 'Alice.Agent'", "-2+3 Alice")
	execSQL(t, d, "UPDATE incidents SET assignee_id = ? WHERE id = ?", d.user(t, "Alice.Agent").ID, inc.ID)
	wants := []string{hyperlink, "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3 Alice"}

	r := d.as(t, "Marie.Dupont").Get("/incidents/export")
	rows := readCSV(t, "customer, French", r, ';')
	if strings.Join(rows[0][:4], "|") != "Numéro|Titre|État|Priorité" {
		t.Errorf("French header %q", rows[0])
	}
	wantNeutralized(t, "customer, French", rows, wants...)
	wantFileName(t, "customer, French", r, "incidents-OCB0000001")

	r = d.as(t, "John.Doe").Get("/incidents/export")
	rows = readCSV(t, "customer, English", r, ',')
	if strings.Join(rows[0][:4], "|") != "Number|Title|Status|Priority" {
		t.Errorf("English header %q", rows[0])
	}
	wantNeutralized(t, "customer, English", rows, wants...)
	wantFileName(t, "customer, English", r, "incidents-OCB0000001")

	r = d.as(t, "Alice.Agent").Get("/staff/incidents/export")
	rows = readCSV(t, "agents' queue", r, ',')
	wantNeutralized(t, "agents' queue", rows, wants...)
	wantFileName(t, "agents' queue", r, "incidents")
	if len(rows) < 2 || rows[1][0] == "" {
		t.Fatalf("queue export: %q", rows)
	}
}

// The change export follows the same rules: the reader's separator, cells neutralized, a file
// named in the reader's language.
func TestChangeExportNeutralizesFormulasInTheReadersLanguage(t *testing.T) {
	d := newDesk(t)
	marie := d.user(t, "Marie.Dupont")
	execSQL(t, d, "UPDATE users SET display_name = ? WHERE id = ?", hyperlink, marie.ID)
	r := mustChange(t, d, d.tenant(t, "OCB0000001").ID, "evs_capacity", "100", "150")

	res := d.as(t, "Marie.Dupont").Get("/changes/export.csv")
	rows := readCSV(t, "French", res, ';')
	wantNeutralized(t, "French", rows, hyperlink)
	wantFileName(t, "French", res, "demandes-de-changement-OCB0000001")
	if len(rows) < 2 || rows[1][0] != r.Number() || rows[1][3] != "eu-west-0" || rows[1][4] != "100" || rows[1][5] != "150" {
		t.Errorf("French rows %q", rows)
	}

	execSQL(t, d, "UPDATE users SET lang = 'en' WHERE id = ?", marie.ID)
	res = d.as(t, "Marie.Dupont").Get("/changes/export.csv")
	rows = readCSV(t, "English", res, ',')
	if strings.Join(rows[0][:2], "|") != "Number|Tenant" {
		t.Errorf("English header %q", rows[0])
	}
	wantNeutralized(t, "English", rows, hyperlink)
	wantFileName(t, "English", res, "changes-OCB0000001")
}
