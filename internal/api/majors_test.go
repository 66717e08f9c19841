package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/major"
)

// The status page through the API: a customer reads the major incidents of their tenants, in
// both languages, with their updates, and never another tenant's, nor the codes of the tenants
// concerned; agents read every one with its tenants.
func TestMajorIncidentsThroughTheAPI(t *testing.T) {
	d := newDesk(t)
	ctx := t.Context()
	alice := d.actor(t, "Alice.Agent")
	open := func(tenants, title string) *major.Major {
		m, err := d.Majors.Open(ctx, alice, major.Draft{TitleFR: title + " (fr)", TitleEN: title + " (en)", DescriptionFR: "Description.",
			DescriptionEN: "Description.", Services: []string{"evs"}, Regions: []string{"eu-west-0"}, Tenants: tenants, AllTenants: tenants == ""})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	mine, theirs := open("OCB0000001 OCB0000004", "Stockage"), open("OCB0000004", "PAULONLY")
	if _, err := d.Majors.Post(ctx, alice, mine.ID, major.UpdateDraft{State: "identified", BodyFR: "Cause trouvée.", BodyEN: "Cause found."}); err != nil {
		t.Fatal(err)
	}
	marie := d.as(t, "Marie.Dupont")
	r := marie.Get("/api/v1/major-incidents")
	if r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	var list struct{ Items []map[string]any }
	r.JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0]["number"] != mine.Number() || list.Items[0]["state"] != "identified" {
		t.Fatalf("Marie's list: %s", r.Body)
	}
	if _, named := list.Items[0]["tenants"]; named || strings.Contains(string(r.Body), "OCB0000004") || strings.Contains(string(r.Body), "PAULONLY") {
		t.Errorf("a customer learns of other tenants: %s", r.Body)
	}
	r = marie.Get("/api/v1/major-incidents/" + mine.Number())
	got := r.Map(t)
	ups, _ := got["updates"].([]any)
	if r.Status != http.StatusOK || len(ups) != 1 || !strings.Contains(string(r.Body), "Cause trouvée.") || !strings.Contains(string(r.Body), "Cause found.") {
		t.Fatalf("Marie's major incident: %d %s", r.Status, r.Body)
	}
	for _, path := range []string{"/api/v1/major-incidents/" + theirs.Number(), "/api/v1/major-incidents/MAJ9999999", "/api/v1/major-incidents/nope"} {
		if r := marie.Get(path); r.Status != http.StatusNotFound {
			t.Errorf("Marie GET %s: %d", path, r.Status)
		}
	}
	r = d.as(t, "Alice.Agent").Get("/api/v1/major-incidents/" + theirs.Number())
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), `"tenants":["OCB0000004"]`) {
		t.Errorf("Alice: %d %s", r.Status, r.Body)
	}
}
