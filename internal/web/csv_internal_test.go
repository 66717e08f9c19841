package web

import (
	"testing"
	"time"
)

// Cells a spreadsheet would read as a formula are neutralized as OWASP recommends (CSV
// Injection): a single quote before a cell beginning with =, +, -, @, a tab or a carriage return.
func TestCSVCellNeutralizesFormulas(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"+33 6 12 34 56 78", "'+33 6 12 34 56 78"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"=", "'="},
		{"", ""},
		{"Panne réseau", "Panne réseau"},
		{"INC0000042", "INC0000042"},
		{"2026-11-30 10:00", "2026-11-30 10:00"},
		{" =1+1", " =1+1"},
		{"a=b", "a=b"},
		{"'=1", "'=1"},
		{"\n=1", "\n=1"},
		{"é=1", "é=1"},
	} {
		if got := csvCell(tc.in); got != tc.want {
			t.Errorf("csvCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Every cell is neutralized, header included, and separators or quotes inside a cell are quoted
// (RFC 4180), so that no cell can start a new one; the separator is the reader's.
func TestEncodeCSV(t *testing.T) {
	e := csvExport{Header: []string{"=Titre", "Région"},
		Rows: [][]string{{`=HYPERLINK("http://x","y")`, "eu-west-0"}, {`a;"=1+1`, "-"}}}
	for _, tc := range []struct{ lang, want string }{
		{"fr", "\ufeff'=Titre;Région\r\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\";eu-west-0\r\n\"a;\"\"=1+1\";'-\r\n"},
		{"en", "\ufeff'=Titre,Région\r\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",eu-west-0\r\n\"a;\"\"=1+1\",'-\r\n"},
	} {
		e.Lang = tc.lang
		b, err := encodeCSV(e)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.lang, b, tc.want)
		}
	}
}

func TestCSVSeparatorAndFileName(t *testing.T) {
	for lang, want := range map[string]rune{"fr": ';', "fr-FR": ';', "FR": ';', "en": ',', "en-GB": ',', "": ',', "frisian": ','} {
		if got := csvSeparator(lang); got != want {
			t.Errorf("csvSeparator(%q) = %q, want %q", lang, got, want)
		}
	}
	// 30 November 23:30 UTC is already 1 December in Paris.
	at := time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC)
	if got := csvFileName("demandes-de-changement", []string{"OCB0000001"}, at); got != "demandes-de-changement-OCB0000001-2026-12-01.csv" {
		t.Errorf("csvFileName = %q", got)
	}
	if got := csvFileName("incidents", nil, at.Add(-time.Hour)); got != "incidents-2026-11-30.csv" {
		t.Errorf("csvFileName = %q", got)
	}
}

// A download's Content-Disposition (RFC 6266) has an ASCII filename and, for any other name, the
// name itself in filename* (RFC 5987): UTF-8, percent-encoded outside attr-char.
func TestAttachmentDisposition(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"incidents-2026-11-30.csv", `attachment; filename="incidents-2026-11-30.csv"`},
		{"capture écran.png", `attachment; filename="capture _cran.png"; filename*=UTF-8''capture%20%C3%A9cran.png`},
		{`a"b\c%d.txt`, `attachment; filename="a_b_c_d.txt"; filename*=UTF-8''a%22b%5Cc%25d.txt`},
		{"a;b=c,d@e:f'g.txt", `attachment; filename="a;b=c,d@e:f'g.txt"`},
		{"rapport d’incident.pdf", `attachment; filename="rapport d_incident.pdf"; filename*=UTF-8''rapport%20d%E2%80%99incident.pdf`},
		{"x!#$&+-.^_`|~y", "attachment; filename=\"x!#$&+-.^_`|~y\""},
	} {
		if got := attachmentDisposition(tc.name); got != tc.want {
			t.Errorf("attachmentDisposition(%q)\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
	// Outside attr-char, filename* encodes every byte.
	if got := rfc5987("a;b=c,d@e:f'g()<>"); got != "a%3Bb%3Dc%2Cd%40e%3Af%27g%28%29%3C%3E" {
		t.Errorf("rfc5987 = %s", got)
	}
}
