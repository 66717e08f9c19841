package api_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/webhook"
)

// publicHook is an address on a public network (TEST-NET-3): nothing is posted in these tests.
const publicHook = "https://203.0.113.7/guichet"

func hookDraft(tenant string, events ...string) map[string]any {
	m := map[string]any{"url": publicHook, "events": events}
	if tenant != "" {
		m["tenant"] = tenant
	}
	return m
}

// TestWebhooksThroughTheAPI: a referent registers an endpoint (its secret in that answer only),
// reads and changes it under If-Match, gives it a new secret, reads its delivery log page by
// page with each delivery's body, redelivers, and deletes it.
func TestWebhooksThroughTheAPI(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	r := marie.Post("/api/v1/webhooks", hookDraft("OCB0000001", "incident.*"), "Idempotency-Key", "hook-1")
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var w struct {
		ID      int64    `json:"id"`
		Tenant  string   `json:"tenant"`
		URL     string   `json:"url"`
		Events  []string `json:"events"`
		Active  bool     `json:"active"`
		Version int      `json:"version"`
		Secret  string   `json:"secret"`
	}
	r.JSON(t, &w)
	id := itoa(w.ID)
	if w.Tenant != "OCB0000001" || w.URL != publicHook || !slices.Equal(w.Events, []string{"incident.*"}) || !w.Active || w.Version != 1 ||
		!strings.HasPrefix(w.Secret, webhook.SecretPrefix) || r.Header.Get("ETag") != `"v1"` || r.Header.Get("Location") != "/api/v1/webhooks/"+id {
		t.Fatalf("created %+v, headers %v", w, r.Header)
	}
	// The same key again: the first answer, one endpoint, and the secret is not kept for it.
	if again := marie.Post("/api/v1/webhooks", hookDraft("OCB0000001", "incident.*"), "Idempotency-Key", "hook-1"); again.Map(t)["id"] != float64(w.ID) ||
		again.Map(t)["secret"] != nil {
		t.Errorf("a retry: %d %s", again.Status, again.Body)
	}
	if n := testutil.Count(t, d.DB, "api_idempotency", "body LIKE ?", "%"+w.Secret+"%"); n != 0 {
		t.Error("the idempotency store keeps the webhook's secret")
	}
	if n := testutil.Count(t, d.DB, "webhooks", "1 = 1"); n != 1 {
		t.Fatalf("%d endpoints after a retry", n)
	}

	r = marie.Get("/api/v1/webhooks/" + id)
	if r.Status != http.StatusOK || r.Map(t)["secret"] != nil || r.Header.Get("ETag") != `"v1"` {
		t.Fatalf("get: %d %s", r.Status, r.Body)
	}
	if r = marie.Get("/api/v1/webhooks"); r.Status != http.StatusOK || len(r.Map(t)["items"].([]any)) != 1 {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	change := map[string]any{"url": publicHook + "/v2", "events": []string{"incident.declared", "change.*"}, "active": true, "description": "Chat"}
	if r = marie.Do(http.MethodPut, "/api/v1/webhooks/"+id, change); r.Status != http.StatusPreconditionRequired {
		t.Errorf("update without If-Match: %d", r.Status)
	}
	if r = marie.Do(http.MethodPut, "/api/v1/webhooks/"+id, change, "If-Match", `"v7"`); r.Status != http.StatusPreconditionFailed {
		t.Errorf("update with a stale If-Match: %d", r.Status)
	}
	r = marie.Do(http.MethodPut, "/api/v1/webhooks/"+id, change, "If-Match", `"v1"`)
	if m := r.Map(t); r.Status != http.StatusOK || m["url"] != publicHook+"/v2" || m["version"] != float64(2) || m["description"] != "Chat" ||
		r.Header.Get("ETag") != `"v2"` || m["secret"] != nil {
		t.Fatalf("update: %d %s", r.Status, r.Body)
	}
	r = marie.Post("/api/v1/webhooks/"+id+"/secret", nil, "If-Match", `"v2"`)
	if m := r.Map(t); r.Status != http.StatusOK || m["secret"] == w.Secret || !strings.HasPrefix(m["secret"].(string), webhook.SecretPrefix) {
		t.Fatalf("new secret: %d %s", r.Status, r.Body)
	}

	// Three declarations: three deliveries, two to a page, latest first.
	john := d.as(t, "John.Doe")
	for i := range 3 {
		if r := john.Post("/api/v1/incidents", declaration("OCB0000001", "Alert "+strconv.Itoa(i))); r.Status != http.StatusCreated {
			t.Fatalf("declare: %d %s", r.Status, r.Body)
		}
	}
	r = marie.Get("/api/v1/webhooks/" + id + "/deliveries?limit=2")
	page := r.Map(t)
	items, _ := page["items"].([]any)
	next, _ := page["next"].(string)
	if r.Status != http.StatusOK || len(items) != 2 || next == "" || !strings.Contains(r.Header.Get("Link"), `rel="next"`) {
		t.Fatalf("deliveries: %d %s", r.Status, r.Body)
	}
	first := items[0].(map[string]any)
	if first["event_type"] != "incident.declared" || first["status"] != "pending" || first["next_attempt_at"] == nil || first["payload"] != nil {
		t.Errorf("a delivery in the log: %v", first)
	}
	r = marie.Get(next)
	if items, _ := r.Map(t)["items"].([]any); r.Status != http.StatusOK || len(items) != 1 || r.Map(t)["next"] != nil {
		t.Fatalf("the second page: %d %s", r.Status, r.Body)
	}
	did := strconv.Itoa(int(first["id"].(float64)))
	r = marie.Get("/api/v1/webhooks/" + id + "/deliveries/" + did)
	body, _ := r.Map(t)["payload"].(map[string]any)
	if r.Status != http.StatusOK || body["type"] != "incident.declared" || body["tenant"] != "OCB0000001" || body["id"] != first["event_id"] {
		t.Fatalf("a delivery: %d %s", r.Status, r.Body)
	}
	if r = marie.Get("/api/v1/webhooks/" + id + "/deliveries?status=dead"); len(r.Map(t)["items"].([]any)) != 0 {
		t.Errorf("dead deliveries: %s", r.Body)
	}
	// A dead delivery goes again when redelivered.
	if _, err := d.DB.NewRaw("UPDATE webhook_deliveries SET status = 'dead', attempts = 9, last_status = 500 WHERE id = ?", first["id"]).Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
	r = marie.Post("/api/v1/webhooks/"+id+"/deliveries/"+did+"/redeliver", nil)
	if m := r.Map(t); r.Status != http.StatusOK || m["status"] != "pending" || m["attempts"] != float64(0) || m["last_status"] != nil {
		t.Fatalf("redeliver: %d %s", r.Status, r.Body)
	}

	if r = marie.Delete("/api/v1/webhooks/" + id); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r = marie.Get("/api/v1/webhooks/" + id); r.Status != http.StatusNotFound {
		t.Errorf("a deleted endpoint: %d", r.Status)
	}
	if n := testutil.Count(t, d.DB, "webhook_deliveries", "1 = 1"); n != 0 {
		t.Errorf("%d deliveries left after the delete", n)
	}
}

// TestWebhooksForEveryPersona: who may register where, and what the others find: nothing (404)
// for an endpoint they may not manage, a refusal (403) on a tenant they are a member of without
// being its referent, and for staff other than admins.
func TestWebhooksForEveryPersona(t *testing.T) {
	d := newDesk(t)
	marie, admin := d.as(t, "Marie.Dupont"), d.as(t, "admin")
	mine := marie.Post("/api/v1/webhooks", hookDraft("OCB0000001", "incident.*"))
	global := admin.Post("/api/v1/webhooks", hookDraft("", "incident.*", "contract.request.*"))
	paulsHook := d.as(t, "Paul.Martin").Post("/api/v1/webhooks", hookDraft("OCB0000004", "change.*"))
	if mine.Status != http.StatusCreated || global.Status != http.StatusCreated || paulsHook.Status != http.StatusCreated {
		t.Fatalf("create: %d %s / %d %s / %d %s", mine.Status, mine.Body, global.Status, global.Body, paulsHook.Status, paulsHook.Body)
	}
	if global.Map(t)["tenant"] != nil {
		t.Errorf("an endpoint of every tenant: %s", global.Body)
	}
	mineID, globalID, paulID := itoa(int64(mine.Map(t)["id"].(float64))), itoa(int64(global.Map(t)["id"].(float64))), itoa(int64(paulsHook.Map(t)["id"].(float64)))

	for _, c := range []struct {
		login   string
		visible []string // the endpoints it may manage
		list    int      // GET /webhooks
		onT1    int      // GET /webhooks?tenant=OCB0000001
		create  int      // POST on OCB0000001
	}{
		{"Marie.Dupont", []string{mineID}, 200, 200, 201},
		{"John.Doe", nil, 200, 403, 403},
		{"Paul.Martin", []string{paulID}, 200, 404, 422},
		{"Alice.Agent", nil, 403, 403, 403},
		{"Sophie.Commerciale", nil, 403, 403, 403},
		{"admin", []string{mineID, globalID, paulID}, 200, 200, 201},
	} {
		t.Run(c.login, func(t *testing.T) {
			cl := d.as(t, c.login)
			r := cl.Get("/api/v1/webhooks")
			if r.Status != c.list {
				t.Errorf("list: %d %s", r.Status, r.Body)
			}
			if r.Status == http.StatusOK {
				var got []string
				for _, it := range r.Map(t)["items"].([]any) {
					got = append(got, itoa(int64(it.(map[string]any)["id"].(float64))))
				}
				if !slices.Equal(got, c.visible) {
					t.Errorf("list %v, want %v", got, c.visible)
				}
			}
			if r := cl.Get("/api/v1/webhooks?tenant=OCB0000001"); r.Status != c.onT1 {
				t.Errorf("list of OCB0000001: %d %s", r.Status, r.Body)
			}
			before := testutil.Count(t, d.DB, "webhooks", "1 = 1")
			r = cl.Post("/api/v1/webhooks", hookDraft("OCB0000001", "incident.*"))
			if r.Status != c.create {
				t.Errorf("create on OCB0000001: %d %s", r.Status, r.Body)
			}
			if r.Status == http.StatusUnprocessableEntity {
				if f := problemOf(t, r).fields(); f["tenant"] == "" {
					t.Errorf("create on a tenant not theirs: %s", r.Body)
				}
			}
			if r.Status >= 400 {
				if after := testutil.Count(t, d.DB, "webhooks", "1 = 1"); after != before {
					t.Errorf("a refused create wrote")
				}
			} else if del := cl.Delete("/api/v1/webhooks/" + itoa(int64(r.Map(t)["id"].(float64)))); del.Status != http.StatusNoContent {
				t.Errorf("delete what one made: %d", del.Status)
			}
			for _, id := range []string{mineID, globalID, paulID, "999999"} {
				want := http.StatusNotFound
				if slices.Contains(c.visible, id) {
					want = http.StatusOK
				}
				for _, req := range []struct{ method, path string }{
					{http.MethodGet, "/api/v1/webhooks/" + id},
					{http.MethodGet, "/api/v1/webhooks/" + id + "/deliveries"},
				} {
					if r := cl.Do(req.method, req.path, nil); r.Status != want {
						t.Errorf("%s %s: %d, want %d", req.method, req.path, r.Status, want)
					}
				}
				if want == http.StatusOK {
					continue
				}
				// Changing what one may not manage is not found either, and writes nothing.
				before := testutil.Fingerprint(t, d.DB)
				for _, req := range []struct {
					method, path string
					body         any
				}{
					{http.MethodPut, "/api/v1/webhooks/" + id, map[string]any{"url": publicHook, "events": []string{"change.*"}, "active": false}},
					{http.MethodPost, "/api/v1/webhooks/" + id + "/secret", nil},
					{http.MethodPost, "/api/v1/webhooks/" + id + "/deliveries/1/redeliver", nil},
					{http.MethodGet, "/api/v1/webhooks/" + id + "/deliveries/1", nil},
					{http.MethodDelete, "/api/v1/webhooks/" + id, nil},
				} {
					if r := cl.Do(req.method, req.path, req.body, "If-Match", `"v1"`); r.Status != http.StatusNotFound {
						t.Errorf("%s %s: %d, want 404", req.method, req.path, r.Status)
					}
				}
				if after := testutil.Fingerprint(t, d.DB); after != before {
					t.Errorf("refused changes to endpoint %s wrote", id)
				}
			}
		})
	}

	// A customer names a tenant; an admin may name none, or any that exists.
	r := marie.Post("/api/v1/webhooks", hookDraft("", "incident.*"))
	if f := problemOf(t, r).fields(); r.Status != http.StatusUnprocessableEntity || f["tenant"] == "" {
		t.Errorf("a customer's endpoint of every tenant: %d %s", r.Status, r.Body)
	}
	r = admin.Post("/api/v1/webhooks", hookDraft("OCB9999999", "incident.*"))
	if f := problemOf(t, r).fields(); r.Status != http.StatusUnprocessableEntity || f["tenant"] == "" {
		t.Errorf("an admin's endpoint of a tenant that does not exist: %d %s", r.Status, r.Body)
	}
	// A read-only token registers nothing.
	if r := d.readOnly(t, "Marie.Dupont").Post("/api/v1/webhooks", hookDraft("OCB0000001", "incident.*")); r.Status != http.StatusForbidden {
		t.Errorf("a read-only token: %d", r.Status)
	}
}

// TestWebhookInputIsCheckedInTheReadersLanguage: a bad address or event is a 422 naming its
// field, in French and in English; nothing is written.
func TestWebhookInputIsCheckedInTheReadersLanguage(t *testing.T) {
	d := newDesk(t)
	for _, lang := range []string{"fr", "en"} {
		c := d.as(t, "Marie.Dupont")
		c.Lang = lang
		for _, b := range []struct {
			body  map[string]any
			field string
			says  map[string]string
		}{
			{map[string]any{"tenant": "OCB0000001", "url": "http://203.0.113.7/x", "events": []string{"incident.*"}}, "url",
				map[string]string{"fr": "doit commencer par https://", "en": "must start with https://"}},
			{map[string]any{"tenant": "OCB0000001", "url": "https://127.0.0.1:8443/x", "events": []string{"incident.*"}}, "url",
				map[string]string{"fr": "réseau local", "en": "private"}},
			{map[string]any{"tenant": "OCB0000001", "url": "https://10.0.0.8/x", "events": []string{"incident.*"}}, "url",
				map[string]string{"fr": "réseau local", "en": "private"}},
			{map[string]any{"tenant": "OCB0000001", "url": publicHook, "events": []string{"incident.deleted"}}, "events",
				map[string]string{"fr": "", "en": ""}},
			{map[string]any{"tenant": "OCB0000001", "url": publicHook, "events": []string{}}, "events",
				map[string]string{"fr": "", "en": ""}},
		} {
			r := c.Post("/api/v1/webhooks", b.body)
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s %v: %d %s", lang, b.body, r.Status, r.Body)
				continue
			}
			var msg string
			for f, m := range problemOf(t, r).fields() {
				if strings.HasPrefix(f, b.field) {
					msg = m
				}
			}
			if msg == "" || !strings.Contains(msg, b.says[lang]) {
				t.Errorf("%s %v: %s", lang, b.body, r.Body)
			}
		}
	}
	if n := testutil.Count(t, d.DB, "webhooks", "1 = 1"); n != 0 {
		t.Errorf("%d endpoints written", n)
	}
}

// TestWebhookEventsInTheDocumentAreThePatterns: the document's choice of events is what the
// service accepts.
func TestWebhookEventsInTheDocumentAreThePatterns(t *testing.T) {
	d := newDesk(t)
	doc := testutil.APIDocument(t, d.web)
	for _, name := range []string{"WebhookDraft", "WebhookChange"} {
		s := doc.Components.Schemas[name]
		if s == nil || s.Value.Properties["events"] == nil {
			t.Fatalf("no schema %s with events", name)
		}
		var got []string
		for _, v := range s.Value.Properties["events"].Value.Items.Value.Enum {
			got = append(got, v.(string))
		}
		if !slices.Equal(got, webhook.Patterns) {
			t.Errorf("%s: the document says %v, the service %v", name, got, webhook.Patterns)
		}
	}
}
