package major_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/guichet/guichet/internal/calendar"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/major"
	"github.com/guichet/guichet/internal/testutil"
	"github.com/guichet/guichet/locales"
)

var ruleNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// paris is t as a datetime-local field sends it, in Paris time.
func paris(t time.Time) string { return t.In(calendar.Paris).Format("2006-01-02T15:04") }

func TestDraftCheck(t *testing.T) {
	long := strings.Repeat("é", major.MaxTitle+1)
	codes := make([]string, major.MaxTenants+1)
	for i := range codes {
		codes[i] = fmt.Sprintf("OCB%07d", i+1)
	}
	for _, c := range []struct {
		name    string
		edit    func(d *major.Draft)
		want    []string // field:key, in order
		started time.Time
	}{
		{"complete, all tenants, start empty is now", func(d *major.Draft) {}, nil, ruleNow},
		{"tenants named", func(d *major.Draft) { d.AllTenants, d.Tenants = false, "ocb0000001, OCB0000002\nOCB0000001" }, nil, ruleNow},
		{"no French title", func(d *major.Draft) { d.TitleFR = "  " }, []string{"title_fr:major.error.title_fr_required"}, time.Time{}},
		{"no English at all", func(d *major.Draft) { d.TitleEN, d.DescriptionEN = "", "\r\n " },
			[]string{"title_en:major.error.title_en_required", "description_en:major.error.description_en_required"}, time.Time{}},
		{"no French description", func(d *major.Draft) { d.DescriptionFR = "" }, []string{"description_fr:major.error.description_fr_required"}, time.Time{}},
		{"title too long, counted in characters", func(d *major.Draft) { d.TitleEN = long }, []string{"title_en:major.error.title_too_long"}, time.Time{}},
		{"title at the limit", func(d *major.Draft) { d.TitleFR = long[:len(long)-2] }, nil, ruleNow},
		{"description too long", func(d *major.Draft) { d.DescriptionFR = strings.Repeat("x", major.MaxText+1) },
			[]string{"description_fr:major.error.text_too_long"}, time.Time{}},
		{"no service", func(d *major.Draft) { d.Services = []string{" ", ""} }, []string{"services:major.error.services_required"}, time.Time{}},
		{"an unknown service", func(d *major.Draft) { d.Services = []string{"ecs", "nova"} }, []string{"services:major.error.services_required"}, time.Time{}},
		{"no region", func(d *major.Draft) { d.Regions = nil }, []string{"regions:major.error.regions_required"}, time.Time{}},
		{"an unknown region", func(d *major.Draft) { d.Regions = []string{"eu-west-9"} }, []string{"regions:major.error.regions_required"}, time.Time{}},
		{"a Cloud Alliance region", func(d *major.Draft) { d.Regions = []string{"alliance", "eu-west-0"} }, nil, ruleNow},
		{"neither all tenants nor codes", func(d *major.Draft) { d.AllTenants, d.Tenants = false, " ,\n; " },
			[]string{"tenants:major.error.tenants_required"}, time.Time{}},
		{"too many tenants", func(d *major.Draft) { d.AllTenants, d.Tenants = false, strings.Join(codes, " ") },
			[]string{"tenants:major.error.tenants_too_many"}, time.Time{}},
		{"all tenants ignores the codes", func(d *major.Draft) { d.Tenants = strings.Join(codes, " ") }, nil, ruleNow},
		{"start two hours ago", func(d *major.Draft) { d.StartedAt = paris(ruleNow.Add(-2 * time.Hour)) }, nil, ruleNow.Add(-2 * time.Hour)},
		{"start in four minutes (clocks differ)", func(d *major.Draft) { d.StartedAt = paris(ruleNow.Add(4 * time.Minute)) }, nil, ruleNow.Add(4 * time.Minute)},
		{"start in the future", func(d *major.Draft) { d.StartedAt = paris(ruleNow.Add(10 * time.Minute)) },
			[]string{"started_at:major.error.started_future"}, time.Time{}},
		{"start 29 days ago", func(d *major.Draft) { d.StartedAt = paris(ruleNow.AddDate(0, 0, -29)) }, nil, ruleNow.AddDate(0, 0, -29)},
		{"start 31 days ago", func(d *major.Draft) { d.StartedAt = paris(ruleNow.AddDate(0, 0, -31)) },
			[]string{"started_at:major.error.started_old"}, time.Time{}},
		{"start not a date", func(d *major.Draft) { d.StartedAt = "hier matin" }, []string{"started_at:major.error.started_at"}, time.Time{}},
		{"everything wrong at once", func(d *major.Draft) { *d = major.Draft{StartedAt: "x"} }, []string{
			"title_fr:major.error.title_fr_required", "title_en:major.error.title_en_required",
			"description_fr:major.error.description_fr_required", "description_en:major.error.description_en_required",
			"services:major.error.services_required", "regions:major.error.regions_required",
			"tenants:major.error.tenants_required", "started_at:major.error.started_at"}, time.Time{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := majorDraft()
			c.edit(&d)
			started, err := d.Check(ruleNow)
			if c.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !started.Equal(c.started) || started.Location() != time.UTC {
					t.Errorf("started %v, want %v in UTC", started, c.started)
				}
				return
			}
			testutil.WantFields(t, err, c.want...)
			for _, e := range mustErrors(t, err) {
				wantError(t, e, e.Field, e.Key)
			}
		})
	}
}

func mustErrors(t *testing.T, err error) i18n.Errors {
	t.Helper()
	es, ok := i18n.AsErrors(err)
	if !ok {
		t.Fatalf("not a localized error: %v", err)
	}
	return es
}

func TestDraftCheckTrimsAndDedups(t *testing.T) {
	d := majorDraft()
	d.AllTenants, d.Tenants = false, "ocb0000002;OCB0000001 ocb0000002"
	d.TitleFR, d.DescriptionEN = "  Panne  \r\n", "Line 1\r\nLine 2 "
	d.Services, d.Regions = []string{"evs", " evs ", "ecs"}, []string{"eu-west-0", "eu-west-0"}
	if _, err := d.Check(ruleNow); err != nil {
		t.Fatal(err)
	}
	if d.TitleFR != "Panne" || d.DescriptionEN != "Line 1\nLine 2" {
		t.Errorf("trimmed to %q and %q", d.TitleFR, d.DescriptionEN)
	}
	if !reflect.DeepEqual(d.Services, []string{"evs", "ecs"}) || !reflect.DeepEqual(d.Regions, []string{"eu-west-0"}) {
		t.Errorf("services %q, regions %q", d.Services, d.Regions)
	}
	if got := d.TenantCodes(); !reflect.DeepEqual(got, []string{"OCB0000002", "OCB0000001"}) {
		t.Errorf("tenant codes %q", got)
	}
	// The title limit is in characters, and its message says both numbers.
	d.TitleEN = strings.Repeat("é", major.MaxTitle+1)
	_, err := d.Check(ruleNow)
	e := wantError(t, err, "title_en", "major.error.title_too_long")
	if e.Args["Max"] != major.MaxTitle || e.Args["Length"] != major.MaxTitle+1 {
		t.Errorf("arguments %v", e.Args)
	}
}

func TestCheckUpdate(t *testing.T) {
	for _, c := range []struct {
		name  string
		state major.State // of the major incident
		u     major.UpdateDraft
		want  []string
	}{
		{"identified", major.Investigating, major.UpdateDraft{State: "identified", BodyFR: "Cause trouvée.", BodyEN: "Cause found."}, nil},
		{"investigating again", major.Monitoring, major.UpdateDraft{State: "investigating", BodyFR: "a", BodyEN: "b"}, nil},
		{"monitoring", major.Identified, major.UpdateDraft{State: "monitoring", BodyFR: "a", BodyEN: "b"}, nil},
		{"resolving", major.Monitoring, major.UpdateDraft{State: "resolved", BodyFR: "Rétabli.", BodyEN: "Restored."}, nil},
		{"on a resolved one", major.Resolved, major.UpdateDraft{State: "monitoring", BodyFR: "a", BodyEN: "b"}, []string{":major.error.update_resolved"}},
		{"on a resolved one, even empty", major.Resolved, major.UpdateDraft{}, []string{":major.error.update_resolved"}},
		{"unknown state", major.Investigating, major.UpdateDraft{State: "closed", BodyFR: "a", BodyEN: "b"}, []string{"state:major.error.state"}},
		{"no state", major.Investigating, major.UpdateDraft{BodyFR: "a", BodyEN: "b"}, []string{"state:major.error.state"}},
		{"no French", major.Investigating, major.UpdateDraft{State: "identified", BodyFR: " \r\n", BodyEN: "b"}, []string{"body_fr:major.error.body_fr_required"}},
		{"no English", major.Investigating, major.UpdateDraft{State: "identified", BodyFR: "a"}, []string{"body_en:major.error.body_en_required"}},
		{"English too long", major.Investigating, major.UpdateDraft{State: "identified", BodyFR: "a", BodyEN: strings.Repeat("b", major.MaxText+1)},
			[]string{"body_en:major.error.text_too_long"}},
		{"nothing", major.Identified, major.UpdateDraft{}, []string{"state:major.error.state", "body_fr:major.error.body_fr_required", "body_en:major.error.body_en_required"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := &major.Major{ID: 3, State: c.state}
			err := major.CheckUpdate(m, &c.u)
			if c.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			testutil.WantFields(t, err, c.want...)
			for _, e := range mustErrors(t, err) {
				wantError(t, e, e.Field, e.Key)
			}
		})
	}
	u := major.UpdateDraft{State: "identified", BodyFR: " Trouvé \r\n", BodyEN: "\tFound "}
	if err := major.CheckUpdate(&major.Major{State: major.Investigating}, &u); err != nil || u.BodyFR != "Trouvé" || u.BodyEN != "Found" {
		t.Errorf("trimmed to %q, %q (%v)", u.BodyFR, u.BodyEN, err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestCheckLink(t *testing.T) {
	const field = "numbers"
	active := &major.Major{ID: 7, State: major.Identified, TenantIDs: []int64{1, 2}}
	everyone := &major.Major{ID: 7, State: major.Monitoring, AllTenants: true}
	resolved := &major.Major{ID: 7, State: major.Resolved, AllTenants: true}
	inc := func(tenant int64, s incident.Status, majorID *int64) *incident.Incident {
		return &incident.Incident{ID: 42, TenantID: tenant, TenantCode: fmt.Sprintf("OCB%07d", tenant), Status: s, MajorID: majorID}
	}
	for _, c := range []struct {
		name string
		m    *major.Major
		inc  *incident.Incident
		key  string
		args map[string]any
	}{
		{"new, concerned tenant", active, inc(1, incident.New, nil), "", nil},
		{"in progress", active, inc(2, incident.InProgress, nil), "", nil},
		{"waiting for the customer", active, inc(2, incident.PendingCustomer, nil), "", nil},
		{"any tenant when it concerns all", everyone, inc(99, incident.New, nil), "", nil},
		{"resolved major incident", resolved, inc(1, incident.New, nil), "major.error.link_resolved", nil},
		{"linked twice", active, inc(1, incident.New, ptr(int64(7))), "major.error.link_twice", map[string]any{"Number": "INC0000042"}},
		{"linked to another", active, inc(1, incident.New, ptr(int64(3))), "major.error.link_other",
			map[string]any{"Number": "INC0000042", "Major": "MAJ0000003"}},
		{"tenant not concerned", active, inc(3, incident.New, nil), "major.error.link_tenant",
			map[string]any{"Number": "INC0000042", "Tenant": "OCB0000003"}},
		{"resolved incident", active, inc(1, incident.Resolved, nil), "major.error.link_not_open", map[string]any{"Number": "INC0000042"}},
		{"closed incident", everyone, inc(1, incident.Closed, nil), "major.error.link_not_open", nil},
		{"cancelled incident", everyone, inc(1, incident.Cancelled, nil), "major.error.link_not_open", nil},
		// The first refusal that applies is the one said.
		{"resolved before twice", resolved, inc(1, incident.New, ptr(int64(7))), "major.error.link_resolved", nil},
		{"another before the tenant", active, inc(3, incident.Closed, ptr(int64(3))), "major.error.link_other", nil},
		{"the tenant before the state", active, inc(3, incident.Closed, nil), "major.error.link_tenant", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := major.CheckLink(c.m, c.inc, field)
			if c.key == "" {
				if e != nil {
					t.Fatalf("refused: %v", e)
				}
				return
			}
			got := wantError(t, e, field, c.key)
			for k, v := range c.args {
				if got.Args[k] != v {
					t.Errorf("argument %s = %v, want %v", k, got.Args[k], v)
				}
			}
		})
	}
}

func TestCheckUnlink(t *testing.T) {
	m := &major.Major{ID: 7, State: major.Resolved}
	for _, c := range []struct {
		name    string
		majorID *int64
		ok      bool
	}{{"linked to it (even resolved)", ptr(int64(7)), true}, {"not linked", nil, false}, {"linked to another", ptr(int64(8)), false}} {
		e := major.CheckUnlink(m, &incident.Incident{ID: 5, MajorID: c.majorID})
		if c.ok != (e == nil) {
			t.Errorf("%s: %v", c.name, e)
		}
		if !c.ok {
			if got := wantError(t, e, "", "major.error.unlink_not_linked"); got.Args["Number"] != "INC0000005" {
				t.Errorf("%s: arguments %v", c.name, got.Args)
			}
		}
	}
}

func TestResolvesLinked(t *testing.T) {
	want := map[incident.Status]bool{incident.New: true, incident.InProgress: true, incident.PendingCustomer: true,
		incident.Resolved: false, incident.Closed: false, incident.Cancelled: false}
	if len(want) != len(incident.Statuses) {
		t.Fatalf("the table misses a state of %v", incident.Statuses)
	}
	for _, s := range incident.Statuses {
		if got := major.ResolvesLinked(s); got != want[s] {
			t.Errorf("ResolvesLinked(%s) = %v, want %v", s, got, want[s])
		}
		// Resolving does what linking allows: exactly the open incidents.
		if got := major.ResolvesLinked(s); got != (&incident.Incident{Status: s}).IsOpen() {
			t.Errorf("ResolvesLinked(%s) = %v but IsOpen says otherwise", s, got)
		}
	}
}

func TestMayManage(t *testing.T) {
	want := map[identity.Kind]bool{identity.Customer: false, identity.Agent: true, identity.Sales: false, identity.Admin: true, "": false, "robot": false}
	for k, ok := range want {
		if major.MayManage(k) != ok {
			t.Errorf("MayManage(%q) = %v", k, !ok)
		}
	}
	for _, k := range identity.Kinds {
		if _, listed := want[k]; !listed {
			t.Errorf("kind %q is not in the table", k)
		}
	}
}

func TestParseNumber(t *testing.T) {
	for _, c := range []struct {
		in string
		id int64
	}{
		{"MAJ0000007", 7}, {"maj7", 7}, {"Maj0001234", 1234}, {"MAJ9999999", 9999999}, {"MAJ12345678", 12345678},
		{"MAJ0", 0}, {"MAJ-1", 0}, {"MAJ+1", 0}, {"MAJ", 0}, {"", 0}, {"MA", 0}, {"INC0000007", 0}, {"MAJ7a", 0},
		{"MAJ 7", 0}, {" MAJ7", 0}, {"MAJ99999999999999999999", 0}, {"MAJ٣", 0}, {"MAJ0x10", 0},
	} {
		id, ok := major.ParseNumber(c.in)
		if ok != (c.id != 0) || id != c.id {
			t.Errorf("ParseNumber(%q) = %d, %v; want %d", c.in, id, ok, c.id)
		}
	}
	for _, id := range []int64{1, 7, 1234567, 9999999, 10000000} {
		if got, ok := major.ParseNumber(major.Number(id)); !ok || got != id {
			t.Errorf("%s reads back as %d, %v", major.Number(id), got, ok)
		}
	}
	if major.Number(7) != "MAJ0000007" || (&major.Major{ID: 42}).Number() != "MAJ0000042" {
		t.Errorf("numbers %s, %s", major.Number(7), (&major.Major{ID: 42}).Number())
	}
}

func TestParseNumbers(t *testing.T) {
	many := make([]string, major.MaxNumbers+1)
	for i := range many {
		many[i] = incident.Number(int64(i + 1))
	}
	for _, c := range []struct {
		name, in string
		ids      []int64
		key      string
		word     string
	}{
		{"one", "INC0000042", []int64{42}, "", ""},
		{"separators and case", "inc1, INC0000002;INC3\r\nINC4\tinc5 ", []int64{1, 2, 3, 4, 5}, "", ""},
		{"each once, however written", "INC0000001 inc1 INC1", []int64{1}, "", ""},
		{"order kept", "INC9 INC3 INC7", []int64{9, 3, 7}, "", ""},
		{"at the limit", strings.Join(many[:major.MaxNumbers], " "), nil, "", ""},
		{"the same one many times", strings.Repeat("INC1 ", 5000), []int64{1}, "", ""},
		{"nothing", "", nil, "major.error.numbers_required", ""},
		{"only separators", " ,;\n", nil, "major.error.numbers_required", ""},
		{"too many", strings.Join(many, ","), nil, "major.error.numbers_too_many", ""},
		{"a word", "INC1 panne", nil, "major.error.number_bad", "panne"},
		{"a major incident's number", "MAJ0000001", nil, "major.error.number_bad", "MAJ0000001"},
		{"a signed number", "INC+1", nil, "major.error.number_bad", "INC+1"},
		{"zero", "INC0", nil, "major.error.number_bad", "INC0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ids, err := major.ParseNumbers("numbers", c.in)
			if c.key != "" {
				e := wantError(t, err, "numbers", c.key)
				if c.word != "" && e.Args["Word"] != c.word {
					t.Errorf("word %v, want %q", e.Args["Word"], c.word)
				}
				if ids != nil {
					t.Errorf("ids %v with an error", ids)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.ids != nil && !reflect.DeepEqual(ids, c.ids) {
				t.Errorf("ids %v, want %v", ids, c.ids)
			}
			if c.ids == nil && len(ids) != major.MaxNumbers {
				t.Errorf("%d ids, want %d", len(ids), major.MaxNumbers)
			}
		})
	}
}

// A long word is shortened in the message that names it; the message is shown on a page and in
// JSON, so it must stay valid UTF-8 whatever the word's characters.
func TestParseNumbersShortensALongWordOnACharacter(t *testing.T) {
	for _, word := range []string{strings.Repeat("x", 60), strings.Repeat("é", 40), strings.Repeat("€", 20), "INC" + strings.Repeat("😀", 20)} {
		_, err := major.ParseNumbers("numbers", word)
		e := wantError(t, err, "numbers", "major.error.number_bad")
		got, _ := e.Args["Word"].(string)
		if !utf8.ValidString(got) {
			t.Errorf("%q is named %q, which is not valid UTF-8", word, got)
		}
		if utf8.RuneCountInString(got) > 41 {
			t.Errorf("%q is named whole: %q", word, got)
		}
	}
}

func TestMatchesAndConcerns(t *testing.T) {
	m := &major.Major{Services: "ecs evs", Regions: "eu-west-0 alliance", TenantIDs: []int64{4, 9}}
	for _, c := range []struct {
		service, region string
		want            bool
	}{
		{"ecs", "eu-west-0", true}, {"evs", "alliance", true}, {"evs", "eu-west-0", true},
		{"ecs", "eu-west-1", false}, {"vpc", "eu-west-0", false}, {"vpc", "na-east-0", false},
		{"ec", "eu-west-0", false}, {"ecs", "eu-west", false}, {"", "", false}, {"ecs evs", "eu-west-0", false},
	} {
		if got := m.Matches(c.service, c.region); got != c.want {
			t.Errorf("Matches(%q, %q) = %v", c.service, c.region, got)
		}
	}
	for _, c := range []struct {
		tenant int64
		want   bool
	}{{4, true}, {9, true}, {5, false}, {0, false}} {
		if got := m.Concerns(c.tenant); got != c.want {
			t.Errorf("Concerns(%d) = %v", c.tenant, got)
		}
	}
	all := &major.Major{AllTenants: true}
	if !all.Concerns(5) || !all.Concerns(123456) {
		t.Error("a major incident of every tenant does not concern them all")
	}
	if none := (&major.Major{}); none.Concerns(4) || none.Matches("ecs", "eu-west-0") {
		t.Error("an empty major incident concerns or matches something")
	}
}

func TestStatesAndLanguages(t *testing.T) {
	if !reflect.DeepEqual(major.States, []major.State{major.Investigating, major.Identified, major.Monitoring, major.Resolved}) {
		t.Errorf("states %v", major.States)
	}
	bundleOnce.Do(func() { bundle, bundleErr = i18n.Load(locales.FS) })
	if bundleErr != nil {
		t.Fatal(bundleErr)
	}
	for _, s := range major.States {
		if !s.Valid() {
			t.Errorf("%s is not valid", s)
		}
		// The keys a state is shown with: its name, and the event on each linked incident's timeline.
		for _, key := range []string{s.Key(), major.IncidentUpdate + "." + string(s)} {
			for _, lang := range i18n.Langs {
				if !bundle.Has(lang, key) {
					t.Errorf("%s has no message in %s", key, lang)
				}
			}
		}
	}
	for _, s := range []major.State{"", "closed", "Resolved"} {
		if s.Valid() {
			t.Errorf("%q is valid", s)
		}
	}
	for _, key := range []string{major.EventOpened, major.EventEdited, major.EventState, major.EventLinked, major.EventUnlinked,
		major.IncidentLinked, major.IncidentUnlinked} {
		for _, lang := range i18n.Langs {
			if !bundle.Has(lang, key) {
				t.Errorf("%s has no message in %s", key, lang)
			}
		}
	}
	m := &major.Major{TitleFR: "Panne", TitleEN: "Outage", DescriptionFR: "Détails", DescriptionEN: "Details"}
	u := &major.Update{BodyFR: "Rétabli", BodyEN: "Restored"}
	for _, c := range []struct{ lang, title, desc, body string }{
		{"fr", "Panne", "Détails", "Rétabli"}, {"en", "Outage", "Details", "Restored"}, {"", "Outage", "Details", "Restored"},
	} {
		if m.Title(c.lang) != c.title || m.Description(c.lang) != c.desc || u.Body(c.lang) != c.body {
			t.Errorf("%q: %q, %q, %q", c.lang, m.Title(c.lang), m.Description(c.lang), u.Body(c.lang))
		}
	}
}
