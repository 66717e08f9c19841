package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

type salesPage struct {
	Items []contractRequest
	Next  string
}

// salesList reads the desk's list at path, every page, and returns the numbers in order.
func salesList(t *testing.T, c *testutil.APIClient, path string) []string {
	t.Helper()
	var got []string
	for pages := 0; path != ""; pages++ {
		if pages > 20 {
			t.Fatal("the pages never end")
		}
		r := c.Get(path)
		contractWant(t, path, r, 200)
		var p salesPage
		r.JSON(t, &p)
		for _, it := range p.Items {
			got = append(got, it.Number)
		}
		if link := r.Header.Get("Link"); (p.Next == "") != (link == "") {
			t.Errorf("Link %q, next %q", link, p.Next)
		}
		path = p.Next
	}
	return got
}

func etagOf(n int) string { return `"v` + itoa(int64(n)) + `"` }

// TestSalesDeskAcceptsALevelChange: the referent asks for Premium; the sales rep reads it on
// their desk with what accepting would do, writes a note, and accepts with the version read;
// a stale or missing version is refused; the customer reads the decision and the new level.
func TestSalesDeskAcceptsALevelChange(t *testing.T) {
	d := newDesk(t)
	marie, sophie := d.as(t, "Marie.Dupont"), d.as(t, "Sophie.Commerciale")
	req := fileContract(t, marie, "OCB0000003", map[string]any{"kind": "support_level", "level": "premium", "details": "Mise en production."})
	path := "/api/v1/requests/" + req.Number
	if req.Level != "premium" || req.FromLevel != "standard" || req.State != "pending" || req.Version != 1 {
		t.Fatalf("filed: %+v", req)
	}
	var o contractOverview
	marie.Get("/api/v1/tenants/OCB0000003/contract").JSON(t, &o)
	if o.Pending != req.Number || o.MayRequest || o.WhyNotCode != "pending" || contractChoiceOf(o.Changes, "basic").ReasonCode != "request_pending" {
		t.Errorf("overview while pending: %+v", o)
	}

	if got := salesList(t, sophie, "/api/v1/sales/requests"); strings.Join(got, " ") != req.Number {
		t.Errorf("Sophie's desk: %v", got)
	}
	v := readContractRequest(t, sophie.Get(path))
	next := calendar.ParisDate(time.Now()).FirstOfNextMonth()
	if v.Desk == nil || !v.Desk.MayAccept || v.Desk.Preview == nil || v.Desk.Preview.Level != "premium" ||
		v.Desk.Preview.EffectiveFrom != next.String() || v.Desk.Preview.CommittedUntil == "" || v.Desk.Level == nil || v.Desk.Level.Level != "standard" {
		t.Fatalf("desk view: %+v", v.Desk)
	}
	contractWant(t, "note", sophie.Post(path+"/replies", map[string]any{"body": "Client stratégique.", "internal": true}), 201)

	for lang, want := range map[string]string{"en": "If-Match", "fr": "If-Match"} {
		sophie.Lang = lang
		r := sophie.Post(path+"/accept", map[string]any{})
		contractWant(t, lang+" no If-Match", r, 428)
		if p := problemOf(t, r); !strings.Contains(p.Detail, want) {
			t.Errorf("%s 428: %+v", lang, p)
		}
		contractWant(t, lang+" bad If-Match", sophie.Post(path+"/accept", map[string]any{}, "If-Match", "v1"), 400)
		r = sophie.Post(path+"/accept", map[string]any{}, "If-Match", `"v7"`)
		contractWant(t, lang+" stale If-Match", r, 412)
		if p := problemOf(t, r); !strings.Contains(p.Detail, map[string]string{"en": "changed since", "fr": "a changé"}[lang]) {
			t.Errorf("%s 412: %+v", lang, p)
		}
	}
	if n := testutil.Count(t, d.DB, "support_levels", "1=1"); n != 4 {
		t.Fatalf("refused acceptances wrote levels: %d", n)
	}
	r := sophie.Post(path+"/accept", map[string]any{"reason": "Bienvenue en Premium."}, "If-Match", etagOf(v.Version))
	contractWant(t, "accept", r, 200)
	done := readContractRequest(t, r)
	if done.State != "accepted" || done.EffectiveOn != next.String() || done.CommittedUntil == "" || done.DecidedBy != "Sophie Commerciale" ||
		done.Reason != "Bienvenue en Premium." || r.Header.Get("ETag") != etagOf(v.Version+1) || done.Desk == nil || done.Desk.MayAccept {
		t.Fatalf("accepted: %+v ETag %s", done, r.Header.Get("ETag"))
	}
	// The same decision again, with the old version or the new one: the request is decided.
	contractWant(t, "accept twice", sophie.Post(path+"/accept", map[string]any{}, "If-Match", etagOf(v.Version)), 412)
	contractWant(t, "reject after", sophie.Post(path+"/reject", map[string]any{"reason": "Non."}, "If-Match", etagOf(done.Version)), 412)

	seen := readContractRequest(t, marie.Get(path))
	events := []string{}
	for _, e := range seen.Timeline {
		if e.Kind == "note" || strings.Contains(e.Body, "stratégique") {
			t.Errorf("the customer reads the note: %+v", e)
		}
		events = append(events, e.Event+":"+e.From+">"+e.To)
	}
	if seen.State != "accepted" || seen.DecidedBy != "Sophie Commerciale" || seen.Desk != nil ||
		strings.Join(events, " ") != "contract.event.filed:>support_level contract.event.state:pending>accepted contract.event.effective_on:>"+next.String() {
		t.Errorf("the customer reads: %+v\n%v", seen, events)
	}
	o = contractOverview{}
	marie.Get("/api/v1/tenants/OCB0000003/contract").JSON(t, &o)
	if o.Scheduled == nil || o.Scheduled.Level != "premium" || o.Scheduled.EffectiveFrom != next.String() || o.Pending != "" ||
		o.WhyNotCode != "change_scheduled" && o.WhyNotCode != "no_level_possible" || o.MayRequest {
		t.Errorf("overview after: %+v", o)
	}
	if got := salesList(t, sophie, "/api/v1/sales/requests"); len(got) != 0 {
		t.Errorf("still pending: %v", got)
	}
	if got := salesList(t, sophie, "/api/v1/sales/requests?state=decided"); strings.Join(got, " ") != req.Number {
		t.Errorf("decided: %v", got)
	}
}

// TestSalesDeskDecisions: reject needs a reason; a cancellation needs its date; an order needs
// the new tenant's code; each refusal names its field in both languages and writes nothing.
func TestSalesDeskDecisions(t *testing.T) {
	d := newDesk(t)
	marie, admin := d.as(t, "Marie.Dupont"), d.as(t, "admin")
	bill := fileContract(t, marie, "OCB0000001", map[string]any{"kind": "multi_tenant_bill"})
	cancel := fileContract(t, marie, "OCB0000002", map[string]any{"kind": "cancellation", "acknowledged": true})
	order := fileContract(t, marie, "OCB0000003", map[string]any{"kind": "tenant_order", "contract_name": "Dupont Industrie — Recette", "level": "business"})
	today := calendar.ParisDate(time.Now())
	cases := []struct {
		name, number, action string
		body                 map[string]any
		field, en, fr        string
	}{
		{"reject without reason", bill.Number, "reject", map[string]any{"reason": "  "}, "reason", "reason for the rejection", "motif du refus"},
		{"reject, no body field", bill.Number, "reject", map[string]any{}, "reason", "required", "obligatoire"},
		{"reason too long", bill.Number, "reject", map[string]any{"reason": strings.Repeat("a", 5001)}, "reason", "5000", "5000"},
		{"unknown field", bill.Number, "accept", map[string]any{"approve": true}, "approve", "Unknown field", "Champ inconnu"},
		{"cancellation without date", cancel.Number, "accept", map[string]any{}, "cancel_on", "required", "obligatoire"},
		{"cancellation, not a date", cancel.Number, "accept", map[string]any{"cancel_on": "demain"}, "cancel_on", "YYYY-MM-DD", "AAAA-MM-JJ"},
		{"cancellation in the past", cancel.Number, "accept", map[string]any{"cancel_on": today.AddDays(-1).String()}, "cancel_on", "onwards", "à partir du"},
		{"order without code", order.Number, "accept", map[string]any{}, "tenant_code", "required", "obligatoire"},
		{"order, bad code", order.Number, "accept", map[string]any{"tenant_code": "XYZ"}, "tenant_code", "OCB", "OCB"},
		{"order, code taken", order.Number, "accept", map[string]any{"tenant_code": "OCB0000004"}, "tenant_code", "", ""},
	}
	before := testutil.Count(t, d.DB, "timeline_entries", "1=1")
	for _, lang := range []string{"en", "fr"} {
		admin.Lang = lang
		for _, tc := range cases {
			r := admin.Post("/api/v1/requests/"+tc.number+"/"+tc.action, tc.body, "If-Match", `"v1"`)
			what := lang + " " + tc.name
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d %.300s", what, r.Status, r.Body)
				continue
			}
			msg := problemOf(t, r).fields()[tc.field]
			if want := map[string]string{"en": tc.en, "fr": tc.fr}[lang]; msg == "" || !strings.Contains(msg, want) {
				t.Errorf("%s: %s: %q, want %q (%s)", what, tc.field, msg, want, r.Body)
			}
		}
	}
	if after := testutil.Count(t, d.DB, "timeline_entries", "1=1"); after != before {
		t.Errorf("refused decisions wrote %d entries", after-before)
	}
	if n := testutil.Count(t, d.DB, "contract_requests", "state = 'pending'"); n != 3 {
		t.Errorf("%d pending", n)
	}

	r := admin.Post("/api/v1/requests/"+bill.Number+"/reject", map[string]any{"reason": "Déjà activée."}, "If-Match", "*")
	contractWant(t, "reject", r, 200)
	if got := readContractRequest(t, r); got.State != "rejected" || got.Reason != "Déjà activée." || got.DecidedBy != "Admin Guichet" {
		t.Errorf("rejected: %+v", got)
	}
	r = admin.Post("/api/v1/requests/"+cancel.Number+"/accept", map[string]any{"cancel_on": today.FirstOfNextMonth().String()}, "If-Match", `"v1"`)
	contractWant(t, "accept cancellation", r, 200)
	if got := readContractRequest(t, r); got.State != "accepted" || got.EffectiveOn != today.FirstOfNextMonth().String() ||
		got.Desk == nil || got.Desk.TenantStatus != "cancellation_requested" {
		t.Errorf("cancellation: %+v", got)
	}
	r = admin.Post("/api/v1/requests/"+order.Number+"/accept", map[string]any{"tenant_code": "ocb0000042"}, "If-Match", `"v1"`)
	contractWant(t, "accept order", r, 200)
	if got := readContractRequest(t, r); got.NewTenantCode != "OCB0000042" {
		t.Errorf("order: %+v", got)
	}
	// The new tenant is Marie's, with the level she asked for.
	var o contractOverview
	d.as(t, "Marie.Dupont").Get("/api/v1/tenants/OCB0000042/contract").JSON(t, &o)
	if o.Level == nil || o.Level.Level != "business" {
		t.Errorf("new tenant: %+v", o)
	}
	// Newest first, the three decided ones.
	if got := salesList(t, admin, "/api/v1/sales/requests?state=decided&limit=2"); strings.Join(got, " ") != order.Number+" "+cancel.Number+" "+bill.Number {
		t.Errorf("decided: %v", got)
	}
}

// TestSalesDeskForEveryPersona: the desk and the decisions are the sales rep's (on their
// tenants) and the admin's; customers and agents are refused, another rep finds nothing.
func TestSalesDeskForEveryPersona(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	var filed []string
	for _, tc := range []struct {
		tenant string
		body   map[string]any
	}{
		{"OCB0000001", map[string]any{"kind": "cancellation", "acknowledged": true}},
		{"OCB0000002", map[string]any{"kind": "tenant_order", "contract_name": "Recette", "level": "standard"}},
		{"OCB0000003", map[string]any{"kind": "multi_tenant_bill"}},
	} {
		filed = append(filed, fileContract(t, marie, tc.tenant, tc.body).Number)
	}
	paulReq := fileContract(t, d.as(t, "Paul.Martin"), "OCB0000004", map[string]any{"kind": "support_level", "level": "standard"})
	all := append(append([]string{}, filed...), paulReq.Number)

	// Sam, another sales rep, has OCB0000004 only.
	ctx := context.Background()
	sam, err := d.Identity.CreateUser(ctx, tenancy.System.Actor, identity.UserInput{Login: "Sam.Sales", Email: "sam.sales@example.com",
		DisplayName: "Sam Sales", Lang: "en", Kind: identity.Sales, Active: true, Password: demo.Password})
	if err != nil {
		t.Fatal(err)
	}
	tn, err := tenancy.TenantByCode(ctx, d.DB, "OCB0000004")
	if err != nil {
		t.Fatal(err)
	}
	tn.SalesRepID = &sam.ID
	if err := tenancy.UpdateTenant(ctx, d.DB, tn, "sales_rep_id"); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		login string
		desk  int
		sees  []string
	}{
		{"Sophie.Commerciale", 200, filed},
		{"Sam.Sales", 200, []string{paulReq.Number}},
		{"admin", 200, all},
		{"Marie.Dupont", 403, nil},
		{"John.Doe", 403, nil},
		{"Paul.Martin", 403, nil},
		{"Alice.Agent", 403, nil},
	} {
		c := d.as(t, tc.login)
		for _, state := range []string{"", "?state=decided"} {
			r := c.Get("/api/v1/sales/requests" + state)
			contractWant(t, tc.login+" desk"+state, r, tc.desk)
		}
		if tc.desk == 200 {
			if got := salesList(t, c, "/api/v1/sales/requests?limit=1"); strings.Join(got, " ") != strings.Join(tc.sees, " ") {
				t.Errorf("%s's desk, a page at a time: %v, want %v", tc.login, got, tc.sees)
			}
		}
		// Decisions: customers and agents are refused whatever the number; a rep does not
		// find another rep's request.
		for _, number := range all {
			want := 403
			switch {
			case tc.login == "admin":
				continue
			case tc.desk == 200 && slices.Contains(tc.sees, number):
				continue
			case tc.desk == 200:
				want = 404
			}
			for _, action := range []string{"accept", "reject"} {
				r := c.Post("/api/v1/requests/"+number+"/"+action, map[string]any{"reason": "Non."}, "If-Match", `"v1"`)
				contractWant(t, tc.login+" "+action+" "+number, r, want)
			}
			if tc.desk == 200 {
				contractWant(t, tc.login+" reads "+number, c.Get("/api/v1/requests/"+number), 404)
				contractWant(t, tc.login+" replies "+number, c.Post("/api/v1/requests/"+number+"/replies", map[string]any{"body": "?"}), 404)
			}
		}
		for _, action := range []string{"accept", "reject"} {
			want := 404
			if tc.desk != 200 && tc.login != "Alice.Agent" {
				want = 403 // customers never decide: nothing is looked up
			}
			r := c.Post("/api/v1/requests/REQ9999999/"+action, map[string]any{"reason": "Non."}, "If-Match", `"v1"`)
			contractWant(t, tc.login+" "+action+" a request that does not exist", r, want)
		}
	}
	if n := testutil.Count(t, d.DB, "contract_requests", "state = 'pending'"); n != 4 {
		t.Errorf("refused decisions decided: %d pending", n)
	}
	// The read-only token of a rep reads the desk and decides nothing.
	ro := d.readOnly(t, "Sophie.Commerciale")
	contractWant(t, "read-only desk", ro.Get("/api/v1/sales/requests"), 200)
	contractWant(t, "read-only accept", ro.Post("/api/v1/requests/"+filed[0]+"/accept", map[string]any{}, "If-Match", `"v1"`), 403)
	contractWant(t, "bad cursor", d.as(t, "admin").Get("/api/v1/sales/requests?cursor=eyJwIjo5OTk5OSwicyI6MX0"), 400)
	contractWant(t, "bad state", d.as(t, "admin").Get("/api/v1/sales/requests?state=all"), 422)
}
