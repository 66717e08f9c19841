package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/retention"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
)

// TestRetentionPurgedFileAnswersGone: once the retention job purged an incident's files, their
// downloads answer a localized 410 saying when and why (to the readers of the incident only:
// another tenant's customer still gets 404, a customer asking for an internal note's file too),
// and the incident's page names each file as deleted, without a link, beside the job's trace.
func TestRetentionPurgedFileAnswersGone(t *testing.T) {
	d := newDesk(t)
	ctx := context.Background()
	inc := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000001").ID, "Disque plein",
		timeline.Upload{Name: "graph.png", ContentType: "image/png", Data: pngData})
	alice := tenancy.ActorOf(d.user(t, "Alice.Agent"))
	if _, err := d.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Reply, Body: "Journal interne du nœud 12.", Internal: true,
		Files: []timeline.Upload{{Name: "node.png", ContentType: "image/png", Data: pngData}}}); err != nil {
		t.Fatal(err)
	}
	inc, err := incident.ByID(ctx, d.DB, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Incidents.Do(ctx, tenancy.ActorOf(d.user(t, "Marie.Dupont")), inc.ID, incident.Act{Action: incident.Cancel, Version: inc.Version}); err != nil {
		t.Fatal(err)
	}
	files := map[string]int64{}
	es, err := timeline.List(ctx, d.DB, inc.Subject(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		for _, a := range e.Attachments {
			files[a.Name] = a.ID
		}
	}
	marie := d.as(t, "Marie.Dupont")
	wantStatus(t, "before", marie.Get("/attachments/"+id(files["graph.png"])), http.StatusOK)

	at := time.Now().UTC().AddDate(2, 1, 0)
	if n, err := retention.Purge(ctx, d.DB, 24, at, retention.Batch); err != nil || n != 2 {
		t.Fatalf("purge: %d, %v", n, err)
	}
	day := calendar.ParisDate(at)

	r := marie.Get("/attachments/" + id(files["graph.png"]))
	wantStatus(t, "purged, fr", r, http.StatusGone)
	wantBody(t, "purged, fr", r, "Fichier supprimé", "Le fichier «\u00a0graph.png\u00a0» a été supprimé le "+d.Bundle.FormatDate("fr", day)+" en application de la politique de conservation")
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || r.Header.Get("Content-Disposition") != "" {
		t.Errorf("purged: served as %q, %q", ct, r.Header.Get("Content-Disposition"))
	}
	r = d.as(t, "John.Doe").Get("/attachments/" + id(files["graph.png"]))
	wantStatus(t, "purged, en", r, http.StatusGone)
	wantBody(t, "purged, en", r, "File deleted", "The file “graph.png” was deleted on "+d.Bundle.FormatDate("en", day)+" under the retention policy")

	wantStatus(t, "another tenant's", d.as(t, "Paul.Martin").Get("/attachments/"+id(files["graph.png"])), http.StatusNotFound)
	wantStatus(t, "an internal note's, to a customer", marie.Get("/attachments/"+id(files["node.png"])), http.StatusNotFound)
	staff := d.as(t, "Alice.Agent")
	wantStatus(t, "an internal note's, to staff", staff.Get("/attachments/"+id(files["node.png"])), http.StatusGone)

	// The pages name the files as deleted, link to none, and show the trace to its readers.
	trace := "Fichiers supprimés selon la politique de conservation (1)\u00a0: graph.png"
	r = marie.Get("/incidents/" + inc.Number())
	wantStatus(t, "customer page", r, http.StatusOK)
	wantBody(t, "customer page", r, `<span class="purged">graph.png</span>`, "supprimé le "+d.Bundle.FormatDate("fr", day)+" selon la politique de conservation", trace)
	wantNoBody(t, "customer page", r, `href="/attachments/`+id(files["graph.png"])+`"`, "node.png")
	r = staff.Get("/staff/incidents/" + inc.Number())
	wantStatus(t, "staff page", r, http.StatusOK)
	wantBody(t, "staff page", r, `<span class="purged">graph.png</span>`, `<span class="purged">node.png</span>`,
		"Files deleted under the retention policy (1): graph.png")
	wantNoBody(t, "staff page", r, `href="/attachments/`+id(files["graph.png"])+`"`, `href="/attachments/`+id(files["node.png"])+`"`)
}
