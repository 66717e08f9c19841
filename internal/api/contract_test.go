package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

type contractChoice struct {
	Level, Reason string
	ReasonCode    string `json:"reason_code"`
	Allowed       bool
}

type contractPeriod struct {
	Level          string
	EffectiveFrom  string `json:"effective_from"`
	CommittedUntil string `json:"committed_until"`
}

type contractOverview struct {
	Tenant     struct{ Code, Status string }
	Today      string
	Level      *contractPeriod
	Committed  bool
	Scheduled  *contractPeriod
	History    []struct{ Level string }
	Pending    string           `json:"pending_request"`
	MayRequest bool             `json:"may_request"`
	WhyNot     string           `json:"why_not"`
	WhyNotCode string           `json:"why_not_code"`
	Changes    []contractChoice `json:"level_changes"`
}

type contractForm struct {
	Kind       string
	MayFile    bool   `json:"may_file"`
	WhyNot     string `json:"why_not"`
	WhyNotCode string `json:"why_not_code"`
	Pending    string `json:"pending_request"`
	Fields     []string
	Levels     []contractChoice
	Tenants    []string
}

type contractRequest struct {
	Number, Tenant, Kind, State, Requester, Level, Reason, Details string
	FromLevel                                                      string `json:"from_level"`
	NewTenantCode                                                  string `json:"new_tenant_code"`
	DecidedBy                                                      string `json:"decided_by"`
	EffectiveOn                                                    string `json:"effective_on"`
	CommittedUntil                                                 string `json:"committed_until"`
	Version                                                        int
	Timeline                                                       []struct {
		Kind, Event, From, To, Body string
		Attachments                 []struct{ Name string }
	}
	Desk *struct {
		TenantStatus string `json:"tenant_status"`
		MayAccept    bool   `json:"may_accept"`
		Refusal      string
		RefusalCode  string `json:"refusal_code"`
		Preview      *contractPeriod
		Level        *contractPeriod
	}
}

func readContractRequest(t *testing.T, r testutil.APIResponse) contractRequest {
	t.Helper()
	var b contractRequest
	r.JSON(t, &b)
	return b
}

// fileContract files a request for tenant as c, expecting it filed.
func fileContract(t *testing.T, c *testutil.APIClient, tenant string, body map[string]any) contractRequest {
	t.Helper()
	r := c.Post("/api/v1/tenants/"+tenant+"/requests", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("file %v on %s: %d %s", body, tenant, r.Status, r.Body)
	}
	req := readContractRequest(t, r)
	if loc := r.Header.Get("Location"); loc != "/api/v1/requests/"+req.Number || r.Header.Get("ETag") != `"v1"` {
		t.Fatalf("filed: Location %q ETag %q", loc, r.Header.Get("ETag"))
	}
	return req
}

func contractWant(t *testing.T, what string, r testutil.APIResponse, status int) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: %d, want %d: %.400s", what, r.Status, status, r.Body)
	}
	if status >= 400 {
		problemOf(t, r)
	}
}

func contractChoiceOf(cs []contractChoice, level string) contractChoice {
	for _, c := range cs {
		if c.Level == level {
			return c
		}
	}
	return contractChoice{}
}

// giveJohnContract gives John.Doe, a member of OCB0000001 without it, the contract right:
// a member who is neither the referent nor the domain owner.
func giveJohnContract(t *testing.T, d *desk) {
	t.Helper()
	ctx := context.Background()
	tn, err := tenancy.TenantByCode(ctx, d.DB, "OCB0000001")
	if err != nil {
		t.Fatal(err)
	}
	u, err := identity.UserByLogin(ctx, d.DB, "John.Doe")
	if err != nil {
		t.Fatal(err)
	}
	testutil.SetRight(t, d.DB, tn.ID, u.ID, "can_contract", true)
}

// TestContractOverviewForEveryPersona: the referent reads each tenant's level, commitment,
// history and the changes allowed with the reason of the others; a member without the contract
// right is refused, another organisation and staff do not find the tenant.
func TestContractOverviewForEveryPersona(t *testing.T) {
	d := newDesk(t)
	marie := d.readOnly(t, "Marie.Dupont")
	today := calendar.ParisDate(time.Now())

	var o contractOverview
	r := marie.Get("/api/v1/tenants/OCB0000001/contract")
	contractWant(t, "Marie OCB0000001", r, 200)
	r.JSON(t, &o)
	// Premium, committed for four more months: nothing can be asked for.
	if o.Tenant.Code != "OCB0000001" || o.Level == nil || o.Level.Level != "premium" || !o.Committed || o.Level.CommittedUntil == "" ||
		len(o.History) != 1 || o.Today != today.String() || o.Scheduled != nil || o.Pending != "" {
		t.Fatalf("OCB0000001: %+v", o)
	}
	if o.MayRequest || o.WhyNotCode != "no_level_possible" || !strings.Contains(o.WhyNot, "Aucun niveau de support") {
		t.Errorf("OCB0000001 may request: %v %q %q", o.MayRequest, o.WhyNotCode, o.WhyNot)
	}
	for _, l := range []string{"basic", "standard", "business"} {
		if c := contractChoiceOf(o.Changes, l); c.Allowed || c.ReasonCode != "downgrade_in_commitment" || c.Reason == "" {
			t.Errorf("OCB0000001 %s: %+v", l, c)
		}
	}
	if c := contractChoiceOf(o.Changes, "premium"); c.Allowed || c.ReasonCode != "same_level" || !strings.Contains(c.Reason, "Premium") {
		t.Errorf("OCB0000001 premium: %+v", c)
	}

	// Standard, its commitment over: any other level.
	marie.Lang = "en"
	r = marie.Get("/api/v1/tenants/ocb0000003/contract")
	contractWant(t, "Marie OCB0000003", r, 200)
	o = contractOverview{}
	r.JSON(t, &o)
	if o.Level == nil || o.Level.Level != "standard" || o.Committed || !o.MayRequest || o.WhyNot != "" {
		t.Fatalf("OCB0000003: %+v", o)
	}
	for _, l := range []string{"basic", "business", "premium"} {
		if c := contractChoiceOf(o.Changes, l); !c.Allowed || c.Reason != "" {
			t.Errorf("OCB0000003 %s: %+v", l, c)
		}
	}
	if c := contractChoiceOf(o.Changes, "standard"); c.Allowed || c.Reason != "This tenant already has the Standard support level." {
		t.Errorf("OCB0000003 standard: %+v", c)
	}

	// Business, within its commitment: only up.
	o = contractOverview{}
	d.as(t, "Marie.Dupont").Get("/api/v1/tenants/OCB0000002/contract").JSON(t, &o)
	if !o.Committed || !o.MayRequest || !contractChoiceOf(o.Changes, "premium").Allowed || contractChoiceOf(o.Changes, "standard").Allowed {
		t.Errorf("OCB0000002: %+v", o)
	}

	// Paul's Basic tenant: no commitment, and another organisation's tenant is not found.
	paul := d.as(t, "Paul.Martin")
	o = contractOverview{}
	r = paul.Get("/api/v1/tenants/OCB0000004/contract")
	contractWant(t, "Paul OCB0000004", r, 200)
	r.JSON(t, &o)
	if o.Level == nil || o.Level.Level != "basic" || o.Level.CommittedUntil != "" || o.Committed || !o.MayRequest {
		t.Errorf("OCB0000004: %+v", o)
	}
	for _, tc := range []struct {
		login, tenant string
		status        int
	}{
		{"John.Doe", "OCB0000001", 403}, // a member without the contract right
		{"John.Doe", "OCB0000002", 404},
		{"Paul.Martin", "OCB0000001", 404},
		{"Marie.Dupont", "OCB0000004", 404},
		{"Marie.Dupont", "OCB9999999", 404},
		{"Alice.Agent", "OCB0000001", 404}, // staff file no customer form: the sales desk is theirs
		{"Sophie.Commerciale", "OCB0000001", 404},
		{"admin", "OCB0000001", 404},
	} {
		c := d.as(t, tc.login)
		for _, path := range []string{"/contract", "/contract/forms/cancellation", "/requests"} {
			contractWant(t, tc.login+" "+tc.tenant+path, c.Get("/api/v1/tenants/"+tc.tenant+path), tc.status)
		}
		r := c.Post("/api/v1/tenants/"+tc.tenant+"/requests", map[string]any{"kind": "multi_tenant_bill"})
		contractWant(t, tc.login+" files on "+tc.tenant, r, tc.status)
	}
	if n := testutil.Count(t, d.DB, "contract_requests", "1=1"); n != 0 {
		t.Errorf("%d requests written by refused personas", n)
	}
}

// TestContractFormsSayWhyNot: each form says whether it can be filed now and why not, with
// the names the page gives; a member who is not the referent is refused the support-level
// change with the reason, and may ask for a referent change.
func TestContractFormsSayWhyNot(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	form := func(c *testutil.APIClient, tenant, kind string) contractForm {
		t.Helper()
		r := c.Get("/api/v1/tenants/" + tenant + "/contract/forms/" + kind)
		contractWant(t, tenant+" "+kind, r, 200)
		var f contractForm
		r.JSON(t, &f)
		if f.Kind != kind {
			t.Fatalf("form %s: %+v", kind, f)
		}
		return f
	}
	for _, tc := range []struct {
		kind, code string
		fields     string
	}{
		{"support_level", "no_level_possible", "level details"},
		{"cancellation", "", "acknowledged details"},
		{"referent_change", "holder_use_users_tab", "holder_name holder_email holder_lang details"},
		{"owner_change", "holder_use_users_tab", "holder_name holder_email holder_lang details"},
		{"tenant_order", "", "contract_name level details"},
		{"multi_tenant_bill", "", "details"},
	} {
		f := form(marie, "OCB0000001", tc.kind)
		if f.MayFile != (tc.code == "") || f.WhyNotCode != tc.code || (tc.code != "") != (f.WhyNot != "") ||
			strings.Join(f.Fields, " ") != tc.fields {
			t.Errorf("Marie's %s form: %+v", tc.kind, f)
		}
	}
	if f := form(marie, "OCB0000001", "support_level"); len(f.Levels) != 4 {
		t.Errorf("support-level form levels: %+v", f.Levels)
	}
	if f := form(marie, "OCB0000001", "multi_tenant_bill"); strings.Join(f.Tenants, " ") != "OCB0000001 OCB0000002 OCB0000003" {
		t.Errorf("multi-tenant bill tenants: %v", f.Tenants)
	}
	paul := d.as(t, "Paul.Martin")
	if f := form(paul, "OCB0000004", "multi_tenant_bill"); f.MayFile || f.WhyNotCode != "multi_bill_tenants" || !strings.Contains(f.WhyNot, "au moins 3 tenants") {
		t.Errorf("Paul's multi-tenant bill: %+v", f)
	}
	// An unknown kind is refused by name.
	r := marie.Get("/api/v1/tenants/OCB0000001/contract/forms/upgrade")
	contractWant(t, "unknown kind", r, 422)
	if p := problemOf(t, r); p.fields()["kind"] == "" {
		t.Errorf("unknown kind not named: %+v", p)
	}

	giveJohnContract(t, d)
	john := d.as(t, "John.Doe")
	f := form(john, "OCB0000001", "support_level")
	if f.MayFile || f.WhyNotCode != "referent_or_owner" || !strings.Contains(f.WhyNot, "(Marie Dupont)") {
		t.Errorf("John's support-level form: %+v", f)
	}
	if f := form(john, "OCB0000001", "referent_change"); !f.MayFile {
		t.Errorf("John's referent-change form: %+v", f)
	}
	for lang, want := range map[string]string{"en": "Only the tenant’s referent (Marie Dupont)", "fr": "Seul le référent du tenant (Marie Dupont)"} {
		john.Lang = lang
		r := john.Post("/api/v1/tenants/OCB0000001/requests", map[string]any{"kind": "support_level", "level": "premium"})
		contractWant(t, lang+" John asks for a level", r, 403)
		if p := problemOf(t, r); !strings.Contains(p.Detail, want) {
			t.Errorf("%s: detail %q, want %q", lang, p.Detail, want)
		}
	}
	req := fileContract(t, john, "OCB0000001", map[string]any{"kind": "referent_change", "holder_name": "Jeanne Durand",
		"holder_email": "jeanne.durand@example.fr", "holder_lang": "fr", "details": "Marie a quitté l’entreprise."})
	if req.Kind != "referent_change" || req.State != "pending" || req.Requester != "John Doe" || req.Details != "Marie a quitté l’entreprise." {
		t.Errorf("referent change: %+v", req)
	}
	if f := form(john, "OCB0000001", "referent_change"); f.MayFile || f.WhyNotCode != "pending" || f.Pending != req.Number {
		t.Errorf("referent change pending: %+v", f)
	}
}

// TestContractNoLevelIsNeverFiled: the bug of the page (issue 11, item 1) cannot happen
// through the API: a support-level request without a level is refused, with why, and a level
// the rules refuse is refused with their reason; nothing is written.
func TestContractNoLevelIsNeverFiled(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	cases := []struct {
		tenant string
		body   map[string]any
		status int
		en, fr string
	}{
		{"OCB0000001", map[string]any{"kind": "support_level"}, 422, "No support level can be asked for", "Aucun niveau de support ne peut être demandé"},
		{"OCB0000001", map[string]any{"kind": "support_level", "details": "Premium+ please"}, 422, "No support level can be asked for", "Aucun niveau"},
		{"OCB0000001", map[string]any{"kind": "support_level", "level": "premium"}, 422, "already has the Premium support level", "a déjà le niveau de support Premium"},
		{"OCB0000001", map[string]any{"kind": "support_level", "level": "basic"}, 422, "at the end of your commitment", "à la fin de votre engagement"},
		{"OCB0000003", map[string]any{"kind": "support_level"}, 422, "Choose a support level", "Choisissez un niveau de support"},
		{"OCB0000003", map[string]any{"kind": "support_level", "level": ""}, 422, "allowed values", "valeurs possibles"},
		{"OCB0000003", map[string]any{"kind": "support_level", "level": "gold"}, 422, "allowed values", "valeurs possibles"},
	}
	for _, lang := range []string{"en", "fr"} {
		marie.Lang = lang
		for _, tc := range cases {
			r := marie.Post("/api/v1/tenants/"+tc.tenant+"/requests", tc.body)
			what := fmt.Sprintf("%s %s %v", lang, tc.tenant, tc.body)
			contractWant(t, what, r, tc.status)
			p := problemOf(t, r)
			msg := p.fields()["level"]
			if want := map[string]string{"en": tc.en, "fr": tc.fr}[lang]; !strings.Contains(msg, want) {
				t.Errorf("%s: level %q, want %q (%+v)", what, msg, want, p)
			}
		}
	}
	if n := testutil.Count(t, d.DB, "contract_requests", "1=1"); n != 0 {
		t.Fatalf("%d requests written", n)
	}
	// The level that is allowed is filed, from the level in force.
	req := fileContract(t, marie, "OCB0000003", map[string]any{"kind": "support_level", "level": "premium"})
	if req.Level != "premium" || req.FromLevel != "standard" {
		t.Errorf("filed: %+v", req)
	}
	// Then nothing else until it is decided: the reason is the pending request.
	marie.Lang = "en"
	r := marie.Post("/api/v1/tenants/OCB0000003/requests", map[string]any{"kind": "support_level"})
	contractWant(t, "no level while pending", r, 422)
	if msg := problemOf(t, r).fields()["level"]; !strings.Contains(msg, "already pending") {
		t.Errorf("no level while pending: %q", msg)
	}
}

// TestSalesFormsRefuseBadInput: each refused field is named, in French and English, and
// nothing is written.
func TestSalesFormsRefuseBadInput(t *testing.T) {
	d := newDesk(t)
	giveJohnContract(t, d)
	marie, john, paul := d.as(t, "Marie.Dupont"), d.as(t, "John.Doe"), d.as(t, "Paul.Martin")
	long := strings.Repeat("é", 5001)
	cases := []struct {
		name   string
		c      *testutil.APIClient
		tenant string
		body   any
		status int
		fields []string
		en, fr string
	}{
		{"no kind", marie, "OCB0000001", map[string]any{"details": "x"}, 422, []string{"kind"}, "required", "obligatoire"},
		{"unknown kind", marie, "OCB0000001", map[string]any{"kind": "refund"}, 422, []string{"kind"}, "allowed values", "valeurs possibles"},
		{"unknown field", marie, "OCB0000001", map[string]any{"kind": "cancellation", "acknowledged": true, "when": "now"}, 422,
			[]string{"when"}, "Unknown field: when", "Champ inconnu\u00a0: when"},
		{"wrong type", marie, "OCB0000001", map[string]any{"kind": "cancellation", "acknowledged": "yes"}, 422,
			[]string{"acknowledged"}, "true or false", "true ou false"},
		{"details too long", marie, "OCB0000001", map[string]any{"kind": "multi_tenant_bill", "details": long}, 422,
			[]string{"details"}, "5000", "5000"},
		{"malformed", marie, "OCB0000001", `{"kind": "cancellation",`, 400, nil, "not valid JSON", "pas du JSON valide"},
		{"billing not acknowledged", marie, "OCB0000001", map[string]any{"kind": "cancellation"}, 422,
			[]string{"acknowledged"}, "billing warning", "avertissement"},
		{"order without name or level", marie, "OCB0000002", map[string]any{"kind": "tenant_order"}, 422,
			[]string{"contract_name", "level"}, "required", "obligatoire"},
		{"holder missing", john, "OCB0000001", map[string]any{"kind": "owner_change"}, 422,
			[]string{"holder_name", "holder_email", "holder_lang"}, "required", "obligatoire"},
		{"holder email and language", john, "OCB0000001", map[string]any{"kind": "owner_change", "holder_name": "Jeanne Durand",
			"holder_email": "jeanne at example", "holder_lang": "de"}, 422, []string{"holder_lang"}, "allowed values", "valeurs possibles"},
		{"holder email", john, "OCB0000001", map[string]any{"kind": "owner_change", "holder_name": "Jeanne Durand",
			"holder_email": "jeanne at example", "holder_lang": "en"}, 422, []string{"holder_email"}, "email address", "adresse"},
		{"same holder", john, "OCB0000001", map[string]any{"kind": "owner_change", "holder_name": "Marie Dupont",
			"holder_email": "marie.dupont@example.fr", "holder_lang": "fr"}, 422, []string{"holder_email"}, "Marie Dupont already holds", "Marie Dupont"},
		{"the holder themself", marie, "OCB0000001", map[string]any{"kind": "referent_change", "holder_name": "Jeanne Durand",
			"holder_email": "jeanne@example.fr", "holder_lang": "fr"}, 403, nil, "Users tab", "onglet Utilisateurs"},
		{"fewer than three tenants", paul, "OCB0000004", map[string]any{"kind": "multi_tenant_bill"}, 422,
			[]string{"tenants"}, "at least 3 tenants; you have 1", "au moins 3 tenants"},
	}
	for _, lang := range []string{"en", "fr"} {
		for _, tc := range cases {
			tc.c.Lang = lang
			r := tc.c.Post("/api/v1/tenants/"+tc.tenant+"/requests", tc.body)
			what := lang + " " + tc.name
			if r.Status != tc.status {
				t.Errorf("%s: %d, want %d: %.300s", what, r.Status, tc.status, r.Body)
				continue
			}
			p := problemOf(t, r)
			fs := p.fields()
			for _, f := range tc.fields {
				if fs[f] == "" {
					t.Errorf("%s: field %q not named: %+v", what, f, p.Errors)
				}
			}
			all := p.Detail
			for _, e := range p.Errors {
				all += " " + e.Message
			}
			if want := map[string]string{"en": tc.en, "fr": tc.fr}[lang]; !strings.Contains(all, want) {
				t.Errorf("%s: %q not in %q", what, want, all)
			}
			if strings.Contains(all, "contract.") || strings.Contains(all, "error.") || strings.Contains(all, "api.") {
				t.Errorf("%s: untranslated: %q", what, all)
			}
		}
	}
	if n := testutil.Count(t, d.DB, "contract_requests", "1=1"); n != 0 {
		t.Fatalf("%d requests written", n)
	}
	// A read-only token files nothing.
	r := d.readOnly(t, "Marie.Dupont").Post("/api/v1/tenants/OCB0000001/requests", map[string]any{"kind": "multi_tenant_bill"})
	contractWant(t, "read-only token", r, 403)
}

// TestContractRequestsForEveryPersona: a request and its replies, read by each persona: the
// tenant's members with the right, its sales rep and the admin; nobody else.
func TestContractRequestsForEveryPersona(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	req := fileContract(t, marie, "OCB0000001", map[string]any{"kind": "multi_tenant_bill", "details": "Une seule facture, merci."})
	path := "/api/v1/requests/" + req.Number
	if req.Tenant != "OCB0000001" || req.Requester != "Marie Dupont" || len(req.Timeline) != 1 ||
		req.Timeline[0].Event != "contract.event.filed" || req.Timeline[0].To != "multi_tenant_bill" {
		t.Fatalf("filed: %+v", req)
	}
	for _, tc := range []struct {
		login       string
		get, answer int
	}{
		{"Marie.Dupont", 200, 201},
		{"John.Doe", 403, 403},
		{"Paul.Martin", 404, 404},
		{"Alice.Agent", 403, 403},
		{"Sophie.Commerciale", 200, 201},
		{"admin", 200, 201},
	} {
		c := d.as(t, tc.login)
		r := c.Get(path)
		contractWant(t, tc.login+" reads", r, tc.get)
		if tc.get == 200 && r.Header.Get("ETag") != `"v1"` {
			t.Errorf("%s: ETag %q", tc.login, r.Header.Get("ETag"))
		}
		r = c.Post(path+"/replies", map[string]any{"body": "Message de " + tc.login})
		contractWant(t, tc.login+" replies", r, tc.answer)
		for _, missing := range []string{"/api/v1/requests/REQ9999999", "/api/v1/requests/INC0000001", "/api/v1/requests/REQ-1"} {
			contractWant(t, tc.login+" reads "+missing, c.Get(missing), 404)
			contractWant(t, tc.login+" replies to "+missing, c.Post(missing+"/replies", map[string]any{"body": "?"}), 404)
		}
	}
	// Staff notes stay with staff; a customer's "internal" reply is public.
	sophie := d.as(t, "Sophie.Commerciale")
	r := sophie.Post(path+"/replies", map[string]any{"body": "Vérifier le nombre de tenants.", "internal": true})
	contractWant(t, "note", r, 201)
	r = marie.Post(path+"/replies", map[string]any{"body": "Pas une note.", "internal": true,
		"files": []map[string]any{{"name": "liste.png", "content": pngBytes}}})
	contractWant(t, "customer internal", r, 201)
	staff := readContractRequest(t, sophie.Get(path))
	customer := readContractRequest(t, marie.Get(path))
	kinds := func(req contractRequest) string {
		var ks []string
		for _, e := range req.Timeline {
			ks = append(ks, e.Kind)
		}
		return strings.Join(ks, " ")
	}
	if got := kinds(staff); got != "event reply reply reply note reply" {
		t.Errorf("staff timeline: %s", got)
	}
	if got := kinds(customer); got != "event reply reply reply reply" {
		t.Errorf("customer timeline: %s", got)
	}
	last := customer.Timeline[len(customer.Timeline)-1]
	if last.Body != "Pas une note." || len(last.Attachments) != 1 || last.Attachments[0].Name != "liste.png" {
		t.Errorf("customer reply: %+v", last)
	}
	if customer.Desk != nil || staff.Desk == nil {
		t.Errorf("desk view: customer %v staff %v", customer.Desk, staff.Desk)
	}
	// Bad replies: named, in both languages, nothing written.
	before := testutil.Count(t, d.DB, "timeline_entries", "1=1")
	for lang, want := range map[string]string{"en": "required", "fr": "obligatoire"} {
		marie.Lang = lang
		r := marie.Post(path+"/replies", map[string]any{"body": ""})
		contractWant(t, lang+" empty reply", r, 422)
		if msg := problemOf(t, r).fields()["body"]; msg == "" {
			t.Errorf("%s: body not named: %s", lang, r.Body)
		}
		r = marie.Post(path+"/replies", map[string]any{"body": "x", "files": []map[string]any{{"name": "run.exe", "content": []byte("MZ\x90\x00")}}})
		contractWant(t, lang+" bad file", r, 422)
		if problemOf(t, r).fields()["files"] == "" {
			t.Errorf("%s: files not named: %s", lang, r.Body)
		}
		r = marie.Post(path+"/replies", map[string]any{"text": "x"})
		contractWant(t, lang+" no body", r, 422)
		if p := problemOf(t, r); p.fields()["text"] == "" || p.fields()["body"] == "" || !strings.Contains(p.fields()["body"], want) {
			t.Errorf("%s: fields not named: %+v", lang, p)
		}
	}
	if after := testutil.Count(t, d.DB, "timeline_entries", "1=1"); after != before {
		t.Errorf("refused replies wrote %d entries", after-before)
	}
}

// TestContractRequestListPages: a tenant's requests, newest first, page by page.
func TestContractRequestListPages(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	var filed []string
	for _, body := range []map[string]any{
		{"kind": "multi_tenant_bill"},
		{"kind": "tenant_order", "contract_name": "Dupont Industrie — Recette", "level": "business"},
		{"kind": "cancellation", "acknowledged": true},
	} {
		filed = append([]string{fileContract(t, marie, "OCB0000002", body).Number}, filed...)
	}
	var got []string
	next := "/api/v1/tenants/OCB0000002/requests?limit=2"
	for pages := 0; next != ""; pages++ {
		if pages > 3 {
			t.Fatal("the pages never end")
		}
		r := marie.Get(next)
		contractWant(t, next, r, 200)
		var page struct {
			Items []contractRequest
			Next  string
		}
		r.JSON(t, &page)
		for _, it := range page.Items {
			got = append(got, it.Number)
		}
		if link := r.Header.Get("Link"); (page.Next == "") != (link == "") || (link != "" && link != "<"+page.Next+`>; rel="next"`) {
			t.Errorf("Link %q, next %q", link, page.Next)
		}
		next = page.Next
	}
	if strings.Join(got, " ") != strings.Join(filed, " ") {
		t.Errorf("pages: %v, want %v", got, filed)
	}
	contractWant(t, "bad cursor", marie.Get("/api/v1/tenants/OCB0000002/requests?cursor=nope"), 400)
	var other struct{ Items []contractRequest }
	marie.Get("/api/v1/tenants/OCB0000003/requests").JSON(t, &other)
	if len(other.Items) != 0 {
		t.Errorf("another tenant lists %d requests", len(other.Items))
	}
}

// TestContractIdempotencyAndDocument: a retried filing with its key returns the first request;
// the document states the key on the create and If-Match on the decisions.
func TestContractIdempotencyAndDocument(t *testing.T) {
	d := newDesk(t)
	marie := d.as(t, "Marie.Dupont")
	body := map[string]any{"kind": "support_level", "level": "business"}
	first := marie.Post("/api/v1/tenants/OCB0000003/requests", body, "Idempotency-Key", "level-42")
	contractWant(t, "first", first, 201)
	again := marie.Post("/api/v1/tenants/OCB0000003/requests", body, "Idempotency-Key", "level-42")
	contractWant(t, "again", again, 201)
	if readContractRequest(t, again).Number != readContractRequest(t, first).Number || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry: %s", again.Body)
	}
	if n := testutil.Count(t, d.DB, "contract_requests", "1=1"); n != 1 {
		t.Errorf("%d requests", n)
	}
	doc := testutil.APIDocument(t, d.web)
	params := func(path, method string) map[string]bool {
		item := doc.Paths.Find(path)
		if item == nil || item.GetOperation(method) == nil {
			t.Fatalf("%s %s not in the document", method, path)
		}
		out := map[string]bool{}
		for _, p := range item.GetOperation(method).Parameters {
			out[p.Value.In+":"+p.Value.Name] = true
		}
		return out
	}
	if !params("/tenants/{tenant}/requests", "POST")["header:Idempotency-Key"] {
		t.Error("filing does not document Idempotency-Key")
	}
	if !params("/requests/{number}/replies", "POST")["header:Idempotency-Key"] {
		t.Error("replying does not document Idempotency-Key")
	}
	for _, p := range []string{"/requests/{number}/accept", "/requests/{number}/reject"} {
		if !params(p, "POST")["header:If-Match"] {
			t.Errorf("%s does not document If-Match", p)
		}
	}
	for _, p := range []string{"/tenants/{tenant}/requests", "/sales/requests"} {
		if ps := params(p, "GET"); !ps["query:cursor"] || !ps["query:limit"] {
			t.Errorf("%s has no cursor", p)
		}
	}
}
