package api_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/testutil"
)

// The demo personas, as the change tests use them.
const (
	chgMarie = "Marie.Dupont"       // referent of OCB0000001–3, the changes right
	chgJohn  = "John.Doe"           // OCB0000001, incidents right only
	chgPaul  = "Paul.Martin"        // referent of OCB0000004
	chgAgent = "Alice.Agent"        // support agent
	chgSales = "Sophie.Commerciale" // sales rep of the four tenants
	chgAdmin = "admin"
)

// chgRequest is a change request as the tests read it.
type chgRequest struct {
	Number, Tenant, Item, ItemLabel, State, Requester string
	ScheduledOn                                       string `json:"scheduled_on"`
	AppliedValue                                      string `json:"applied_value"`
	Reason                                            string
	Version                                           int
	Values                                            map[string]any
	Fields                                            []struct {
		Code, Type, Label string
		Options           []struct{ Code, Label string }
	}
	Actions  []string
	Timeline []struct {
		Kind, Event, From, To, Body string
		Attachments                 []struct{ Name string }
	}
}

func chgRead(t *testing.T, r testutil.APIResponse) chgRequest {
	t.Helper()
	var out chgRequest
	r.JSON(t, &out)
	return out
}

// chgQuota is a request for ecs_instances (pre-approved up to 50 and twice the current quota).
func chgQuota(current, requested any) map[string]any {
	return map[string]any{"region": "eu-west-0", "current": current, "requested": requested,
		"justification": "Black Friday: the shop needs more instances."}
}

// chgWith is m with key set to v.
func chgWith(m map[string]any, key string, v any) map[string]any {
	out := map[string]any{key: v}
	for k, x := range m {
		if k != key {
			out[k] = x
		}
	}
	return out
}

func chgSubmission(tenant, item string, values map[string]any) map[string]any {
	return map[string]any{"tenant": tenant, "item": item, "values": values}
}

// chgSubmit makes a change request as c, and returns it.
func chgSubmit(t *testing.T, c *testutil.APIClient, tenant, item string, values map[string]any) chgRequest {
	t.Helper()
	r := c.Post("/api/v1/changes", chgSubmission(tenant, item, values))
	if r.Status != http.StatusCreated {
		t.Fatalf("submit %s on %s: %d %s", item, tenant, r.Status, r.Body)
	}
	return chgRead(t, r)
}

func chgWant(t *testing.T, what string, r testutil.APIResponse, status int) {
	t.Helper()
	if r.Status != status {
		t.Errorf("%s: %d, want %d: %.300s", what, r.Status, status, r.Body)
	}
}

// chgFuture is a day a week from now, in Paris, as a date field takes it.
func chgFuture() string { return calendar.ParisDate(time.Now()).AddDays(7).String() }

// TestChangeCatalogueForEveryPersona: a customer with the changes right reads the catalogue of
// their tenant, each item with its typed fields in their language; without the right it is
// 403, another tenant's 404, staff order nothing (404).
func TestChangeCatalogueForEveryPersona(t *testing.T) {
	d := newDesk(t)
	marie := d.readOnly(t, chgMarie)
	var cat struct {
		Tenant     string
		Catalogues []struct {
			Code, Label string
			Categories  []struct {
				Code, Label string
				Items       []struct {
					Code, Kind, Label, Catalogue, Category string
					LeadTimeDays                           int `json:"lead_time_days"`
					Fields                                 []map[string]any
				}
			}
		}
	}
	r := marie.Get("/api/v1/change-catalogue?tenant=ocb0000001")
	chgWant(t, "Marie's catalogue", r, http.StatusOK)
	r.JSON(t, &cat)
	if cat.Tenant != "OCB0000001" || len(cat.Catalogues) != 1 || cat.Catalogues[0].Label != "Catalogue de Changement Standard" {
		t.Fatalf("catalogue %+v", cat)
	}
	items := cat.Catalogues[0].Categories[0].Items
	if len(items) < 10 || items[0].Code != "ecs_instances" || items[0].Label != "Nombre d’instances ECS" || items[0].Kind != "quota" ||
		items[0].Catalogue != "standard" || items[0].Category != "quotas" || items[0].LeadTimeDays != 2 {
		t.Fatalf("items %+v", items[0])
	}
	fields := map[string]map[string]any{}
	for _, f := range items[0].Fields {
		fields[f["code"].(string)] = f
	}
	region, requested, justification := fields["region"], fields["requested"], fields["justification"]
	if region["type"] != "region" || region["required"] != true || len(region["options"].([]any)) != 3 ||
		region["options"].([]any)[0].(map[string]any)["code"] != "eu-west-0" || region["options"].([]any)[0].(map[string]any)["label"] != "Paris" {
		t.Errorf("region field %v", region)
	}
	if requested["type"] != "int" || requested["minimum"] != 1.0 || requested["maximum"] != 1000.0 || requested["unit"] != "instances" ||
		requested["label"] != "Quota demandé" {
		t.Errorf("requested field %v", requested)
	}
	if justification["type"] != "textarea" || justification["max_length"] != 2000.0 || justification["minimum"] != nil {
		t.Errorf("justification field %v", justification)
	}
	marie.Lang = "en"
	r = marie.Get("/api/v1/change-catalogue/ecs_ram?tenant=OCB0000002")
	chgWant(t, "an item in English", r, http.StatusOK)
	if m := r.Map(t); m["label"] != "ECS RAM (GiB)" || m["code"] != "ecs_ram" || len(m["fields"].([]any)) != 4 {
		t.Errorf("item %v", m)
	}
	chgWant(t, "an unknown item", marie.Get("/api/v1/change-catalogue/nothing?tenant=OCB0000001"), http.StatusNotFound)
	p := problemOf(t, marie.Get("/api/v1/change-catalogue"))
	if p.Status != http.StatusUnprocessableEntity || p.fields()["tenant"] == "" {
		t.Errorf("no tenant: %+v", p)
	}
	for _, tc := range []struct {
		login, tenant string
		status        int
	}{
		{chgJohn, "OCB0000001", http.StatusForbidden}, // incidents right only
		{chgPaul, "OCB0000001", http.StatusNotFound},  // Marie's tenant
		{chgPaul, "OCB0000004", http.StatusOK},
		{chgMarie, "OCB0000004", http.StatusNotFound},
		{chgAgent, "OCB0000001", http.StatusNotFound},
		{chgSales, "OCB0000001", http.StatusNotFound},
		{chgAdmin, "OCB0000001", http.StatusNotFound},
	} {
		c := d.readOnly(t, tc.login)
		chgWant(t, tc.login+" catalogue of "+tc.tenant, c.Get("/api/v1/change-catalogue?tenant="+tc.tenant), tc.status)
		chgWant(t, tc.login+" item of "+tc.tenant, c.Get("/api/v1/change-catalogue/vpcs?tenant="+tc.tenant), tc.status)
	}
}

// TestChangeSubmitValidatedByTheCatalogue: the catalogue's own check refuses bad values, each
// beside its field (values.<code>) in the reader's language; unknown fields, items and tenants
// are named too; nothing is written.
func TestChangeSubmitValidatedByTheCatalogue(t *testing.T) {
	d := newDesk(t)
	c := d.as(t, chgMarie)
	bad := map[string]any{"region": "mars-1", "current": "douze", "requested": 5000, "justification": "  ", "colour": "blue"}
	cases := []struct {
		name   string
		body   any
		fields map[string][2]string // field → its message in English and in French
	}{
		{"bad values", chgSubmission("OCB0000001", "ecs_instances", bad), map[string][2]string{
			"values.region":        {"Choose one of the regions offered", "Choisissez l’une des régions proposées"},
			"values.current":       {"Enter a whole number", "Saisissez un nombre entier"},
			"values.requested":     {"at most 1000", "ne doit pas dépasser 1000"},
			"values.justification": {"This field is required", "Ce champ est obligatoire"},
			"values.colour":        {"Unknown field: values.colour", "Champ inconnu\u00a0: values.colour"},
		}},
		{"requested not above current", chgSubmission("OCB0000001", "ecs_instances", chgQuota(40, "30")), map[string][2]string{
			"values.requested": {"greater than the current quota (40)", "(40)"},
		}},
		{"text too long", chgSubmission("OCB0000001", "vpcs", map[string]any{"region": "eu-west-1", "current": 2, "requested": 4,
			"justification": strings.Repeat("é", 2001)}), map[string][2]string{
			"values.justification": {"2001 characters for a limit of 2000", "2001\u00a0caractères pour une limite de 2000"},
		}},
		{"a value of the wrong type", chgSubmission("OCB0000001", "ecs_instances", chgWith(chgQuota(1, 2), "current", true)), map[string][2]string{
			"values.current": {"Invalid value", "Valeur non valide"},
		}},
		{"a number that is not whole", chgSubmission("OCB0000001", "ecs_instances", chgWith(chgQuota(1, 2), "requested", 2.5)), map[string][2]string{
			"values.requested": {"Invalid value", "Valeur non valide"},
		}},
		{"an unknown item", chgSubmission("OCB0000001", "ecs_gpus", chgQuota(1, 2)), map[string][2]string{
			"item": {"No item of the catalogue", "Aucun article du catalogue"},
		}},
		{"another's tenant", chgSubmission("OCB0000004", "ecs_instances", chgQuota(1, 2)), map[string][2]string{
			"tenant": {"no tenant with this code", "aucun tenant avec ce code"},
		}},
		{"no values", map[string]any{"tenant": "OCB0000001", "item": "vpcs"}, map[string][2]string{
			"values": {"required", "obligatoire"},
		}},
	}
	for _, lang := range []string{"en", "fr"} {
		c.Lang = lang
		for _, tc := range cases {
			r := c.Post("/api/v1/changes", tc.body, "Idempotency-Key", "bad-"+lang+"-"+tc.name)
			p := problemOf(t, r)
			if r.Status != http.StatusUnprocessableEntity || r.Header.Get("Content-Language") != lang {
				t.Errorf("%s (%s): %d %s", tc.name, lang, r.Status, r.Body)
				continue
			}
			got := p.fields()
			for field, msgs := range tc.fields {
				want := msgs[0]
				if lang == "fr" {
					want = msgs[1]
				}
				if !strings.Contains(got[field], want) {
					t.Errorf("%s (%s): %s says %q, want %q; all: %v", tc.name, lang, field, got[field], want, got)
				}
			}
			if len(got) != len(tc.fields) {
				t.Errorf("%s (%s): refused %v, want %d fields", tc.name, lang, got, len(tc.fields))
			}
		}
	}
	if n := testutil.Count(t, d.DB, "change_requests", "1 = 1"); n != 0 {
		t.Errorf("%d requests written by refused submissions", n)
	}
	// A past date is refused by the catalogue's date rule too (through the schedule step).
	r := chgSubmit(t, c, "OCB0000001", "ecs_instances", chgQuota(10, 20))
	c.Lang = "en"
	admin := d.as(t, chgAdmin)
	admin.Lang = "fr"
	resp := admin.Post("/api/v1/changes/"+r.Number+"/schedule", map[string]any{"date": "2001-01-01"}, "If-Match", `"v1"`)
	if p := problemOf(t, resp); resp.Status != http.StatusUnprocessableEntity || !strings.Contains(p.fields()["date"], "dans le passé") {
		t.Errorf("a past date: %d %+v", resp.Status, p)
	}
}

// TestChangeSubmitIsIdempotent: the same Idempotency-Key returns the first request, whether the
// edge replays it or the service finds it (another token of the same user); a new key makes a
// new request.
func TestChangeSubmitIsIdempotent(t *testing.T) {
	d := newDesk(t)
	c := d.as(t, chgMarie)
	body := chgSubmission("OCB0000001", "ecs_instances", chgQuota(10, 100))
	first := c.Post("/api/v1/changes", body, "Idempotency-Key", "quota-4711")
	chgWant(t, "submit", first, http.StatusCreated)
	req := chgRead(t, first)
	if !strings.HasPrefix(req.Number, "CHG") || len(req.Number) != 10 || req.State != "submitted" ||
		first.Header.Get("Location") != "/api/v1/changes/"+req.Number || first.Header.Get("ETag") != `"v1"` {
		t.Fatalf("submitted %+v %v", req, first.Header)
	}
	if req.Values["requested"] != 100.0 || req.Values["region"] != "eu-west-0" || req.Requester != "Marie Dupont" {
		t.Errorf("values %v, requester %q", req.Values, req.Requester)
	}
	again := c.Post("/api/v1/changes", body, "Idempotency-Key", "quota-4711")
	if again.Status != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "true" || chgRead(t, again).Number != req.Number {
		t.Errorf("replay: %d %v %s", again.Status, again.Header, again.Body)
	}
	// Another token of Marie's: the edge does not know the key, the service's one-time token does.
	other := d.as(t, chgMarie)
	twin := other.Post("/api/v1/changes", body, "Idempotency-Key", "quota-4711")
	if twin.Status != http.StatusCreated || chgRead(t, twin).Number != req.Number {
		t.Errorf("same key, another token: %d %s", twin.Status, twin.Body)
	}
	if n := testutil.Count(t, d.DB, "change_requests", "1 = 1"); n != 1 {
		t.Errorf("%d requests for one key", n)
	}
	if n := testutil.Count(t, d.DB, "timeline_entries", "subject_kind = 'change' AND event = 'change.event.submitted'"); n != 1 {
		t.Errorf("%d submitted events for one key", n)
	}
	next := c.Post("/api/v1/changes", body, "Idempotency-Key", "quota-4712")
	if next.Status != http.StatusCreated || chgRead(t, next).Number == req.Number {
		t.Errorf("a new key: %d %s", next.Status, next.Body)
	}
	// A pre-approved request is approved at once, with the event saying so.
	pre := chgSubmit(t, c, "OCB0000001", "ecs_instances", chgQuota("10", "20"))
	if pre.State != "approved" || pre.Values["requested"] != 20.0 {
		t.Errorf("pre-approved: %+v", pre)
	}
	found := false
	for _, e := range pre.Timeline {
		found = found || e.Event == "change.event.pre_approved"
	}
	if !found {
		t.Errorf("no pre-approval event: %+v", pre.Timeline)
	}
}

// TestChangeRoutesForEveryPersona: every route of the change requests for every demo persona:
// another tenant's customer gets 404, a customer without the changes right and a kind that may
// not take a step get 403, and each step goes through for those who may take it.
func TestChangeRoutesForEveryPersona(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, chgMarie)
	clients := map[string]*testutil.APIClient{chgMarie: marie}
	for _, login := range []string{chgJohn, chgPaul, chgAgent, chgSales, chgAdmin} {
		clients[login] = d.as(t, login)
	}
	a := chgSubmit(t, marie, "OCB0000001", "ecs_instances", chgQuota(10, 100)) // the sales rep decides
	path := "/api/v1/changes/" + a.Number
	reply := map[string]any{"body": "Any news?"}
	type row struct {
		method, path string
		body         any
		want         map[string]int // by persona; every persona is named
	}
	ok, created := http.StatusOK, http.StatusCreated
	forbidden, notFound := http.StatusForbidden, http.StatusNotFound
	rows := []row{
		{"GET", "/api/v1/changes?tenant=OCB0000001", nil, map[string]int{chgMarie: ok, chgJohn: forbidden, chgPaul: notFound, chgAgent: ok, chgSales: ok, chgAdmin: ok}},
		{"GET", "/api/v1/changes?queue=work", nil, map[string]int{chgMarie: forbidden, chgJohn: forbidden, chgPaul: forbidden, chgAgent: ok, chgSales: forbidden, chgAdmin: ok}},
		{"GET", "/api/v1/changes?queue=approvals", nil, map[string]int{chgMarie: forbidden, chgJohn: forbidden, chgPaul: forbidden, chgAgent: forbidden, chgSales: ok, chgAdmin: ok}},
		{"GET", path, nil, map[string]int{chgMarie: ok, chgJohn: forbidden, chgPaul: notFound, chgAgent: ok, chgSales: ok, chgAdmin: ok}},
		{"GET", "/api/v1/changes/CHG0009999", nil, map[string]int{chgMarie: notFound, chgJohn: notFound, chgPaul: notFound, chgAgent: notFound, chgSales: notFound, chgAdmin: notFound}},
		{"GET", "/api/v1/changes/INC0000001", nil, map[string]int{chgMarie: notFound, chgJohn: notFound, chgPaul: notFound, chgAgent: notFound, chgSales: notFound, chgAdmin: notFound}},
		{"POST", "/api/v1/changes", chgSubmission("OCB0000001", "vpcs", map[string]any{"region": "eu-west-0", "current": 5, "requested": 6, "justification": "A new project."}),
			map[string]int{chgMarie: created, chgJohn: forbidden, chgPaul: http.StatusUnprocessableEntity, chgAgent: notFound, chgSales: notFound, chgAdmin: notFound}},
		{"POST", path + "/replies", reply, map[string]int{chgMarie: created, chgJohn: forbidden, chgPaul: notFound, chgAgent: created, chgSales: created, chgAdmin: created}},
		// Steps the request's state would allow, refused to whoever may not take them.
		{"POST", path + "/approve", nil, map[string]int{chgMarie: forbidden, chgJohn: forbidden, chgPaul: notFound, chgAgent: forbidden}},
		{"POST", path + "/reject", map[string]any{"reason": "No."}, map[string]int{chgMarie: forbidden, chgJohn: forbidden, chgPaul: notFound, chgAgent: forbidden}},
		{"POST", path + "/cancel", nil, map[string]int{chgJohn: forbidden, chgPaul: notFound, chgAgent: forbidden, chgSales: forbidden, chgAdmin: forbidden}},
		// Steps the state does not allow yet: a role that never takes them is 403 first.
		{"POST", path + "/schedule", map[string]any{"date": chgFuture()}, map[string]int{chgMarie: forbidden, chgJohn: forbidden, chgPaul: notFound, chgSales: forbidden}},
		{"POST", path + "/implement", map[string]any{"value": 100}, map[string]int{chgMarie: forbidden, chgJohn: forbidden, chgPaul: notFound, chgSales: forbidden}},
		{"POST", path + "/close", nil, map[string]int{chgMarie: forbidden, chgJohn: forbidden, chgPaul: notFound, chgSales: forbidden}},
	}
	for _, rw := range rows {
		for login, want := range rw.want {
			chgWant(t, login+" "+rw.method+" "+rw.path, clients[login].Do(rw.method, rw.path, rw.body, "If-Match", "*"), want)
		}
	}
	// The steps the reader may take now.
	if got := chgRead(t, marie.Get(path)).Actions; strings.Join(got, ",") != "cancel" {
		t.Errorf("Marie's actions: %v", got)
	}
	if got := chgRead(t, clients[chgSales].Get(path)).Actions; strings.Join(got, ",") != "approve,reject" {
		t.Errorf("the sales rep's actions: %v", got)
	}
	if got := chgRead(t, clients[chgAgent].Get(path)).Actions; len(got) != 0 {
		t.Errorf("the agent's actions on a submitted request: %v", got)
	}
	// A step its state does not allow yet, by a role that takes it: refused with why.
	clients[chgAgent].Lang = "en"
	r := clients[chgAgent].Post(path+"/schedule", map[string]any{"date": chgFuture()}, "If-Match", `"v1"`)
	if p := problemOf(t, r); r.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Detail, "approved or scheduled") {
		t.Errorf("schedule a submitted request: %d %+v", r.Status, p)
	}
	// The request's life through the API: approve, schedule, move, implement, close, each step
	// by each kind of staff that may take it.
	type step struct {
		login, step string
		body        any
		state       string
	}
	live := func(path string, life []step) string {
		t.Helper()
		tag := marie.Get(path).Header.Get("ETag")
		for _, st := range life {
			r := clients[st.login].Post(path+"/"+st.step, st.body, "If-Match", tag)
			chgWant(t, st.login+" "+st.step, r, http.StatusOK)
			got := chgRead(t, r)
			if got.State != st.state || r.Header.Get("ETag") == tag || r.Header.Get("ETag") != `"v`+strconv.Itoa(got.Version)+`"` {
				t.Fatalf("%s %s: %s, ETag %s after %s", st.login, st.step, got.State, r.Header.Get("ETag"), tag)
			}
			tag = r.Header.Get("ETag")
		}
		return tag
	}
	tag := live(path, []step{
		{chgSales, "approve", nil, "approved"},
		{chgAgent, "schedule", map[string]any{"date": chgFuture()}, "scheduled"},
		{chgAdmin, "schedule", map[string]any{"date": calendar.ParisDate(time.Now()).AddDays(9).String()}, "scheduled"},
		{chgAgent, "implement", map[string]any{"value": "100"}, "implemented"},
		{chgAdmin, "close", nil, "closed"},
	})
	other := chgSubmit(t, marie, "OCB0000002", "ecs_vcpus", chgQuota(100, 1000))
	live("/api/v1/changes/"+other.Number, []step{
		{chgAdmin, "approve", nil, "approved"},
		{chgAdmin, "schedule", map[string]any{"date": chgFuture()}, "scheduled"},
		{chgAdmin, "implement", map[string]any{"value": 1000}, "implemented"},
		{chgAgent, "close", nil, "closed"},
	})
	refused := chgSubmit(t, marie, "OCB0000002", "ecs_vcpus", chgQuota(100, 1000))
	live("/api/v1/changes/"+refused.Number, []step{{chgAdmin, "reject", map[string]any{"reason": "Not this quarter."}, "rejected"}})
	done := chgRead(t, marie.Get(path))
	if done.AppliedValue != "100" || done.ScheduledOn != calendar.ParisDate(time.Now()).AddDays(9).String() || len(done.Actions) != 0 {
		t.Errorf("closed request %+v", done)
	}
	chgWant(t, "cancel a closed request", marie.Post(path+"/cancel", nil, "If-Match", tag), http.StatusUnprocessableEntity)
	// Rejected with a reason (required, and said to the requester), and cancelled by its requester.
	b := chgSubmit(t, marie, "OCB0000002", "eips", map[string]any{"region": "na-east-0", "current": 5, "requested": 150, "justification": "x"})
	sales := clients[chgSales]
	for _, lang := range []string{"en", "fr"} {
		sales.Lang = lang
		r := sales.Post("/api/v1/changes/"+b.Number+"/reject", map[string]any{"reason": " "}, "If-Match", `"v1"`)
		want := map[string]string{"en": "This field is required", "fr": "Ce champ est obligatoire"}[lang]
		if p := problemOf(t, r); r.Status != http.StatusUnprocessableEntity || !strings.Contains(p.fields()["reason"], want) {
			t.Errorf("reject without a reason (%s): %d %+v", lang, r.Status, p)
		}
	}
	r = sales.Post("/api/v1/changes/"+b.Number+"/reject", map[string]any{"reason": "Above the contract's limit."}, "If-Match", `"v1"`)
	if got := chgRead(t, r); r.Status != http.StatusOK || got.State != "rejected" || got.Reason != "Above the contract's limit." {
		t.Errorf("reject: %d %s", r.Status, r.Body)
	}
	if got := chgRead(t, marie.Get("/api/v1/changes/"+b.Number)); got.Reason != "Above the contract's limit." {
		t.Errorf("Marie does not read why: %+v", got)
	}
	c := chgSubmit(t, marie, "OCB0000003", "subnets", map[string]any{"region": "eu-west-0", "current": 5, "requested": 8, "justification": "x"})
	r = marie.Post("/api/v1/changes/"+c.Number+"/cancel", nil, "If-Match", `"v1"`)
	if got := chgRead(t, r); r.Status != http.StatusOK || got.State != "cancelled" {
		t.Errorf("cancel: %d %s", r.Status, r.Body)
	}
	// Paul works on his own tenant; Marie cannot see it.
	paul := clients[chgPaul]
	pr := chgSubmit(t, paul, "OCB0000004", "vpcs", map[string]any{"region": "eu-west-0", "current": 5, "requested": 6, "justification": "x"})
	chgWant(t, "Marie reads Paul's", marie.Get("/api/v1/changes/"+pr.Number), http.StatusNotFound)
	chgWant(t, "Marie cancels Paul's", marie.Post("/api/v1/changes/"+pr.Number+"/cancel", nil, "If-Match", "*"), http.StatusNotFound)
	chgWant(t, "Marie replies to Paul's", marie.Post("/api/v1/changes/"+pr.Number+"/replies", reply), http.StatusNotFound)
	// A read-only token reads, and writes nothing.
	ro := d.readOnly(t, chgMarie)
	chgWant(t, "read-only GET", ro.Get(path), http.StatusOK)
	chgWant(t, "read-only submit", ro.Post("/api/v1/changes", chgSubmission("OCB0000001", "vpcs", map[string]any{"region": "eu-west-0", "current": 5, "requested": 6, "justification": "x"})), http.StatusForbidden)
	chgWant(t, "read-only reply", ro.Post(path+"/replies", reply), http.StatusForbidden)
}

// TestChangeStepsNeedIfMatch: every step names the version it was read at: none is 428, a
// malformed one 400, a stale one 412, and nothing changes.
func TestChangeStepsNeedIfMatch(t *testing.T) {
	d := newDesk(t)
	marie, sales, agent := d.as(t, chgMarie), d.as(t, chgSales), d.as(t, chgAgent)
	a := chgSubmit(t, marie, "OCB0000001", "ecs_instances", chgQuota(10, 100))
	path := "/api/v1/changes/" + a.Number
	read := marie.Get(path)
	if read.Header.Get("ETag") != `"v1"` {
		t.Fatalf("ETag %q", read.Header.Get("ETag"))
	}
	steps := []struct {
		c    *testutil.APIClient
		step string
		body any
	}{
		{marie, "cancel", nil}, {sales, "approve", nil}, {sales, "reject", map[string]any{"reason": "No."}},
		{agent, "schedule", map[string]any{"date": chgFuture()}}, {agent, "implement", map[string]any{"value": 100}}, {agent, "close", nil},
	}
	for _, lang := range []string{"en", "fr"} {
		for _, st := range steps {
			st.c.Lang = lang
			r := st.c.Post(path+"/"+st.step, st.body)
			p := problemOf(t, r)
			if r.Status != http.StatusPreconditionRequired || !strings.Contains(p.Detail, "If-Match") {
				t.Errorf("%s without If-Match (%s): %d %+v", st.step, lang, r.Status, p)
			}
			r = st.c.Post(path+"/"+st.step, st.body, "If-Match", "v1")
			chgWant(t, st.step+" with a malformed If-Match", r, http.StatusBadRequest)
		}
	}
	r := sales.Post(path+"/approve", nil, "If-Match", `"v1"`)
	chgWant(t, "approve", r, http.StatusOK)
	if r.Header.Get("ETag") != `"v2"` {
		t.Fatalf("ETag after approve: %q", r.Header.Get("ETag"))
	}
	for _, lang := range []string{"en", "fr"} {
		marie.Lang = lang
		r := marie.Post(path+"/cancel", nil, "If-Match", `"v1"`)
		want := map[string]string{"en": "changed since", "fr": "a changé"}[lang]
		if p := problemOf(t, r); r.Status != http.StatusPreconditionFailed || !strings.Contains(p.Detail+p.Title, want) {
			t.Errorf("stale cancel (%s): %d %+v", lang, r.Status, p)
		}
		chgWant(t, "stale schedule", agent.Post(path+"/schedule", map[string]any{"date": chgFuture()}, "If-Match", `"v1"`), http.StatusPreconditionFailed)
	}
	if got := chgRead(t, marie.Get(path)); got.State != "approved" || got.Version != 2 {
		t.Errorf("after refused steps: %+v", got)
	}
	chgWant(t, "cancel at the version read", marie.Post(path+"/cancel", nil, "If-Match", `W/"v2"`), http.StatusOK)
}

// TestChangeListsPageAndFilter: a customer's list pages with next links and filters by state
// and text as the page does; the staff queues page too.
func TestChangeListsPageAndFilter(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, chgMarie)
	items := []string{"vpcs", "subnets", "eips", "vpcs", "security_groups"}
	numbers := map[string]string{}
	for i, it := range items {
		requested := 6
		if i%2 == 1 {
			requested = 40 // above twice the current quota: the sales rep decides
		}
		r := chgSubmit(t, marie, "OCB0000002", it, map[string]any{"region": "eu-west-0", "current": 5, "requested": requested,
			"justification": "Project Hélios, phase " + strconv.Itoa(i)})
		numbers[r.Number] = r.State
	}
	chgSubmit(t, marie, "OCB0000003", "vpcs", map[string]any{"region": "eu-west-0", "current": 5, "requested": 6, "justification": "x"})
	walk := func(c *testutil.APIClient, first string) ([]chgRequest, int) {
		t.Helper()
		var all []chgRequest
		next, pages := first, 0
		for next != "" {
			var page struct {
				Items []chgRequest
				Total int
				Next  string
			}
			r := c.Get(next)
			chgWant(t, next, r, http.StatusOK)
			r.JSON(t, &page)
			all = append(all, page.Items...)
			pages++
			if page.Next != "" && r.Header.Get("Link") != "<"+page.Next+`>; rel="next"` {
				t.Errorf("Link %q for next %q", r.Header.Get("Link"), page.Next)
			}
			if page.Next == "" && r.Header.Get("Link") != "" {
				t.Errorf("Link on the last page: %q", r.Header.Get("Link"))
			}
			next = page.Next
			if pages > 20 {
				t.Fatal("no end")
			}
		}
		return all, pages
	}
	all, pages := walk(marie, "/api/v1/changes?tenant=OCB0000002&limit=2")
	if len(all) != 5 || pages != 3 {
		t.Fatalf("%d requests in %d pages", len(all), pages)
	}
	seen := map[string]bool{}
	for i, r := range all {
		if seen[r.Number] || numbers[r.Number] == "" || r.Tenant != "OCB0000002" {
			t.Errorf("%s twice or not of the tenant", r.Number)
		}
		seen[r.Number] = true
		if i > 0 && r.Number > all[i-1].Number {
			t.Errorf("not newest first: %s after %s", r.Number, all[i-1].Number)
		}
	}
	approved, _ := walk(marie, "/api/v1/changes?tenant=OCB0000002&state=approved&limit=1")
	submitted, _ := walk(marie, "/api/v1/changes?tenant=OCB0000002&state=submitted")
	if len(approved) != 3 || len(submitted) != 2 {
		t.Errorf("%d approved and %d submitted", len(approved), len(submitted))
	}
	for _, r := range approved {
		if r.State != "approved" {
			t.Errorf("state filter let %s through", r.State)
		}
	}
	if got, _ := walk(marie, "/api/v1/changes?tenant=OCB0000002&q=VPCS"); len(got) != 2 || got[0].Item != "vpcs" {
		t.Errorf("search vpcs: %+v", got)
	}
	if got, _ := walk(marie, "/api/v1/changes?tenant=OCB0000002&q=H%C3%A9lios%2C+phase+2"); len(got) != 1 || got[0].Item != "eips" {
		t.Errorf("search in the values: %+v", got)
	}
	if got, _ := walk(marie, "/api/v1/changes?tenant=OCB0000002&q="+all[4].Number); len(got) != 1 || got[0].Number != all[4].Number {
		t.Errorf("search by number: %+v", got)
	}
	chgWant(t, "a cursor of another's making", marie.Get("/api/v1/changes?tenant=OCB0000002&cursor=abc"), http.StatusBadRequest)
	// Staff: the agents' work (approved, of every tenant) and the sales rep's approvals.
	work, _ := walk(d.as(t, chgAgent), "/api/v1/changes?limit=2")
	approvals, _ := walk(d.as(t, chgSales), "/api/v1/changes?limit=1&q=helios")
	adminApprovals, _ := walk(d.as(t, chgAdmin), "/api/v1/changes?queue=approvals")
	if len(work) != 4 || len(approvals) != 2 || len(adminApprovals) != 2 {
		t.Errorf("%d in the work queue, %d and %d approvals", len(work), len(approvals), len(adminApprovals))
	}
	for _, r := range approvals {
		if r.State != "submitted" {
			t.Errorf("approvals hold a %s request", r.State)
		}
	}
}

// TestChangeTimelineNeverShowsCustomersInternalNotes: staff write public replies and internal
// notes with files; the customer reads the replies and never a note, nor its file; a
// customer's "internal" reply is an ordinary one.
func TestChangeTimelineNeverShowsCustomersInternalNotes(t *testing.T) {
	d := newDesk(t)
	marie, agent := d.as(t, chgMarie), d.as(t, chgAgent)
	a := chgSubmit(t, marie, "OCB0000001", "ecs_instances", chgQuota(10, 100))
	path := "/api/v1/changes/" + a.Number
	log := map[string]any{"name": "quota.log", "content": []byte("current usage: 9 instances\n")}
	r := marie.Post(path+"/replies", map[string]any{"body": "Here is our usage.", "files": []any{log}})
	chgWant(t, "Marie's reply with a file", r, http.StatusCreated)
	if got := chgRead(t, r); len(got.Timeline) == 0 || got.Timeline[len(got.Timeline)-1].Attachments[0].Name != "quota.log" {
		t.Errorf("reply with a file: %+v", got.Timeline)
	}
	note := map[string]any{"body": "Secret: the region is nearly full.", "internal": true,
		"files": []any{map[string]any{"name": "capacity.txt", "content": []byte("92% used\n")}}}
	chgWant(t, "internal note", agent.Post(path+"/replies", note), http.StatusCreated)
	chgWant(t, "public reply", agent.Post(path+"/replies", map[string]any{"body": "We are looking into it."}), http.StatusCreated)
	chgWant(t, "Marie's internal reply", marie.Post(path+"/replies", map[string]any{"body": "Marked internal by mistake.", "internal": true}), http.StatusCreated)
	kinds := func(c *testutil.APIClient) (map[string]string, []byte) {
		r := c.Get(path)
		bodies := map[string]string{}
		for _, e := range chgRead(t, r).Timeline {
			if e.Body != "" {
				bodies[e.Body] = e.Kind
			}
		}
		return bodies, r.Body
	}
	staff, _ := kinds(agent)
	if staff["Secret: the region is nearly full."] != "note" || staff["We are looking into it."] != "reply" || staff["Marked internal by mistake."] != "reply" {
		t.Errorf("the agent reads %v", staff)
	}
	for _, login := range []string{chgMarie} {
		seen, raw := kinds(d.readOnly(t, login))
		if seen["We are looking into it."] != "reply" || seen["Here is our usage."] != "reply" || seen["Marked internal by mistake."] != "reply" {
			t.Errorf("%s reads %v", login, seen)
		}
		if strings.Contains(string(raw), "Secret") || strings.Contains(string(raw), "capacity.txt") || strings.Contains(string(raw), `"note"`) {
			t.Errorf("%s reads an internal note: %s", login, raw)
		}
	}
	// The customer's lists and searches do not reach notes either.
	var list struct{ Items []json.RawMessage }
	marie.Get("/api/v1/changes?tenant=OCB0000001&q=secret").JSON(t, &list)
	if len(list.Items) != 0 {
		t.Errorf("searching a note's text finds %d requests", len(list.Items))
	}
	// Files are checked as the pages check them.
	marie.Lang = "en"
	bad := map[string]any{"body": "A program.", "files": []any{map[string]any{"name": "run.exe", "content": []byte("MZ\x90\x00\x03\x00\x00\x00")}}}
	r = marie.Post(path+"/replies", bad)
	if p := problemOf(t, r); r.Status != http.StatusUnprocessableEntity || p.fields()["files"] == "" {
		t.Errorf("a refused file: %d %+v", r.Status, p)
	}
	r = marie.Post(path+"/replies", map[string]any{"body": " "})
	if p := problemOf(t, r); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("an empty reply: %d %+v", r.Status, p)
	}
}
