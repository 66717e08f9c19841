package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/testutil"
)

type incidentBody struct {
	Number, Tenant, Title, Status, Priority, Assignee string
	Version                                           int
	Timeline                                          []struct {
		Kind, Event, Body string
		Attachments       []struct{ Name string }
	}
}

func readIncident(t *testing.T, r testutil.APIResponse) incidentBody {
	t.Helper()
	var b incidentBody
	r.JSON(t, &b)
	return b
}

// pngBytes is the smallest file the desk keeps as an image.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// TestIncidentLifeThroughTheAPI: a customer declares with a file, the agent takes, notes,
// asks, resolves; the customer replies, reads no internal note, and confirms.
func TestIncidentLifeThroughTheAPI(t *testing.T) {
	d := newDesk(t)
	marie, alice := d.as(t, "Marie.Dupont"), d.as(t, "Alice.Agent")
	decl := declaration("OCB0000001", "Object storage answers 503")
	decl["files"] = []map[string]any{{"name": "graph.png", "content": pngBytes}}
	r := marie.Post("/api/v1/incidents", decl)
	if r.Status != http.StatusCreated {
		t.Fatalf("declare: %d %s", r.Status, r.Body)
	}
	inc := readIncident(t, r)
	path := "/api/v1/incidents/" + inc.Number
	if inc.Tenant != "OCB0000001" || inc.Status != "new" || inc.Priority != "P2" || len(inc.Timeline) != 1 || len(inc.Timeline[0].Attachments) != 1 {
		t.Fatalf("declared: %+v", inc)
	}
	// The queue lists it, unassigned.
	var q struct{ Items []incidentBody }
	alice.Get("/api/v1/incidents?queue=true&who=unassigned&tenant=OCB0000001").JSON(t, &q)
	found := false
	for _, it := range q.Items {
		found = found || it.Number == inc.Number
	}
	if !found {
		t.Fatalf("%s not in the unassigned queue", inc.Number)
	}
	step := func(c *testutil.APIClient, action string, body any) incidentBody {
		t.Helper()
		cur := readIncident(t, c.Get(path))
		r := c.Post(path+"/"+action, body, "If-Match", `"v`+itoa(int64(cur.Version))+`"`)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", action, r.Status, r.Body)
		}
		return readIncident(t, r)
	}
	step(alice, "take", nil)
	if r := alice.Post(path+"/replies", map[string]any{"body": "Secret: the storage node 12 is down.", "internal": true}); r.Status != http.StatusCreated {
		t.Fatalf("note: %d %s", r.Status, r.Body)
	}
	if r := alice.Post(path+"/replies", map[string]any{"body": "Which bucket?"}); r.Status != http.StatusCreated {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	if got := step(alice, "pending", map[string]any{"reason": "waiting for the bucket name"}); got.Status != "pending_customer" {
		t.Fatalf("pending: %s", got.Status)
	}
	if r := marie.Post(path+"/replies", map[string]any{"body": "Bucket invoices-2026.", "files": []map[string]any{{"name": "shot.png", "content": pngBytes}}}); r.Status != http.StatusCreated {
		t.Fatalf("customer reply: %d %s", r.Status, r.Body)
	}
	cur := readIncident(t, alice.Get(path))
	if cur.Status != "in_progress" {
		t.Logf("after the customer's reply: %s", cur.Status)
		step(alice, "resume", nil)
	}
	step(alice, "assign", map[string]any{"assignee": "admin"})
	step(alice, "priority", map[string]any{"priority": "P1", "reason": "Invoices cannot be sent"})
	if got := step(alice, "resolve", map[string]any{"note": "Node 12 replaced."}); got.Status != "resolved" {
		t.Fatalf("resolve: %s", got.Status)
	}
	// The customer's view: no internal note anywhere, the note's text nowhere.
	r = marie.Get(path)
	if strings.Contains(string(r.Body), "storage node 12") || strings.Contains(string(r.Body), `"note"`) {
		t.Errorf("the customer reads an internal note: %s", r.Body)
	}
	if r := alice.Get(path); !strings.Contains(string(r.Body), "storage node 12") {
		t.Errorf("staff do not read the note")
	}
	if got := step(marie, "confirm", nil); got.Status != "closed" {
		t.Errorf("confirm: %s", got.Status)
	}
	// The files download for readers of the incident, not for another tenant's customer.
	var withFiles struct {
		Timeline []struct{ Attachments []struct{ ID int64 } }
	}
	marie.Get(path).JSON(t, &withFiles)
	fileID := withFiles.Timeline[0].Attachments[0].ID
	if r := marie.Get("/api/v1/attachments/" + itoa(fileID)); r.Status != http.StatusOK || string(r.Body) != string(pngBytes) ||
		r.Header.Get("Content-Type") != "image/png" || !strings.Contains(r.Header.Get("Content-Disposition"), "graph.png") {
		t.Errorf("download: %d %v", r.Status, r.Header)
	}
	if r := d.as(t, "Paul.Martin").Get("/api/v1/attachments/" + itoa(fileID)); r.Status != http.StatusNotFound {
		t.Errorf("Paul downloads Marie's file: %d", r.Status)
	}
	// Search finds it by a word of a reply, for the customer.
	var found2 struct{ Items []incidentBody }
	marie.Get("/api/v1/incidents?tenant=OCB0000001&q=invoices-2026").JSON(t, &found2)
	if len(found2.Items) == 0 || found2.Items[0].Number != inc.Number {
		t.Errorf("search: %+v", found2.Items)
	}
	// A customer cannot take or resolve; an agent cannot declare.
	if r := marie.Post(path+"/take", nil, "If-Match", "*"); r.Status < 400 || r.Status >= 500 {
		t.Errorf("customer takes: %d", r.Status)
	}
	if r := alice.Post("/api/v1/incidents", declaration("OCB0000001", "agent")); r.Status != http.StatusNotFound {
		t.Errorf("agent declares: %d", r.Status)
	}
}

// TestCustomersReachTheirTenantsOnly: another tenant's incident is 404 to a customer, whether
// read, listed, searched or acted on; a member without the incidents right is refused.
func TestCustomersReachTheirTenantsOnly(t *testing.T) {
	d := newDesk(t)
	paul := d.as(t, "Paul.Martin")
	r := paul.Post("/api/v1/incidents", declaration("OCB0000004", "Martin Conseil private matter"))
	if r.Status != http.StatusCreated {
		t.Fatalf("declare: %d %s", r.Status, r.Body)
	}
	path := r.Header.Get("Location")
	for _, login := range []string{"Marie.Dupont", "John.Doe"} {
		c := d.as(t, login)
		for _, rq := range []struct{ method, path string }{
			{"GET", path}, {"POST", path + "/cancel"}, {"POST", path + "/replies"},
			{"GET", "/api/v1/incidents?tenant=OCB0000004"}, {"GET", "/api/v1/incidents?tenant=OCB0000004&q=private"},
		} {
			var body any
			if rq.method == "POST" {
				body = map[string]any{"body": "hello"}
				if strings.HasSuffix(rq.path, "/cancel") {
					body = nil
				}
			}
			r := c.Do(rq.method, rq.path, body, "If-Match", "*")
			if r.Status != http.StatusNotFound || strings.Contains(string(r.Body), "private matter") {
				t.Errorf("%s %s %s: %d %s", login, rq.method, rq.path, r.Status, r.Body)
			}
		}
		// Declaring on a tenant that is not theirs names the tenant field.
		r := c.Post("/api/v1/incidents", declaration("OCB0000004", "intruder"))
		if r.Status != http.StatusUnprocessableEntity || problemOf(t, r).fields()["tenant"] == "" {
			t.Errorf("%s declares on OCB0000004: %d %s", login, r.Status, r.Body)
		}
	}
	// John holds the incidents right on OCB0000001 only: OCB0000002 is not his.
	john := d.as(t, "John.Doe")
	if r := john.Get("/api/v1/incidents?tenant=OCB0000002"); r.Status != http.StatusNotFound {
		t.Errorf("John on OCB0000002: %d", r.Status)
	}
	if r := john.Get("/api/v1/incidents?tenant=OCB0000001"); r.Status != http.StatusOK {
		t.Errorf("John on OCB0000001: %d", r.Status)
	}
	// Staff read it; sales reps do not work incidents.
	if r := d.as(t, "Alice.Agent").Get(path); r.Status != http.StatusOK {
		t.Errorf("agent: %d", r.Status)
	}
	if r := d.as(t, "Sophie.Commerciale").Get("/api/v1/incidents"); r.Status != http.StatusForbidden {
		t.Errorf("sales list: %d", r.Status)
	}
}
