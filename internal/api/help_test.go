package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/guichet/guichet/internal/help"
	"github.com/guichet/guichet/internal/testutil"
)

// helpItem is an article as the API's lists give it.
type helpItem struct {
	ID                             int64
	Category, Lang, Title, Excerpt string
	URL                            string
}

// helpList gets path and returns its items, failing unless the answer is 200.
func helpList(t *testing.T, c *testutil.APIClient, path string) []helpItem {
	t.Helper()
	r := c.Get(path)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	var out struct{ Items []helpItem }
	r.JSON(t, &out)
	return out.Items
}

// helpIDs are the items' ids, in order.
func helpIDs(items []helpItem) []int64 {
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}

// The help center through the API: a customer's token lists, searches, is suggested and reads
// only the published articles for customers and everyone; a staff-only article or a draft is
// never in their answers, and opening one is a 404, as for an article that does not exist.
// Agents read staff articles and drafts; titles come in the reader's language first; the HTML
// given is sanitized whatever the database holds; bad input is a problem in the caller's language.
func TestHelpThroughTheAPI(t *testing.T) {
	d := newDesk(t)
	ctx := t.Context()
	alice := d.actor(t, "Alice.Agent")
	write := func(in help.Input) *help.Article {
		t.Helper()
		a, err := d.Help.Create(ctx, alice, in, 0)
		if err != nil {
			t.Fatalf("article %q: %v", in.TitleFR+in.TitleEN, err)
		}
		return a
	}
	public := write(help.Input{Category: help.Access, Visibility: help.Public, State: help.Published,
		TitleFR: "Configurer le réseau privé zorglub", BodyFR: "Le **réseau privé** zorglub relie vos instances.",
		TitleEN: "Configure the zorglub private network", BodyEN: "The **private network** zorglub links your instances."})
	customers := write(help.Input{Category: help.Account, Visibility: help.Customers, State: help.Published,
		TitleFR: "Changer la langue du compte zorglub", BodyFR: "Ouvrez votre profil zorglub et choisissez la langue.",
		TitleEN: "Change the zorglub account language", BodyEN: "Open your zorglub profile and choose the language."})
	staff := write(help.Input{Category: help.Access, Visibility: help.Staff, State: help.Published,
		TitleFR: "Procédure interne réseau zorglub", BodyFR: "Redémarrer le commutateur zorglub du réseau.",
		TitleEN: "Internal network procedure zorglub", BodyEN: "Restart the zorglub network switch."})
	draft := write(help.Input{Category: help.Access, Visibility: help.Public, State: help.Draft,
		TitleFR: "Brouillon réseau zorglub", BodyFR: "Pas encore prêt : le réseau zorglub.",
		TitleEN: "Draft network zorglub", BodyEN: "Not ready yet: the zorglub network."})
	frOnly := write(help.Input{Category: help.General, Visibility: help.Public, State: help.Published,
		TitleFR: "Sauvegarder un volume zorglub", BodyFR: "Une sauvegarde du volume zorglub protège vos données."})
	hidden := []int64{staff.ID, draft.ID}

	marie, john := d.as(t, "Marie.Dupont"), d.readOnly(t, "John.Doe")
	// Every way a customer reaches articles: none gives a staff article or a draft.
	for _, c := range []struct {
		who    string
		client *testutil.APIClient
	}{{"Marie", marie}, {"John", john}} {
		for _, path := range []string{
			"/api/v1/help/articles", "/api/v1/help/articles?limit=100", "/api/v1/help/articles?q=zorglub",
			"/api/v1/help/articles?q=reseau+zorglub&lang=en", "/api/v1/help/articles?category=access",
			"/api/v1/help/articles?q=zorglub&category=access", "/api/v1/help/suggestions?text=zorglub",
			"/api/v1/help/suggestions?text=" + url.QueryEscape("Procédure interne réseau zorglub"),
			"/api/v1/help/suggestions?text=" + url.QueryEscape("Brouillon réseau zorglub") + "&lang=fr",
		} {
			items := helpList(t, c.client, path)
			for _, id := range hidden {
				if slices.Contains(helpIDs(items), id) {
					t.Errorf("%s GET %s gives article %d (staff-only or draft): %v", c.who, path, id, items)
				}
			}
		}
		for _, a := range []int64{staff.ID, draft.ID, 999999} {
			r := c.client.Get("/api/v1/help/articles/" + itoa(a))
			if r.Status != http.StatusNotFound {
				t.Errorf("%s GET article %d: %d, want 404 %s", c.who, a, r.Status, r.Body)
			}
			problemOf(t, r)
			if strings.Contains(string(r.Body), "zorglub") {
				t.Errorf("%s: the 404 of article %d names it: %s", c.who, a, r.Body)
			}
		}
	}

	// Marie reads French first: the search finds the articles for customers and everyone, with
	// or without accents, in French, the one written only in French too.
	items := helpList(t, marie, "/api/v1/help/articles?q=reseau+zorglub")
	if got := helpIDs(items); len(got) < 1 || got[0] != public.ID {
		t.Fatalf("Marie's search for « reseau zorglub »: %v", items)
	}
	if items[0].Lang != "fr" || items[0].Title != "Configurer le réseau privé zorglub" ||
		!strings.HasSuffix(items[0].URL, "/help/articles/"+itoa(public.ID)) {
		t.Errorf("Marie's first hit: %+v", items[0])
	}
	all := helpIDs(helpList(t, marie, "/api/v1/help/articles?q=zorglub"))
	for _, id := range []int64{public.ID, customers.ID, frOnly.ID} {
		if !slices.Contains(all, id) {
			t.Errorf("Marie's search for zorglub lacks article %d: %v", id, all)
		}
	}
	// John reads English: the same article in English, and the French-only one in French.
	for _, it := range helpList(t, john, "/api/v1/help/articles?q=zorglub") {
		switch it.ID {
		case public.ID:
			if it.Lang != "en" || it.Title != "Configure the zorglub private network" {
				t.Errorf("John's hit of the public article: %+v", it)
			}
		case frOnly.ID:
			if it.Lang != "fr" || it.Title != "Sauvegarder un volume zorglub" {
				t.Errorf("John's hit of the French-only article: %+v", it)
			}
		}
	}
	// A category with words: the best matches of that category only, however many match elsewhere.
	items = helpList(t, marie, "/api/v1/help/articles?q=zorglub&category=account&limit=1")
	if got := helpIDs(items); !slices.Equal(got, []int64{customers.ID}) {
		t.Errorf("zorglub in account, one: %v, want [%d]", got, customers.ID)
	}
	for _, it := range helpList(t, marie, "/api/v1/help/articles?category=access") {
		if it.Category != "access" {
			t.Errorf("category access gives %+v", it)
		}
	}
	// Suggestions: the best answers to what is typed, at most five.
	items = helpList(t, marie, "/api/v1/help/suggestions?text="+url.QueryEscape("langue du compte zorglub"))
	if len(items) == 0 || items[0].ID != customers.ID || len(items) > help.SuggestLimit {
		t.Errorf("suggestions for « langue du compte zorglub »: %v", items)
	}

	// An article the customer may read: both languages, Markdown and sanitized HTML.
	r := marie.Get("/api/v1/help/articles/" + itoa(public.ID))
	if r.Status != http.StatusOK {
		t.Fatalf("Marie GET the public article: %d %s", r.Status, r.Body)
	}
	var got struct {
		ID                    int64
		Visibility, State     string
		Title, Markdown, HTML struct{ FR, EN string }
	}
	r.JSON(t, &got)
	if got.ID != public.ID || got.Visibility != "public" || got.State != "published" || got.Title.EN != public.TitleEN ||
		got.Markdown.FR != public.BodyFR || !strings.Contains(got.HTML.FR, "<strong>réseau privé</strong>") ||
		!strings.Contains(got.HTML.EN, "<strong>private network</strong>") {
		t.Errorf("Marie's public article: %s", r.Body)
	}

	// Agents read what customers do not: the staff article in searches, the draft by its id.
	agent := d.as(t, "Alice.Agent")
	if ids := helpIDs(helpList(t, agent, "/api/v1/help/articles?q=zorglub")); !slices.Contains(ids, staff.ID) {
		t.Errorf("Alice's search lacks the staff article %d: %v", staff.ID, ids)
	}
	for _, a := range []int64{staff.ID, draft.ID} {
		if r := agent.Get("/api/v1/help/articles/" + itoa(a)); r.Status != http.StatusOK {
			t.Errorf("Alice GET article %d: %d %s", a, r.Status, r.Body)
		}
	}
	// A visitor without a token is refused.
	if r := d.anonymous(t).Get("/api/v1/help/articles"); r.Status != http.StatusUnauthorized {
		t.Errorf("no token: %d", r.Status)
	}

	// Whatever the database holds, the HTML the API gives has no script, handler or javascript: link.
	if _, err := d.DB.NewUpdate().Table("help_articles").Where("id = ?", public.ID).
		Set("body_fr = ?", "Texte <script>alert(1)</script> <img src=x onerror=alert(2)> [lien](javascript:alert(3)) <a href=\"javascript:alert(4)\" onclick=\"x()\">a</a>").
		Exec(ctx); err != nil {
		t.Fatal(err)
	}
	r = marie.Get("/api/v1/help/articles/" + itoa(public.ID))
	r.JSON(t, &got)
	if low := strings.ToLower(got.HTML.FR); strings.Contains(low, "<script") || strings.Contains(low, "onerror") ||
		strings.Contains(low, "onclick") || strings.Contains(low, "javascript:") || !strings.Contains(got.HTML.FR, "Texte") {
		t.Errorf("hostile Markdown comes out as %q", got.HTML.FR)
	}

	// Bad input: a problem in the caller's language, naming the parameter.
	for _, c := range []struct {
		client *testutil.APIClient
		path   string
		want   string
	}{
		{marie, "/api/v1/help/articles?category=billing", "category"},
		{marie, "/api/v1/help/articles?lang=de", "lang"},
		{marie, "/api/v1/help/articles?limit=0", "limit"},
		{marie, "/api/v1/help/articles?q=" + strings.Repeat("x", 201), "q"},
		{marie, "/api/v1/help/suggestions", "text"},
		{john, "/api/v1/help/suggestions?text=" + strings.Repeat("y", 201), "text"},
	} {
		r := c.client.Get(c.path)
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("GET %.80s: %d, want 422 %s", c.path, r.Status, r.Body)
			continue
		}
		p := problemOf(t, r)
		lang := r.Header.Get("Content-Language")
		if (c.client == marie) != (lang == "fr") {
			t.Errorf("GET %.80s: problem in %q: %+v", c.path, lang, p)
		}
		if len(p.Errors) == 0 || !strings.Contains(p.Errors[0].Field, c.want) || p.Errors[0].Message == "" {
			t.Errorf("GET %.80s: problem %+v, want one on %s", c.path, p, c.want)
		}
	}
	if r := marie.Get("/api/v1/help/articles/abc"); r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusNotFound {
		t.Errorf("GET article abc: %d", r.Status)
	}
}
