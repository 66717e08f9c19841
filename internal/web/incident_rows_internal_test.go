package web

import (
	"bytes"
	"html/template"
	"strings"
	"testing"
)

// Every value of a list's rows is escaped, in text and in attributes alike.
func TestIncidentTableEscapesEveryValue(t *testing.T) {
	rows := []incidentRow{{Number: "INC0000042", Title: `<script>alert("x")</script> & co`, TenantCode: `OCB"1`,
		Status: `new" onclick="x`, StatusLabel: "Nouveau <b>", Priority: "P1", Assignee: "Zoé <i>",
		Due: "1 déc. 2026 à 10:00", SLA: "ok", SLALabel: "Dans les temps", Updated: "<u>"}}
	cols := func(staff bool) incidentCols {
		return incidentCols{Staff: staff, Tenant: true, Unassigned: "<non assigné>", Number: "N°", TenantCode: "Tenant <t>",
			Title: "Titre", Status: "État", Priority: "Priorité", Assignee: "Attribué à", Due: `Échéance "SLA"`, Updated: "Mise à jour"}
	}
	for _, staff := range []bool{false, true} {
		got := string(incidentTable(rows, cols(staff)))
		for _, bad := range []string{"<script>", `"x")`, `new" onclick`, "<b>", "<i>", "<u>", `OCB"1`, "<t>", `"SLA"`} {
			if strings.Contains(got, bad) {
				t.Errorf("staff %v: %q written unescaped:\n%s", staff, bad, got)
			}
		}
		for _, want := range []string{"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co", `class="badge st-new&#34; onclick=&#34;x"`,
			`<td data-label="Tenant &lt;t&gt;">OCB&#34;1</td>`, `<td data-label="Échéance &#34;SLA&#34;"><span class="badge sla-ok">`} {
			if !strings.Contains(got, want) {
				t.Errorf("staff %v: %q missing:\n%s", staff, want, got)
			}
		}
	}
	staff := string(incidentTable([]incidentRow{{Number: "INC0000001"}}, cols(true)))
	if !strings.Contains(staff, `href="/staff/incidents/INC0000001"`) || !strings.Contains(staff, "<em>&lt;non assigné&gt;</em>") ||
		!strings.Contains(staff, `<td data-label="Échéance &#34;SLA&#34;">—</td>`) {
		t.Errorf("staff row without assignee nor due time:\n%s", staff)
	}
}

// The list rows' markup against its ceiling, a naive html/template of the same 50 rows.
//
//	go test ./internal/web -run '^$' -bench 'IncidentTable' -benchmem
func benchRows() []incidentRow {
	rows := make([]incidentRow, 50)
	for i := range rows {
		rows[i] = incidentRow{Number: "INC0000042", Title: "Volume vol-42 inaccessible depuis l’hyperviseur", TenantCode: "OCB0000001",
			Status: "in_progress", StatusLabel: "En cours", Priority: "P2", Assignee: "Alice Agent",
			Updated: "30 nov. 2026 à 10:00", Due: "1 déc. 2026 à 10:00", SLA: "ok", SLALabel: "Dans les temps"}
	}
	return rows
}

func BenchmarkIncidentTable(b *testing.B) {
	rows := benchRows()
	for b.Loop() {
		_ = incidentTable(rows, incidentCols{Staff: true, Tenant: true, Unassigned: "Non assigné"})
	}
}

func BenchmarkIncidentTableCeilingTemplate(b *testing.B) {
	rows := benchRows()
	t := template.Must(template.New("rows").Parse(`{{ range . }}<tr><td><a href="/staff/incidents/{{ .Number }}">{{ .Number }}</a></td>` +
		`<td>{{ .TenantCode }}</td><td>{{ .Title }}</td><td><span class="badge st-{{ .Status }}">{{ .StatusLabel }}</span></td>` +
		`<td>{{ .Priority }}</td><td>{{ .Assignee }}</td><td>{{ .Due }}</td></tr>{{ end }}`))
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := t.Execute(&buf, rows); err != nil {
			b.Fatal(err)
		}
	}
}
