package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

func init() {
	// Replaced by a real foreign incident attachment in the incidents tests.
	foreignParams["attachment"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string { return "999999" }
}

var pngData = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01")

// An uploaded file keeps a clean name that ends as its content is: no bidirectional controls to
// disguise it, no leading dots, and the extension of the type found in its bytes. The incident's
// page shows that name and the download is saved under it.
func TestUploadedNamesAreCleanedAndMatchTheContent(t *testing.T) {
	d := newDesk(t)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Console inaccessible")
	page := "/incidents/" + inc.Number()
	marie := d.as(t, "Marie.Dupont")
	marie.Get(page)
	log := []byte("2026-11-30 ERROR keystone: token expired\n")
	r := marie.PostFiles(page+"/reply", url.Values{"body": {"Voici les captures et le journal."}},
		testutil.File{Field: "files", Name: "invoice.pdf", Data: pngData},
		testutil.File{Field: "files", Name: "photo\u202egnp.exe", Data: pngData},
		testutil.File{Field: "files", Name: "..\u2066notes\u2069.bat", Data: log},
		testutil.File{Field: "files", Name: "trace\u200f.log", Data: log},
		testutil.File{Field: "files", Name: "capture d’écran.png", Data: pngData})
	wantStatus(t, "reply", r, http.StatusSeeOther)

	want := map[string]string{ // stored name → Content-Disposition of its download
		"invoice.png":  `attachment; filename="invoice.png"`,
		"photognp.png": `attachment; filename="photognp.png"`,
		"notes.txt":    `attachment; filename="notes.txt"`,
		"trace.log":    `attachment; filename="trace.log"`,
		"capture d’écran.png": `attachment; filename="capture d__cran.png"; ` +
			`filename*=UTF-8''capture%20d%E2%80%99%C3%A9cran.png`,
	}
	r = marie.Get(page)
	for name := range want {
		wantBody(t, "page", r, ">"+name+"</a>")
	}
	wantNoBody(t, "page", r, "\u202e", "\u2066", "\u2069", "\u200f", "invoice.pdf", ".exe", ".bat")

	es, err := timeline.List(context.Background(), d.DB, inc.Subject(), false)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, e := range es {
		for _, a := range e.Attachments {
			n++
			cd, ok := want[a.Name]
			if !ok {
				t.Errorf("stored name %q", a.Name)
				continue
			}
			dl := marie.Get("/attachments/" + id(a.ID))
			wantStatus(t, a.Name, dl, http.StatusOK)
			if got := dl.Header.Get("Content-Disposition"); got != cd {
				t.Errorf("%s: Content-Disposition %q, want %q", a.Name, got, cd)
			}
		}
	}
	if n != len(want) {
		t.Errorf("%d attachments stored, want %d", n, len(want))
	}
}

// A refused file is named in the message as cleaned, never with the controls it was sent with.
func TestARefusedUploadIsNamedWithoutItsControls(t *testing.T) {
	d := newDesk(t)
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Console inaccessible")
	page := "/incidents/" + inc.Number()
	marie := d.as(t, "Marie.Dupont")
	marie.Get(page)
	r := marie.PostFiles(page+"/reply", url.Values{"body": {"Le programme"}},
		testutil.File{Field: "files", Name: "setup\u202egnp.exe", Data: []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")})
	wantStatus(t, "executable", r, http.StatusUnprocessableEntity)
	wantBody(t, "executable", r, "« setupgnp.exe » n’est pas un type de fichier accepté", "Le programme")
	wantNoBody(t, "executable", r, "\u202e")
}
