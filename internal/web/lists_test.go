package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// Every list has the same navigation: its page, "of N" where the list counts its pages, and
// links to the pages either side that keep the list's filters (the empty ones dropped).
func TestOnePagerKeepsTheFilters(t *testing.T) {
	d := newDesk(t)
	t1 := d.tenant(t, "OCB0000001").ID
	for range 51 {
		d.declare(t, "Marie.Dupont", t1, "Instance ecs-prod-01 arrêtée")
	}
	marie, alice, admin := d.as(t, "Marie.Dupont"), d.as(t, "Alice.Agent"), d.as(t, "admin")
	pager := func(r string) string {
		i := strings.Index(r, `<nav class="pager"`)
		if i < 0 {
			return ""
		}
		return r[i : i+strings.Index(r[i:], "</nav>")]
	}
	for _, c := range []struct {
		name       string
		get        func() (int, string)
		prev, next string // the links' hrefs, "" for none
		position   string
	}{
		{"customer list, first page", func() (int, string) { r := marie.Get("/incidents?status=new&q=&priority="); return r.Status, r.Body },
			"", `href="/incidents?status=new&amp;page=2"`, "Page 1<"},
		{"customer list, last page", func() (int, string) { r := marie.Get("/incidents?status=new&page=2"); return r.Status, r.Body },
			`href="/incidents?status=new&amp;page=1"`, "", "Page 2<"},
		{"agents' queue", func() (int, string) { r := alice.Get("/staff/incidents?q=ecs-prod-01"); return r.Status, r.Body },
			"", `href="/staff/incidents?q=ecs-prod-01&amp;page=2"`, "Page 1<"},
		{"outbox, counted", func() (int, string) { r := admin.Get("/admin/outbox?status=pending&page=1"); return r.Status, r.Body },
			"", `href="/admin/outbox?status=pending&amp;page=2"`, "Page 1 of 2<"},
	} {
		status, body := c.get()
		if status != http.StatusOK {
			t.Fatalf("%s: status %d", c.name, status)
		}
		nav := pager(body)
		if !strings.Contains(nav, c.position) {
			t.Errorf("%s: pager %q lacks %q", c.name, nav, c.position)
		}
		for rel, href := range map[string]string{"prev": c.prev, "next": c.next} {
			if has := strings.Contains(nav, `rel="`+rel+`"`); has != (href != "") || !strings.Contains(nav, href) {
				t.Errorf("%s: pager %q, want %s link %q", c.name, nav, rel, href)
			}
		}
	}
	// A list on one page has no navigation.
	if nav := pager(admin.Get("/admin/users").Body); nav != "" {
		t.Errorf("users on one page: %q", nav)
	}
}

// A tenant code no tenant has lists nothing, with the reason beside the field, in the queue and
// in its export; a customer without the `incidents` right is refused the list and its export.
func TestListRefusalsReachThePage(t *testing.T) {
	d := newDesk(t)
	alice := d.as(t, "Alice.Agent")
	r := alice.Get("/staff/incidents?tenant=OCB9999999")
	wantStatus(t, "unknown tenant code", r, http.StatusOK)
	wantBody(t, "unknown tenant code", r, "No tenant has the code OCB9999999.", `value="OCB9999999"`)
	r = alice.Get("/staff/incidents/export?tenant=OCB9999999")
	wantStatus(t, "export of an unknown tenant code", r, http.StatusOK)
	if lines := strings.Count(strings.TrimSpace(r.Body), "\n"); lines != 0 {
		t.Errorf("export of an unknown tenant code: %d rows, want the header only", lines)
	}
	john := d.as(t, "John.Doe")
	if _, err := d.DB.NewUpdate().Table("memberships").Set("can_incidents = ?", false).
		Where("user_id = ?", d.user(t, "John.Doe").ID).Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "list without the right", john.Get("/incidents"), http.StatusForbidden)
	wantStatus(t, "export without the right", john.Get("/incidents/export"), http.StatusForbidden)
}
