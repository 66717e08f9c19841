package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

func init() {
	// A customer reaches a request of another organisation's tenant, a sales rep one of another
	// rep's tenant: both answer 404.
	foreignParams["request"] = func(t *testing.T, d *desk, p persona, f foreignFixture) string {
		return id(insertRequest(t, d, f.ForeignTenant, contract.MultiTenantBill).ID)
	}
	salesScoped["request"] = true
}

// insertRequest writes a pending request of kind for tenant, filed by its referent, directly.
func insertRequest(t *testing.T, d *desk, tenantID int64, kind contract.Kind) *contract.Request {
	t.Helper()
	tn, err := tenancy.TenantByID(context.Background(), d.DB, tenantID)
	if err != nil {
		t.Fatal(err)
	}
	r := &contract.Request{TenantID: tenantID, Kind: kind, RequesterID: tn.ReferentID}
	if err := contract.InsertRequest(context.Background(), d.DB, r, time.Now()); err != nil {
		t.Fatal(err)
	}
	return r
}

// englishRep creates Sam Sales, an English-speaking sales rep who can log in, and makes them the
// sales rep of the tenants given.
func englishRep(t *testing.T, d *app.App, codes ...string) *identity.User {
	t.Helper()
	ctx := context.Background()
	u, err := d.Identity.CreateUser(ctx, tenancy.System.Actor, identity.UserInput{Login: "Sam.Sales", Email: "sam.sales@example.com",
		DisplayName: "Sam Sales", Lang: "en", Kind: identity.Sales, Active: true, Password: demo.Password})
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range codes {
		tn, err := tenancy.TenantByCode(ctx, d.DB, code)
		if err != nil {
			t.Fatal(err)
		}
		tn.SalesRepID = &u.ID
		if err := tenancy.UpdateTenant(ctx, d.DB, tn, "sales_rep_id"); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

// inScope logs login in and chooses tenant code with the scope selector.
func inScope(t *testing.T, d *desk, login, code string) *testutil.Client {
	t.Helper()
	c := d.as(t, login)
	r := c.Post("/scope", url.Values{"tenant": {id(d.tenant(t, code).ID)}, "next": {"/contract"}})
	wantStatus(t, "choose scope "+code, r, 303)
	c.Get("/contract")
	return c
}

func countRows(t *testing.T, d *desk, table, where string, args ...any) int {
	t.Helper()
	var n int
	if err := d.DB.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table+" WHERE "+where, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var requestLocation = regexp.MustCompile(`^/contract/requests/(\d+)$`)

// filed checks that a form was accepted and returns the new request's id.
func filed(t *testing.T, what string, r testutil.Response) string {
	t.Helper()
	wantStatus(t, what, r, 303)
	m := requestLocation.FindStringSubmatch(r.Location)
	if m == nil {
		t.Fatalf("%s: redirected to %q, want a request page", what, r.Location)
	}
	return m[1]
}

// version reads the decision form's version field of a sales request page.
func version(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no version field in the decision form: %.300s", body)
	}
	return m[1]
}

// mailsTo lists the outbox messages of kind to email, as "lang|subject".
func mailsTo(t *testing.T, d *desk, kind, email string) []string {
	t.Helper()
	rows, err := d.DB.QueryContext(context.Background(), "SELECT lang, subject FROM outbox WHERE kind = ? AND recipient_email = ? ORDER BY id", kind, email)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var lang, subject string
		if err := rows.Scan(&lang, &subject); err != nil {
			t.Fatal(err)
		}
		out = append(out, lang+"|"+subject)
	}
	return out
}

func hasPrefix(xs []string, prefix string) bool {
	for _, x := range xs {
		if strings.HasPrefix(x, prefix) {
			return true
		}
	}
	return false
}

// resp wraps text for wantBody.
func resp(body string) testutil.Response { return testutil.Response{Body: body} }

// contractService is the desk's contract service, for the background job.
func contractService(d *desk) *contract.Service {
	return d.Contracts
}
