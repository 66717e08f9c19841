package change_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/audience"
	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/change"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/once"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/subscription"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// svcFixture is a desk on a copy of the demo database with the shipped service catalogue and a
// clock the test moves. Marie is the referent and domain owner of OCB0000001, John a member of
// it with the incidents right only, Paul the referent of OCB0000004, Sophie the sales rep of
// both.
type svcFixture struct {
	svc                        *change.Service
	db                         *bun.DB
	now                        time.Time
	marie, john, paul          tenancy.Actor
	sophie, alice, admin       tenancy.Actor
	t1, t4                     *tenancy.Tenant
	johnEmail, marieEmail, sop string
}

func svcSetup(t *testing.T) *svcFixture {
	t.Helper()
	a := testutil.NewApp(t)
	ctx := context.Background()
	services, err := change.LoadServices("")
	if err != nil {
		t.Fatal(err)
	}
	f := &svcFixture{db: a.DB, now: time.Now().UTC()}
	f.svc = &change.Service{DB: a.DB, Catalogue: a.Catalogue, Services: services, Notifier: a.Notifier,
		Audience: &audience.Roster{DefaultLang: "fr"}, Now: func() time.Time { return f.now }}
	for login, dst := range map[string]*tenancy.Actor{"Marie.Dupont": &f.marie, "John.Doe": &f.john, "Paul.Martin": &f.paul,
		"Sophie.Commerciale": &f.sophie, "Alice.Agent": &f.alice, "admin": &f.admin} {
		u, err := identity.UserByLogin(ctx, a.DB, login)
		if err != nil {
			t.Fatal(err)
		}
		*dst = tenancy.ActorOf(u)
		switch login {
		case "Marie.Dupont":
			f.marieEmail = u.Email
		case "John.Doe":
			f.johnEmail = u.Email
		case "Sophie.Commerciale":
			f.sop = u.Email
		}
	}
	if f.t1, err = tenancy.TenantByCode(ctx, a.DB, "OCB0000001"); err != nil {
		t.Fatal(err)
	}
	if f.t4, err = tenancy.TenantByCode(ctx, a.DB, "OCB0000004"); err != nil {
		t.Fatal(err)
	}
	return f
}

// resolve returns actor resolved as the edge resolves the actor of a request: every tenant
// with its rights, read now.
func (f *svcFixture) resolve(t *testing.T, actor tenancy.Actor) tenancy.Actor {
	t.Helper()
	u, err := identity.UserByID(context.Background(), f.db, actor.UserID)
	if err != nil {
		t.Fatal(err)
	}
	a, err := tenancy.Resolve(context.Background(), f.db, u)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// today is the fixture's day in Paris, as YYYY-MM-DD.
func (f *svcFixture) today() calendar.Date { return calendar.ParisDate(f.now) }

// tenant reads OCB0000001 as it is now.
func (f *svcFixture) tenant(t *testing.T) *tenancy.Tenant {
	t.Helper()
	tn, err := tenancy.TenantByID(context.Background(), f.db, f.t1.ID)
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// order orders item code on OCB0000001 as actor with a form token of its own.
func (f *svcFixture) order(actor tenancy.Actor, code string, form map[string]string) (*change.Request, error) {
	return f.svc.Order(context.Background(), actor, f.t1.ID, code, form, once.NewToken())
}

// implement schedules an approved order for today and implements it, as Alice.
func (f *svcFixture) implement(t *testing.T, r *change.Request) *change.Request {
	t.Helper()
	ctx := context.Background()
	s, err := f.svc.Act(ctx, f.alice, r.ID, change.StepInput{Action: change.Schedule, Date: f.today().String(), Version: r.Version})
	if err != nil {
		t.Fatalf("schedule %s: %v", r.Number(), err)
	}
	done, err := f.svc.Act(ctx, f.alice, r.ID, change.StepInput{Action: change.Implement, Version: s.Version})
	if err != nil {
		t.Fatalf("implement %s: %v", r.Number(), err)
	}
	if done.State != change.Implemented || done.ImplementedAt == nil {
		t.Fatalf("implemented: %+v", done)
	}
	return done
}

// svcEffects returns the effect events on request id's timeline.
func svcEffects(t *testing.T, f *svcFixture, id int64) []string {
	t.Helper()
	_, _, es, err := f.svc.Get(context.Background(), f.admin, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		if e.Event == change.EventEffect {
			out = append(out, e.To)
		}
	}
	return out
}

// svcMail returns the addresses the outbox holds mail of kind for, about request id.
func svcMail(t *testing.T, f *svcFixture, kind string, id int64) []string {
	t.Helper()
	var to []string
	err := f.db.NewSelect().Table("outbox").Column("recipient_email").
		Where("kind = ? AND thread = ?", kind, "change-"+strconv.FormatInt(id, 10)).Scan(context.Background(), &to)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(to)
	return to
}

// svcOrders counts the service orders of OCB0000001.
func svcOrders(t *testing.T, f *svcFixture) int {
	t.Helper()
	return testutil.Count(t, f.db, "change_requests", "tenant_id = ? AND catalogue = ?", f.t1.ID, change.CatalogueServices)
}

func TestSvcImmediateContractName(t *testing.T) {
	f := svcSetup(t)
	ctx := context.Background()
	token := once.NewToken()
	form := map[string]string{"name": "  Dupont Industrie — Production Europe  "}
	r, err := f.svc.Order(ctx, f.marie, f.t1.ID, "contract_name", form, token)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != change.Closed || r.ImplementedAt == nil || r.ApprovedAt == nil || !r.IsService() || r.ItemCode != "contract_name" {
		t.Fatalf("an order applied at once: %+v", r)
	}
	if r.AppliedValue != "Dupont Industrie — Production Europe" {
		t.Errorf("applied value %q", r.AppliedValue)
	}
	if got := f.tenant(t).Name; got != "Dupont Industrie — Production Europe" {
		t.Errorf("tenant name %q", got)
	}
	if got := svcEffects(t, f, r.ID); !slices.Equal(got, []string{"service.effect.contract_name"}) {
		t.Errorf("effect events %q", got)
	}
	_, _, es, _ := f.svc.Get(ctx, f.marie, r.ID)
	var states []string
	for _, e := range es {
		if e.Event == change.EventState {
			states = append(states, e.From+">"+e.To)
		}
	}
	if want := []string{change.Approved.Key() + ">" + change.Implemented.Key(), change.Implemented.Key() + ">" + change.Closed.Key()}; !slices.Equal(states, want) {
		t.Errorf("state events %q, want %q", states, want)
	}
	if got := svcMail(t, f, "change_implemented", r.ID); !slices.Equal(got, []string{f.marieEmail}) {
		t.Errorf("change_implemented to %q, want Marie (requester and referent) once", got)
	}
	if got := svcMail(t, f, "change_submitted", r.ID); len(got) != 0 {
		t.Errorf("change_submitted to %q for an order applied at once", got)
	}

	// The same form sent again records nothing and answers the first order.
	again, err := f.svc.Order(ctx, f.marie, f.t1.ID, "contract_name", map[string]string{"name": "Autre nom"}, token)
	if err != nil || again.ID != r.ID {
		t.Fatalf("the same form twice: %+v, %v; want %s", again, err, r.Number())
	}
	if n := svcOrders(t, f); n != 1 {
		t.Errorf("%d orders for one form", n)
	}
	if got := f.tenant(t).Name; got != "Dupont Industrie — Production Europe" {
		t.Errorf("tenant name %q after the twin", got)
	}
	if got := svcEffects(t, f, r.ID); len(got) != 1 {
		t.Errorf("effect events %q after the twin", got)
	}
	if got := svcMail(t, f, "change_implemented", r.ID); len(got) != 1 {
		t.Errorf("change_implemented to %q after the twin", got)
	}

	// A name too short is refused beside its field, and writes nothing.
	_, err = f.order(f.marie, "contract_name", map[string]string{"name": "D"})
	if es, ok := i18n.AsErrors(err); !ok || es[0].Field != "name" {
		t.Errorf("a one-letter name: %v", err)
	}
	if n := svcOrders(t, f); n != 1 {
		t.Errorf("%d orders after a refusal", n)
	}
}

func TestSvcImmediateRef1(t *testing.T) {
	f := svcSetup(t)
	ctx := context.Background()
	before := f.tenant(t)
	token := once.NewToken()
	r, err := f.svc.Order(ctx, f.marie, f.t1.ID, "ref1", map[string]string{"ref1": "BC-2026-0042"}, token)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != change.Closed || r.AppliedValue != "BC-2026-0042" {
		t.Fatalf("ref1 order: %+v", r)
	}
	after := f.tenant(t)
	if after.Ref1 != "BC-2026-0042" || after.Ref2 != before.Ref2 || after.Ref3 != before.Ref3 || after.Name != before.Name {
		t.Errorf("tenant after REF1: %q %q %q %q", after.Ref1, after.Ref2, after.Ref3, after.Name)
	}
	if got := svcEffects(t, f, r.ID); !slices.Equal(got, []string{"service.effect.ref1"}) {
		t.Errorf("effect events %q", got)
	}
	if got := svcMail(t, f, "change_implemented", r.ID); !slices.Equal(got, []string{f.marieEmail}) {
		t.Errorf("change_implemented to %q", got)
	}
	if again, err := f.svc.Order(ctx, f.marie, f.t1.ID, "ref1", map[string]string{"ref1": "BC-2026-0042"}, token); err != nil || again.ID != r.ID {
		t.Fatalf("the same form twice: %+v, %v", again, err)
	}
	if n := svcOrders(t, f); n != 1 {
		t.Errorf("%d orders for one form", n)
	}
	_, err = f.order(f.marie, "ref1", map[string]string{"ref1": strings.Repeat("R", 41)})
	if es, ok := i18n.AsErrors(err); !ok || es[0].Field != "ref1" {
		t.Errorf("a REF1 of 41 characters: %v", err)
	}
	if got := f.tenant(t).Ref1; got != "BC-2026-0042" {
		t.Errorf("REF1 after a refusal: %q", got)
	}
	// John, given the services right, is not the referent: the item is not his to order.
	testutil.SetRight(t, f.db, f.t1.ID, f.john.UserID, "can_services", true)
	_, err = f.order(f.john, "ref1", map[string]string{"ref1": "X"})
	var e *i18n.Error
	if !errors.As(err, &e) || e.Key != "service.error.referent_only" {
		t.Errorf("John orders REF1: %v", err)
	}
}

// TestSvcImmediateTwinsAtOnce: the same form sent twice at the same moment records one order and
// applies its effect once.
func TestSvcImmediateTwinsAtOnce(t *testing.T) {
	f := svcSetup(t)
	token := once.NewToken()
	var wg sync.WaitGroup
	ids := make([]int64, 4)
	errs := make([]error, 4)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := f.svc.Order(context.Background(), f.marie, f.t1.ID, "ref1", map[string]string{"ref1": "TWIN"}, token)
			if r != nil {
				ids[i] = r.ID
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("twin %d: %d, %v (first %d)", i, ids[i], errs[i], ids[0])
		}
	}
	if n := svcOrders(t, f); n != 1 {
		t.Errorf("%d orders for one form", n)
	}
	if got := svcEffects(t, f, ids[0]); len(got) != 1 {
		t.Errorf("effect events %q", got)
	}
}

func TestSvcAllianceOrder(t *testing.T) {
	f := svcSetup(t)
	ctx := context.Background()
	testutil.SetRight(t, f.db, f.t1.ID, f.john.UserID, "can_services", true)
	hk := map[string]string{"region": "alliance-hk-1", "contact": "ops@example.com"}
	r, err := f.order(f.john, "alliance", hk)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != change.Approved || r.ApprovedAt == nil || r.ImplementedAt != nil {
		t.Fatalf("an alliance order: %+v; want approved for the agents", r)
	}
	if got, _ := tenancy.AllianceRegions(ctx, f.db, f.t1.ID); len(got) != 0 {
		t.Errorf("regions granted before implementation: %q", got)
	}
	if got := svcMail(t, f, "change_submitted", r.ID); !slices.Equal(got, svcSorted(f.johnEmail, f.marieEmail)) {
		t.Errorf("change_submitted to %q", got)
	}

	// The same region again, by anyone, while the first order is on its way: refused beside the
	// field, nothing written.
	for _, who := range []tenancy.Actor{f.john, f.marie} {
		_, err = f.order(who, "alliance", hk)
		testutil.WantFields(t, err, "region:service.error.alliance_pending")
	}
	if n := svcOrders(t, f); n != 1 {
		t.Errorf("%d orders after refusals", n)
	}
	// Another region is another order.
	sg, err := f.order(f.marie, "alliance", map[string]string{"region": "alliance-sg-1"})
	if err != nil || sg.State != change.Approved {
		t.Fatalf("another region: %+v, %v", sg, err)
	}
	// A region that is not a Cloud Alliance one is not an option.
	_, err = f.order(f.marie, "alliance", map[string]string{"region": "eu-west-0"})
	testutil.WantFields(t, err, "region:change.error.unknown_option")

	done := f.implement(t, r)
	if got, _ := tenancy.AllianceRegions(ctx, f.db, f.t1.ID); !slices.Equal(got, []string{"alliance-hk-1"}) {
		t.Errorf("regions granted: %q", got)
	}
	if got := svcEffects(t, f, r.ID); !slices.Equal(got, []string{"service.effect.alliance"}) {
		t.Errorf("effect events %q", got)
	}
	if got := svcMail(t, f, "change_implemented", r.ID); !slices.Equal(got, svcSorted(f.johnEmail, f.marieEmail)) {
		t.Errorf("change_implemented to %q", got)
	}
	_, err = f.order(f.john, "alliance", hk)
	testutil.WantFields(t, err, "region:service.error.alliance_granted")

	// Implementing twice is impossible: a second step on the page just used is a state the
	// request has left, on an older page it is stale; the region is granted once.
	_, err = f.svc.Act(ctx, f.alice, r.ID, change.StepInput{Action: change.Implement, Version: done.Version})
	var e *i18n.Error
	if !errors.As(err, &e) || e.Key != "change.error.cannot_implement" {
		t.Errorf("implement again: %v", err)
	}
	_, err = f.svc.Act(ctx, f.alice, r.ID, change.StepInput{Action: change.Implement, Version: done.Version - 1})
	if !errors.Is(err, apperr.ErrStale) {
		t.Errorf("implement again from the old page: %v", err)
	}
	if n := testutil.Count(t, f.db, "tenant_alliance_regions", "tenant_id = ?", f.t1.ID); n != 1 {
		t.Errorf("%d regions granted", n)
	}
	if got := svcEffects(t, f, r.ID); len(got) != 1 {
		t.Errorf("effect events %q after a second implement", got)
	}
	// The order is closed as any other.
	if c, err := f.svc.Act(ctx, f.alice, r.ID, change.StepInput{Action: change.Close, Version: done.Version}); err != nil || c.State != change.Closed {
		t.Errorf("close: %+v, %v", c, err)
	}
}

// TestSvcImplementAtOnce: two agents implementing the same order at the same moment apply its
// effect once; the other is told the page is stale.
func TestSvcImplementAtOnce(t *testing.T) {
	f := svcSetup(t)
	ctx := context.Background()
	r, err := f.order(f.marie, "alliance", map[string]string{"region": "alliance-br-1"})
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.svc.Act(ctx, f.alice, r.ID, change.StepInput{Action: change.Schedule, Date: f.today().String(), Version: r.Version})
	if err != nil {
		t.Fatal(err)
	}
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, actor := range []tenancy.Actor{f.alice, f.admin} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.svc.Act(ctx, actor, r.ID, change.StepInput{Action: change.Implement, Version: s.Version})
		}()
	}
	wg.Wait()
	ok, stale := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, apperr.ErrStale):
			stale++
		default:
			t.Errorf("implement at once: %v", err)
		}
	}
	if ok != 1 || stale != 1 {
		t.Errorf("%d implemented, %d stale; want one of each", ok, stale)
	}
	if n := testutil.Count(t, f.db, "tenant_alliance_regions", "tenant_id = ?", f.t1.ID); n != 1 {
		t.Errorf("%d regions granted", n)
	}
	if got := svcEffects(t, f, r.ID); len(got) != 1 {
		t.Errorf("effect events %q", got)
	}
}

func TestSvcFAB(t *testing.T) {
	f := svcSetup(t)
	ctx := context.Background()
	// John becomes the domain owner; Marie stays the referent.
	if _, err := f.db.NewUpdate().Table("tenants").Set("owner_id = ?", f.john.UserID).Where("id = ?", f.t1.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := f.order(f.marie, "fab", nil)
	var e *i18n.Error
	if !errors.As(err, &e) || e.Key != "service.error.owner_only" {
		t.Fatalf("the referent who is not the owner orders FAB: %v", err)
	}
	if n := svcOrders(t, f); n != 0 {
		t.Errorf("%d orders after a refusal", n)
	}
	// The owner holds the services right without it on his membership. John is resolved as the
	// edge resolves the actor of every request.
	f.john = f.resolve(t, f.john)
	r, err := f.order(f.john, "fab", map[string]string{"comment": "Sauvegarde des bases de production."})
	if err != nil {
		t.Fatal(err)
	}
	if r.State != change.Approved {
		t.Fatalf("FAB order: %+v", r)
	}
	if got := svcMail(t, f, "change_submitted", r.ID); !slices.Equal(got, svcSorted(f.johnEmail, f.marieEmail)) {
		t.Errorf("change_submitted to %q, want the owner who ordered and the referent", got)
	}
	_, err = f.order(f.john, "fab", nil)
	testutil.WantFields(t, err, ":service.error.fab_pending")
	if f.tenant(t).FABActivatedAt != nil {
		t.Error("FAB active before implementation")
	}
	f.implement(t, r)
	if f.tenant(t).FABActivatedAt == nil {
		t.Error("FAB not active after implementation")
	}
	if got := svcEffects(t, f, r.ID); !slices.Equal(got, []string{"service.effect.fab"}) {
		t.Errorf("effect events %q", got)
	}
	// The owner who ordered is told, though his membership lacks the services right.
	if got := svcMail(t, f, "change_implemented", r.ID); !slices.Equal(got, svcSorted(f.johnEmail, f.marieEmail)) {
		t.Errorf("change_implemented to %q, want the owner who ordered and the referent", got)
	}
	_, err = f.order(f.john, "fab", nil)
	testutil.WantFields(t, err, ":service.error.fab_active")
}

func TestSvcSubscriptionOrders(t *testing.T) {
	f := svcSetup(t)
	ctx := context.Background()
	testutil.SetRight(t, f.db, f.t1.ID, f.john.UserID, "can_services", true)
	ws, err := f.order(f.john, "workspace", map[string]string{"region": "eu-west-1", "template": "workspace-performance", "instances": "3", "term": "36"})
	if err != nil {
		t.Fatal(err)
	}
	ecs, err := f.order(f.marie, "ecs_reserved", map[string]string{"reservation": "flexible", "region": "eu-west-0", "template": "c3-2xlarge-4", "instances": "7", "term": "12"})
	if err != nil {
		t.Fatal(err)
	}
	std, err := f.order(f.marie, "ecs_reserved", map[string]string{"reservation": "standard", "region": "na-east-0", "template": "s3-large-2", "instances": "1", "term": "36"})
	if err != nil {
		t.Fatal(err)
	}
	subs, err := subscription.OfTenant(ctx, f.db, f.t1.ID)
	if err != nil {
		t.Fatal(err)
	}
	byOrder := map[int64]*subscription.Subscription{}
	for _, s := range subs {
		if s.OrderID != nil {
			byOrder[*s.OrderID] = s
		}
	}
	tests := []struct {
		r                 *change.Request
		kind              subscription.Kind
		region, template  string
		instances, months int
	}{
		{ws, subscription.Workspace, "eu-west-1", "workspace-performance", 3, 36},
		{ecs, subscription.ECSFlexible, "eu-west-0", "c3-2xlarge-4", 7, 12},
		{std, subscription.ECSStandard, "na-east-0", "s3-large-2", 1, 36},
	}
	for _, tt := range tests {
		if tt.r.State != change.Closed {
			t.Errorf("%s: state %s, want closed", tt.r.ItemCode, tt.r.State)
		}
		s := byOrder[tt.r.ID]
		switch {
		case s == nil:
			t.Errorf("%s: no subscription", tt.r.Number())
		case s.TenantID != f.t1.ID || s.Kind != tt.kind || s.Region != tt.region || s.Template != tt.template ||
			s.Instances != tt.instances || s.TermMonths != tt.months || s.StartedOn != f.today() || s.Version != 1 || len(s.Pending) != 0:
			t.Errorf("%s: subscription %+v", tt.r.Number(), s)
		}
		if got := svcEffects(t, f, tt.r.ID); !slices.Equal(got, []string{"service.effect.subscription"}) {
			t.Errorf("%s: effect events %q", tt.r.Number(), got)
		}
	}
	if len(subs) != 4 { // the demo's and the three ordered
		t.Errorf("%d subscriptions", len(subs))
	}
	_, err = f.order(f.marie, "workspace", map[string]string{"region": "eu-west-0", "template": "workspace-standard", "instances": "501", "term": "12"})
	testutil.WantFields(t, err, "instances:change.error.above_max")
	_, err = f.order(f.marie, "workspace", map[string]string{"region": "eu-west-0", "template": "workspace-standard", "instances": "2", "term": "24"})
	testutil.WantFields(t, err, "term:change.error.unknown_option")
}

func TestSvcQuotedOrder(t *testing.T) {
	f := svcSetup(t)
	ctx := context.Background()
	testutil.SetRight(t, f.db, f.t1.ID, f.john.UserID, "can_services", true)
	needs := map[string]string{"offer": "dss", "needs": "Deux baies de stockage dédiées à Paris, 200 Tio."}
	r, err := f.order(f.marie, "dec_dss", needs)
	if err != nil {
		t.Fatal(err)
	}
	if r.State != change.Submitted || r.ApprovedAt != nil {
		t.Fatalf("an order on quote: %+v; want submitted", r)
	}
	if got := svcMail(t, f, "service_quote_needed", r.ID); !slices.Equal(got, []string{f.sop}) {
		t.Errorf("service_quote_needed to %q", got)
	}
	// The sales rep quotes; approving outright is not how an order on quote goes.
	_, err = f.svc.Act(ctx, f.sophie, r.ID, change.StepInput{Action: change.Approve, Version: r.Version})
	var e *i18n.Error
	if !errors.As(err, &e) || e.Key != "change.error.needs_quote" {
		t.Errorf("approve an order on quote: %v", err)
	}
	until := f.today().AddDays(10).String()
	_, err = f.svc.Act(ctx, f.sophie, r.ID, change.StepInput{Action: change.Quote, Version: r.Version, Amount: "douze mille", ValidUntil: until})
	testutil.WantFields(t, err, "amount:change.error.amount_invalid")
	_, err = f.svc.Act(ctx, f.sophie, r.ID, change.StepInput{Action: change.Quote, Version: r.Version, Amount: "12 500,00", ValidUntil: f.today().AddDays(-1).String()})
	testutil.WantFields(t, err, "valid_until:change.error.date_in_past")
	_, err = f.svc.Act(ctx, f.sophie, r.ID, change.StepInput{Action: change.Quote, Version: r.Version, Amount: "", ValidUntil: "demain"})
	testutil.WantFields(t, err, "amount:change.error.amount_required", "valid_until:change.error.not_a_date")
	// Nobody else quotes.
	for _, who := range []tenancy.Actor{f.marie, f.alice} {
		_, err = f.svc.Act(ctx, who, r.ID, change.StepInput{Action: change.Quote, Version: r.Version, Amount: "1", ValidUntil: until})
		if !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("%s quotes: %v", who.Login, err)
		}
	}
	q, err := f.svc.Act(ctx, f.sophie, r.ID, change.StepInput{Action: change.Quote, Version: r.Version, Amount: "12 500,00", ValidUntil: until})
	if err != nil {
		t.Fatal(err)
	}
	if q.State != change.Quoted || q.QuoteCents == nil || *q.QuoteCents != 1250000 || q.QuoteValidUntil.String() != until {
		t.Fatalf("quoted: %+v", q)
	}
	if got := svcMail(t, f, "service_quoted", r.ID); !slices.Equal(got, []string{f.marieEmail}) {
		t.Errorf("service_quoted to %q", got)
	}
	// Accepted on the last day it is open: approved, for the agents.
	f.now = f.now.Add(10 * 24 * time.Hour)
	a, err := f.svc.Act(ctx, f.marie, r.ID, change.StepInput{Action: change.Accept, Version: q.Version})
	if err != nil {
		t.Fatal(err)
	}
	if a.State != change.Approved || a.ApprovedAt == nil || *a.QuoteCents != 1250000 {
		t.Fatalf("accepted: %+v", a)
	}
	if got := svcMail(t, f, "service_quote_answered", r.ID); !slices.Equal(got, []string{f.sop}) {
		t.Errorf("service_quote_answered to %q", got)
	}
	f.implement(t, a)
	if got := svcEffects(t, f, r.ID); !slices.Equal(got, []string{"service.effect.none"}) {
		t.Errorf("effect events %q", got)
	}

	// A quote accepted after its last day is refused; declining it still works (by a member).
	late, err := f.order(f.marie, "dec_dss", needs)
	if err != nil {
		t.Fatal(err)
	}
	lq, err := f.svc.Act(ctx, f.sophie, late.ID, change.StepInput{Action: change.Quote, Version: late.Version, Amount: "900", ValidUntil: f.today().AddDays(2).String()})
	if err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(3 * 24 * time.Hour)
	_, err = f.svc.Act(ctx, f.marie, late.ID, change.StepInput{Action: change.Accept, Version: lq.Version})
	testutil.WantFields(t, err, "quote:change.error.quote_expired")
	if got, _ := change.ByID(ctx, f.db, late.ID); got.State != change.Quoted || got.Version != lq.Version {
		t.Errorf("after a late acceptance: %s v%d", got.State, got.Version)
	}
	d, err := f.svc.Act(ctx, f.john, late.ID, change.StepInput{Action: change.Decline, Version: lq.Version})
	if err != nil || d.State != change.Rejected {
		t.Fatalf("decline: %+v, %v", d, err)
	}
	if got := svcMail(t, f, "service_quote_answered", late.ID); !slices.Equal(got, []string{f.sop}) {
		t.Errorf("service_quote_answered to %q", got)
	}
	// A quoted order may be cancelled by its requester.
	third, err := f.order(f.marie, "dec_dss", needs)
	if err != nil {
		t.Fatal(err)
	}
	tq, err := f.svc.Act(ctx, f.sophie, third.ID, change.StepInput{Action: change.Quote, Version: third.Version, Amount: "1 000", ValidUntil: f.today().String()})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := f.svc.Act(ctx, f.marie, third.ID, change.StepInput{Action: change.Cancel, Version: tq.Version}); err != nil || c.State != change.Cancelled {
		t.Errorf("cancel a quoted order: %+v, %v", c, err)
	}
	// A standard change request takes no quote step.
	std, err := f.svc.Submit(ctx, f.marie, f.t1.ID, "ecs_instances", map[string]string{"region": "eu-west-1", "current": "10", "requested": "100", "justification": "Croissance"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Act(ctx, f.sophie, std.ID, change.StepInput{Action: change.Quote, Version: std.Version, Amount: "1", ValidUntil: until})
	if !errors.As(err, &e) || e.Key != "change.error.no_quote" {
		t.Errorf("quote a standard request: %v", err)
	}
}

func TestSvcAuthorization(t *testing.T) {
	f := svcSetup(t)
	ctx := context.Background()
	ref1 := map[string]string{"ref1": "X"}
	alliance := map[string]string{"region": "alliance-au-1"}
	// John holds the changes right, not the services right.
	testutil.SetRight(t, f.db, f.t1.ID, f.john.UserID, "can_changes", true)
	if _, err := f.order(f.john, "alliance", alliance); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("member without the services right orders: %v", err)
	}
	if _, err := f.svc.BrowseServices(ctx, f.john, f.t1.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("member without the services right browses: %v", err)
	}
	if _, _, err := f.svc.Orders(ctx, f.john, f.t1.ID, paging.Page{}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("member without the services right lists orders: %v", err)
	}
	if _, err := f.svc.Order(ctx, f.paul, f.t1.ID, "alliance", alliance, once.NewToken()); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another tenant's customer orders: %v", err)
	}
	if _, err := f.svc.Order(ctx, f.paul, f.t1.ID, "ref1", ref1, once.NewToken()); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another tenant's referent orders REF1: %v", err)
	}
	for _, staff := range []tenancy.Actor{f.alice, f.sophie, f.admin} {
		if _, err := f.order(staff, "alliance", alliance); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s orders: %v", staff.Login, err)
		}
	}
	for _, code := range []string{"no_such_item", "ecs_instances", ""} {
		if _, err := f.order(f.marie, code, alliance); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("order %q: %v", code, err)
		}
	}
	if n := testutil.Count(t, f.db, "change_requests", "1 = 1"); n != 0 {
		t.Fatalf("%d requests written by refusals", n)
	}

	// Marie's order: John (changes right only) and Paul may not read it or act on it.
	r, err := f.order(f.marie, "alliance", alliance)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := f.svc.Get(ctx, f.john, r.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("member without the services right reads an order: %v", err)
	}
	if _, _, _, err := f.svc.Get(ctx, f.paul, r.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another tenant's customer reads an order: %v", err)
	}
	if _, err := f.svc.Act(ctx, f.paul, r.ID, change.StepInput{Action: change.Cancel, Version: r.Version}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another tenant's customer cancels an order: %v", err)
	}
	if _, _, _, err := f.svc.Get(ctx, f.sophie, r.ID); err != nil {
		t.Errorf("the tenant's sales rep reads an order: %v", err)
	}

	// With the services right John browses the catalogue, each item with why he may not order it.
	testutil.SetRight(t, f.db, f.t1.ID, f.john.UserID, "can_services", true)
	cats, err := f.svc.BrowseServices(ctx, f.john, f.t1.ID)
	if err != nil {
		t.Fatal(err)
	}
	refusals := map[string]string{}
	for _, c := range cats {
		for _, o := range c.Offers {
			refusals[o.Item.Code] = o.Refusal
		}
	}
	want := map[string]string{"ref1": "service.error.referent_only", "contract_name": "service.error.referent_only", "alliance": "",
		"dec_dss": "", "fab": "service.error.owner_only", "ecs_reserved": "", "workspace": ""}
	for code, key := range want {
		if got, ok := refusals[code]; !ok || got != key {
			t.Errorf("John's offer %s: %q, %v; want %q", code, got, ok, key)
		}
	}
	if _, _, err := f.svc.ServiceItem(ctx, f.john, f.t1.ID, "fab"); err == nil {
		t.Error("ServiceItem gives John FAB")
	}
	if _, it, err := f.svc.ServiceItem(ctx, f.john, f.t1.ID, "workspace"); err != nil || it.Code != "workspace" {
		t.Errorf("ServiceItem workspace: %v", err)
	}
}

func TestSvcOrdersApartFromChanges(t *testing.T) {
	f := svcSetup(t)
	ctx := context.Background()
	a, err := f.order(f.marie, "ref1", map[string]string{"ref1": "A"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.order(f.marie, "alliance", map[string]string{"region": "alliance-hk-1"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.Submit(ctx, f.marie, f.t1.ID, "ecs_instances", map[string]string{"region": "eu-west-1", "current": "10", "requested": "12", "justification": "Croissance"})
	if err != nil {
		t.Fatal(err)
	}
	if c.IsService() || c.Catalogue != change.CatalogueStandard {
		t.Errorf("a change request in catalogue %q", c.Catalogue)
	}
	rs, n, err := f.svc.Orders(ctx, f.marie, f.t1.ID, paging.Page{})
	if err != nil || n != 2 || len(rs) != 2 || rs[0].ID != b.ID || rs[1].ID != a.ID {
		t.Fatalf("orders: %d, %v; want %s then %s", n, err, b.Number(), a.Number())
	}
	rs, n, err = f.svc.List(ctx, f.marie, f.t1.ID, change.Filter{}, paging.Page{})
	if err != nil || n != 1 || rs[0].ID != c.ID {
		t.Fatalf("changes: %d, %v; want %s alone", n, err, c.Number())
	}
	// Even asked for the service catalogue, the changes list shows changes only.
	if _, n, _ := f.svc.List(ctx, f.marie, f.t1.ID, change.Filter{Catalogue: change.CatalogueServices}, paging.Page{}); n != 1 {
		t.Errorf("changes asked for services: %d", n)
	}
	if _, n, _, err := f.svc.ListAll(ctx, f.marie, change.Filter{}, paging.Page{}); err != nil || n != 1 {
		t.Errorf("changes of all tenants: %d, %v", n, err)
	}
	if _, n, _ := f.svc.Orders(ctx, f.paul, f.t4.ID, paging.Page{}); n != 0 {
		t.Errorf("Paul's orders: %d", n)
	}
}

// svcSorted returns the addresses in order, as svcMail answers them.
func svcSorted(s ...string) []string {
	slices.Sort(s)
	return s
}

// TestSvcOneRegionOrderedAtOnce: several people ordering the same Cloud Alliance region (or FAB)
// at the same moment, each with a form of their own, record one order; the others are told it
// is on its way.
func TestSvcOneRegionOrderedAtOnce(t *testing.T) {
	f := svcSetup(t)
	testutil.SetRight(t, f.db, f.t1.ID, f.john.UserID, "can_services", true)
	for _, tc := range []struct {
		code, key string
		form      map[string]string
	}{
		{"alliance", "region:service.error.alliance_pending", map[string]string{"region": "alliance-sg-1"}},
		{"fab", ":service.error.fab_pending", nil},
	} {
		const n = 6
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				who := f.marie
				if i%2 == 1 && tc.code != "fab" {
					who = f.john
				}
				_, errs[i] = f.order(who, tc.code, tc.form)
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			if got := testutil.FieldKeys(err); len(got) != 1 || got[0] != tc.key {
				t.Errorf("%s at once: %v", tc.code, err)
			}
		}
		if ok != 1 {
			t.Errorf("%s: %d orders passed at once, want 1", tc.code, ok)
		}
		if c := testutil.Count(t, f.db, "change_requests", "tenant_id = ? AND item_code = ?", f.t1.ID, tc.code); c != 1 {
			t.Errorf("%s: %d orders written", tc.code, c)
		}
	}
}

// TestSvcTwinOfAnOrderInProgress: the same form of an order the agents will implement (an
// Alliance region, FAB) sent twice answers the first order, not that it is on its way.
func TestSvcTwinOfAnOrderInProgress(t *testing.T) {
	f := svcSetup(t)
	ctx := context.Background()
	for _, tc := range []struct {
		code string
		form map[string]string
	}{
		{"alliance", map[string]string{"region": "alliance-au-1"}},
		{"fab", nil},
	} {
		token := once.NewToken()
		r, err := f.svc.Order(ctx, f.marie, f.t1.ID, tc.code, tc.form, token)
		if err != nil {
			t.Fatal(err)
		}
		again, err := f.svc.Order(ctx, f.marie, f.t1.ID, tc.code, tc.form, token)
		if err != nil || again.ID != r.ID {
			t.Errorf("%s sent twice: %+v, %v; want %s", tc.code, again, err, r.Number())
		}
		if n := testutil.Count(t, f.db, "change_requests", "item_code = ?", tc.code); n != 1 {
			t.Errorf("%s: %d orders", tc.code, n)
		}
	}
}
