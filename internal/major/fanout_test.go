package major_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/events"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/notify"
	"github.com/uptrace/bun"
)

const (
	identifiedFR = "Cause identifiée : un contrôleur de stockage défaillant."
	identifiedEN = "Cause identified: a failed storage controller."
	resolvedFR   = "Le contrôleur a été remplacé ; les volumes répondent de nouveau."
	resolvedEN   = "The controller was replaced; volumes answer again."
)

// byRecipient groups messages by address.
func byRecipient(ms []notify.Message) map[string][]notify.Message {
	out := map[string][]notify.Message{}
	for _, m := range ms {
		out[m.RecipientEmail] = append(out[m.RecipientEmail], m)
	}
	return out
}

// wantMail fails unless ms holds exactly one message to each of want (address → language), in
// that language, in the major incident's thread, with the text of that language and not the
// other's.
func wantMail(t *testing.T, ms []notify.Message, m *major.Major, want map[string]string, fr, en string) {
	t.Helper()
	got := byRecipient(ms)
	if len(got) != len(want) || len(ms) != len(want) {
		var to []string
		for _, x := range ms {
			to = append(to, x.RecipientEmail)
		}
		t.Errorf("mail to %v, want one each to %d people", to, len(want))
	}
	for addr, lang := range want {
		if len(got[addr]) != 1 {
			t.Errorf("%s got %d messages", addr, len(got[addr]))
			continue
		}
		x := got[addr][0]
		text, other := en, fr
		if lang == "fr" {
			text, other = fr, en
		}
		if x.Lang != lang || x.Thread != "major-"+strconv.FormatInt(m.ID, 10) || !strings.Contains(x.Subject, m.Number()) ||
			!strings.Contains(x.BodyText, text) || strings.Contains(x.BodyText, other) || !strings.Contains(x.Subject, m.Title(lang)) {
			t.Errorf("%s: lang %s, thread %s, subject %q, body %q", addr, x.Lang, x.Thread, x.Subject, x.BodyText)
		}
	}
}

func TestUpdateReachesEachPersonOnce(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	m := f.open(majorDraft())
	// John (English) declared three of the linked incidents, Paul (French) one; the batches of
	// two split John's between them.
	a := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	b := f.declare("Paul.Martin", t4, "evs", "eu-west-0")
	c := f.declare("John.Doe", t1, "evs", "eu-west-0")
	d := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	unlinked := f.declare("John.Doe", t1, "vpc", "eu-west-0")
	f.link(m, a, b, c, d)
	f.svc.Batch = 2
	f.now = f.now.Add(20 * time.Minute)
	u := f.post(m, major.Identified, identifiedFR, identifiedEN)

	alice := f.userID("Alice.Agent")
	for _, c := range []struct {
		inc  *incident.Incident
		body string
	}{{a, identifiedEN}, {b, identifiedFR}, {c, identifiedEN}, {d, identifiedEN}} {
		es := f.events(c.inc, major.IncidentUpdate)
		if len(es) != 1 {
			t.Errorf("%s has %d update entries", c.inc.Number(), len(es))
			continue
		}
		e := es[0]
		if e.Event != major.IncidentUpdate+".identified" || e.From != m.Number() || e.Body != c.body ||
			e.ActorID == nil || *e.ActorID != alice || !e.CreatedAt.Equal(f.now) {
			t.Errorf("%s: %+v", c.inc.Number(), e)
		}
		got := f.reload(c.inc)
		if got.Status != incident.New || !got.UpdatedAt.Equal(f.now) {
			t.Errorf("%s: status %s, updated %v", c.inc.Number(), got.Status, got.UpdatedAt)
		}
	}
	if es := f.events(unlinked, major.IncidentUpdate); len(es) != 0 {
		t.Errorf("the unlinked incident got %d update entries", len(es))
	}
	// The reporter reads it on their incident's timeline.
	cust, err := f.inc.Timeline(ctx, f.actor("John.Doe"), a)
	if err != nil || cust[len(cust)-1].Body != identifiedEN {
		t.Errorf("John's timeline ends with %+v (%v)", cust[len(cust)-1], err)
	}

	wantMail(t, f.mail("major_update"), m, map[string]string{"john.doe@example.com": "en", "paul.martin@example.fr": "fr"},
		identifiedFR, identifiedEN)
	john := byRecipient(f.mail("major_update"))["john.doe@example.com"]
	if len(john) == 1 && !strings.Contains(john[0].BodyText, a.Number()) {
		t.Errorf("John's mail names none of his incidents: %q", john[0].BodyText)
	}
	if n := f.count("major_update_mail", "update_id = ?", u.ID); n != 2 {
		t.Errorf("%d people recorded as told", n)
	}
	var stored major.Update
	if err := f.a.DB.NewSelect().Model(&stored).Where("u.id = ?", u.ID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if !stored.FanoutDone || stored.FanoutCursor != d.ID {
		t.Errorf("fan-out done %v at %d, want done at %d", stored.FanoutDone, stored.FanoutCursor, d.ID)
	}
	got := f.majorOf(m.ID)
	if got.State != major.Identified || got.Version != m.Version+1 || got.ResolvedAt != nil {
		t.Errorf("major incident after the update: %+v", got)
	}

	// The next update is a new round: once more each.
	f.post(m, major.Monitoring, "Surveillance.", "Monitoring.")
	if ms := f.mail("major_update"); len(ms) != 4 {
		t.Errorf("%d update mails after two updates", len(ms))
	}
	for _, inc := range []*incident.Incident{a, b, c, d} {
		if es := f.events(inc, major.IncidentUpdate); len(es) != 2 || es[1].Event != major.IncidentUpdate+".monitoring" {
			t.Errorf("%s after two updates: %+v", inc.Number(), es)
		}
	}
	es, _ := f.svc.Timeline(ctx, f.actor("Alice.Agent"), m)
	states := 0
	for _, e := range es {
		if e.Event == major.EventState {
			states++
		}
	}
	if states != 2 {
		t.Errorf("%d state events on the major incident", states)
	}
}

func TestResolutionResolvesOpenLinkedIncidents(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	m := f.open(majorDraft(t1))
	a := f.declare("John.Doe", t1, "ecs", "eu-west-0")     // stays new
	b := f.declare("Marie.Dupont", t1, "ecs", "eu-west-0") // in progress
	c := f.declare("John.Doe", t1, "ecs", "eu-west-0")     // waiting for the customer
	d := f.declare("Marie.Dupont", t1, "ecs", "eu-west-0") // resolved already
	e := f.declare("John.Doe", t1, "ecs", "eu-west-0")     // closed
	x := f.declare("John.Doe", t1, "ecs", "eu-west-0")     // cancelled
	f.link(m, a, b, c, d, e, x)                            // each open when linked
	f.take(b)
	f.do("Alice.Agent", f.take(c), incident.Act{Action: incident.Wait})
	f.resolve(f.take(d))
	f.do("John.Doe", f.resolve(f.take(e)), incident.Act{Action: incident.Confirm})
	f.do("John.Doe", x, incident.Act{Action: incident.Cancel})
	earlier := f.now
	before := map[int64]*incident.Incident{}
	for _, inc := range []*incident.Incident{a, b, c, d, e, x} {
		before[inc.ID] = f.reload(inc)
	}
	resolvedMail := len(f.mail("incident_resolved"))

	f.svc.Batch = 4
	f.now = f.now.Add(2 * time.Hour)
	f.post(m, major.Resolved, resolvedFR, resolvedEN)

	for _, c := range []struct {
		inc  *incident.Incident
		from incident.Status
		body string
	}{{a, incident.New, resolvedEN}, {b, incident.InProgress, resolvedFR}, {c, incident.PendingCustomer, resolvedEN}} {
		got := f.reload(c.inc)
		if got.Status != incident.Resolved || got.ResolvedAt == nil || !got.ResolvedAt.Equal(f.now) ||
			!got.ReopenUntil().Equal(f.now.Add(7*24*time.Hour)) || got.Version != before[c.inc.ID].Version+1 ||
			got.HasDue() || got.SLAAlertAt != nil {
			t.Errorf("%s (was %s): %s, resolved %v, version %d, due %v", c.inc.Number(), c.from, got.Status, got.ResolvedAt, got.Version, got.SLADueAt)
		}
		es := f.entries(c.inc)
		last := es[len(es)-1]
		if last.Event != incident.EventStatus || last.From != incident.StatusKey(c.from) || last.To != incident.StatusKey(incident.Resolved) ||
			last.Body != c.body {
			t.Errorf("%s's timeline ends with %+v", c.inc.Number(), last)
		}
		if n := len(f.events(c.inc, major.IncidentUpdate)); n != 0 {
			t.Errorf("%s has %d update entries besides its resolution", c.inc.Number(), n)
		}
	}
	for _, c := range []struct {
		inc    *incident.Incident
		status incident.Status
		body   string
	}{{d, incident.Resolved, resolvedFR}, {e, incident.Closed, resolvedEN}, {x, incident.Cancelled, resolvedEN}} {
		got, was := f.reload(c.inc), before[c.inc.ID]
		if got.Status != c.status || got.Version != was.Version || (was.ResolvedAt != nil && !got.ResolvedAt.Equal(*was.ResolvedAt)) {
			t.Errorf("%s: %s, version %d (was %d), resolved %v", c.inc.Number(), got.Status, got.Version, was.Version, got.ResolvedAt)
		}
		es := f.events(c.inc, major.IncidentUpdate)
		if len(es) != 1 || es[0].Event != major.IncidentUpdate+".resolved" || es[0].Body != c.body {
			t.Errorf("%s's update entries: %+v", c.inc.Number(), es)
		}
	}
	if got := f.reload(d); !got.ResolvedAt.Equal(earlier) {
		t.Errorf("the incident resolved before got a new resolution time %v", got.ResolvedAt)
	}
	wantMail(t, f.mail("major_resolved"), m, map[string]string{"john.doe@example.com": "en", "marie.dupont@example.fr": "fr"},
		resolvedFR, resolvedEN)
	if n := len(f.mail("incident_resolved")); n != resolvedMail {
		t.Errorf("%d incident_resolved mails besides the major incident's", n-resolvedMail)
	}
	got := f.majorOf(m.ID)
	if got.State != major.Resolved || got.ResolvedAt == nil || !got.ResolvedAt.Equal(f.now) {
		t.Errorf("major incident: %s, resolved %v", got.State, got.ResolvedAt)
	}

	// Resolved, it takes no more updates: nothing written.
	snap := f.snapshot()
	_, err := f.svc.Post(ctx, f.actor("Alice.Agent"), m.ID, major.UpdateDraft{State: "monitoring", BodyFR: "Encore ?", BodyEN: "Again?"})
	wantError(t, err, "", "major.error.update_resolved")
	_, err = f.svc.Post(ctx, f.actor("John.Doe"), m.ID, major.UpdateDraft{State: "monitoring", BodyFR: "a", BodyEN: "b"})
	wantNotFound(t, err, "a customer posts")
	f.unchanged(snap, "an update on a resolved major incident")

	// Each incident it resolved has its own reopen window of 7 days from the resolution.
	resolvedAt := f.now
	f.now = resolvedAt.Add(6 * 24 * time.Hour)
	if got := f.do("John.Doe", a, incident.Act{Action: incident.Reopen}); got.Status != incident.InProgress {
		t.Errorf("reopened: %s", got.Status)
	}
	f.now = resolvedAt.Add(7*24*time.Hour + time.Minute)
	_, err = f.inc.Do(ctx, f.actor("Marie.Dupont"), b.ID, incident.Act{Action: incident.Reopen, Version: f.reload(b).Version})
	wantError(t, err, "", "incident.error.reopen_expired")
	if n, err := f.inc.CloseResolved(ctx, f.now); err != nil || n != 3 { // b, c, and d resolved earlier
		t.Errorf("closed %d, %v", n, err)
	}
	for _, inc := range []*incident.Incident{b, c} {
		if got := f.reload(inc); got.Status != incident.Closed {
			t.Errorf("%s: %s a week after", inc.Number(), got.Status)
		}
	}
}

// failingSink fails the failAt-th event it is given, as a crash or a lost database would stop a
// fan-out between two batches.
type failingSink struct {
	mu     sync.Mutex
	n      int
	failAt int
}

var errStop = errors.New("the fan-out stops here")

func (s *failingSink) Emit(_ context.Context, _ bun.IDB, _ events.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.failAt > 0 && s.n >= s.failAt {
		return errStop
	}
	return nil
}

func TestInterruptedFanOutCarriesOn(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	m := f.open(majorDraft())
	a := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	b := f.declare("Paul.Martin", t4, "ecs", "eu-west-0")
	c := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	d := f.declare("Marie.Dupont", t2, "ecs", "eu-west-0")
	e := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	all := []*incident.Incident{a, b, c, d, e}
	f.link(m, all...)
	f.svc.Batch = 2
	sink := &failingSink{failAt: 3} // the first incident of the second batch
	f.svc.Events = sink

	f.now = f.now.Add(10 * time.Minute)
	u := f.post(m, major.Identified, identifiedFR, identifiedEN) // published; its fan-out stopped
	readUpdate := func() major.Update {
		var got major.Update
		if err := f.a.DB.NewSelect().Model(&got).Where("u.id = ?", u.ID).Scan(ctx); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := readUpdate(); got.FanoutDone || got.FanoutCursor != b.ID {
		t.Fatalf("after the interruption: done %v at %d, want not done at %d", got.FanoutDone, got.FanoutCursor, b.ID)
	}
	entries := func(state major.State) map[int64]int {
		out := map[int64]int{}
		for _, inc := range all {
			for _, e := range f.events(inc, major.IncidentUpdate+"."+string(state)) {
				_ = e
				out[inc.ID]++
			}
		}
		return out
	}
	if got := entries(major.Identified); got[a.ID] != 1 || got[b.ID] != 1 || got[c.ID]+got[d.ID]+got[e.ID] != 0 {
		t.Errorf("entries after the first batch: %v", got)
	}
	if got := byRecipient(f.mail("major_update")); len(got) != 2 || len(got["john.doe@example.com"]) != 1 || len(got["paul.martin@example.fr"]) != 1 {
		t.Errorf("mail after the first batch: %v", got)
	}
	// While the failure lasts, the job reports it and writes nothing more.
	snap := f.snapshot()
	if _, err := f.svc.ResumeFanOuts(ctx, f.now); !errors.Is(err, errStop) {
		t.Errorf("resume during the failure: %v", err)
	}
	f.unchanged(snap, "a failed resumption")

	sink.failAt = 0
	if n, err := f.svc.ResumeFanOuts(ctx, f.now); err != nil || n != 1 {
		t.Fatalf("resumed %d, %v", n, err)
	}
	if got := entries(major.Identified); len(got) != 5 || got[a.ID] != 1 || got[b.ID] != 1 || got[c.ID] != 1 || got[d.ID] != 1 || got[e.ID] != 1 {
		t.Errorf("entries after the resumption: %v", got)
	}
	wantMail(t, f.mail("major_update"), m, map[string]string{"john.doe@example.com": "en", "paul.martin@example.fr": "fr",
		"marie.dupont@example.fr": "fr"}, identifiedFR, identifiedEN)
	if got := readUpdate(); !got.FanoutDone || got.FanoutCursor != e.ID {
		t.Errorf("after the resumption: done %v at %d", got.FanoutDone, got.FanoutCursor)
	}

	// Done is done: running it again, or after a crash that lost only the "done" flag, tells
	// nobody twice and writes no entry twice.
	snap = f.snapshot()
	if n, err := f.svc.ResumeFanOuts(ctx, f.now); err != nil || n != 0 {
		t.Errorf("resumed again %d, %v", n, err)
	}
	if err := f.svc.FanOut(ctx, u.ID); err != nil {
		t.Error(err)
	}
	if _, err := f.a.DB.NewUpdate().Model((*major.Update)(nil)).Set("fanout_done = ?", false).Where("id = ?", u.ID).Exec(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := f.svc.ResumeFanOuts(ctx, f.now); err != nil || n != 1 {
		t.Errorf("resumed a fan-out that had only lost its flag: %d, %v", n, err)
	}
	f.unchanged(snap, "a finished fan-out run again")
	if got := readUpdate(); !got.FanoutDone {
		t.Error("the flag is not set again")
	}

	// A resolution interrupted the same way resolves each incident once.
	sink.n, sink.failAt = 0, 3
	f.now = f.now.Add(time.Hour)
	f.post(m, major.Resolved, resolvedFR, resolvedEN)
	if got := f.majorOf(m.ID); got.State != major.Resolved {
		t.Errorf("the resolution is not published: %s", got.State)
	}
	open := 0
	for _, inc := range all {
		if f.reload(inc).Status != incident.Resolved {
			open++
		}
	}
	if open != 3 {
		t.Errorf("%d incidents still open after the first batch of the resolution, want 3", open)
	}
	sink.failAt = 0
	later := f.now
	f.now = f.now.Add(5 * time.Minute) // the job comes by later
	if n, err := f.svc.ResumeFanOuts(ctx, f.now); err != nil || n != 1 {
		t.Fatalf("resumed %d, %v", n, err)
	}
	for _, inc := range all {
		got := f.reload(inc)
		resolutions := 0
		for _, e := range f.events(inc, incident.EventStatus) {
			if e.To == incident.StatusKey(incident.Resolved) {
				resolutions++
			}
		}
		if got.Status != incident.Resolved || resolutions != 1 || got.ResolvedAt == nil ||
			(!got.ResolvedAt.Equal(later) && !got.ResolvedAt.Equal(f.now)) {
			t.Errorf("%s: %s, %d resolutions, resolved %v", inc.Number(), got.Status, resolutions, got.ResolvedAt)
		}
	}
	wantMail(t, f.mail("major_resolved"), m, map[string]string{"john.doe@example.com": "en", "paul.martin@example.fr": "fr",
		"marie.dupont@example.fr": "fr"}, resolvedFR, resolvedEN)
}

// Posting on a resolved major incident, or a refused update, writes nothing.
func TestRefusedUpdatesWriteNothing(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	m := f.open(majorDraft())
	f.link(m, f.declare("John.Doe", t1, "ecs", "eu-west-0"))
	alice := f.actor("Alice.Agent")
	snap := f.snapshot()
	for _, c := range []struct {
		d     major.UpdateDraft
		field string
		key   string
	}{
		{major.UpdateDraft{State: "identified", BodyFR: "Cause trouvée."}, "body_en", "major.error.body_en_required"},
		{major.UpdateDraft{State: "identified", BodyEN: "Found."}, "body_fr", "major.error.body_fr_required"},
		{major.UpdateDraft{State: "fixed", BodyFR: "a", BodyEN: "b"}, "state", "major.error.state"},
	} {
		_, err := f.svc.Post(ctx, alice, m.ID, c.d)
		wantError(t, err, c.field, c.key)
	}
	for _, login := range []string{"John.Doe", "Sophie.Commerciale"} {
		_, err := f.svc.Post(ctx, f.actor(login), m.ID, major.UpdateDraft{State: "identified", BodyFR: "a", BodyEN: "b"})
		wantNotFound(t, err, login+" posts")
	}
	_, err := f.svc.Post(ctx, alice, 999999, major.UpdateDraft{State: "identified", BodyFR: "a", BodyEN: "b"})
	wantNotFound(t, err, "an update of an unknown major incident")
	f.unchanged(snap, "a refused update")
	if got := f.majorOf(m.ID); got.State != major.Investigating || got.Version != m.Version {
		t.Errorf("after refusals: %s, version %d", got.State, got.Version)
	}
}

// A referent who follows the major incident is told of each update once, whether or not they
// declared one of the linked incidents, and a follower who reported is told once.
func TestFollowersAreToldOnce(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	m := f.open(majorDraft())
	f.link(m, f.declare("John.Doe", t1, "ecs", "eu-west-0"), f.declare("Paul.Martin", t4, "ecs", "eu-west-0"))
	// Marie follows as the referent of OCB0000001 (none of hers is linked), Paul as OCB0000004's.
	for _, login := range []string{"Marie.Dupont", "Paul.Martin"} {
		if err := f.svc.Follow(ctx, f.actor(login), m.ID); err != nil {
			t.Fatal(err)
		}
	}
	u := f.post(m, major.Identified, identifiedFR, identifiedEN)
	wantMail(t, f.mail("major_update"), m, map[string]string{"john.doe@example.com": "en", "paul.martin@example.fr": "fr",
		"marie.dupont@example.fr": "fr"}, identifiedFR, identifiedEN)
	var stored major.Update
	if err := f.a.DB.NewSelect().Model(&stored).Where("u.id = ?", u.ID).Scan(ctx); err != nil {
		t.Fatal(err)
	}
	if !stored.FanoutDone {
		t.Error("the fan-out did not finish")
	}
	// Having stopped following, Paul is still told as a reporter, once.
	if err := f.svc.Unfollow(ctx, f.actor("Paul.Martin"), m.ID); err != nil {
		t.Fatal(err)
	}
	f.post(m, major.Resolved, resolvedFR, resolvedEN)
	wantMail(t, f.mail("major_resolved"), m, map[string]string{"john.doe@example.com": "en", "paul.martin@example.fr": "fr",
		"marie.dupont@example.fr": "fr"}, resolvedFR, resolvedEN)
}

// The resolution reaches the reporter of a linked incident that was resolved (or closed)
// before the major incident: they are told, without a reopen window of its making.
func TestResolutionReachesReportersOfIncidentsResolvedAlready(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	m := f.open(majorDraft())
	inc := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	f.link(m, inc)
	f.resolve(f.take(inc))
	u := f.post(m, major.Resolved, resolvedFR, resolvedEN)
	wantMail(t, f.mail("major_resolved"), m, map[string]string{"john.doe@example.com": "en"}, resolvedFR, resolvedEN)
	if n, err := f.svc.ResumeFanOuts(ctx, f.now); err != nil || n != 0 {
		t.Errorf("a fan-out left to the job: %d, %v (update %d)", n, err, u.ID)
	}
}

// The job carries on every unfinished fan-out: one that keeps failing (here, a webhook sink
// refusing one major incident's events) does not hold back the others.
func TestOneStuckFanOutDoesNotHoldBackOthers(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	stuck, fine := f.open(majorDraft()), f.open(majorDraft())
	f.link(stuck, f.declare("John.Doe", t1, "ecs", "eu-west-0"))
	ok := f.declare("Paul.Martin", t4, "ecs", "eu-west-0")
	f.link(fine, ok)
	sink := &selectiveSink{refuse: map[int64]bool{stuck.ID: true, fine.ID: true}}
	f.svc.Events = sink
	f.post(stuck, major.Identified, identifiedFR, identifiedEN)
	f.post(fine, major.Identified, identifiedFR, identifiedEN)
	if n := len(f.mail("major_update")); n != 0 {
		t.Fatalf("%d mails while every fan-out fails", n)
	}
	sink.mu.Lock()
	delete(sink.refuse, fine.ID) // fine's failure is over; stuck's lasts
	sink.mu.Unlock()
	_, err := f.svc.ResumeFanOuts(ctx, f.now)
	if err == nil {
		t.Error("the job does not report the fan-out that fails")
	}
	if es := f.events(ok, major.IncidentUpdate); len(es) != 1 {
		t.Errorf("the other major incident's fan-out was held back: %d entries on its incident", len(es))
	}
	if got := byRecipient(f.mail("major_update")); len(got["paul.martin@example.fr"]) != 1 {
		t.Errorf("the other major incident's mail was held back: %v", got)
	}
}

// selectiveSink refuses the events of the incidents linked to the major incidents it names.
type selectiveSink struct {
	mu     sync.Mutex
	refuse map[int64]bool
}

func (s *selectiveSink) Emit(_ context.Context, _ bun.IDB, e events.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if inc, ok := e.Subject.(*incident.Incident); ok && inc.MajorID != nil && s.refuse[*inc.MajorID] {
		return errStop
	}
	return nil
}
