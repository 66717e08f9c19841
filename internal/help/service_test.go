package help_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/demo"
	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
)

var password = help.Input{Category: help.Account, Visibility: help.Customers, State: help.Published,
	TitleFR: "Réinitialiser un mot de passe oublié",
	BodyFR:  "Sur l’écran de connexion, choisissez **Mot de passe oublié** : un lien vous est envoyé par e-mail.",
	TitleEN: "Reset a forgotten password",
	BodyEN:  "On the sign-in page, choose **Forgot password**: a link is sent to you by e-mail."}

// Each save keeps a version; the article is published the first time it is saved published,
// and keeps that date; it is changed only at the version it was read at.
func TestCreateUpdateKeepVersions(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice, admin := f.actor("Alice.Agent"), f.actor("admin")
	t0 := f.now
	draft := password
	draft.State, draft.BodyEN = help.Draft, ""
	a, err := f.svc.Create(ctx, alice, draft, 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.Version != 1 || a.State != help.Draft || a.PublishedAt != nil || a.AuthorID != alice.UserID || a.EditorID != alice.UserID ||
		a.AuthorName != "Alice Agent" || a.IncidentID != nil || !a.CreatedAt.Equal(t0) || a.Seq != f.seq() || a.TitleFR != password.TitleFR {
		t.Fatalf("created %+v", a)
	}

	f.now = t0.Add(time.Hour)
	if a, err = f.svc.Update(ctx, admin, a.ID, 1, password); err != nil {
		t.Fatal(err)
	}
	published := f.now
	if a.Version != 2 || a.State != help.Published || a.PublishedAt == nil || !a.PublishedAt.Equal(published) ||
		a.AuthorID != alice.UserID || a.EditorID != admin.UserID || a.EditorName != "Admin Guichet" || !a.UpdatedAt.Equal(published) ||
		!a.CreatedAt.Equal(t0) || a.BodyEN != password.BodyEN {
		t.Fatalf("published %+v", a)
	}
	// Back to draft, then published again: the first publication's date stays.
	f.now = t0.Add(2 * time.Hour)
	if a, err = f.svc.Update(ctx, alice, a.ID, 2, draft); err != nil {
		t.Fatal(err)
	}
	f.now = t0.Add(3 * time.Hour)
	if a, err = f.svc.Update(ctx, alice, a.ID, 3, password); err != nil {
		t.Fatal(err)
	}
	if a.Version != 4 || a.PublishedAt == nil || !a.PublishedAt.Equal(published) || a.State != help.Published {
		t.Fatalf("republished %+v", a)
	}

	// A form read at an older version is stale, and writes nothing.
	seq := f.seq()
	changed := password
	changed.TitleFR = "Titre écrit sur une page périmée"
	if _, err := f.svc.Update(ctx, admin, a.ID, 2, changed); !errors.Is(err, apperr.ErrStale) {
		t.Fatalf("stale update: %v", err)
	}
	if _, err := f.svc.Update(ctx, admin, a.ID, 5, changed); !errors.Is(err, apperr.ErrStale) {
		t.Fatalf("update at a future version: %v", err)
	}
	if _, err := f.svc.Update(ctx, admin, 999999, 1, changed); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("update of a missing article: %v", err)
	}
	if got := f.read(a.ID); got.Version != 4 || got.TitleFR != password.TitleFR || f.seq() != seq || f.count("help_versions") != 4 {
		t.Errorf("after stale updates: %+v, seq %d→%d", got, seq, f.seq())
	}

	vs, err := f.svc.Versions(ctx, alice, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var numbers []int
	var states []help.State
	for _, v := range vs {
		numbers, states = append(numbers, v.Version), append(states, v.State)
	}
	if !slices.Equal(numbers, []int{4, 3, 2, 1}) || !slices.Equal(states, []help.State{help.Published, help.Draft, help.Published, help.Draft}) {
		t.Fatalf("versions %v %v", numbers, states)
	}
	if vs[2].EditorID != admin.UserID || vs[2].EditorName != "Admin Guichet" || !vs[2].CreatedAt.Equal(published) || vs[3].EditorName != "Alice Agent" ||
		vs[3].BodyEN != "" || vs[2].BodyEN != password.BodyEN {
		t.Errorf("versions %+v", vs)
	}
	v, err := f.svc.VersionOf(ctx, admin, a.ID, 1)
	if err != nil || v.Version != 1 || v.State != help.Draft || v.TitleEN != password.TitleEN || v.Article().ID != a.ID {
		t.Errorf("version 1: %+v, %v", v, err)
	}
	if _, err := f.svc.VersionOf(ctx, admin, a.ID, 9); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("version 9: %v", err)
	}
	if _, err := f.svc.Versions(ctx, admin, 999999); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("versions of a missing article: %v", err)
	}
	// One row a save, of this article.
	var n int
	if err := f.a.DB.NewRaw("SELECT count(*) FROM help_versions WHERE article_id = ?", a.ID).Scan(ctx, &n); err != nil || n != 4 {
		t.Errorf("%d versions, %v", n, err)
	}

	// Created published, it is published at once.
	f.now = t0.Add(4 * time.Hour)
	b := f.create("admin", help.Input{Category: help.Cloud, Visibility: help.Public, State: help.Published, TitleEN: "Regions", BodyEN: "Paris, Amsterdam."})
	if b.PublishedAt == nil || !b.PublishedAt.Equal(f.now) || b.Version != 1 || b.TitleFR != "" || b.AuthorName != "Admin Guichet" {
		t.Errorf("created published: %+v", b)
	}
}

// Refused input, at creation or at an update, writes nothing: no article, no version, no write
// number.
func TestRefusedInputWritesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice := f.actor("Alice.Agent")
	a := f.create("Alice.Agent", password)
	articles, versions, seq := f.count("help_articles"), f.count("help_versions"), f.seq()
	for _, tc := range []struct {
		name       string
		in         func(in *help.Input)
		field, key string
	}{
		{"script", func(in *help.Input) { in.BodyFR = "<script>alert(1)</script>" }, "body_fr", "help.error.html"},
		{"javascript link", func(in *help.Input) { in.BodyEN = "[x](javascript:alert(1))" }, "body_en", "help.error.link"},
		{"image", func(in *help.Input) { in.BodyEN = "![a](https://x/y.png)" }, "body_en", "help.error.image"},
		{"a megabyte", func(in *help.Input) { in.BodyFR = strings.Repeat("a", 1<<20) }, "body_fr", "help.error.body_too_long"},
		{"title too long", func(in *help.Input) { in.TitleFR = fmt.Sprintf("%0201d", 0) }, "title_fr", "help.error.title_too_long"},
		{"no title", func(in *help.Input) { in.TitleFR, in.TitleEN = "", "" }, "title_fr", "help.error.title_required"},
		{"unknown category", func(in *help.Input) { in.Category = "billing" }, "category", "help.error.category"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := password
			tc.in(&in)
			_, err := f.svc.Create(ctx, alice, in, 0)
			if err == nil {
				t.Fatal("created")
			}
			if tc.field != "" {
				wantField(t, err, tc.field, tc.key)
			}
			in = password
			tc.in(&in)
			_, err = f.svc.Update(ctx, alice, a.ID, 1, in)
			if err == nil {
				t.Fatal("updated")
			}
			if tc.field != "" {
				wantField(t, err, tc.field, tc.key)
			}
			if got := f.read(a.ID); got.Version != 1 || got.BodyFR != password.BodyFR || got.TitleFR != password.TitleFR || got.Category != password.Category {
				t.Errorf("the article changed: %+v", got)
			}
			if f.count("help_articles") != articles || f.count("help_versions") != versions || f.seq() != seq {
				t.Errorf("rows written: %d articles, %d versions, seq %d", f.count("help_articles"), f.count("help_versions"), f.seq())
			}
		})
	}
	// A NUL-only body is cleaned to nothing: a published title without body is refused.
	in := password
	in.BodyFR = "\x00\x00"
	wantField(t, func() error { _, err := f.svc.Create(ctx, alice, in, 0); return err }(), "body_fr", "help.error.body_required")
}

// Only agents and admins write articles, read versions, or link articles in replies: anyone
// else is answered as if the article did not exist, and nothing is written.
func TestOnlyWritersWrite(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	a := f.create("Alice.Agent", password)
	inc := f.resolve(f.declare("Marie.Dupont", "OCB0000001", "Instance injoignable"), "Redémarrée.")
	articles, versions := f.count("help_articles"), f.count("help_versions")
	for _, login := range []string{"Marie.Dupont", "John.Doe", "Sophie.Commerciale", ""} {
		actor := anonymous
		if login != "" {
			actor = f.actor(login)
		}
		if help.Writer(actor) {
			t.Errorf("%q writes", login)
		}
		_, err := f.svc.Create(ctx, actor, password, 0)
		wantNotFound(t, login+" creates", err)
		_, err = f.svc.Update(ctx, actor, a.ID, 1, password)
		wantNotFound(t, login+" updates", err)
		_, err = f.svc.Versions(ctx, actor, a.ID)
		wantNotFound(t, login+" lists versions", err)
		_, err = f.svc.VersionOf(ctx, actor, a.ID, 1)
		wantNotFound(t, login+" reads a version", err)
		_, err = f.svc.FromIncident(ctx, actor, inc.ID)
		wantNotFound(t, login+" writes from an incident", err)
		_, err = f.svc.Linkable(ctx, actor, a.ID)
		wantNotFound(t, login+" links", err)
		_, err = f.svc.LinkSearch(ctx, actor, "fr", "passe", 5)
		wantNotFound(t, login+" searches links", err)
		_, _, err = f.svc.ForReply(ctx, actor, a.ID, inc.ID)
		wantNotFound(t, login+" links in a reply", err)
		_, _, err = f.svc.StaffList(ctx, actor, "fr", help.StaffFilter{}, paging.Page{})
		wantNotFound(t, login+" lists for staff", err)
	}
	if f.count("help_articles") != articles || f.count("help_versions") != versions || f.read(a.ID).Version != 1 {
		t.Errorf("written by someone who does not write")
	}
	for _, login := range []string{"Alice.Agent", "admin"} {
		if !help.Writer(f.actor(login)) {
			t.Errorf("%s does not write", login)
		}
	}
}

// visibilityDesk is a desk with one article of each kind, all of category cloud and about a
// region failover.
type visibilityDesk struct {
	f                                 *fixture
	public, customers, staff          *help.Article
	draft, staffDraft, customersDraft *help.Article
	other                             *help.Article // a public article of another category
	ids                               map[string][]int64
}

func newVisibilityDesk(t *testing.T) *visibilityDesk {
	f := newFixture(t)
	d := &visibilityDesk{f: f}
	mk := func(v help.Visibility, s help.State, c help.Category, what string) *help.Article {
		return f.create("Alice.Agent", help.Input{Category: c, Visibility: v, State: s,
			TitleFR: "Bascule de région " + what, BodyFR: "Pour basculer une région, ouvrez la console. " + what,
			TitleEN: "Region failover " + what, BodyEN: "To fail a region over, open the console. " + what})
	}
	d.public = mk(help.Public, help.Published, help.Cloud, "publique")
	d.customers = mk(help.Customers, help.Published, help.Cloud, "clients")
	d.staff = mk(help.Staff, help.Published, help.Cloud, "équipe")
	d.draft = mk(help.Public, help.Draft, help.Cloud, "brouillon")
	d.staffDraft = mk(help.Staff, help.Draft, help.Cloud, "brouillon équipe")
	d.customersDraft = mk(help.Customers, help.Draft, help.Account, "brouillon clients")
	d.other = mk(help.Public, help.Published, help.General, "générale")
	return d
}

// A staff article and a draft never reach a customer nor a visitor, an article for customers
// never reaches a visitor, whatever the way: search, suggestion, category, counts, related
// articles, list, or the article itself. Staff read every published article; writers open
// drafts.
func TestVisibility(t *testing.T) {
	d := newVisibilityDesk(t)
	f := d.f
	ctx := t.Context()
	sorted := func(as ...*help.Article) []int64 {
		out := make([]int64, len(as))
		for i, a := range as {
			out[i] = a.ID
		}
		slices.Sort(out)
		return out
	}
	without := func(ids []int64, id int64) []int64 {
		return slices.DeleteFunc(slices.Clone(ids), func(x int64) bool { return x == id })
	}
	for _, tc := range []struct {
		who    string
		login  string
		reads  []*help.Article // published articles they may read
		opens  []*help.Article // articles Get gives them
		counts map[help.Category]int
	}{
		{"visitor", "", []*help.Article{d.public, d.other}, []*help.Article{d.public, d.other},
			map[help.Category]int{help.Cloud: 1, help.General: 1}},
		{"customer", "Marie.Dupont", []*help.Article{d.public, d.customers, d.other}, []*help.Article{d.public, d.customers, d.other},
			map[help.Category]int{help.Cloud: 2, help.General: 1}},
		{"customer with one right", "John.Doe", []*help.Article{d.public, d.customers, d.other}, []*help.Article{d.public, d.customers, d.other},
			map[help.Category]int{help.Cloud: 2, help.General: 1}},
		{"sales", "Sophie.Commerciale", []*help.Article{d.public, d.customers, d.staff, d.other},
			[]*help.Article{d.public, d.customers, d.staff, d.other}, map[help.Category]int{help.Cloud: 3, help.General: 1}},
		{"agent", "Alice.Agent", []*help.Article{d.public, d.customers, d.staff, d.other},
			[]*help.Article{d.public, d.customers, d.staff, d.other, d.draft, d.staffDraft, d.customersDraft},
			map[help.Category]int{help.Cloud: 3, help.General: 1}},
		{"admin", "admin", []*help.Article{d.public, d.customers, d.staff, d.other},
			[]*help.Article{d.public, d.customers, d.staff, d.other, d.draft, d.staffDraft, d.customersDraft},
			map[help.Category]int{help.Cloud: 3, help.General: 1}},
	} {
		t.Run(tc.who, func(t *testing.T) {
			actor := anonymous
			if tc.login != "" {
				actor = f.actor(tc.login)
			}
			want := sorted(tc.reads...)
			for _, lang := range []string{"fr", "en"} {
				for _, q := range []string{"bascule région", "region failover", "console", "brouillon"} {
					hits, err := f.svc.Search(ctx, actor, lang, q, 100)
					if err != nil {
						t.Fatal(err)
					}
					got := hitIDs(hits)
					if q == "brouillon" {
						if len(got) != 0 {
							t.Errorf("Search(%s, %q) = %v: drafts found", lang, q, got)
						}
						continue
					}
					if !slices.Equal(got, want) {
						t.Errorf("Search(%s, %q) = %v, want %v", lang, q, got, want)
					}
				}
				hits, err := f.svc.Suggest(ctx, actor, lang, "Bascule de région impossible")
				if err != nil {
					t.Fatal(err)
				}
				if got := hitIDs(hits); !slices.Equal(got, want) {
					t.Errorf("Suggest(%s) = %v, want %v", lang, got, want)
				}
				hits, err = f.svc.Category(ctx, actor, lang, help.Cloud)
				if err != nil {
					t.Fatal(err)
				}
				if got := hitIDs(hits); !slices.Equal(got, without(want, d.other.ID)) {
					t.Errorf("Category(%s, cloud) = %v, want %v", lang, got, without(want, d.other.ID))
				}
				hits, err = f.svc.List(ctx, actor, lang)
				if err != nil {
					t.Fatal(err)
				}
				if got := hitIDs(hits); !slices.Equal(got, want) {
					t.Errorf("List(%s) = %v, want %v", lang, got, want)
				}
				for _, from := range []*help.Article{d.public, d.staff, d.draft} {
					hits, err = f.svc.Related(ctx, actor, from, lang, 100)
					if err != nil {
						t.Fatal(err)
					}
					if got := hitIDs(hits); !slices.Equal(got, without(want, from.ID)) {
						t.Errorf("Related(%s, %d) = %v, want %v", lang, from.ID, got, without(want, from.ID))
					}
				}
			}
			counts, err := f.svc.Counts(ctx, actor)
			if err != nil {
				t.Fatal(err)
			}
			if len(counts) != len(tc.counts) || counts[help.Cloud] != tc.counts[help.Cloud] || counts[help.General] != tc.counts[help.General] {
				t.Errorf("Counts = %v, want %v", counts, tc.counts)
			}
			opens := sorted(tc.opens...)
			for _, a := range []*help.Article{d.public, d.customers, d.staff, d.draft, d.staffDraft, d.customersDraft, d.other} {
				got, err := f.svc.Get(ctx, actor, a.ID)
				switch {
				case slices.Contains(opens, a.ID):
					if err != nil || got.ID != a.ID {
						t.Errorf("Get(%d, %s %s) = %v", a.ID, a.Visibility, a.State, err)
					}
				default:
					if !errors.Is(err, apperr.ErrNotFound) || got != nil {
						t.Errorf("Get(%d, %s %s) = %v, %v: want not found", a.ID, a.Visibility, a.State, got, err)
					}
				}
			}
			if _, err := f.svc.Get(ctx, actor, 999999); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("Get of a missing article: %v", err)
			}
			if _, err := f.svc.Category(ctx, actor, "fr", "billing"); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("an unknown category: %v", err)
			}
		})
	}
	// Readable says the same.
	for _, tc := range []struct {
		actor tenancy.Actor
		v     help.Visibility
		want  bool
	}{
		{anonymous, help.Public, true}, {anonymous, help.Customers, false}, {anonymous, help.Staff, false},
		{f.actor("Marie.Dupont"), help.Customers, true}, {f.actor("Marie.Dupont"), help.Staff, false},
		{f.actor("Sophie.Commerciale"), help.Staff, true}, {f.actor("Alice.Agent"), help.Customers, true},
	} {
		if got := help.Readable(tc.actor, tc.v); got != tc.want {
			t.Errorf("Readable(%s, %s) = %v", tc.actor.Login, tc.v, got)
		}
	}
}

// An article moved to staff only, or back to draft, leaves the customers' search at once.
func TestVisibilityFollowsUpdates(t *testing.T) {
	d := newVisibilityDesk(t)
	f := d.f
	ctx := t.Context()
	marie, alice := f.actor("Marie.Dupont"), f.actor("Alice.Agent")
	in := help.Input{Category: help.Cloud, Visibility: help.Staff, State: help.Published, TitleFR: d.customers.TitleFR,
		BodyFR: d.customers.BodyFR, TitleEN: d.customers.TitleEN, BodyEN: d.customers.BodyEN}
	if _, err := f.svc.Update(ctx, alice, d.customers.ID, 1, in); err != nil {
		t.Fatal(err)
	}
	in.Visibility = help.Public
	in.State = help.Draft
	if _, err := f.svc.Update(ctx, alice, d.public.ID, 1, in); err != nil {
		t.Fatal(err)
	}
	hits, err := f.svc.Search(ctx, marie, "fr", "bascule", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(hits); !slices.Equal(got, []int64{d.other.ID}) {
		t.Errorf("after the updates, Marie finds %v", got)
	}
	if _, err := f.svc.Get(ctx, marie, d.customers.ID); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("Marie opens an article now for staff: %v", err)
	}
}

// Words are found in any case and with or without accents, in both languages: the reader's
// language first, an article written only in the other shown in it.
func TestSearchBothLanguages(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	pw := f.publish(password.Category, help.Public, password.TitleFR, password.BodyFR, password.TitleEN, password.BodyEN)
	vcpu := f.publish(help.Cloud, help.Public, "Augmenter les quotas de vCPU",
		"Les quotas de vCPU d’un tenant s’augmentent par une **demande de changement**, traitée sous deux jours ouvrés.", "", "")
	network := f.publish(help.Cloud, help.Public, "", "", "Increase the network quota",
		"Network quotas are raised through a change request.")
	vpn := f.publish(help.Cloud, help.Public, "Réseaux privés virtuels", "Un réseau privé relie vos instances.",
		"Virtual private networks", "A private network links your instances.")
	marie, john := f.actor("Marie.Dupont"), f.actor("John.Doe")
	search := func(actor tenancy.Actor, lang, q string) []help.Hit {
		t.Helper()
		hits, err := f.svc.Search(ctx, actor, lang, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		return hits
	}
	// « QUOTA »: the French reader gets the French article first, then the English one, shown in
	// English; the English reader the other way round.
	fr := search(marie, "fr", "QUOTA")
	if len(fr) != 2 || fr[0].ID != vcpu.ID || fr[0].Lang != "fr" || fr[1].ID != network.ID || fr[1].Lang != "en" ||
		fr[1].Title != "Increase the network quota" {
		t.Errorf("French reader, QUOTA: %+v", fr)
	}
	en := search(john, "en", "quotas")
	if len(en) != 2 || en[0].ID != network.ID || en[0].Lang != "en" || en[1].ID != vcpu.ID || en[1].Lang != "fr" ||
		en[1].Title != "Augmenter les quotas de vCPU" {
		t.Errorf("English reader, quotas: %+v", en)
	}
	for _, tc := range []struct {
		actor tenancy.Actor
		lang  string
		q     string
		want  []int64
		title string // of the first hit
	}{
		{marie, "fr", "mot de passe oublie", []int64{pw.ID}, password.TitleFR},
		{marie, "fr", "MOT DE PASSE OUBLIÉ", []int64{pw.ID}, password.TitleFR},
		{john, "en", "mot de passe", []int64{pw.ID}, password.TitleEN},
		{john, "en", "forgot password", []int64{pw.ID}, password.TitleEN},
		{marie, "fr", "reseaux", []int64{vpn.ID}, "Réseaux privés virtuels"},
		{marie, "fr", "RÉSEAU", []int64{vpn.ID}, "Réseaux privés virtuels"},
		{john, "en", "réseau privé", []int64{vpn.ID}, "Virtual private networks"},
		{marie, "fr", "networks", []int64{network.ID, vpn.ID}, ""},
		{marie, "fr", "vcpu", []int64{vcpu.ID}, "Augmenter les quotas de vCPU"},
		{marie, "fr", "vcp", nil, ""},
		{marie, "fr", "pass", nil, ""},
		{john, "en", "passwor", nil, ""},
	} {
		hits := search(tc.actor, tc.lang, tc.q)
		if got := hitIDs(hits); !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("%s searching %q: %v, want %v", tc.lang, tc.q, got, tc.want)
			continue
		}
		if tc.title != "" && hits[0].Title != tc.title {
			t.Errorf("%s searching %q: %+v, want the title %q", tc.lang, tc.q, hits[0], tc.title)
		}
	}
	// A suggestion keeps the close answers only.
	hits, err := f.svc.Suggest(ctx, marie, "fr", "J’ai oublié mon mot de passe")
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].ID != pw.ID || hits[0].Excerpt == "" {
		t.Errorf("Suggest = %+v", hits)
	}
}

// Two instances on one database: an article written by one is found by the other at its next
// read when it looks at every read, and after its window when it trusts its index longer.
func TestTwoInstances(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	open := func(fresh time.Duration) *help.Service {
		t.Helper()
		bdb, err := db.Open(f.a.Config.Database)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { bdb.Close() })
		return &help.Service{DB: bdb, Index: help.NewIndex(), Fresh: fresh}
	}
	eager, lazy, short := open(0), open(time.Hour), open(300*time.Millisecond)
	marie := f.actor("Marie.Dupont")
	find := func(s *help.Service, q string) []int64 {
		t.Helper()
		hits, err := s.Search(ctx, marie, "fr", q, 10)
		if err != nil {
			t.Fatal(err)
		}
		return hitIDs(hits)
	}
	for _, s := range []*help.Service{f.svc, eager, lazy, short} {
		if got := find(s, "bascule"); len(got) != 0 {
			t.Fatalf("found %v on an empty desk", got)
		}
	}
	shortChecked := time.Now()
	a := f.publish(help.Cloud, help.Customers, "Bascule de région", "Ouvrez la console.", "", "")
	if got := find(f.svc, "bascule"); !slices.Equal(got, []int64{a.ID}) {
		t.Errorf("the writer: %v", got)
	}
	if got := find(eager, "bascule"); !slices.Equal(got, []int64{a.ID}) {
		t.Errorf("the instance that looks at every read: %v", got)
	}
	if got := find(lazy, "bascule"); len(got) != 0 {
		t.Errorf("the instance trusting its index an hour found %v at once", got)
	}
	time.Sleep(time.Until(shortChecked.Add(400 * time.Millisecond)))
	if got := find(short, "bascule"); !slices.Equal(got, []int64{a.ID}) {
		t.Errorf("the instance trusting its index 300 ms, after 400 ms: %v", got)
	}

	// Changed by the other instance, the article is found by its new words on the first one, and
	// no longer by its old ones.
	in := help.Input{Category: help.Cloud, Visibility: help.Customers, State: help.Published, TitleFR: "Reprise après sinistre",
		BodyFR: "Restaurez depuis la sauvegarde."}
	if _, err := eager.Update(ctx, f.actor("admin"), a.ID, 1, in); err != nil {
		t.Fatal(err)
	}
	if got := find(eager, "reprise"); !slices.Equal(got, []int64{a.ID}) {
		t.Errorf("the writer after its update: %v", got)
	}
	if got, old := find(f.svc, "reprise"), find(f.svc, "bascule"); !slices.Equal(got, []int64{a.ID}) || len(old) != 0 {
		t.Errorf("the first instance after the other's update: new words %v, old words %v", got, old)
	}
	if got := find(lazy, "reprise"); len(got) != 0 {
		t.Errorf("the lazy instance before its window: %v", got)
	}
	// Warm brings it up to date at once.
	if err := lazy.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	if got, old := find(lazy, "reprise"), find(lazy, "bascule"); !slices.Equal(got, []int64{a.ID}) || len(old) != 0 {
		t.Errorf("the lazy instance after Warm: new words %v, old words %v", got, old)
	}
	if lazy.Index.Seq() != f.seq() || eager.Index.Seq() != f.seq() || f.svc.Index.Seq() != f.seq() || lazy.Index.Len() != 1 {
		t.Errorf("seq: desk %d, indexes %d %d %d", f.seq(), f.svc.Index.Seq(), eager.Index.Seq(), lazy.Index.Len())
	}
}

// A fresh instance reads every article, more than a page of them, when warmed.
func TestWarmReadsEveryArticle(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	const n = 1234
	if err := demo.GenerateHelp(ctx, f.a.DB, n, f.now, func(int) {}); err != nil {
		t.Fatal(err)
	}
	a := f.publish(help.General, help.Public, "Hapax écrit après les autres", "Texte.", "", "")
	s := &help.Service{DB: f.a.DB, Index: help.NewIndex(), Fresh: time.Hour}
	if err := s.Warm(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Index.Len() != n+1 || s.Index.Seq() != f.seq() || f.seq() != n+1 {
		t.Errorf("warmed with %d articles at %d, want %d at %d", s.Index.Len(), s.Index.Seq(), n+1, f.seq())
	}
	hits, err := s.List(ctx, f.actor("admin"), "fr")
	if err != nil || len(hits) != n+1 {
		t.Errorf("%d listed, %v", len(hits), err)
	}
	if hits, err := s.Search(ctx, anonymous, "fr", "HAPAX", 5); err != nil || len(hits) != 1 || hits[0].ID != a.ID {
		t.Errorf("the last one written: %+v, %v", hits, err)
	}
}

// A view is counted for readers who are not staff, with an event in the customer's tenant; an
// article the reader may not read is not found.
func TestViewed(t *testing.T) {
	d := newVisibilityDesk(t)
	f := d.f
	ctx := t.Context()
	marie := f.actor("Marie.Dupont")
	t1 := f.tenant("OCB0000001")
	for _, login := range []string{"Alice.Agent", "Sophie.Commerciale", "admin"} {
		if err := f.svc.Viewed(ctx, f.actor(login), d.public.ID, 0); err != nil {
			t.Errorf("%s viewed: %v", login, err)
		}
	}
	if v := f.read(d.public.ID).Views; v != 0 || len(f.events(d.public.ID)) != 0 {
		t.Fatalf("staff views counted: %d", v)
	}
	if err := f.svc.Viewed(ctx, marie, d.public.ID, t1); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Viewed(ctx, anonymous, d.public.ID, 0); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Viewed(ctx, marie, d.customers.ID, t1); err != nil {
		t.Fatal(err)
	}
	if v := f.read(d.public.ID).Views; v != 2 {
		t.Errorf("%d views, want 2", v)
	}
	es := f.events(d.public.ID)
	if len(es) != 2 || es[0].Kind != help.EventView || es[0].UserID == nil || *es[0].UserID != marie.UserID ||
		es[0].TenantID == nil || *es[0].TenantID != t1 || es[1].UserID != nil || es[1].TenantID != nil || es[1].Source != "" {
		t.Errorf("events %+v", es)
	}
	for _, tc := range []struct {
		who   string
		actor tenancy.Actor
		a     *help.Article
	}{
		{"a visitor, an article for customers", anonymous, d.customers},
		{"a customer, a staff article", marie, d.staff},
		{"a customer, a draft", marie, d.draft},
		{"a visitor, a draft", anonymous, d.draft},
	} {
		wantNotFound(t, tc.who, f.svc.Viewed(ctx, tc.actor, tc.a.ID, 0))
		if v := f.read(tc.a.ID).Views; v != 0 && tc.a != d.customers {
			t.Errorf("%s: counted", tc.who)
		}
	}
	wantNotFound(t, "a missing article", f.svc.Viewed(ctx, marie, 999999, 0))
	if v := f.read(d.customers.ID).Views; v != 1 {
		t.Errorf("the customers' article: %d views, want 1", v)
	}
}

// One vote a person an article: voting the same again counts once, changing it moves the
// counters; a visitor does not vote.
func TestVote(t *testing.T) {
	d := newVisibilityDesk(t)
	f := d.f
	ctx := t.Context()
	marie, john := f.actor("Marie.Dupont"), f.actor("John.Doe")
	t1 := f.tenant("OCB0000001")
	id := d.public.ID
	figures := func() (int64, int64) {
		a := f.read(id)
		return a.Helpful, a.Unhelpful
	}
	myVote := func(actor tenancy.Actor) string {
		t.Helper()
		v, err := f.svc.MyVote(ctx, actor, id)
		if err != nil {
			t.Fatal(err)
		}
		if v == nil {
			return "none"
		}
		return fmt.Sprint(*v)
	}
	if got := myVote(marie); got != "none" {
		t.Errorf("before voting: %s", got)
	}
	for i := range 2 {
		if err := f.svc.Vote(ctx, marie, id, true, t1); err != nil {
			t.Fatal(err)
		}
		if h, u := figures(); h != 1 || u != 0 || len(f.events(id)) != 1 {
			t.Errorf("vote %d: %d helpful, %d not, %d events", i+1, h, u, len(f.events(id)))
		}
	}
	if got := myVote(marie); got != "true" {
		t.Errorf("after a helpful vote: %s", got)
	}
	if err := f.svc.Vote(ctx, marie, id, false, t1); err != nil {
		t.Fatal(err)
	}
	if h, u := figures(); h != 0 || u != 1 {
		t.Errorf("changed vote: %d helpful, %d not", h, u)
	}
	if got := myVote(marie); got != "false" {
		t.Errorf("after changing: %s", got)
	}
	if err := f.svc.Vote(ctx, john, id, true, t1); err != nil {
		t.Fatal(err)
	}
	if h, u := figures(); h != 1 || u != 1 {
		t.Errorf("a second person: %d helpful, %d not", h, u)
	}
	if got := myVote(john); got != "true" {
		t.Errorf("John: %s", got)
	}
	es := f.events(id)
	var kinds []string
	for _, e := range es {
		kinds = append(kinds, e.Kind)
	}
	// One vote event a person: Marie's changed vote replaced her first, so that the dashboard's
	// periods count each person's vote once, as the totals do.
	if !slices.Equal(kinds, []string{help.EventUnhelpful, help.EventHelpful}) || *es[0].UserID != marie.UserID ||
		*es[0].TenantID != t1 || *es[1].UserID != john.UserID {
		t.Errorf("events %+v", es)
	}
	var votes int
	if err := f.a.DB.NewRaw("SELECT count(*) FROM help_votes WHERE article_id = ?", id).Scan(ctx, &votes); err != nil || votes != 2 {
		t.Errorf("%d votes, %v", votes, err)
	}

	// A visitor does not vote, nor does staff (the figures are the customers'); nobody votes on
	// what they may not read.
	wantNotFound(t, "a visitor votes", f.svc.Vote(ctx, anonymous, id, true, 0))
	for _, login := range []string{"Alice.Agent", "Sophie.Commerciale", "admin"} {
		wantNotFound(t, login+" votes", f.svc.Vote(ctx, f.actor(login), id, false, 0))
	}
	if v, err := f.svc.MyVote(ctx, anonymous, id); v != nil || err != nil {
		t.Errorf("a visitor's vote: %v, %v", v, err)
	}
	wantNotFound(t, "a customer votes on a staff article", f.svc.Vote(ctx, marie, d.staff.ID, true, t1))
	wantNotFound(t, "a customer votes on a draft", f.svc.Vote(ctx, marie, d.draft.ID, true, t1))
	wantNotFound(t, "a vote on a missing article", f.svc.Vote(ctx, marie, 999999, true, t1))
	for _, a := range []*help.Article{d.staff, d.draft} {
		if got := f.read(a.ID); got.Helpful != 0 || len(f.events(a.ID)) != 0 {
			t.Errorf("refused votes counted on %d", a.ID)
		}
	}
	if h, u := figures(); h != 1 || u != 1 {
		t.Errorf("after refused votes: %d helpful, %d not", h, u)
	}

	// Voting back and forth, the dashboard's period counts each person's last vote, as the totals.
	for _, helpful := range []bool{true, false, true, false, true} {
		f.now = f.now.Add(time.Minute)
		if err := f.svc.Vote(ctx, marie, id, helpful, t1); err != nil {
			t.Fatal(err)
		}
	}
	fig, err := f.svc.PeriodFigures(ctx, f.actor("Alice.Agent"), "fr", f.now.Add(-24*time.Hour), f.now.Add(time.Hour), nil)
	if err != nil {
		t.Fatal(err)
	}
	if h, u := figures(); h != 2 || u != 0 || fig.Helpful != 2 || fig.Unhelpful != 0 {
		t.Errorf("after Marie's changes of mind: totals %d helpful, %d not; the period's %d and %d", h, u, fig.Helpful, fig.Unhelpful)
	}
}

// A customer giving up a declaration on an article's answer counts a deflection, an event with
// its source, and a helpful vote of theirs.
func TestDeflect(t *testing.T) {
	d := newVisibilityDesk(t)
	f := d.f
	ctx := t.Context()
	marie := f.actor("Marie.Dupont")
	t1 := f.tenant("OCB0000001")
	id := d.customers.ID
	if err := f.svc.Deflect(ctx, marie, id, help.FromIncident, t1); err != nil {
		t.Fatal(err)
	}
	a := f.read(id)
	es := f.events(id)
	if a.Deflections != 1 || a.Helpful != 1 || a.Unhelpful != 0 || len(es) != 2 ||
		es[0].Kind != help.EventDeflection || es[0].Source != help.FromIncident || *es[0].TenantID != t1 || *es[0].UserID != marie.UserID ||
		es[1].Kind != help.EventHelpful {
		t.Fatalf("after a deflection: %+v, events %+v", a, es)
	}
	if v, err := f.svc.MyVote(ctx, marie, id); err != nil || v == nil || !*v {
		t.Errorf("Marie's vote: %v, %v", v, err)
	}
	// The same answer sent again within the minute (a double click) is not another deflection.
	f.now = f.now.Add(59 * time.Second)
	if err := f.svc.Deflect(ctx, marie, id, help.FromIncident, t1); err != nil {
		t.Fatal(err)
	}
	if a, es := f.read(id), f.events(id); a.Deflections != 1 || a.Helpful != 1 || len(es) != 2 {
		t.Errorf("a deflection sent again: %+v, events %+v", a, es)
	}
	// Later, from a change: one more deflection, her vote already counted.
	f.now = f.now.Add(2 * time.Second)
	if err := f.svc.Deflect(ctx, marie, id, help.FromChange, t1); err != nil {
		t.Fatal(err)
	}
	a, es = f.read(id), f.events(id)
	if a.Deflections != 2 || a.Helpful != 1 || len(es) != 3 || es[2].Kind != help.EventDeflection || es[2].Source != help.FromChange {
		t.Errorf("a second deflection: %+v, events %+v", a, es)
	}
	// Having found it unhelpful before, the deflection turns her vote.
	if err := f.svc.Vote(ctx, marie, d.public.ID, false, t1); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Deflect(ctx, marie, d.public.ID, help.FromChange, t1); err != nil {
		t.Fatal(err)
	}
	if p := f.read(d.public.ID); p.Helpful != 1 || p.Unhelpful != 0 || p.Deflections != 1 {
		t.Errorf("a deflection after an unhelpful vote: %+v", p)
	}

	// Only from a declaration or a change.
	wantKey(t, f.svc.Deflect(ctx, marie, id, "chat", t1), "help.error.source")
	wantKey(t, f.svc.Deflect(ctx, marie, id, "", t1), "help.error.source")
	// Only customers, only on what they read.
	for _, login := range []string{"Alice.Agent", "Sophie.Commerciale", "admin", ""} {
		actor := anonymous
		if login != "" {
			actor = f.actor(login)
		}
		wantNotFound(t, login+" deflects", f.svc.Deflect(ctx, actor, d.public.ID, help.FromIncident, 0))
	}
	for _, x := range []*help.Article{d.staff, d.draft, d.customersDraft} {
		wantNotFound(t, fmt.Sprintf("deflecting article %d (%s, %s)", x.ID, x.Visibility, x.State), f.svc.Deflect(ctx, marie, x.ID, help.FromIncident, t1))
		if got := f.read(x.ID); got.Deflections != 0 || got.Helpful != 0 || len(f.events(x.ID)) != 0 {
			t.Errorf("a refused deflection counted on %d", x.ID)
		}
	}
	wantNotFound(t, "deflecting a missing article", f.svc.Deflect(ctx, marie, 999999, help.FromIncident, t1))
	if a := f.read(id); a.Deflections != 2 || len(f.events(id)) != 3 {
		t.Errorf("refused deflections counted: %+v", a)
	}
}

// An article is written from a resolved incident's resolution note, in its reporter's language;
// an incident not resolved is refused.
func TestFromIncident(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice := f.actor("Alice.Agent")
	inc := f.declare("Marie.Dupont", "OCB0000001", "Instance ecs-prod-01 injoignable")
	e := wantKey(t, func() error { _, err := f.svc.FromIncident(ctx, alice, inc.ID); return err }(), "help.error.not_resolved")
	if e.Args["Number"] != inc.Number() {
		t.Errorf("the message names %v, want %s", e.Args["Number"], inc.Number())
	}
	note := "Le groupe de sécurité bloquait le port 22 : ajoutez une règle entrante depuis la **console**."
	inc = f.resolve(inc, note)
	in, err := f.svc.FromIncident(ctx, alice, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := help.Input{Category: help.General, Visibility: help.Customers, State: help.Draft, TitleFR: inc.Title, BodyFR: note}
	if in != want {
		t.Errorf("from a French reporter's incident: %+v, want %+v", in, want)
	}
	a, err := f.svc.Create(ctx, f.actor("admin"), in, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.IncidentID == nil || *a.IncidentID != inc.ID || a.State != help.Draft || a.BodyFR != note {
		t.Errorf("written from the incident: %+v", a)
	}

	// John writes in English.
	en := f.resolve(f.declare("John.Doe", "OCB0000001", "Volume cannot be attached"), "Detach it from the stopped instance first.")
	in, err = f.svc.FromIncident(ctx, f.actor("admin"), en.ID)
	if err != nil {
		t.Fatal(err)
	}
	if in.TitleEN != "Volume cannot be attached" || in.BodyEN != "Detach it from the stopped instance first." || in.TitleFR != "" || in.BodyFR != "" {
		t.Errorf("from an English reporter's incident: %+v", in)
	}
	_, err = f.svc.FromIncident(ctx, alice, 999999)
	wantNotFound(t, "a missing incident", err)
}

// A writer links to a published article that is not for staff only; the link names the
// reporter's language when the article is written in it.
func TestLinkableAndForReply(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice := f.actor("Alice.Agent")
	both := f.publish(help.Account, help.Customers, password.TitleFR, password.BodyFR+" Votre compte reste ouvert.", password.TitleEN, password.BodyEN)
	french := f.publish(help.Account, help.Public, "Changer son adresse e-mail", "Dans **Mon compte**, modifiez l’adresse.", "", "")
	staff := f.publish(help.Account, help.Staff, "Débloquer un compte", "Dans l’administration, débloquez le compte.",
		"Unlock an account", "In the administration, unlock the account.")
	draft := f.create("Alice.Agent", help.Input{Category: help.Account, Visibility: help.Customers, State: help.Draft, TitleFR: "Compte en brouillon"})
	for _, a := range []*help.Article{both, french} {
		got, err := f.svc.Linkable(ctx, alice, a.ID)
		if err != nil || got.ID != a.ID {
			t.Errorf("Linkable(%d): %v", a.ID, err)
		}
	}
	for _, a := range []*help.Article{staff, draft} {
		_, err := f.svc.Linkable(ctx, alice, a.ID)
		wantField(t, err, "help_q", "help.error.not_linkable")
	}
	_, err := f.svc.Linkable(ctx, alice, 999999)
	wantNotFound(t, "a missing article", err)

	hits, err := f.svc.LinkSearch(ctx, alice, "fr", "compte", 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(hits); !slices.Equal(got, hitIDs([]help.Hit{{ID: both.ID}, {ID: french.ID}})) {
		t.Errorf("LinkSearch(compte) = %v, want %d and %d", got, both.ID, french.ID)
	}

	marieInc := f.declare("Marie.Dupont", "OCB0000001", "Mot de passe perdu")
	johnInc := f.declare("John.Doe", "OCB0000001", "Password lost")
	for _, tc := range []struct {
		a    *help.Article
		inc  int64
		lang string
	}{
		{both, marieInc.ID, "fr"},
		{both, johnInc.ID, "en"},
		{french, johnInc.ID, "fr"},
		{french, marieInc.ID, "fr"},
	} {
		a, lang, err := f.svc.ForReply(ctx, alice, tc.a.ID, tc.inc)
		if err != nil || a.ID != tc.a.ID || lang != tc.lang {
			t.Errorf("ForReply(%d, %d) = %v, %q, %v; want %q", tc.a.ID, tc.inc, a, lang, err, tc.lang)
		}
	}
	for _, a := range []*help.Article{staff, draft} {
		_, _, err := f.svc.ForReply(ctx, alice, a.ID, johnInc.ID)
		wantField(t, err, "help_q", "help.error.not_linkable")
	}
	_, _, err = f.svc.ForReply(ctx, alice, both.ID, 999999)
	wantNotFound(t, "a reply on a missing incident", err)
}

// The writers' list holds every article, drafts and staff ones, filtered and paged.
func TestStaffList(t *testing.T) {
	d := newVisibilityDesk(t)
	f := d.f
	ctx := t.Context()
	alice := f.actor("Alice.Agent")
	as, total, err := f.svc.StaffList(ctx, alice, "fr", help.StaffFilter{}, paging.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 7 || len(as) != 7 {
		t.Fatalf("%d of %d", len(as), total)
	}
	as, total, err = f.svc.StaffList(ctx, alice, "fr", help.StaffFilter{State: help.Draft, Category: help.Cloud}, paging.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, a := range as {
		got = append(got, a.ID)
	}
	slices.Sort(got)
	if total != 2 || !slices.Equal(got, []int64{d.draft.ID, d.staffDraft.ID}) {
		t.Errorf("cloud drafts: %v of %d", got, total)
	}
	// Pages of three, by folded title.
	want := []int64{d.draft.ID, d.customersDraft.ID, d.staffDraft.ID, d.customers.ID, d.staff.ID, d.other.ID, d.public.ID}
	var paged []int64
	for n := 1; n <= 3; n++ {
		as, total, err = f.svc.StaffList(ctx, alice, "fr", help.StaffFilter{}, paging.Page{Number: n, Size: 3})
		if err != nil || total != 7 || len(as) != min(3, 7-3*(n-1)) {
			t.Fatalf("page %d: %d of %d, %v", n, len(as), total, err)
		}
		for _, a := range as {
			paged = append(paged, a.ID)
		}
	}
	if !slices.Equal(paged, want) {
		t.Errorf("pages %v, want %v", paged, want)
	}
	as, total, err = f.svc.StaffList(ctx, alice, "fr", help.StaffFilter{Q: "équipe", Visibility: help.Staff}, paging.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || len(as) != 2 || as[0].AuthorName != "Alice Agent" {
		t.Errorf("search among staff articles: %d of %d: %+v", len(as), total, as)
	}
}

// An article is written from an incident that exists: a number that names none (a form changed
// by hand) is not found, and nothing is written.
func TestCreateFromMissingIncident(t *testing.T) {
	f := newFixture(t)
	seq := f.seq()
	_, err := f.svc.Create(t.Context(), f.actor("Alice.Agent"), password, 999999)
	wantNotFound(t, "an article from a missing incident", err)
	if f.count("help_articles") != 0 || f.count("help_versions") != 0 || f.seq() != seq {
		t.Errorf("written")
	}
}

// Related articles are those the article's title finds, its category's first, never itself.
func TestRelatedSameCategoryFirst(t *testing.T) {
	f := newFixture(t)
	from := f.publish(help.Cloud, help.Public, "Augmenter le quota de vCPU", "Par une demande de changement.", "", "")
	other := f.publish(help.Account, help.Public, "Quota de vCPU et facturation", "Le quota de vCPU est facturé.", "", "")
	same := f.publish(help.Cloud, help.Public, "Les limites du tenant", "Chaque tenant a un quota.", "", "")
	f.publish(help.Cloud, help.Public, "Sans rapport", "Rien de commun.", "", "")
	hits, err := f.svc.Related(t.Context(), anonymous, from, "fr", 5)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, h := range hits {
		got = append(got, h.ID)
	}
	if !slices.Equal(got, []int64{same.ID, other.ID}) {
		t.Errorf("Related = %v, want [%d %d]", got, same.ID, other.ID)
	}
	if hits, err = f.svc.Related(t.Context(), anonymous, from, "fr", 1); err != nil || len(hits) != 1 || hits[0].ID != same.ID {
		t.Errorf("Related, one = %+v, %v", hits, err)
	}
}

// Writers at the same time: each article write takes its own number, an instance warmed after
// them reads them all; two saves of one article at one version make one version, the other is
// stale.
func TestConcurrentWrites(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	alice, admin := f.actor("Alice.Agent"), f.actor("admin")
	const n = 8
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.Create(ctx, alice, help.Input{Category: help.General, Visibility: help.Public, State: help.Published,
				TitleFR: fmt.Sprintf("Écrit en même temps %d", i), BodyFR: "Texte."}, 0)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var seqs []int64
	if err := f.a.DB.NewRaw("SELECT seq FROM help_articles ORDER BY seq").Scan(ctx, &seqs); err != nil {
		t.Fatal(err)
	}
	if len(seqs) != n || len(slices.Compact(slices.Clone(seqs))) != n || seqs[n-1] != f.seq() {
		t.Errorf("write numbers %v, desk at %d", seqs, f.seq())
	}
	other := &help.Service{DB: f.a.DB, Index: help.NewIndex()}
	if hits, err := other.Search(ctx, anonymous, "fr", "même temps", 100); err != nil || len(hits) != n {
		t.Errorf("another instance finds %d, %v", len(hits), err)
	}

	a := f.create("Alice.Agent", password)
	results := make(chan error, 2)
	for _, actor := range []tenancy.Actor{alice, admin} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := password
			in.TitleFR = "Sauvé par " + actor.Login
			_, err := f.svc.Update(ctx, actor, a.ID, 1, in)
			results <- err
		}()
	}
	wg.Wait()
	close(results)
	var ok, stale int
	for err := range results {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, apperr.ErrStale):
			stale++
		default:
			t.Errorf("concurrent save: %v", err)
		}
	}
	var versions int
	if err := f.a.DB.NewRaw("SELECT count(*) FROM help_versions WHERE article_id = ?", a.ID).Scan(ctx, &versions); err != nil {
		t.Fatal(err)
	}
	if ok != 1 || stale != 1 || versions != 2 || f.read(a.ID).Version != 2 {
		t.Errorf("%d saved, %d stale, %d versions", ok, stale, versions)
	}
}
