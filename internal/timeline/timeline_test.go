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
	for in, want := range map[string]string{
		`C:\Users\marie\rapport.pdf`: "rapport.pdf",
		"../../etc/passwd":           "passwd",
		"a\"b\r\nc.txt":              "abc.txt",
		"":                           "attachment",
		"..":                         "attachment",
		strings.Repeat("é", 150):     strings.Repeat("é", 100),
	} {
		if got := cleanName(in); got != want {
			t.Errorf("cleanName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatchQueryQuotesEveryWord(t *testing.T) {
	for in, want := range map[string]string{
		"disque plein":          `"disque" "plein"`,
		`INC0000042`:            `"INC0000042"`,
		`title:x OR "y" NEAR(z`: `"title" "x" "OR" "y" "NEAR" "z"`,
		"  ;; ":                 "",
		"réseau":                `"réseau"`,
	} {
		if got := MatchQuery(in); got != want {
			t.Errorf("MatchQuery(%q) = %q, want %q", in, got, want)
		}
	}
}
