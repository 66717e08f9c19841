package major_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/internal/timeline"
)

func TestOpen(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice := f.actor("Alice.Agent")

	m, err := f.svc.Open(ctx, alice, majorDraft("ocb0000002", t1, t2))
	if err != nil {
		t.Fatal(err)
	}
	if m.ID == 0 || m.State != major.Investigating || m.Version != 1 || m.CreatedBy != alice.UserID || m.AllTenants ||
		!m.StartedAt.Equal(f.now) || m.ResolvedAt != nil {
		t.Errorf("opened %+v", m)
	}
	if !reflect.DeepEqual(m.TenantCodes, []string{t1, t2}) {
		t.Errorf("tenant codes %q", m.TenantCodes)
	}
	got := f.majorOf(m.ID)
	if got.TitleFR != "Panne du stockage bloc à Paris" || got.TitleEN != "Block storage outage in Paris" || got.Services != "ecs evs" ||
		got.Regions != "eu-west-0" || !reflect.DeepEqual(got.TenantIDs, []int64{f.tenant(t1), f.tenant(t2)}) {
		t.Errorf("read back %+v", got)
	}
	es, err := f.svc.Timeline(ctx, alice, m)
	if err != nil || len(es) != 1 || es[0].Event != major.EventOpened || es[0].To != major.Investigating.Key() {
		t.Errorf("timeline %+v, %v", es, err)
	}

	// An admin may; the start may be given, in Paris time.
	d := majorDraft()
	d.StartedAt = paris(f.now.Add(-3 * time.Hour))
	all, err := f.svc.Open(ctx, f.actor("admin"), d)
	if err != nil || !all.AllTenants || all.StartedAt.Unix() != f.now.Add(-3*time.Hour).Truncate(time.Minute).Unix() {
		t.Fatalf("admin: %+v, %v", all, err)
	}
	if f.count("major_incident_tenants", "major_id = ?", all.ID) != 0 {
		t.Error("a major incident of every tenant names tenants")
	}

	before := f.snapshot()
	for _, login := range []string{"Marie.Dupont", "John.Doe", "Sophie.Commerciale"} {
		_, err := f.svc.Open(ctx, f.actor(login), majorDraft())
		wantNotFound(t, err, login+" opens")
	}
	// Bad input: a message beside the field, nothing written.
	bad := majorDraft(t1)
	bad.TitleEN, bad.DescriptionEN = "", ""
	_, err = f.svc.Open(ctx, alice, bad)
	testutil.WantFields(t, err, "title_en:major.error.title_en_required", "description_en:major.error.description_en_required")
	_, err = f.svc.Open(ctx, alice, majorDraft(t1, "OCB9999999", "ocb7777777"))
	if e := wantError(t, err, "tenants", "major.error.tenants_unknown"); e.Args["Codes"] != "OCB9999999, OCB7777777" || e.Args["Count"] != 2 {
		t.Errorf("unknown tenants named %v", e.Args)
	}
	late := majorDraft()
	late.StartedAt = paris(f.now.Add(time.Hour))
	_, err = f.svc.Open(ctx, alice, late)
	wantError(t, err, "started_at", "major.error.started_future")
	f.unchanged(before, "a refused opening")
}

func TestGetAndStatusFollowTheTenants(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ofPaul := f.open(majorDraft(t4))
	ofAll := f.open(majorDraft())
	ofMarie := f.open(majorDraft(t2, t3))

	for _, c := range []struct {
		login string
		sees  []*major.Major
	}{
		{"Paul.Martin", []*major.Major{ofPaul, ofAll}},
		{"John.Doe", []*major.Major{ofAll}},
		{"Marie.Dupont", []*major.Major{ofAll, ofMarie}},
		{"Alice.Agent", []*major.Major{ofPaul, ofAll, ofMarie}},
		{"admin", []*major.Major{ofPaul, ofAll, ofMarie}},
	} {
		who := f.actor(c.login)
		for _, m := range []*major.Major{ofPaul, ofAll, ofMarie} {
			got, err := f.svc.Get(ctx, who, m.ID)
			switch {
			case slices.Contains(c.sees, m) && (err != nil || got.ID != m.ID):
				t.Errorf("%s cannot read %s: %v", c.login, m.Number(), err)
			case !slices.Contains(c.sees, m):
				wantNotFound(t, err, c.login+" reads "+m.Number())
			}
		}
		list, err := f.svc.Status(ctx, who)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, m := range list {
			ids = append(ids, m.ID)
		}
		var want []int64
		for _, m := range c.sees {
			want = append(want, m.ID)
		}
		slices.Sort(ids)
		if !reflect.DeepEqual(ids, want) {
			t.Errorf("%s's status page lists %v, want %v", c.login, ids, want)
		}
	}
	_, err := f.svc.Get(ctx, f.actor("Paul.Martin"), 999999)
	wantNotFound(t, err, "an unknown major incident")

	// The public status page shows only what concerns every tenant.
	if _, err := f.svc.GetPublic(ctx, ofAll.ID); err != nil {
		t.Errorf("public: %v", err)
	}
	for _, m := range []*major.Major{ofPaul, ofMarie} {
		_, err := f.svc.GetPublic(ctx, m.ID)
		wantNotFound(t, err, "public "+m.Number())
	}
	pub, err := f.svc.PublicStatus(ctx)
	if err != nil || len(pub) != 1 || pub[0].ID != ofAll.ID {
		t.Errorf("public status %v, %v", pub, err)
	}

	// A customer's banners: the active ones of the tenants asked about that are theirs.
	act, err := f.svc.Active(ctx, f.actor("Marie.Dupont"), f.tenant(t3), f.tenant(t4))
	if err != nil || len(act) != 2 {
		t.Errorf("Marie's banners for OCB0000003 and OCB0000004: %d, %v", len(act), err)
	}
	for _, m := range act {
		if m.ID == ofPaul.ID {
			t.Error("Marie's banners show Paul's major incident")
		}
	}
	// A resolved one leaves the banners but stays on the status page a week.
	f.post(ofAll, major.Resolved, "Rétabli.", "Restored.")
	if act, _ := f.svc.Active(ctx, f.actor("John.Doe"), f.tenant(t1)); len(act) != 0 {
		t.Errorf("banners after resolution: %d", len(act))
	}
	if list, _ := f.svc.Status(ctx, f.actor("John.Doe")); len(list) != 1 || list[0].State != major.Resolved {
		t.Errorf("John's status page after resolution: %v", list)
	}
	f.now = f.now.Add(major.RecentWindow + time.Minute)
	if list, _ := f.svc.Status(ctx, f.actor("John.Doe")); len(list) != 0 {
		t.Errorf("John's status page a week after resolution: %v", list)
	}
}

func TestInternalNotesStayWithStaff(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	m := f.open(majorDraft())
	inc := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	f.link(m, inc)
	alice := f.actor("Alice.Agent")
	const secret = "baie B12 du datacentre, hyperviseur nova-17"
	if err := f.svc.Note(ctx, alice, m.ID, secret); err != nil {
		t.Fatal(err)
	}
	f.post(m, major.Identified, "Cause identifiée.", "Cause identified.")

	es, err := f.svc.Timeline(ctx, alice, m)
	if err != nil || !slices.ContainsFunc(es, func(e timeline.Entry) bool { return e.Kind == timeline.Note && e.Body == secret }) {
		t.Errorf("staff's timeline lacks the note: %v", err)
	}
	before := f.snapshot()
	for _, login := range []string{"John.Doe", "Marie.Dupont", "Paul.Martin"} {
		who := f.actor(login)
		_, err := f.svc.Timeline(ctx, who, m)
		wantNotFound(t, err, login+" reads the major incident's timeline")
		wantNotFound(t, f.svc.Note(ctx, who, m.ID, "je note"), login+" writes a note")
		_, _, err = f.svc.History(ctx, who, paging.Number(1))
		wantNotFound(t, err, login+" reads the history")
	}
	f.unchanged(before, "a customer's note")
	// What a customer reads of it, the linked incident's timeline and the updates, lacks the note.
	cust, err := f.inc.Timeline(ctx, f.actor("John.Doe"), inc)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range cust {
		if e.Body == secret || e.SubjectKind != incident.SubjectKind {
			t.Errorf("John reads %+v", e)
		}
	}
	us, err := f.svc.Updates(ctx, m)
	if err != nil || len(us) != 1 || us[0].BodyEN != "Cause identified." {
		t.Errorf("updates %+v, %v", us, err)
	}
	hist, _, err := f.svc.History(ctx, alice, paging.Number(1))
	if err != nil || len(hist) != 1 || hist[0].Linked != 1 {
		t.Errorf("history %+v, %v", hist, err)
	}
}

func TestLinkedShowsCustomersTheirTenantsOnly(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	m := f.open(majorDraft())
	ofJohn := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	ofMarie := f.declare("Marie.Dupont", t2, "ecs", "eu-west-0")
	ofPaul := f.declare("Paul.Martin", t4, "evs", "eu-west-0")
	f.link(m, ofJohn, ofMarie, ofPaul)

	numbers := func(login string) []string {
		is, _, err := f.svc.Linked(ctx, f.actor(login), m, paging.Number(1))
		if err != nil {
			t.Fatalf("%s: %v", login, err)
		}
		var out []string
		for _, i := range is {
			out = append(out, i.Number())
		}
		slices.Sort(out)
		return out
	}
	for _, c := range []struct {
		login string
		want  []*incident.Incident
	}{
		{"John.Doe", []*incident.Incident{ofJohn}},
		{"Marie.Dupont", []*incident.Incident{ofJohn, ofMarie}},
		{"Paul.Martin", []*incident.Incident{ofPaul}},
		{"Sophie.Commerciale", nil},
		{"Alice.Agent", []*incident.Incident{ofJohn, ofMarie, ofPaul}},
		{"admin", []*incident.Incident{ofJohn, ofMarie, ofPaul}},
	} {
		var want []string
		for _, i := range c.want {
			want = append(want, i.Number())
		}
		if got := numbers(c.login); !reflect.DeepEqual(got, want) {
			t.Errorf("%s sees %v, want %v", c.login, got, want)
		}
	}
	// Without the incidents right on OCB0000001, John sees none.
	testutil.SetRight(t, f.a.DB, f.tenant(t1), f.userID("John.Doe"), "can_incidents", false)
	if got := numbers("John.Doe"); len(got) != 0 {
		t.Errorf("John without the right sees %v", got)
	}
}

func TestLinkRefusalsWriteNothing(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice := f.actor("Alice.Agent")
	m := f.open(majorDraft(t1))
	other := f.open(majorDraft())
	a := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	b := f.declare("John.Doe", t1, "vpc", "na-east-0") // linked by hand: service and region do not matter
	onT2 := f.declare("Marie.Dupont", t2, "ecs", "eu-west-0")
	cancelled := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	if _, err := f.inc.Do(ctx, f.actor("John.Doe"), cancelled.ID, incident.Act{Action: incident.Cancel, Version: cancelled.Version}); err != nil {
		t.Fatal(err)
	}
	link := func(id int64, ids ...int64) (int, error) { return f.svc.Link(ctx, alice, id, "numbers", ids) }

	before := f.snapshot()
	_, err := link(m.ID, onT2.ID)
	if e := wantError(t, err, "numbers", "major.error.link_tenant"); e.Args["Number"] != onT2.Number() || e.Args["Tenant"] != t2 {
		t.Errorf("arguments %v", e.Args)
	}
	// One refused in a list: none is linked.
	_, err = link(m.ID, a.ID, b.ID, onT2.ID)
	wantError(t, err, "numbers", "major.error.link_tenant")
	_, err = link(m.ID, a.ID, 999999)
	if e := wantError(t, err, "numbers", "major.error.number_unknown"); e.Args["Number"] != "INC0999999" {
		t.Errorf("arguments %v", e.Args)
	}
	_, err = link(m.ID, a.ID, cancelled.ID)
	wantError(t, err, "numbers", "major.error.link_not_open")
	_, err = link(m.ID)
	wantError(t, err, "numbers", "major.error.numbers_required")
	for _, login := range []string{"John.Doe", "Marie.Dupont", "Sophie.Commerciale"} {
		_, err := f.svc.Link(ctx, f.actor(login), m.ID, "numbers", []int64{a.ID})
		wantNotFound(t, err, login+" links")
	}
	_, err = link(999999, a.ID)
	wantNotFound(t, err, "linking to an unknown major incident")
	f.unchanged(before, "a refused link")

	if n, err := link(m.ID, a.ID, b.ID, a.ID); err != nil || n != 2 {
		t.Fatalf("linked %d, %v", n, err)
	}
	for _, inc := range []*incident.Incident{a, b} {
		if got := f.reload(inc); got.MajorID == nil || *got.MajorID != m.ID {
			t.Errorf("%s linked to %v", inc.Number(), got.MajorID)
		}
		es := f.events(inc, major.IncidentLinked)
		if len(es) != 1 || es[0].To != m.Number() || es[0].ActorID == nil || *es[0].ActorID != alice.UserID {
			t.Errorf("%s's timeline: %+v", inc.Number(), es)
		}
	}
	es, _ := f.svc.Timeline(ctx, alice, m)
	if last := es[len(es)-1]; last.Event != major.EventLinked || last.To != "2" {
		t.Errorf("the major incident's timeline ends with %+v", last)
	}

	before = f.snapshot()
	_, err = link(m.ID, a.ID)
	if e := wantError(t, err, "numbers", "major.error.link_twice"); e.Args["Number"] != a.Number() {
		t.Errorf("arguments %v", e.Args)
	}
	_, err = link(other.ID, b.ID)
	if e := wantError(t, err, "numbers", "major.error.link_other"); e.Args["Major"] != m.Number() {
		t.Errorf("arguments %v", e.Args)
	}
	f.unchanged(before, "linking twice or elsewhere")
	f.post(m, major.Resolved, "Rétabli.", "Restored.")
	c := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	before = f.snapshot()
	_, err = link(m.ID, c.ID)
	wantError(t, err, "numbers", "major.error.link_resolved")
	_, err = f.svc.LinkMatching(ctx, alice, m.ID)
	wantError(t, err, "", "major.error.link_resolved")
	f.unchanged(before, "a link to a resolved major incident")
}

func TestLinkMatching(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice := f.actor("Alice.Agent")
	early := f.declare("John.Doe", t1, "ecs", "eu-west-0") // more than an hour before the outage began
	f.now = f.now.Add(3 * time.Hour)
	hourBefore := f.declare("John.Doe", t1, "evs", "eu-west-0")
	f.now = f.now.Add(50 * time.Minute)
	m := f.open(majorDraft(t1, t2))
	elsewhere := f.open(majorDraft())
	f.now = f.now.Add(10 * time.Minute)

	want := []*incident.Incident{hourBefore,
		f.declare("John.Doe", t1, "ecs", "eu-west-0"),
		f.declare("Marie.Dupont", t2, "evs", "eu-west-0"),
		f.declare("Marie.Dupont", t1, "ecs", "eu-west-0")}
	taken := f.take(f.declare("Marie.Dupont", t1, "ecs", "eu-west-0"))
	want = append(want, taken) // in progress is open
	notWanted := map[string]*incident.Incident{
		"declared long before":   early,
		"tenant not concerned":   f.declare("Paul.Martin", t4, "ecs", "eu-west-0"),
		"tenant not concerned 2": f.declare("Marie.Dupont", t3, "ecs", "eu-west-0"),
		"service not affected":   f.declare("John.Doe", t1, "vpc", "eu-west-0"),
		"region not affected":    f.declare("John.Doe", t1, "ecs", "eu-west-1"),
		"neither":                f.declare("John.Doe", t1, "obs", "na-east-0"),
		"cancelled":              f.declare("John.Doe", t1, "ecs", "eu-west-0"),
		"resolved":               f.declare("Marie.Dupont", t2, "ecs", "eu-west-0"),
		"linked elsewhere":       f.declare("Marie.Dupont", t2, "evs", "eu-west-0"),
	}
	c := notWanted["cancelled"]
	if _, err := f.inc.Do(ctx, f.actor("John.Doe"), c.ID, incident.Act{Action: incident.Cancel, Version: c.Version}); err != nil {
		t.Fatal(err)
	}
	f.resolve(f.take(notWanted["resolved"]))
	f.link(elsewhere, notWanted["linked elsewhere"])

	f.svc.Batch = 2 // several batches
	n, err := f.svc.LinkMatching(ctx, alice, m.ID)
	if err != nil || n != len(want) {
		t.Fatalf("linked %d, %v; want %d", n, err, len(want))
	}
	for _, inc := range want {
		if got := f.reload(inc); got.MajorID == nil || *got.MajorID != m.ID {
			t.Errorf("%s (%s %s on tenant %d) not linked", inc.Number(), inc.Service, inc.Region, inc.TenantID)
		}
	}
	for why, inc := range notWanted {
		got := f.reload(inc)
		if why == "linked elsewhere" {
			if got.MajorID == nil || *got.MajorID != elsewhere.ID {
				t.Errorf("%s: now linked to %v", why, got.MajorID)
			}
			continue
		}
		if got.MajorID != nil {
			t.Errorf("%s: %s linked to %d", why, inc.Number(), *got.MajorID)
		}
	}
	// A second run links what came since, and nothing twice.
	late := f.declare("John.Doe", t1, "evs", "eu-west-0")
	if n, err := f.svc.LinkMatching(ctx, alice, m.ID); err != nil || n != 1 {
		t.Fatalf("second run linked %d, %v", n, err)
	}
	if n, err := f.svc.LinkMatching(ctx, alice, m.ID); err != nil || n != 0 {
		t.Fatalf("third run linked %d, %v", n, err)
	}
	for _, inc := range append(want, late) {
		if es := f.events(inc, major.IncidentLinked); len(es) != 1 {
			t.Errorf("%s has %d link events", inc.Number(), len(es))
		}
	}
	if got := f.count("incidents", "major_id = ?", m.ID); got != len(want)+1 {
		t.Errorf("%d incidents linked, want %d", got, len(want)+1)
	}
	_, err = f.svc.LinkMatching(ctx, f.actor("Marie.Dupont"), m.ID)
	wantNotFound(t, err, "a customer links matching incidents")
}

func TestUnlink(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice := f.actor("Alice.Agent")
	m := f.open(majorDraft())
	other := f.open(majorDraft())
	a := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	b := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	f.link(m, a)
	f.link(other, b)

	before := f.snapshot()
	wantNotFound(t, f.svc.Unlink(ctx, f.actor("John.Doe"), m.ID, a.ID), "a customer unlinks")
	wantError(t, f.svc.Unlink(ctx, alice, m.ID, b.ID), "", "major.error.unlink_not_linked")
	wantNotFound(t, f.svc.Unlink(ctx, alice, m.ID, 999999), "unlinking an unknown incident")
	f.unchanged(before, "a refused unlink")
	if got := f.reload(b); got.MajorID == nil || *got.MajorID != other.ID {
		t.Errorf("b's link to the other major incident is gone: %v", got.MajorID)
	}

	if err := f.svc.Unlink(ctx, alice, m.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if got := f.reload(a); got.MajorID != nil {
		t.Errorf("still linked to %d", *got.MajorID)
	}
	if es := f.events(a, major.IncidentUnlinked); len(es) != 1 || es[0].From != m.Number() {
		t.Errorf("unlink events %+v", es)
	}
	wantError(t, f.svc.Unlink(ctx, alice, m.ID, a.ID), "", "major.error.unlink_not_linked")
	// Unlinked, it can be linked again, here or elsewhere.
	f.link(other, a)
}

func TestDeclareTheSameProblem(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	john := f.actor("John.Doe")
	m := f.open(majorDraft(t1))
	ofPaul := f.open(majorDraft(t4))
	over := f.open(majorDraft())
	f.post(over, major.Resolved, "Rétabli.", "Restored.")

	d := incidentDraft("ecs", "eu-west-0")
	d.MajorID = m.ID
	inc, err := f.inc.Declare(ctx, john, f.tenant(t1), d)
	if err != nil {
		t.Fatal(err)
	}
	if inc.MajorID == nil || *inc.MajorID != m.ID {
		t.Errorf("declared with major %v", inc.MajorID)
	}
	if got := f.reload(inc); got.MajorID == nil || *got.MajorID != m.ID {
		t.Errorf("stored with major %v", got.MajorID)
	}
	es := f.entries(inc)
	if len(es) != 2 || es[0].Event != incident.EventCreated || es[1].Event != major.IncidentLinked || es[1].To != m.Number() {
		t.Errorf("timeline %+v", es)
	}
	if n := len(f.mail("incident_declared")); n != 2 {
		t.Errorf("%d declaration mails", n)
	}
	// Its updates reach the declarer.
	f.post(m, major.Identified, "Cause identifiée.", "Cause identified.")
	if ms := f.mail("major_update"); len(ms) != 1 || ms[0].RecipientEmail != "john.doe@example.com" {
		t.Errorf("update mail %+v", ms)
	}

	before := f.snapshot()
	for name, id := range map[string]int64{"another tenant's": ofPaul.ID, "resolved": over.ID, "unknown": 999999} {
		d := incidentDraft("ecs", "eu-west-0")
		d.MajorID = id
		_, err := f.inc.Declare(ctx, john, f.tenant(t1), d)
		if e := wantError(t, err, "", "major.error.declare_gone"); e == nil {
			t.Errorf("%s major incident", name)
		}
	}
	f.unchanged(before, "a refused declaration")
}

func TestFollow(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	m := f.open(majorDraft(t1, t3))
	marie := f.actor("Marie.Dupont")

	for range 2 {
		if err := f.svc.Follow(ctx, marie, m.ID); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.count("major_incident_followers", "major_id = ? AND user_id = ?", m.ID, marie.UserID); n != 1 {
		t.Errorf("%d follower rows", n)
	}
	if following, may, err := f.svc.Following(ctx, marie, m.ID); !following || !may || err != nil {
		t.Errorf("Marie: following %v, may %v, %v", following, may, err)
	}

	before := f.snapshot()
	john := f.actor("John.Doe")
	wantError(t, f.svc.Follow(ctx, john, m.ID), "", "major.error.follow_referent") // a member, not the referent
	if following, may, _ := f.svc.Following(ctx, john, m.ID); following || may {
		t.Errorf("John: following %v, may %v", following, may)
	}
	wantNotFound(t, f.svc.Follow(ctx, f.actor("Paul.Martin"), m.ID), "the referent of a tenant not concerned follows")
	wantNotFound(t, f.svc.Follow(ctx, f.actor("Alice.Agent"), m.ID), "an agent follows")
	wantNotFound(t, f.svc.Follow(ctx, f.actor("Sophie.Commerciale"), m.ID), "a sales rep follows")
	wantNotFound(t, f.svc.Follow(ctx, marie, 999999), "following an unknown major incident")
	if err := f.svc.Unfollow(ctx, f.actor("Paul.Martin"), m.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Paul unfollows: %v", err)
	}
	resolved := f.open(majorDraft(t1))
	f.post(resolved, major.Resolved, "Rétabli.", "Restored.")
	before = f.snapshot()
	wantError(t, f.svc.Follow(ctx, marie, resolved.ID), "", "major.error.follow_resolved")
	f.unchanged(before, "a refused follow")

	if err := f.svc.Unfollow(ctx, marie, m.ID); err != nil {
		t.Fatal(err)
	}
	if following, may, _ := f.svc.Following(ctx, marie, m.ID); following || !may {
		t.Errorf("after unfollowing: following %v, may %v", following, may)
	}
}

func TestEdit(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice := f.actor("Alice.Agent")
	m := f.open(majorDraft(t1, t2))
	onT1 := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	f.link(m, onT1)

	before := f.snapshot()
	_, err := f.svc.Edit(ctx, alice, m.ID, m.Version, majorDraft(t2, t3))
	if e := wantError(t, err, "tenants", "major.error.tenants_linked"); e.Args["Codes"] != t1 || e.Args["Count"] != 1 {
		t.Errorf("arguments %v", e.Args)
	}
	_, err = f.svc.Edit(ctx, f.actor("Marie.Dupont"), m.ID, m.Version, majorDraft(t1))
	wantNotFound(t, err, "a customer edits")
	bad := majorDraft(t1)
	bad.TitleFR = ""
	_, err = f.svc.Edit(ctx, alice, m.ID, m.Version, bad)
	wantError(t, err, "title_fr", "major.error.title_fr_required")
	f.unchanged(before, "a refused edit")
	if got := f.majorOf(m.ID); got.Version != m.Version || !reflect.DeepEqual(got.TenantCodes, []string{t1, t2}) {
		t.Errorf("after refusals: version %d, tenants %v", got.Version, got.TenantCodes)
	}

	d := majorDraft(t1)
	d.TitleEN = "Block storage and compute outage in Paris"
	edited, err := f.svc.Edit(ctx, alice, m.ID, m.Version, d)
	if err != nil {
		t.Fatal(err)
	}
	got := f.majorOf(m.ID)
	if got.Version != m.Version+1 || got.TitleEN != d.TitleEN || !reflect.DeepEqual(got.TenantCodes, []string{t1}) || edited.Version != got.Version {
		t.Errorf("edited %+v", got)
	}
	_, err = f.svc.Edit(ctx, alice, m.ID, m.Version, majorDraft(t1))
	if !errors.Is(err, apperr.ErrStale) {
		t.Errorf("an edit from a stale page: %v", err)
	}
	// Every tenant, then back to one tenant: the linked incident's tenant must stay.
	if _, err := f.svc.Edit(ctx, alice, m.ID, got.Version, majorDraft()); err != nil {
		t.Fatal(err)
	}
	if n := f.count("major_incident_tenants", "major_id = ?", m.ID); n != 0 {
		t.Errorf("every tenant, yet %d tenant rows", n)
	}
	_, err = f.svc.Edit(ctx, alice, m.ID, got.Version+1, majorDraft(t4))
	wantError(t, err, "tenants", "major.error.tenants_linked")

	f.post(m, major.Resolved, "Rétabli.", "Restored.")
	cur := f.majorOf(m.ID)
	_, err = f.svc.Edit(ctx, alice, m.ID, cur.Version, majorDraft())
	wantError(t, err, "", "major.error.edit_resolved")
	es, _ := f.svc.Timeline(ctx, alice, m)
	edits := 0
	for _, e := range es {
		if e.Event == major.EventEdited {
			edits++
		}
	}
	if edits != 2 {
		t.Errorf("%d edit events, want 2", edits)
	}
}

// A customer's actor resolved once for a request (as the pages make it) reaches what the same
// customer's unresolved actor (as jobs and tests make it) reaches.
func TestResolvedCustomersSeeTheSame(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	ms := []*major.Major{f.open(majorDraft(t1)), f.open(majorDraft(t2, t3)), f.open(majorDraft(t4)), f.open(majorDraft())}
	all := ms[3]
	f.link(all, f.declare("John.Doe", t1, "ecs", "eu-west-0"), f.declare("Marie.Dupont", t2, "ecs", "eu-west-0"),
		f.declare("Paul.Martin", t4, "ecs", "eu-west-0"))
	see := func(who tenancy.Actor) string {
		out := ""
		for _, m := range ms {
			_, err := f.svc.Get(ctx, who, m.ID)
			_, may, _ := f.svc.Following(ctx, who, m.ID)
			out += m.Number() + ":" + strconv.FormatBool(err == nil) + "/" + strconv.FormatBool(may) + " "
		}
		st, _ := f.svc.Status(ctx, who)
		is, _, _ := f.svc.Linked(ctx, who, all, paging.Number(1))
		return out + "status:" + strconv.Itoa(len(st)) + " linked:" + strconv.Itoa(len(is))
	}
	for _, login := range []string{"Marie.Dupont", "John.Doe", "Paul.Martin"} {
		u, err := identity.UserByLogin(ctx, f.a.DB, login)
		if err != nil {
			t.Fatal(err)
		}
		resolved, err := tenancy.Resolve(ctx, f.a.DB, u)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := see(tenancy.ActorOf(u)), see(resolved); a != b {
			t.Errorf("%s unresolved sees %s\nresolved sees %s", login, a, b)
		}
	}
}

// A declaration that links its incident to a major incident being resolved at the same moment
// on another instance either lands before the resolution (and is resolved with the others) or
// is refused: it never leaves an open incident linked to a resolved major incident, which no
// update would ever reach again. On SQLite the one writer orders them; on PostgreSQL the
// link's foreign key takes a key-share lock on the major incident's row, which the resolution's
// FOR UPDATE waits for (LinkDeclared takes no lock of its own).
func TestDeclarationRacingTheResolution(t *testing.T) {
	if !testutil.OnPostgres() {
		t.Skip("SQLite's single writer orders the two transactions")
	}
	f := newFixture(t)
	ctx := t.Context()
	m := f.open(majorDraft())
	inc := f.declare("John.Doe", t1, "ecs", "eu-west-0") // the incident being declared

	tx, err := f.a.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := f.svc.LinkDeclared(ctx, tx, f.actor("John.Doe"), inc, m.ID); err != nil {
		t.Fatal(err)
	}
	posted := make(chan error, 1)
	go func() {
		_, err := f.svc.Post(context.WithoutCancel(ctx), f.actor("Alice.Agent"), m.ID,
			major.UpdateDraft{State: string(major.Resolved), BodyFR: "Rétabli.", BodyEN: "Restored."})
		posted <- err
	}()
	// Give the resolution the time to go through if nothing holds it back (this only orders the
	// two commits; the outcome checked below does not depend on any duration).
	select {
	case err := <-posted:
		posted <- err
	case <-time.After(time.Second):
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-posted; err != nil {
		t.Fatal(err)
	}
	got := f.reload(inc)
	if got.MajorID != nil && *got.MajorID == m.ID && got.IsOpen() {
		t.Errorf("%s is linked to %s, resolved, yet still %s: no update will reach it", inc.Number(), m.Number(), got.Status)
	}
}
