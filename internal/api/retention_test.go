package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/retention"
)

// TestRetentionPurgedFileThroughTheAPI: a file the retention job purged is listed with its
// purged_at, and its download answers a 410 problem saying when, in the reader's language.
func TestRetentionPurgedFileThroughTheAPI(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	decl := declaration("OCB0000001", "Disque plein")
	decl["files"] = []map[string]any{{"name": "graph.png", "content": pngBytes}}
	r := marie.Post("/api/v1/incidents", decl)
	if r.Status != http.StatusCreated {
		t.Fatalf("declare: %d %s", r.Status, r.Body)
	}
	inc := readIncident(t, r)
	path := "/api/v1/incidents/" + inc.Number
	if r := marie.Post(path+"/cancel", nil, "If-Match", `"v`+itoa(int64(inc.Version))+`"`); r.Status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.Status, r.Body)
	}
	at := time.Now().UTC().AddDate(2, 1, 0)
	if n, err := retention.Purge(t.Context(), d.DB, 24, at, retention.Batch); err != nil || n != 1 {
		t.Fatalf("purge: %d, %v", n, err)
	}

	var got struct {
		Timeline []struct {
			Event       string
			From, To    string
			Attachments []struct {
				ID       int64
				Name     string
				PurgedAt *time.Time `json:"purged_at"`
			}
		}
	}
	marie.Get(path).JSON(t, &got)
	var fileID int64
	traced := false
	for _, e := range got.Timeline {
		for _, a := range e.Attachments {
			if a.Name == "graph.png" {
				fileID = a.ID
				if a.PurgedAt == nil || !a.PurgedAt.Equal(at.Truncate(time.Microsecond)) {
					t.Errorf("purged_at %v, want %v", a.PurgedAt, at)
				}
			}
		}
		traced = traced || (e.Event == "attachments_purged" && e.From == "1" && e.To == "graph.png")
	}
	if fileID == 0 || !traced {
		t.Fatalf("timeline %+v", got.Timeline)
	}
	day := calendar.ParisDate(at)
	for lang, want := range map[string][]string{
		"en": {"Gone", "The file “graph.png” was deleted on " + d.Bundle.FormatDate("en", day) + " under the retention policy"},
		"fr": {"Supprimé", "Le fichier «\u00a0graph.png\u00a0» a été supprimé le " + d.Bundle.FormatDate("fr", day)},
	} {
		marie.Lang = lang
		r := marie.Get("/api/v1/attachments/" + itoa(fileID))
		if r.Status != http.StatusGone {
			t.Fatalf("%s: %d %s", lang, r.Status, r.Body)
		}
		p := problemOf(t, r)
		if p.Title != want[0] || !strings.Contains(p.Detail, want[1]) {
			t.Errorf("%s: %+v", lang, p)
		}
	}
	if r := d.as(t, "Paul.Martin").Get("/api/v1/attachments/" + itoa(fileID)); r.Status != http.StatusNotFound {
		t.Errorf("another tenant's customer: %d", r.Status)
	}
}
