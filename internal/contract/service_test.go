package contract_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/app"
	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/contract"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
)

func actor(t *testing.T, a *app.App, login string) tenancy.Actor {
	t.Helper()
	u, err := identity.UserByLogin(context.Background(), a.DB, login)
	if err != nil {
		t.Fatal(err)
	}
	return tenancy.ActorOf(u)
}

func tenant(t *testing.T, a *app.App, code string) *tenancy.Tenant {
	t.Helper()
	tn, err := tenancy.TenantByCode(context.Background(), a.DB, code)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// service returns the contract service with its clock at now.
func service(a *app.App, now time.Time) *contract.Service {
	s := contract.NewService(a.DB, a.Identity, a.Tenancy, a.Notifier,
		&audience.Roster{Leads: a.Config.SupportLeads, DefaultLang: a.Config.DefaultLang})
	s.Now = func() time.Time { return now }
	return s
}

func count(t *testing.T, a *app.App, query string, args ...any) int {
	t.Helper()
	var n int
	if err := a.DB.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRequestStore(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	t3, t4 := tenant(t, a, "OCB0000003"), tenant(t, a, "OCB0000004")
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	r := &contract.Request{TenantID: t3.ID, Kind: contract.SupportLevel, RequesterID: t3.ReferentID, Level: contract.Premium}
	if err := contract.InsertRequest(ctx, a.DB, r, now); err != nil {
		t.Fatal(err)
	}
	if r.Number() != "REQ0000001" || r.State != contract.Pending || r.Version != 1 {
		t.Fatalf("inserted %+v", r)
	}
	// The database itself refuses a second pending request of a kind for a tenant.
	err := contract.InsertRequest(ctx, a.DB, &contract.Request{TenantID: t3.ID, Kind: contract.SupportLevel, RequesterID: t3.ReferentID}, now)
	if e, ok := err.(*i18n.Error); !ok || e.Key != "contract.error.request_pending" || e.Field != "level" {
		t.Fatalf("second pending request: %v", err)
	}
	other := &contract.Request{TenantID: t4.ID, Kind: contract.Cancellation, RequesterID: t4.ReferentID}
	if err := contract.InsertRequest(ctx, a.DB, other, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := contract.RequestByID(ctx, a.DB, r.ID)
	if err != nil || got.Tenant.Code != "OCB0000003" || got.Requester.Login != "Marie.Dupont" || got.Tenant.SalesRep == nil {
		t.Fatalf("RequestByID: %+v, %v", got, err)
	}
	if _, err := contract.RequestByID(ctx, a.DB, 9999); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("missing request: %v", err)
	}
	rs, err := contract.Requests(ctx, a.DB, contract.RequestFilter{State: contract.Pending})
	if err != nil || len(rs) != 2 || rs[0].ID != r.ID {
		t.Fatalf("oldest first: %+v, %v", rs, err)
	}
	rs, _ = contract.Requests(ctx, a.DB, contract.RequestFilter{SalesRepID: 999999})
	if len(rs) != 0 {
		t.Fatalf("another rep's filter: %d requests", len(rs))
	}
	// A decision on a stale version writes nothing.
	got.State, got.DecisionReason = contract.Rejected, "non"
	if err := contract.UpdateDecision(ctx, a.DB, got, 7, now); err == nil {
		t.Fatal("stale version accepted")
	}
	if err := contract.UpdateDecision(ctx, a.DB, got, 1, now); err != nil || got.Version != 2 {
		t.Fatalf("decision: %v, version %d", err, got.Version)
	}
	if err := contract.UpdateDecision(ctx, a.DB, got, 2, now); err == nil {
		t.Fatal("a decided request decided again")
	}
	if ok, err := contract.ClaimApplied(ctx, a.DB, r.ID, now); !ok || err != nil {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if ok, _ := contract.ClaimApplied(ctx, a.DB, r.ID, now); ok {
		t.Fatal("claimed twice")
	}
}

// TestLevelTakesEffectMailOnce: a request filed and accepted through the service schedules the
// level; on its first day the job mails the referent once, and the level in force changes by date
// alone.
func TestLevelTakesEffectMailOnce(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	marie, sophie := actor(t, a, "Marie.Dupont"), actor(t, a, "Sophie.Commerciale")
	t3 := tenant(t, a, "OCB0000003")
	now := time.Now().UTC()
	r, err := service(a, now).File(ctx, marie, t3.ID, contract.Form{Kind: contract.SupportLevel, Level: "premium"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := service(a, now).Decide(ctx, marie, r.ID, contract.Decision{Accept: true, Version: 1}); !errors.Is(err, apperr.ErrForbidden) {
		t.Fatalf("a customer decides: %v", err)
	}
	r, err = service(a, now).Decide(ctx, sophie, r.ID, contract.Decision{Accept: true, Version: 1})
	if err != nil {
		t.Fatal(err)
	}
	first := calendar.ParisDate(now).FirstOfNextMonth()
	if r.EffectiveOn != first {
		t.Fatalf("effective on %s, want %s", r.EffectiveOn, first)
	}
	eve, day := first.AddDays(-1).In(calendar.Paris).Add(23*time.Hour), first.In(calendar.Paris).Add(time.Minute)
	levels := func(at time.Time) contract.Level {
		ls, err := contract.CurrentLevels(ctx, a.DB, []int64{t3.ID}, calendar.ParisDate(at))
		if err != nil {
			t.Fatal(err)
		}
		return ls[t3.ID]
	}
	if levels(eve) != contract.Standard || levels(day) != contract.Premium {
		t.Fatalf("levels: eve %s, day %s", levels(eve), levels(day))
	}
	const mails = "SELECT COUNT(*) FROM outbox WHERE kind = 'level_effective' AND recipient_email = 'marie.dupont@example.fr' AND lang = 'fr'"
	for _, at := range []time.Time{eve, day, day.Add(time.Hour), day.Add(24 * time.Hour)} {
		if _, err := service(a, at).RunDue(ctx, at); err != nil {
			t.Fatal(err)
		}
		want := 0
		if !at.Before(day) {
			want = 1
		}
		if n := count(t, a, mails); n != want {
			t.Fatalf("at %s: %d level_effective mails, want %d", at, n, want)
		}
	}
	if n := count(t, a, "SELECT COUNT(*) FROM timeline_entries WHERE subject_kind = 'request' AND event = 'contract.event.level_in_force'"); n != 1 {
		t.Fatalf("%d level_in_force events, want 1", n)
	}
}

// TestSMTPDeliveryPerLanguage: the request reaches the English sales rep in English and the
// French referent in French; the decision reaches the referent in French; every message threads
// on the request.
func TestSMTPDeliveryPerLanguage(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	rep, err := a.Identity.CreateUser(ctx, tenancy.System.Actor, identity.UserInput{Login: "Sam.Sales", Email: "sam.sales@example.com",
		DisplayName: "Sam Sales", Lang: "en", Kind: identity.Sales, Active: true, Password: demo.Password})
	if err != nil {
		t.Fatal(err)
	}
	t3 := tenant(t, a, "OCB0000003")
	t3.SalesRepID = &rep.ID
	if err := tenancy.UpdateTenant(ctx, a.DB, t3, "sales_rep_id"); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	r, err := service(a, now).File(ctx, actor(t, a, "Marie.Dupont"), t3.ID, contract.Form{Kind: contract.SupportLevel, Level: "business"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := service(a, now).Decide(ctx, tenancy.ActorOf(rep), r.ID, contract.Decision{Accept: true, Version: 1, Reason: "OK"}); err != nil {
		t.Fatal(err)
	}
	srv := testutil.StartSMTP(t)
	got := srv.Deliver(a)
	sam, marie := testutil.To(got, "sam.sales@example.com"), testutil.To(got, "marie.dupont@example.fr")
	if len(sam) != 1 || sam[0].Subject != "[REQ0000001] New request for OCB0000003" ||
		!strings.Contains(sam[0].Text, "Support-level change") || !strings.Contains(sam[0].Text, "/staff/sales/1") {
		t.Fatalf("sales rep's mail: %+v", sam)
	}
	if len(marie) != 2 || marie[0].Subject != "[REQ0000001] Nouvelle demande pour OCB0000003" ||
		marie[1].Subject != "[REQ0000001] Réponse à votre demande pour OCB0000003" ||
		!strings.Contains(marie[1].Text, "a été acceptée") || !strings.Contains(marie[1].Text, "/contract/requests/1") ||
		!strings.Contains(marie[1].HTML, "Business") {
		t.Fatalf("referent's mails: %+v", marie)
	}
	thread := marie[0].Header.Get("Message-Id")
	if ref := marie[1].Header.Get("References"); thread == "" || ref == "" {
		t.Errorf("decision mail does not thread: Message-Id %q, References %q", thread, ref)
	}
	for _, m := range got {
		if m.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("%s: no Auto-Submitted header", m.Subject)
		}
	}
}

// Support-level requests filed at the same moment for one tenant (two tabs, two instances)
// leave one pending request; the others are told one is pending, never an error.
func TestConcurrentLevelRequestsLeaveOnePending(t *testing.T) {
	a := testutil.NewApp(t)
	ctx := context.Background()
	// The demo's levels took effect some months before today: the requests are filed today.
	now := time.Now().UTC()
	t3 := tenant(t, a, "OCB0000003")
	marie := actor(t, a, "Marie.Dupont")
	const tabs = 6
	errs := make([]error, tabs)
	var wg sync.WaitGroup
	for i := range tabs {
		wg.Go(func() {
			_, errs[i] = service(a, now).File(ctx, marie, t3.ID, contract.Form{Kind: contract.SupportLevel, Level: "premium"})
		})
	}
	wg.Wait()
	filed := 0
	for i, err := range errs {
		switch {
		case err == nil:
			filed++
		case slices.Equal(testutil.FieldKeys(err), []string{"level:contract.error.request_pending"}):
		default:
			t.Errorf("tab %d: %v, want the request filed or told one is pending", i, err)
		}
	}
	if filed != 1 {
		t.Errorf("%d requests filed at once, want 1", filed)
	}
	if n := count(t, a, "SELECT count(*) FROM contract_requests WHERE tenant_id = ? AND state = 'pending'", t3.ID); n != 1 {
		t.Errorf("%d pending support-level requests, want 1", n)
	}
}
