package timeline

import (
	"strings"
	"testing"
)

// One newline rule and one limit for every reply and note: CRLF and CR become LF before the text
// is trimmed and counted, so a browser's CRLF line breaks do not count twice.
func TestCleanAndCheckBody(t *testing.T) {
	for _, tc := range []struct {
		name, in, want, err string
	}{
		{"crlf", "Bonjour,\r\nmerci.\r\n", "Bonjour,\nmerci.", ""},
		{"lone cr", "un\rdeux", "un\ndeux", ""},
		{"blank lines kept inside", "  \r\n\r\nun\r\n\r\ndeux\r\n  ", "un\n\ndeux", ""},
		{"empty", "", "", "timeline.error.body_required"},
		{"only spaces and breaks", " \r\n\t\r ", "", "timeline.error.body_required"},
		{"at the limit", strings.Repeat("é", MaxBody), strings.Repeat("é", MaxBody), ""},
		{"over the limit", strings.Repeat("é", MaxBody+1), strings.Repeat("é", MaxBody+1), "timeline.error.body_too_long"},
		{"at the limit once CRLF counts one", strings.Repeat("é\r\n", MaxBody/2), strings.TrimSpace(strings.Repeat("é\n", MaxBody/2)), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CleanBody(tc.in)
			if got != tc.want {
				t.Fatalf("CleanBody(%.20q) = %.20q, want %.20q", tc.in, got, tc.want)
			}
			err := CheckBody(got)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err != "" && (err == nil || err.Key != tc.err || err.Field != "body"):
				t.Fatalf("got %v, want %s beside body", err, tc.err)
			}
		})
	}
}

func TestDocs(t *testing.T) {
	for _, tc := range []struct {
		e    Entry
		want Doc
		ok   bool
	}{
		{Entry{ID: 7, Kind: Reply, Body: "disque plein", TenantID: 3}, Doc{7, "disque plein", 3, false}, true},
		{Entry{ID: 8, Kind: Note, Body: "hyperviseur", TenantID: 3}, Doc{8, "hyperviseur", 3, true}, true},
		{Entry{ID: 9, Kind: Event, Event: "incident.event.status", Body: "raison", TenantID: 3}, Doc{}, false},
		{Entry{ID: 10, Kind: Reply, TenantID: 3}, Doc{}, false},
		// A subject that is not searched (a change request's) has no tenant in its entries.
		{Entry{ID: 11, Kind: Reply, Body: "quota"}, Doc{}, false},
	} {
		if got, ok := EntryDoc(&tc.e); got != tc.want || ok != tc.ok {
			t.Errorf("EntryDoc(%s %d) = %v %v, want %v %v", tc.e.Kind, tc.e.ID, got, ok, tc.want, tc.ok)
		}
	}
	if got := TicketDoc(3, 5, "INC0000042", "Réseau lent", "Depuis 9 h."); got != (Doc{3, "INC0000042 Réseau lent\nDepuis 9 h.", 5, false}) {
		t.Errorf("TicketDoc = %+v", got)
	}
	for _, tc := range []struct {
		d    Doc
		want string
	}{
		{Doc{TenantID: 12}, "t12 p12"},
		{Doc{TenantID: 12, Internal: true}, "t12"},
	} {
		if got := tc.d.scopeSQLite(); got != tc.want {
			t.Errorf("scope of %+v = %q, want %q", tc.d, got, tc.want)
		}
	}
}
