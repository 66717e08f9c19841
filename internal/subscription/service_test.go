package subscription_test

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
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/notify"
	"github.com/guichet/guichet/internal/subscription"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/uptrace/bun"
)

// fixture is a desk on a copy of the demo database: OCB0000001 has five Workspace desktops,
// OCB0000002 four flexible reserved ECS instances, both Marie's (referent); John is a member of
// OCB0000001 with the incidents right only, Paul the referent of OCB0000004. The service sends
// no mail (see TestCancelMail) and reads the fixture's clock.
type fixture struct {
	svc               *subscription.Service
	db                *bun.DB
	notifier          *notify.Notifier
	now               time.Time
	marie, john, paul tenancy.Actor
	alice, sophie     tenancy.Actor
	t1, t2, t4        *tenancy.Tenant
	emails            map[int64]string
	workspace, ecs    *subscription.Subscription
}

func setup(t *testing.T) *fixture {
	t.Helper()
	a := testutil.NewApp(t)
	ctx := context.Background()
	f := &fixture{db: a.DB, notifier: a.Notifier, now: at("2030-01-15T10:00:00Z"), emails: map[int64]string{}}
	f.svc = f.service(false)
	for login, dst := range map[string]*tenancy.Actor{"Marie.Dupont": &f.marie, "John.Doe": &f.john, "Paul.Martin": &f.paul,
		"Alice.Agent": &f.alice, "Sophie.Commerciale": &f.sophie} {
		u, err := identity.UserByLogin(ctx, a.DB, login)
		if err != nil {
			t.Fatal(err)
		}
		*dst = tenancy.ActorOf(u)
		f.emails[u.ID] = u.Email
	}
	for code, dst := range map[string]**tenancy.Tenant{"OCB0000001": &f.t1, "OCB0000002": &f.t2, "OCB0000004": &f.t4} {
		tn, err := tenancy.TenantByCode(ctx, a.DB, code)
		if err != nil {
			t.Fatal(err)
		}
		*dst = tn
	}
	f.workspace, f.ecs = f.only(t, f.t1.ID), f.only(t, f.t2.ID)
	if f.workspace.Kind != subscription.Workspace || f.workspace.Instances != 5 || f.ecs.Kind != subscription.ECSFlexible || f.ecs.Instances != 4 {
		t.Fatalf("demo subscriptions: %+v, %+v", f.workspace, f.ecs)
	}
	return f
}

// service returns a Service on the fixture's database and clock, with mail when mail is set.
func (f *fixture) service(mail bool) *subscription.Service {
	s := &subscription.Service{DB: f.db, Now: func() time.Time { return f.now }}
	if mail {
		s.Notifier, s.Audience = f.notifier, &audience.Roster{DefaultLang: "fr"}
	}
	return s
}

// only returns the tenant's one subscription.
func (f *fixture) only(t *testing.T, tenantID int64) *subscription.Subscription {
	t.Helper()
	ss, err := subscription.OfTenant(context.Background(), f.db, tenantID)
	if err != nil || len(ss) != 1 {
		t.Fatalf("subscriptions of tenant %d: %d, %v", tenantID, len(ss), err)
	}
	return ss[0]
}

// read reads a subscription as it is now.
func (f *fixture) read(t *testing.T, id int64) *subscription.Subscription {
	t.Helper()
	s, err := subscription.ByID(context.Background(), f.db, id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// cancel cancels instances of subscription id as Marie, on the page of its current version.
func (f *fixture) cancel(t *testing.T, id int64, instances string) (*subscription.Cancellation, error) {
	t.Helper()
	return f.svc.Cancel(context.Background(), f.marie, id, subscription.CancelInput{Instances: instances, Version: f.read(t, id).Version})
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestListAndGetAuthorization(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	ss, err := f.svc.List(ctx, f.marie, f.t1.ID)
	if err != nil || len(ss) != 1 || ss[0].ID != f.workspace.ID {
		t.Fatalf("Marie's subscriptions: %v, %v", ss, err)
	}
	for _, staff := range []tenancy.Actor{f.alice, f.sophie} {
		if ss, err := f.svc.List(ctx, staff, f.t1.ID); err != nil || len(ss) != 1 {
			t.Errorf("%s lists: %d, %v", staff.Login, len(ss), err)
		}
	}
	if _, err := f.svc.List(ctx, f.paul, f.t1.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another tenant's customer lists: %v", err)
	}
	if _, err := f.svc.List(ctx, f.john, f.t1.ID); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("member without the services right lists: %v", err)
	}
	if _, err := f.svc.List(ctx, f.marie, 999999); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("a tenant that does not exist: %v", err)
	}
	if _, err := f.svc.Get(ctx, f.paul, f.workspace.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another tenant's customer reads: %v", err)
	}
	if _, err := f.svc.Get(ctx, f.john, f.workspace.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("member without the services right reads: %v", err)
	}
	if _, err := f.svc.Cancel(ctx, f.john, f.workspace.ID, subscription.CancelInput{Instances: "1", Version: f.workspace.Version}); !errors.Is(err, apperr.ErrForbidden) {
		t.Errorf("member without the services right cancels: %v", err)
	}
	if _, err := f.svc.Cancel(ctx, f.paul, f.workspace.ID, subscription.CancelInput{Instances: "1", Version: f.workspace.Version}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("another tenant's customer cancels: %v", err)
	}
	for _, staff := range []tenancy.Actor{f.alice, f.sophie} {
		if _, err := f.svc.Cancel(ctx, staff, f.workspace.ID, subscription.CancelInput{Instances: "1", Version: f.workspace.Version}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s cancels: %v", staff.Login, err)
		}
	}
	if _, err := f.svc.Cancel(ctx, f.marie, 999999, subscription.CancelInput{Instances: "1", Version: 1}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("a subscription that does not exist: %v", err)
	}
	if n := testutil.Count(t, f.db, "subscription_cancellations", "1 = 1"); n != 0 {
		t.Fatalf("%d cancellations written by refusals", n)
	}

	testutil.SetRight(t, f.db, f.t1.ID, f.john.UserID, "can_services", true)
	if ss, err := f.svc.List(ctx, f.john, f.t1.ID); err != nil || len(ss) != 1 {
		t.Errorf("John with the services right lists: %d, %v", len(ss), err)
	}
	if s, err := f.svc.Get(ctx, f.john, f.workspace.ID); err != nil || s.ID != f.workspace.ID {
		t.Errorf("John with the services right reads: %v", err)
	}
	if _, err := f.svc.Get(ctx, f.john, f.ecs.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("John reads a tenant's subscription he is not a member of: %v", err)
	}
}

func TestCancelAndApply(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	id := f.workspace.ID

	// 15 January: two of five, from 1 February.
	c, err := f.cancel(t, id, "2")
	if err != nil {
		t.Fatal(err)
	}
	if c.Instances != 2 || c.EffectiveOn != calendar.NewDate(2030, 2, 1) || c.RequestedBy != f.marie.UserID ||
		c.TenantID != f.t1.ID || c.SubscriptionID != id || c.AppliedAt != nil || !c.RequestedAt.Equal(f.now) {
		t.Fatalf("cancellation: %+v", c)
	}
	s := f.read(t, id)
	if s.Instances != 5 || s.Scheduled() != 2 || s.Cancellable() != 3 || len(s.Pending) != 1 || s.Version != f.workspace.Version+1 {
		t.Fatalf("after cancelling 2: %d instances, %d scheduled, %d cancellable, v%d", s.Instances, s.Scheduled(), s.Cancellable(), s.Version)
	}

	// Four more is more than is left: refused beside the field, nothing written.
	_, err = f.cancel(t, id, "4")
	testutil.WantFields(t, err, "instances:subscription.error.instances_max")
	if es, ok := i18n.AsErrors(err); ok && es[0].Args["Count"] != 3 {
		t.Errorf("instances_max says %v left", es[0].Args["Count"])
	}
	for raw, key := range map[string]string{"": "instances_required", "  ": "instances_required", "deux": "instances_number",
		"2.5": "instances_number", "0": "instances_min", "-1": "instances_min", "ALL": "instances_number"} {
		_, err = f.cancel(t, id, raw)
		testutil.WantFields(t, err, "instances:subscription.error."+key)
	}
	// A page read before the first cancellation is stale.
	_, err = f.svc.Cancel(ctx, f.marie, id, subscription.CancelInput{Instances: "1", Version: f.workspace.Version})
	if !errors.Is(err, apperr.ErrStale) {
		t.Errorf("stale version: %v", err)
	}
	_, err = f.svc.Cancel(ctx, f.marie, id, subscription.CancelInput{Instances: "1"})
	if !errors.Is(err, apperr.ErrStale) {
		t.Errorf("no version: %v", err)
	}
	if got := f.read(t, id); got.Version != s.Version || len(got.Pending) != 1 {
		t.Fatalf("refusals wrote: v%d, %d pending", got.Version, len(got.Pending))
	}

	// Nothing is applied before 1 February in Paris, not even at 23:59 on 31 January.
	f.now = at("2030-01-31T22:59:00Z")
	if n, err := f.svc.ApplyDue(ctx); err != nil || n != 0 {
		t.Fatalf("ApplyDue on 31 January: %d, %v", n, err)
	}
	if got := f.read(t, id); got.Instances != 5 || len(got.Pending) != 1 {
		t.Fatalf("before the day: %d instances, %d pending", got.Instances, len(got.Pending))
	}
	// A cancellation asked for at that minute takes effect on 1 February too.
	before := f.read(t, id)
	c2, err := f.cancel(t, id, "1")
	if err != nil || c2.EffectiveOn != calendar.NewDate(2030, 2, 1) {
		t.Fatalf("cancel at 23:59 on 31 January: %+v, %v", c2, err)
	}

	// At midnight in Paris both take their instances off, once.
	f.now = at("2030-01-31T23:00:00Z")
	if n, err := f.svc.ApplyDue(ctx); err != nil || n != 2 {
		t.Fatalf("ApplyDue on 1 February: %d, %v", n, err)
	}
	s = f.read(t, id)
	if s.Instances != 2 || len(s.Pending) != 0 || s.Cancellable() != 2 || s.Cancelled() {
		t.Fatalf("on 1 February: %d instances, %d pending", s.Instances, len(s.Pending))
	}
	if n, err := f.svc.ApplyDue(ctx); err != nil || n != 0 {
		t.Fatalf("ApplyDue again: %d, %v", n, err)
	}
	if got := f.read(t, id); got.Instances != 2 || got.Version != s.Version {
		t.Fatalf("ApplyDue again: %d instances, v%d", got.Instances, got.Version)
	}
	// Applying moved the version on: a page read before it is stale.
	if _, err := f.svc.Cancel(ctx, f.marie, id, subscription.CancelInput{Instances: "1", Version: before.Version + 1}); !errors.Is(err, apperr.ErrStale) {
		t.Errorf("a page read before the cancellations applied: %v", err)
	}

	// 10 February: "all" cancels the rest, from 1 March; nothing is left to cancel.
	f.now = at("2030-02-10T09:00:00Z")
	c3, err := f.cancel(t, id, "all")
	if err != nil || c3.Instances != 2 || c3.EffectiveOn != calendar.NewDate(2030, 3, 1) {
		t.Fatalf("cancel all: %+v, %v", c3, err)
	}
	for _, raw := range []string{"1", "all"} {
		_, err = f.cancel(t, id, raw)
		testutil.WantFields(t, err, "instances:subscription.error.all_scheduled")
	}

	// 1 March: two job runners, each twice, at the same moment: the cancellation applies once.
	f.now = at("2030-02-28T23:00:00Z")
	runners := []*subscription.Service{f.service(false), f.service(false)}
	applied := make([]int, 4)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range applied {
		wg.Add(1)
		go func() {
			defer wg.Done()
			applied[i], errs[i] = runners[i%2].ApplyDue(ctx)
		}()
	}
	wg.Wait()
	total := 0
	for i := range applied {
		if errs[i] != nil {
			t.Errorf("runner %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	if total != 1 {
		t.Errorf("%d applications of one cancellation", total)
	}
	s = f.read(t, id)
	if s.Instances != 0 || !s.Cancelled() || len(s.Pending) != 0 {
		t.Fatalf("after everything applied: %d instances, %d pending", s.Instances, len(s.Pending))
	}
	if n := testutil.Count(t, f.db, "subscription_cancellations", "subscription_id = ? AND applied_at IS NULL", id); n != 0 {
		t.Errorf("%d cancellations not applied", n)
	}
	for _, raw := range []string{"1", "all"} {
		_, err = f.cancel(t, id, raw)
		testutil.WantFields(t, err, "instances:subscription.error.cancelled")
	}
	// A cancelled subscription lists after those with instances left.
	ws, err := f.svc.List(ctx, f.marie, f.t1.ID)
	if err != nil || len(ws) != 1 || !ws[0].Cancelled() {
		t.Errorf("list after the cancellation: %v, %v", ws, err)
	}
	// The other tenant's subscription was not touched.
	if got := f.read(t, f.ecs.ID); got.Instances != 4 || got.Version != f.ecs.Version {
		t.Errorf("OCB0000002's subscription: %d instances, v%d", got.Instances, got.Version)
	}
}

// TestApplyDueAtOnce: many cancellations due, several job runners at the same moment: each
// cancellation is applied once, and the subscription loses exactly its instances.
func TestApplyDueAtOnce(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	for range 4 {
		if _, err := f.cancel(t, f.ecs.ID, "1"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.cancel(t, f.workspace.ID, "3"); err != nil {
		t.Fatal(err)
	}
	f.now = at("2030-02-01T08:00:00Z")
	const runners = 4
	applied := make([]int, runners)
	errs := make([]error, runners)
	var wg sync.WaitGroup
	for i := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			applied[i], errs[i] = f.service(false).ApplyDue(ctx)
		}()
	}
	wg.Wait()
	total := 0
	for i := range runners {
		if errs[i] != nil {
			t.Errorf("runner %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	if total != 5 {
		t.Errorf("%d applications of 5 cancellations (%v)", total, applied)
	}
	if got := f.read(t, f.ecs.ID); got.Instances != 0 || !got.Cancelled() {
		t.Errorf("ECS: %d instances", got.Instances)
	}
	if got := f.read(t, f.workspace.ID); got.Instances != 2 {
		t.Errorf("Workspace: %d instances", got.Instances)
	}
}

// TestCancelAtOnce: two pages of the same version sent at the same moment: one cancellation is
// recorded, the other page is stale.
func TestCancelAtOnce(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.svc.Cancel(ctx, f.marie, f.workspace.ID, subscription.CancelInput{Instances: "4", Version: f.workspace.Version})
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
			t.Errorf("cancel at once: %v", err)
		}
	}
	if ok != 1 || stale != 1 {
		t.Errorf("%d recorded, %d stale; want one of each", ok, stale)
	}
	if got := f.read(t, f.workspace.ID); got.Scheduled() != 4 || got.Cancellable() != 1 {
		t.Errorf("after two pages at once: %d scheduled", got.Scheduled())
	}
}

func TestCancelMail(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	testutil.SetRight(t, f.db, f.t1.ID, f.john.UserID, "can_services", true)
	c, err := f.service(true).Cancel(ctx, f.john, f.workspace.ID, subscription.CancelInput{Instances: "1", Version: f.workspace.Version})
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		RecipientEmail string `bun:"recipient_email"`
		Lang           string `bun:"lang"`
		Subject        string `bun:"subject"`
		BodyText       string `bun:"body_text"`
	}
	err = f.db.NewSelect().Table("outbox").Column("recipient_email", "lang", "subject", "body_text").
		Where("kind = ? AND thread = ?", "subscription_cancelled", "subscription-"+strconv.FormatInt(f.workspace.ID, 10)).
		Order("recipient_email").Scan(ctx, &rows)
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	for _, r := range rows {
		to = append(to, r.RecipientEmail)
		if strings.TrimSpace(r.Subject) == "" || strings.TrimSpace(r.BodyText) == "" {
			t.Errorf("mail to %s: empty subject or body", r.RecipientEmail)
		}
		if r.Lang == "fr" && !strings.Contains(r.BodyText, "01/02/2030") && !strings.Contains(r.BodyText, "1 février 2030") && !strings.Contains(r.BodyText, "1er février 2030") {
			t.Logf("French mail does not show the effective date as expected:\n%s", r.BodyText)
		}
	}
	want := []string{f.emails[f.john.UserID], f.emails[f.marie.UserID]}
	slices.Sort(want)
	if !slices.Equal(to, want) {
		t.Errorf("subscription_cancelled to %q, want the requester and the referent %q", to, want)
	}
	if c.Instances != 1 {
		t.Errorf("cancellation %+v", c)
	}
	// Marie cancelling herself, requester and referent, is told once.
	if _, err := f.service(true).Cancel(ctx, f.marie, f.ecs.ID, subscription.CancelInput{Instances: "1", Version: f.ecs.Version}); err != nil {
		t.Fatal(err)
	}
	if n := testutil.Count(t, f.db, "outbox", "kind = ? AND thread = ?", "subscription_cancelled", "subscription-"+strconv.FormatInt(f.ecs.ID, 10)); n != 1 {
		t.Errorf("%d mails for Marie's own cancellation", n)
	}
}
