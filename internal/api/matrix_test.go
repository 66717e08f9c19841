package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

// holdings are one tenant's objects, each carrying a marker that no other tenant's reader may
// ever receive.
type holdings struct {
	tenant, marker     string
	incident, change   string
	request            string
	webhook, tokenID   string
	attachment         string
	tenantName, holder string
	major              string
}

// hold makes, as the referent login of tenant, an incident, a change request, a contract
// request, a webhook and a token, each naming marker.
func hold(t *testing.T, d *desk, login, tenant, marker string) holdings {
	t.Helper()
	c := d.as(t, login)
	h := holdings{tenant: tenant, marker: marker}
	r := c.Post("/api/v1/incidents", merge(declaration(tenant, marker+" incident"), "description", marker+" description",
		"files", []map[string]any{{"name": marker + ".txt", "content": []byte(marker + " file")}}))
	if r.Status != http.StatusCreated {
		t.Fatalf("declare: %d %s", r.Status, r.Body)
	}
	var inc struct {
		Number   string
		Timeline []struct{ Attachments []struct{ ID int64 } }
	}
	r.JSON(t, &inc)
	h.incident, h.attachment = inc.Number, itoa(inc.Timeline[0].Attachments[0].ID)
	r = c.Post("/api/v1/incidents/"+h.incident+"/replies", map[string]any{"body": marker + " reply"})
	if r.Status != http.StatusCreated {
		t.Fatalf("reply: %d %s", r.Status, r.Body)
	}
	r = c.Post("/api/v1/changes", map[string]any{"tenant": tenant, "item": "ecs_instances",
		"values": merge(chgQuota(10, 20), "justification", marker+" justification")})
	if r.Status != http.StatusCreated {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	h.change = r.Map(t)["number"].(string)
	r = c.Post("/api/v1/tenants/"+tenant+"/requests", map[string]any{"kind": "cancellation", "acknowledged": true,
		"details": marker + " details"})
	if r.Status != http.StatusCreated {
		t.Fatalf("contract request: %d %s", r.Status, r.Body)
	}
	h.request = r.Map(t)["number"].(string)
	r = c.Post("/api/v1/webhooks", merge(hookDraft(tenant, "incident.*"), "description", marker+" hook"))
	if r.Status != http.StatusCreated {
		t.Fatalf("webhook: %d %s", r.Status, r.Body)
	}
	h.webhook = itoa(int64(r.Map(t)["id"].(float64)))
	var toks struct{ Items []struct{ ID int64 } }
	c.Get("/api/v1/tokens").JSON(t, &toks)
	h.tokenID = itoa(toks.Items[0].ID)
	// A major incident of this tenant alone, which an agent opens.
	alice, err := identity.UserByLogin(t.Context(), d.DB, "Alice.Agent")
	if err != nil {
		t.Fatal(err)
	}
	m, err := d.Majors.Open(t.Context(), tenancy.ActorOf(alice), major.Draft{TitleFR: marker + " panne",
		TitleEN: marker + " outage", DescriptionFR: marker, DescriptionEN: marker, Services: []string{"ecs"}, Regions: []string{"eu-west-0"},
		Tenants: tenant})
	if err != nil {
		t.Fatalf("major incident: %v", err)
	}
	h.major = m.Number()
	return h
}

// param is the value of a path parameter naming other's object in path.
func (other holdings) param(path, name string) string {
	switch {
	case name == "tenant" || name == "code":
		return other.tenant
	case name == "item":
		return "ecs_instances"
	case name == "kind":
		return "cancellation"
	case strings.HasPrefix(path, "/incidents/"):
		return other.incident
	case strings.HasPrefix(path, "/changes/"):
		return other.change
	case strings.HasPrefix(path, "/requests/"):
		return other.request
	case strings.HasPrefix(path, "/webhooks/"):
		return other.webhook
	case strings.HasPrefix(path, "/tokens/"):
		return other.tokenID
	case strings.HasPrefix(path, "/attachments/"):
		return other.attachment
	case strings.HasPrefix(path, "/major-incidents/"):
		return other.major
	}
	return "1"
}

// sample is a body the schema accepts, so that a request reaches its handler and its
// authorization rather than stopping at validation.
func sample(s *openapi3.SchemaRef, depth int) any {
	if s == nil || s.Value == nil || depth > 4 {
		return nil
	}
	v := s.Value
	if len(v.Enum) > 0 {
		return v.Enum[0]
	}
	switch {
	case v.Type.Is("object"):
		m := map[string]any{}
		for _, name := range v.Required {
			m[name] = sample(v.Properties[name], depth+1)
		}
		return m
	case v.Type.Is("array"):
		if v.MinItems > 0 {
			return []any{sample(v.Items, depth+1)}
		}
		return []any{}
	case v.Type.Is("integer"), v.Type.Is("number"):
		return 1
	case v.Type.Is("boolean"):
		return false
	case v.Format == "date":
		return "2030-01-02"
	case v.Format == "date-time":
		return "2030-01-02T09:00:00Z"
	case v.Format == "uri":
		return publicHook
	}
	return "sample"
}

// TestEveryOperationKeepsTenantsApart walks every operation of the document for each customer
// with the ids of another tenant's objects in its path and query, and a body the document
// accepts: none succeeds, and no answer carries anything of the other tenant. Without a token
// every operation is 401; with a read-only token every write is 403.
func TestEveryOperationKeepsTenantsApart(t *testing.T) {
	d := newDesk(t)
	marie := hold(t, d, "Marie.Dupont", "OCB0000001", "MARIESECRET")
	paul := hold(t, d, "Paul.Martin", "OCB0000004", "PAULSECRET")
	doc := testutil.APIDocument(t, d.web)
	ops := operations(doc)
	statuses := map[int]int{}
	for _, c := range []struct {
		login       string
		own, others holdings
	}{
		{"Marie.Dupont", marie, paul},
		{"John.Doe", marie, paul},
		{"Paul.Martin", paul, marie},
	} {
		client := d.as(t, c.login)
		readOnly := d.readOnly(t, c.login)
		anonymous := d.anonymous(t)
		for _, o := range ops {
			path := o.path
			for _, name := range o.params {
				path = strings.Replace(path, "{"+name+"}", url.PathEscape(c.others.param(strings.TrimPrefix(o.path, "/api/v1"), name)), 1)
			}
			q := url.Values{}
			for _, name := range o.query {
				if name == "tenant" {
					q.Set(name, c.others.tenant)
				}
			}
			if len(q) > 0 {
				path += "?" + q.Encode()
			}
			var body any
			if o.method != http.MethodGet && o.method != http.MethodDelete {
				body = map[string]any{}
				if rb := doc.Paths.Find(strings.TrimPrefix(o.path, "/api/v1")).GetOperation(o.method).RequestBody; rb != nil {
					if mt := rb.Value.Content.Get("application/json"); mt != nil {
						body = sample(mt.Schema, 0)
					}
				}
				if m, ok := body.(map[string]any); ok {
					if _, has := m["tenant"]; has {
						m["tenant"] = c.others.tenant
					}
				}
			}
			what := c.login + " " + o.method + " " + path
			r := client.Do(o.method, path, body, "If-Match", "*")
			statuses[r.Status]++
			switch {
			case r.Status < 300:
				// Lists of one's own (no id in the path, no tenant in the query) may answer.
				if len(o.params) > 0 || q.Has("tenant") || o.method != http.MethodGet {
					t.Errorf("%s: %d with another tenant's ids: %.300s", what, r.Status, r.Body)
				}
			case r.Status != http.StatusNotFound && r.Status != http.StatusForbidden && r.Status != http.StatusUnprocessableEntity:
				t.Errorf("%s: %d %.300s", what, r.Status, r.Body)
			}
			if strings.Contains(string(r.Body), c.others.marker) {
				t.Errorf("%s: the answer carries the other tenant's data: %.300s", what, r.Body)
			}
			if o.method != http.MethodGet && o.method != http.MethodHead {
				if r := readOnly.Do(o.method, path, body, "If-Match", "*"); r.Status != http.StatusForbidden {
					t.Errorf("%s with a read-only token: %d", what, r.Status)
				}
			}
			if r := anonymous.Do(o.method, path, body); r.Status != http.StatusUnauthorized {
				t.Errorf("%s without a token: %d", what, r.Status)
			}
		}
		// Searches and lists of one's own tenant never find the other's marker.
		for _, p := range []string{"/api/v1/incidents?tenant=" + c.own.tenant + "&q=" + c.others.marker,
			"/api/v1/changes?tenant=" + c.own.tenant + "&q=" + c.others.marker, "/api/v1/webhooks", "/api/v1/tokens",
			"/api/v1/tenants", "/api/v1/tenants/" + c.own.tenant + "/requests", "/api/v1/major-incidents"} {
			if r := client.Get(p); strings.Contains(string(r.Body), c.others.marker) {
				t.Errorf("%s GET %s: %.300s", c.login, p, r.Body)
			}
		}
	}
	t.Logf("answers by status: %v", statuses)
	// Most requests reach their handler's authorization: a walk stopped by validation tests nothing.
	if statuses[http.StatusNotFound]+statuses[http.StatusForbidden] < 2*statuses[http.StatusUnprocessableEntity] {
		t.Errorf("too many requests refused before their authorization: %v", statuses)
	}
}
