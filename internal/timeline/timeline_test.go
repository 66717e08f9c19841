package timeline

import (
	"bytes"
	"strings"
	"testing"
)

func TestCheckUploadJudgesTheContentNotTheName(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	pdf := []byte("%PDF-1.7\n%âãÏÓ\n1 0 obj")
	zip := []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00")
	for _, tc := range []struct {
		name  string
		file  string
		data  []byte
		ct    string
		error string
	}{
		{"png", "screen.png", png, "image/png", ""},
		{"pdf", "facture.pdf", pdf, "application/pdf", ""},
		{"zip", "logs.zip", zip, "application/zip", ""},
		{"log", "nova.log", []byte("2026-11-24 10:00:01 ERROR instance 42 failed\n"), "text/plain; charset=utf-8", ""},
		{"log with an escape", "tty.log", []byte("\x1b[31mERROR\x1b[0m disk full\n"), "text/plain; charset=utf-8", ""},
		{"html named png", "screen.png", []byte("<html><script>alert(1)</script>"), "", "attachment.error.type"},
		{"svg", "logo.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>`), "", "attachment.error.type"},
		{"executable", "setup.exe", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), "", "attachment.error.type"},
		{"binary", "blob.bin", []byte{0, 1, 2, 3, 0, 0, 7}, "", "attachment.error.type"},
		{"empty", "vide.txt", nil, "", "attachment.error.empty"},
		{"too large", "big.log", bytes.Repeat([]byte("a"), 2<<20+1), "", "attachment.error.too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := CheckUpload("files", tc.file, tc.data, 2<<20)
			if tc.error != "" {
				if err == nil || err.Key != tc.error || err.Field != "files" {
					t.Fatalf("got %v, want %s on files", err, tc.error)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if u.ContentType != tc.ct || u.Name != tc.file {
				t.Fatalf("got %q %q", u.Name, u.ContentType)
			}
		})
	}
}

func TestCleanNameKeepsASafeBaseName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`C:\Users\marie\rapport.pdf`, "rapport.pdf"},
		{"../../etc/passwd", "passwd"},
		{"a\"b\r\nc.txt", "abc.txt"},
		{"", "attachment"},
		{"..", "attachment"},
		{"/", "attachment"},
		{"\u202e..\u202e", "attachment"},
		{".bashrc", "bashrc"},
		{"...hidden.log", "hidden.log"},
		{"trailing. . ", "trailing"},
		{"photo\u202egnp.exe", "photognp.exe"},
		{"\u202aa\u202bb\u202cc\u202dd\u202ee\u2066f\u2067g\u2068h\u2069i\u200ej\u200fk\u061cl.txt", "abcdefghijkl.txt"},
		{"nul\x00byte\x7f\u0085.txt", "nulbyte.txt"},
		{"line\u2028break\u2029.txt", "linebreak.txt"},
		{"zero\u200bwidth\ufeff.txt", "zerowidth.txt"},
		{"\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645.txt", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645.txt"}, // ZWNJ spells Persian
		{`a<b>c:d|e?f*g.log`, "abcdefg.log"},
		{"bad\xffutf8.txt", "badutf8.txt"},
		{"Rapport d’incident n° 3.pdf", "Rapport d’incident n° 3.pdf"},
		{strings.Repeat("é", 150), strings.Repeat("é", 100)},
		{strings.Repeat("a", 199) + "é", strings.Repeat("a", 199)},
		{strings.Repeat("é", 150) + ".log", strings.Repeat("é", 98) + ".log"},
	} {
		if got := CleanName(tc.in); got != tc.want {
			t.Errorf("CleanName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A file's name ends as its content is: the extension is one of its detected type's, whatever
// the name claimed.
func TestCheckUploadNamesTheFileAfterItsContent(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	jpeg := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")
	gz := []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00")
	pdf := []byte("%PDF-1.7\n1 0 obj")
	zip := []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00")
	text := []byte("2026-11-24 ERROR nova\n")
	for _, tc := range []struct {
		file string
		data []byte
		want string
	}{
		{"invoice.pdf", png, "invoice.png"},
		{"photo\u202egnp.exe", png, "photognp.png"},
		{"SCREEN.PNG", png, "SCREEN.PNG"},
		{"capture", png, "capture.png"},
		{"capture.", png, "capture.png"},
		{".png", png, "png.png"},
		{"photo.jpeg", jpeg, "photo.jpeg"},
		{"photo.JPG", jpeg, "photo.JPG"},
		{"photo.gif", jpeg, "photo.jpg"},
		{"facture.pdf.exe", pdf, "facture.pdf.pdf"},
		{"logs.tar.gz", gz, "logs.tar.gz"},
		{"logs.tgz", gz, "logs.tgz"},
		{"logs.zip", gz, "logs.gz"},
		{"rapport.docx", zip, "rapport.zip"},
		{"nova.log", text, "nova.log"},
		{"nova.TXT", text, "nova.TXT"},
		{"run.bat", text, "run.txt"},
		{"export.csv", text, "export.txt"},
		{"page.html", text, "page.txt"},
		{"Rapport v2.3 final", text, "Rapport v2.3 final.txt"},
		{"tty\u202etxt.sh", []byte("\x1b[31mERROR\x1b[0m\n"), "ttytxt.txt"},
		{strings.Repeat("é", 150) + ".exe", png, strings.Repeat("é", 98) + ".png"},
	} {
		u, err := CheckUpload("files", tc.file, tc.data, 1<<20)
		if err != nil {
			t.Errorf("%q refused: %v", tc.file, err)
			continue
		}
		if u.Name != tc.want {
			t.Errorf("%q is named %q, want %q", tc.file, u.Name, tc.want)
		}
		if len(u.Name) > maxName {
			t.Errorf("%q: name of %d bytes", tc.file, len(u.Name))
		}
	}
}

func TestParseQueryFoldsEveryWord(t *testing.T) {
	for in, want := range map[string]string{
		"disque plein":          `body : "disque" AND body : "plein"`,
		`INC0000042`:            `body : "inc0000042"`,
		`title:x OR "y" NEAR(z`: `body : "title" AND body : "x" AND body : "or" AND body : "y" AND body : "near" AND body : "z"`,
		"  ;; ":                 "",
		"Réseau":                `body : "reseau"`,
		"ÉLODIE Éric œuvre":     `body : "elodie" AND body : "eric" AND body : "oeuvre"`,
		"a b c d e f g h i j k l m n": `body : "a" AND body : "b" AND body : "c" AND body : "d" AND body : "e" AND body : "f" AND ` +
			`body : "g" AND body : "h" AND body : "i" AND body : "j" AND body : "k" AND body : "l"`,
	} {
		if got := ParseQuery(in).fts5(Scope{Notes: true}); got != want {
			t.Errorf("ParseQuery(%q) = %q, want %q", in, got, want)
		}
	}
	// The scope is a token of the scope column: a tenant's public texts for a customer, all
	// its texts for staff reading one tenant.
	for scope, want := range map[Scope]string{
		{TenantID: 7}:              `body : "disque" AND scope : "p7"`,
		{TenantID: 7, Notes: true}: `body : "disque" AND scope : "t7"`,
	} {
		if got := ParseQuery("disque").fts5(scope); got != want {
			t.Errorf("scope %+v: %q, want %q", scope, got, want)
		}
	}
}
