package webhook_test

import (
	"slices"
	"testing"

	"github.com/guichet/guichet/internal/major"
)

// A major incident's events reach the endpoints of the tenants it concerns and those of every
// tenant, with its public text in both languages; the linked incidents' own events carry it; an
// endpoint of a tenant it does not concern hears nothing of it.
func TestMajorIncidentEventsReachTheConcernedTenantsOnly(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	mine, _ := f.register("Marie.Dupont", "OCB0000001", hookURL, "major_incident.*", "incident.updated", "incident.resolved")
	other, _ := f.register("Paul.Martin", "OCB0000004", hookURL, "major_incident.*", "incident.*")
	all, _ := f.register("admin", "", hookURL, "major_incident.opened")
	alice := f.actor("Alice.Agent")
	inc := f.declare("John.Doe", "OCB0000001", "Volumes unreachable")
	m, err := f.a.Majors.Open(ctx, alice, major.Draft{TitleFR: "Panne du stockage", TitleEN: "Storage outage",
		DescriptionFR: "Les volumes ne répondent plus.", DescriptionEN: "Volumes do not answer.",
		Services: []string{"ecs"}, Regions: []string{"eu-west-0"}, Tenants: "OCB0000001"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Majors.Link(ctx, alice, m.ID, "numbers", []int64{inc.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.a.Majors.Post(ctx, alice, m.ID, major.UpdateDraft{State: "resolved", BodyFR: "Réparé.", BodyEN: "Fixed."}); err != nil {
		t.Fatal(err)
	}

	ds := f.deliveries(mine)
	if got := types(ds); !slices.Equal(got, []string{"major_incident.opened", "incident.updated", "major_incident.resolved", "incident.resolved"}) {
		t.Fatalf("the concerned tenant's endpoint got %v", got)
	}
	opened := data(t, ds[0])
	title, _ := opened["title"].(map[string]any)
	if opened["number"] != m.Number() || title["fr"] != "Panne du stockage" || title["en"] != "Storage outage" || opened["state"] != "investigating" {
		t.Errorf("opened: %v", opened)
	}
	if p := payload(t, ds[0]); p["tenant"] != "OCB0000001" {
		t.Errorf("delivered as tenant %v", p["tenant"])
	}
	resolved := data(t, ds[2])
	update, _ := resolved["update"].(map[string]any)
	body, _ := update["body"].(map[string]any)
	if resolved["state"] != "resolved" || body["fr"] != "Réparé." || body["en"] != "Fixed." {
		t.Errorf("resolved: %v", resolved)
	}
	if linked := data(t, ds[3]); linked["major_incident"] != m.Number() || linked["status"] != "resolved" {
		t.Errorf("the linked incident's resolution: %v", linked)
	}
	if got := types(f.deliveries(other)); len(got) != 0 {
		t.Errorf("a tenant not concerned heard of %v", got)
	}
	if got := types(f.deliveries(all)); !slices.Equal(got, []string{"major_incident.opened"}) {
		t.Errorf("the endpoint of every tenant got %v", got)
	}
}
