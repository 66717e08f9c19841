package major_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/notify"
)

// about lists the messages of kind in the thread of incident inc.
func (f *fixture) about(kind string, inc *incident.Incident) []notify.Message {
	var out []notify.Message
	for _, m := range f.mail(kind) {
		if m.Thread == "incident-"+strconv.FormatInt(inc.ID, 10) {
			out = append(out, m)
		}
	}
	return out
}

func TestBreachesOfLinkedIncidentsAreGrouped(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	m := f.open(majorDraft()) // by Alice.Agent
	a := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	b := f.declare("Marie.Dupont", t1, "evs", "eu-west-0")
	alone := f.declare("John.Doe", t1, "vpc", "eu-west-0")
	f.link(m, a, b)

	f.now = f.now.Add(30 * 24 * time.Hour) // every target of every incident is long breached
	told, err := f.inc.NotifyBreaches(ctx, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if told != 6 { // first response and resolution of each of the three
		t.Errorf("%d breaches told, want 6", told)
	}
	ms := f.mail("major_breach")
	got := byRecipient(ms)
	if len(ms) != 2 || len(got["alice.agent@example.com"]) != 1 || len(got[leads]) != 1 {
		t.Fatalf("major_breach mail %v", got)
	}
	for _, x := range ms {
		if x.Thread != "major-"+strconv.FormatInt(m.ID, 10) || !strings.Contains(x.Subject, m.Number()) {
			t.Errorf("%s: thread %s, subject %q", x.RecipientEmail, x.Thread, x.Subject)
		}
	}
	if x := got["alice.agent@example.com"][0]; x.Lang != "en" || !strings.Contains(x.Subject, m.TitleEN) {
		t.Errorf("Alice's alert: %s, %q", x.Lang, x.Subject)
	}
	for _, inc := range []*incident.Incident{a, b} {
		if n := len(f.about("incident_breach", inc)); n != 0 {
			t.Errorf("%s, linked, has %d breach mails of its own", inc.Number(), n)
		}
		if got := f.reload(inc); !got.FRBreachNotified || !got.ResBreachNotified {
			t.Errorf("%s's breaches are not marked told", inc.Number())
		}
	}
	own := f.about("incident_breach", alone)
	if len(own) != 2 || own[0].RecipientEmail != leads || own[1].RecipientEmail != leads {
		t.Errorf("the unlinked incident's own breach mail: %v", byRecipient(own))
	}
	if got := f.majorOf(m.ID); got.BreachAlertedAt == nil || !got.BreachAlertedAt.Equal(f.now) {
		t.Errorf("breach alerted at %v", got.BreachAlertedAt)
	}

	// Later breaches of linked incidents, new or the same, are grouped into that one alert.
	late := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	f.link(m, late)
	f.now = f.now.Add(30 * 24 * time.Hour)
	if _, err := f.inc.NotifyBreaches(ctx, f.now); err != nil {
		t.Fatal(err)
	}
	if n := len(f.mail("major_breach")); n != 2 {
		t.Errorf("%d major_breach mails after a later breach, want the 2 of the first alert", n)
	}
	if n := len(f.about("incident_breach", late)); n != 0 {
		t.Errorf("the later linked incident has %d breach mails of its own", n)
	}
	if got := f.reload(late); !got.FRBreachNotified || !got.ResBreachNotified {
		t.Errorf("the later incident's breaches are not marked told")
	}
	if n := len(f.mail("incident_breach")); n != 2 {
		t.Errorf("%d incident_breach mails in all, want the unlinked incident's 2", n)
	}
}

// Once the major incident is resolved, its alert no longer stands for the incidents linked to
// it: one its customer reopened and that breaches again is alerted on its own.
func TestBreachAfterTheMajorIncidentIsResolvedIsAlertedOnItsOwn(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	m := f.open(majorDraft())
	first := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	f.link(m, first)
	f.now = f.now.Add(30 * 24 * time.Hour)
	if _, err := f.inc.NotifyBreaches(ctx, f.now); err != nil {
		t.Fatal(err)
	}
	if n := len(f.mail("major_breach")); n != 2 {
		t.Fatalf("%d major_breach mails", n)
	}

	reopened := f.declare("John.Doe", t1, "ecs", "eu-west-0")
	f.link(m, reopened)
	f.now = f.now.Add(time.Hour)
	f.post(m, major.Resolved, resolvedFR, resolvedEN)
	f.now = f.now.Add(time.Hour)
	f.do("John.Doe", reopened, incident.Act{Action: incident.Reopen}) // still broken for John
	f.now = f.now.Add(30 * 24 * time.Hour)
	if _, err := f.inc.NotifyBreaches(ctx, f.now); err != nil {
		t.Fatal(err)
	}
	if got := f.reload(reopened); got.Status != incident.InProgress || !got.ResBreachNotified {
		t.Fatalf("the reopened incident did not breach: %s, resolution breach told %v", got.Status, got.ResBreachNotified)
	}
	if n := len(f.about("incident_breach", reopened)); n == 0 {
		t.Errorf("the breach of %s, reopened after the major incident's resolution, told nobody (major_breach mails: %d)",
			reopened.Number(), len(f.mail("major_breach")))
	}
}
