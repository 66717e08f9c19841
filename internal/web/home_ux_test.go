package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/tenancy"
)

// Staff land on their own work: agents on the incident queue, sales reps on their desk, admins
// on the overview; a customer on their home.
func TestStaffLandOnTheirOwnQueue(t *testing.T) {
	d := newDesk(t)
	for login, want := range map[string]string{"Alice.Agent": "/staff/incidents", "Sophie.Commerciale": "/staff/sales", "admin": "/admin"} {
		c := d.as(t, login)
		if r := c.Get("/"); r.Status != http.StatusSeeOther || r.Location != want {
			t.Errorf("%s: GET / = %d → %q, want 303 → %s", login, r.Status, r.Location, want)
		}
		if r := c.Get(want); r.Status != http.StatusOK {
			t.Errorf("%s: GET %s = %d", login, want, r.Status)
		}
	}
	if r := d.as(t, "Alice.Agent").Get("/admin"); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
		t.Errorf("an agent reads the admins' overview: %d", r.Status)
	}
}

// The staff menu counts what waits for its reader, and the admins' overview counts what waits
// and what went wrong, each linked to its page.
func TestStaffMenuCountsWhatWaits(t *testing.T) {
	d := newDesk(t)
	ten := d.tenant(t, "OCB0000001")
	for _, title := range []string{"Base de données injoignable", "Réseau lent", "Disque plein"} {
		d.declare(t, "Marie.Dupont", ten.ID, title)
	}
	count := regexp.MustCompile(`href="/staff/incidents"[^>]*>[^<]*<span class="count"><span class="sr-only">\(</span>(\d+)<span class="sr-only"> (waiting|en attente)\)</span></span>`)
	page := d.as(t, "Alice.Agent").Get("/staff/incidents").Body
	if m := count.FindStringSubmatch(page); m == nil || m[1] != "3" || m[2] != "waiting" {
		t.Errorf("agent's menu: count %v, want 3 waiting (English)", m)
	}
	admin := d.as(t, "admin")
	ov := admin.Get("/admin")
	if ov.Status != http.StatusOK {
		t.Fatalf("GET /admin: %d", ov.Status)
	}
	for _, want := range []string{`href="/staff/incidents?who=unassigned">Incidents nobody has taken<span class="n">3</span>`,
		`href="/admin/locked">Locked accounts<span class="n">0</span>`, `href="/admin/outbox?status=dead"`, `href="/admin/inbound?status=quarantined"`} {
		if !strings.Contains(ov.Body, want) {
			t.Errorf("admin overview lacks %s", want)
		}
	}
	// The admin tools sit in a bar of their own on admin pages, not in the main menu.
	if !strings.Contains(ov.Body, `<nav class="tabs" aria-label="Administration">`) || strings.Contains(admin.Get("/staff/tenants").Body, `aria-label="Administration"`) {
		t.Error("the admin tools bar is missing on /admin or shown outside admin pages")
	}
}

// A customer's home shows what waits for them across all their tenants, with the tenant named,
// their recent incidents, each tenant's level, and the quick actions of the chosen tenant; never
// another customer's incidents.
func TestCustomerHomeShowsWhatNeedsThem(t *testing.T) {
	d := newDesk(t)
	waiting := d.waitingForCustomer(t, d.tenant(t, "OCB0000002").ID, "Pare-feu bloque le port 443")
	other := d.declare(t, "Marie.Dupont", d.tenant(t, "OCB0000004").ID, "Incident de Paul")

	c := d.as(t, "Marie.Dupont")
	body := c.Get("/").Body
	todo := section(body, "todo")
	if !strings.Contains(todo, waiting.Number()) || !strings.Contains(todo, "OCB0000002") || !strings.Contains(todo, "Le support attend votre réponse.") {
		t.Errorf("the incident waiting for Marie on OCB0000002 is not in « Ce qui vous attend »:\n%s", todo)
	}
	if strings.Contains(body, other.Number()) || strings.Contains(body, "Incident de Paul") {
		t.Error("Marie's home shows an incident of a tenant she is not a member of")
	}
	if !strings.Contains(section(body, "recent-incidents"), waiting.Number()) {
		t.Error("the recent incidents lack the incident of another of her tenants")
	}
	levels := section(body, "levels")
	for _, want := range []string{"OCB0000001", "OCB0000002", "OCB0000003", "Niveau de support Premium."} {
		if !strings.Contains(levels, want) {
			t.Errorf("levels lack %q:\n%s", want, levels)
		}
	}
	for _, want := range []string{`href="/incidents/new"`, `href="/changes/new"`, `href="/incidents?all=1"`} {
		if !strings.Contains(body, want) {
			t.Errorf("home lacks %s", want)
		}
	}
	// John Doe holds only the incidents right on OCB0000001: no change action, nothing waiting.
	john := d.as(t, "John.Doe").Get("/").Body
	if strings.Contains(john, `href="/changes/new"`) || !strings.Contains(section(john, "todo"), "Nothing waits for you") {
		t.Errorf("John Doe's home offers a change or shows something waiting:\n%s", section(john, "todo"))
	}
}

// section is the markup of the element whose id is id, up to its closing </section>.
func section(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</section>")
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}

// waitingForCustomer declares an incident on tenantID, which Alice Agent takes and puts in
// wait of the customer's answer.
func (d *desk) waitingForCustomer(t *testing.T, tenantID int64, title string) *incident.Incident {
	t.Helper()
	ctx := context.Background()
	alice := tenancy.ActorOf(d.user(t, "Alice.Agent"))
	inc := d.declare(t, "Marie.Dupont", tenantID, title)
	inc, err := d.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Take, Version: inc.Version})
	if err != nil {
		t.Fatal(err)
	}
	inc, err = d.Incidents.Do(ctx, alice, inc.ID, incident.Act{Action: incident.Wait, Version: inc.Version, Body: "Pouvez-vous nous en dire plus ?"})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}
