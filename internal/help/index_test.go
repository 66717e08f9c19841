package help

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/tenancy"
)

// all lets every article through.
func all(*entry) bool { return true }

// art is a published public article of category General.
func art(id int64, titleFR, bodyFR, titleEN, bodyEN string) *Article {
	return &Article{ID: id, Category: General, Visibility: Public, State: Published, TitleFR: titleFR, BodyFR: bodyFR,
		TitleEN: titleEN, BodyEN: bodyEN, UpdatedAt: time.Date(2026, 12, 18, 9, 0, 0, 0, time.UTC)}
}

// filler is n words no query of these tests asks for.
func filler(n int) string {
	words := []string{"lorem", "ipsum", "dolor", "amet", "consectetur", "adipiscing", "elit", "sed", "eiusmod", "tempor"}
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[i%len(words)])
	}
	return b.String()
}

func ids(hits []Hit) []int64 {
	out := make([]int64, len(hits))
	for i, h := range hits {
		out[i] = h.ID
	}
	return out
}

func newIndex(as ...*Article) *Index {
	x := NewIndex()
	x.Apply(1, as...)
	return x
}

// A reader is given first the articles that match in their language; an article written only in
// the other language comes after, shown in that language.
func TestSearchReaderLanguageFirst(t *testing.T) {
	x := newIndex(
		// The best scored on the word: short, and the word in its title.
		art(1, "", "", "VPN", "The VPN tunnel drops: restart the VPN client."),
		// In French, the word once in a longer text.
		art(2, "Configurer le réseau privé", "Le tunnel vpn se configure depuis la console. "+filler(40), "", ""),
		// Written in both, the word only in its English version.
		art(3, "Sécurité des connexions", "Chiffrement des échanges. "+filler(20), "Connection security", "Use the VPN. "+filler(20)),
	)
	// Both in one language, the English-only article outscores the French one: only the
	// reader's language puts the French one first below.
	same := newIndex(art(1, "", "", "VPN", "The VPN tunnel drops: restart the VPN client."),
		art(2, "", "", "Configurer le réseau privé", "Le tunnel vpn se configure depuis la console. "+filler(40)))
	if got := ids(same.Search("vpn", "en", all, 10, 0, 0)); !slices.Equal(got, []int64{1, 2}) {
		t.Fatalf("in one language: %v, want [1 2]", got)
	}
	fr := x.Search("vpn", "fr", all, 10, 0, 0)
	if got := ids(fr); !slices.Equal(got, []int64{2, 1, 3}) {
		t.Fatalf("French reader: %v, want [2 1 3]", got)
	}
	for _, h := range fr {
		switch h.ID {
		case 1:
			if h.Lang != "en" || h.Title != "VPN" || !strings.HasPrefix(h.Excerpt, "The VPN tunnel") {
				t.Errorf("the English-only article for a French reader: %+v", h)
			}
		case 2:
			if h.Lang != "fr" || h.Title != "Configurer le réseau privé" {
				t.Errorf("the French article: %+v", h)
			}
		case 3:
			if h.Lang != "fr" || h.Title != "Sécurité des connexions" || !strings.HasPrefix(h.Excerpt, "Chiffrement") {
				t.Errorf("a bilingual article is shown in the reader's language: %+v", h)
			}
		}
	}
	en := x.Search("vpn", "en", all, 10, 0, 0)
	if got := ids(en); got[len(got)-1] != 2 || len(got) != 3 {
		t.Fatalf("English reader: %v, want the French-only article last", got)
	}
	if en[0].ID != 1 || en[0].Lang != "en" || en[2].Lang != "fr" || en[2].Title != "Configurer le réseau privé" {
		t.Errorf("English reader: %+v", en)
	}
}

// An article matching more of the words asked ranks before one matching fewer, however well.
func TestSearchMoreWordsFirst(t *testing.T) {
	x := newIndex(
		art(1, "Quota quota", "Quota, quota et quota.", "", ""),
		art(2, "Augmenter une limite", "Le quota de vCPU se demande. "+filler(80), "", ""),
		art(3, "Rien à voir", filler(30), "", ""),
	)
	if got := ids(x.Search("quota vcpu", "fr", all, 10, 0, 0)); !slices.Equal(got, []int64{2, 1}) {
		t.Errorf("got %v, want [2 1]", got)
	}
	// On one word, the better scored comes first.
	if got := ids(x.Search("quota", "fr", all, 10, 0, 0)); !slices.Equal(got, []int64{1, 2}) {
		t.Errorf("got %v, want [1 2]", got)
	}
	// A word asked twice counts once.
	if got := ids(x.Search("vcpu vCPU VCPU quota", "fr", all, 10, 0, 0)); !slices.Equal(got, []int64{2, 1}) {
		t.Errorf("got %v, want [2 1]", got)
	}
}

// A word in a title weighs more than the same word in a body of the same length.
func TestSearchTitleWeighs(t *testing.T) {
	x := newIndex(
		art(1, "Autre sujet", "Une sauvegarde par jour. "+filler(30), "", ""),
		art(2, "Sauvegarde des volumes", "Une copie par jour. "+filler(30), "", ""),
	)
	if got := ids(x.Search("sauvegarde", "fr", all, 10, 0, 0)); !slices.Equal(got, []int64{2, 1}) {
		t.Errorf("got %v, want the title match first", got)
	}
}

// Words match in any case, with or without accents, singular or plural, but whole: a word is
// never a prefix of another.
func TestSearchWholeFoldedWords(t *testing.T) {
	x := newIndex(
		art(1, "Réseau privé", "Créer un réseau et ses sous-réseaux.", "", ""),
		art(2, "Mot de passe oublié", "Réinitialisez le mot de passe depuis l’écran de connexion.", "Forgotten password", "Reset it."),
		art(3, "Cœur de réseau", "Les équipements du cœur.", "", ""),
		art(4, "Passerelle", "Une passerelle NAT.", "", ""),
	)
	for _, tc := range []struct {
		q    string
		want []int64
	}{
		{"reseau", []int64{1, 3}},
		{"RÉSEAU", []int64{1, 3}},
		{"réseaux", []int64{1, 3}},
		{"MOT DE PASSE", []int64{2}},
		{"mot de passe oublie", []int64{2}},
		{"coeur", []int64{3}},
		{"CŒUR", []int64{3}},
		{"pass", nil},
		{"passer", nil},
		{"res", nil},
		{"password", []int64{2}},
		{"passwords", []int64{2}},
		{"de le la", nil},
		{"", nil},
	} {
		got := ids(x.Search(tc.q, "fr", all, 10, 0, 0))
		slices.Sort(got)
		if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("Search(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

// except leaves one article out, limit keeps the best, minShare drops the matches scored far
// below the best one.
func TestSearchExceptLimitMinShare(t *testing.T) {
	x := newIndex(
		art(1, "Migration de base de données", "La migration se prépare. Chaque migration est testée avant la migration réelle.", "", ""),
		art(2, "Sauvegardes", "Avant une migration, faites une sauvegarde. "+filler(200), "", ""),
		art(3, "Migration des volumes", "Une migration de volume. "+filler(10), "", ""),
	)
	if got := ids(x.Search("migration", "fr", all, 10, 0, 0)); len(got) != 3 || got[2] != 2 {
		t.Fatalf("every match: %v", got)
	}
	if got := ids(x.Search("migration", "fr", all, 10, 1, 0)); slices.Contains(got, 1) || len(got) != 2 {
		t.Errorf("except 1: %v", got)
	}
	if got := ids(x.Search("migration", "fr", all, 1, 0, 0)); len(got) != 1 || got[0] == 2 {
		t.Errorf("limit 1: %v", got)
	}
	if got := ids(x.Search("migration", "fr", all, 0, 0, 0)); len(got) != 0 {
		t.Errorf("limit 0: %v", got)
	}
	if got := ids(x.Search("migration", "fr", all, 10, 0, 0.3)); len(got) != 2 || slices.Contains(got, 2) {
		t.Errorf("minShare 0.3 keeps %v, want the weak match dropped", got)
	}
	// The share is of the best match left after except.
	if got := ids(x.Search("migration", "fr", func(e *entry) bool { return e.id == 2 }, 10, 0, 0.3)); !slices.Equal(got, []int64{2}) {
		t.Errorf("minShare among those let through: %v", got)
	}
}

// Applying an article again replaces its text: its old words no longer find it.
func TestApplyReplaces(t *testing.T) {
	x := newIndex(art(1, "Imprimante", "L’imprimante du bureau.", "Printer", "The office printer."))
	x.Apply(0, art(1, "Scanner", "Le scanner du bureau.", "", ""))
	if x.Len() != 1 {
		t.Fatalf("Len = %d", x.Len())
	}
	for q, want := range map[string]int{"imprimante": 0, "printer": 0, "office": 0, "scanner": 1, "bureau": 1} {
		if got := x.Search(q, "fr", all, 10, 0, 0); len(got) != want {
			t.Errorf("Search(%q) = %v, want %d", q, got, want)
		}
	}
	hits := x.List("en", all)
	if len(hits) != 1 || hits[0].Title != "Scanner" || hits[0].Lang != "fr" {
		t.Errorf("List = %+v", hits)
	}
	// Replaced many times, the index holds one document a language, with sound figures.
	for i := range 50 {
		x.Apply(0, art(1, fmt.Sprintf("Version %d", i), "Le scanner.", "Scanner", "The scanner."), art(2, "Autre", "Autre chose.", "", ""))
	}
	if x.live != 3 || len(x.docs)-len(x.free) != 3 {
		t.Errorf("live %d, docs %d, free %d", x.live, len(x.docs), len(x.free))
	}
	if got := x.Search("scanner", "en", all, 10, 0, 0); len(got) != 1 || got[0].Title != "Scanner" {
		t.Errorf("after replacements: %+v", got)
	}
	if got := x.Search("version", "fr", all, 10, 0, 0); len(got) != 1 || got[0].Title != "Version 49" {
		t.Errorf("after replacements: %+v", got)
	}
	// The write number only grows.
	x.Apply(7)
	x.Apply(3)
	x.Apply(0, art(3, "Encore", "Encore.", "", ""))
	if x.Seq() != 7 {
		t.Errorf("Seq = %d, want 7", x.Seq())
	}
}

// List sorts by title in the reader's language, folded (case and accents do not count); an
// article not written in it sorts by its other title.
func TestListByFoldedTitle(t *testing.T) {
	x := newIndex(
		art(1, "Éditer un profil", "Texte.", "Profile editing", "Text."),
		art(2, "abonnement mensuel", "Texte.", "Monthly subscription", "Text."),
		art(3, "Zone de disponibilité", "Texte.", "", ""),
		art(4, "", "", "Billing address", "Text."),
	)
	if got := ids(x.List("fr", all)); !slices.Equal(got, []int64{2, 4, 1, 3}) {
		t.Errorf("French: %v, want [2 4 1 3]", got)
	}
	en := x.List("en", all)
	if got := ids(en); !slices.Equal(got, []int64{4, 2, 1, 3}) {
		t.Errorf("English: %v, want [4 2 1 3]", got)
	}
	if en[3].Lang != "fr" || en[3].Title != "Zone de disponibilité" || en[2].Lang != "en" || en[2].Title != "Profile editing" {
		t.Errorf("English: %+v", en)
	}
}

// The readers' filter lets through the published articles their visibility allows: a customer
// never gets drafts nor staff articles, a visitor only public ones.
func TestFiltersCountListSearch(t *testing.T) {
	mk := func(id int64, c Category, v Visibility, s State) *Article {
		a := art(id, fmt.Sprintf("Bascule %d", id), "Texte de la bascule.", "", "")
		a.Category, a.Visibility, a.State = c, v, s
		return a
	}
	x := newIndex(
		mk(1, Cloud, Public, Published),
		mk(2, Cloud, Customers, Published),
		mk(3, Cloud, Staff, Published),
		mk(4, Cloud, Public, Draft),
		mk(5, Account, Customers, Published),
		mk(6, Account, Staff, Draft),
		mk(7, General, Public, Published),
	)
	customer := tenancy.Actor{Actor: identity.Actor{UserID: 10, Kind: identity.Customer}}
	agent := tenancy.Actor{Actor: identity.Actor{UserID: 11, Kind: identity.Agent}}
	for _, tc := range []struct {
		name   string
		filter Filter
		ids    []int64
		count  map[Category]int
	}{
		{"visitor", readerFilter(tenancy.Actor{}), []int64{1, 7}, map[Category]int{Cloud: 1, General: 1}},
		{"customer", readerFilter(customer), []int64{1, 2, 5, 7}, map[Category]int{Cloud: 2, Account: 1, General: 1}},
		{"agent", readerFilter(agent), []int64{1, 2, 3, 5, 7}, map[Category]int{Cloud: 3, Account: 1, General: 1}},
		{"everything", all, []int64{1, 2, 3, 4, 5, 6, 7}, map[Category]int{Cloud: 4, Account: 2, General: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ids(x.List("fr", tc.filter))
			if !slices.Equal(got, tc.ids) {
				t.Errorf("List = %v, want %v", got, tc.ids)
			}
			got = ids(x.Search("bascule", "fr", tc.filter, 100, 0, 0))
			slices.Sort(got)
			if !slices.Equal(got, tc.ids) {
				t.Errorf("Search = %v, want %v", got, tc.ids)
			}
			count := x.Count(tc.filter)
			if len(count) != len(tc.count) {
				t.Errorf("Count = %v, want %v", count, tc.count)
			}
			for c, n := range tc.count {
				if count[c] != n {
					t.Errorf("Count = %v, want %v", count, tc.count)
				}
			}
		})
	}
}

// An empty index, or a query of stop words only, finds nothing.
func TestSearchNothing(t *testing.T) {
	if got := NewIndex().Search("quota", "fr", all, 5, 0, 0); len(got) != 0 {
		t.Errorf("empty index: %v", got)
	}
	x := newIndex(art(1, "Le quota", "Le quota.", "", ""))
	if got := x.Search("le la les", "fr", all, 5, 0, 0); len(got) != 0 {
		t.Errorf("stop words: %v", got)
	}
}

// benchIndex is an index of n generated bilingual articles: titles of 5 to 9 words, bodies of
// 150 to 300 words, drawn from a vocabulary of a few thousand words with a Zipf distribution,
// real words of the desk among them.
func benchIndex(n int) *Index {
	rng := rand.New(rand.NewPCG(1, 2))
	real := strings.Fields(`instance instances connecter connexion impossible quota quotas vcpu augmentation mot passe
		oublié compte bloqué réseau réseaux volume sauvegarde facture facturation contrat tenant incident
		changement demande accès console mémoire disque serveur adresse ip vpn pare-feu certificat domaine
		dns sous-réseau passerelle image snapshot migration région disponibilité redémarrer arrêter
		démarrer supprimer créer modifier erreur délai support agent client utilisateur administrateur
		login password account locked forgotten reset network quota increase invoice billing access
		firewall certificate domain gateway restart delete create error timeout user admin storage
		bucket object backup restore database cluster kubernetes node pod load balancer listener`)
	stop := []string{"le", "la", "les", "de", "des", "du", "un", "une", "et", "à", "pour", "sur", "dans", "the", "of", "to",
		"and", "a", "in", "for", "on", "with"}
	syll := []string{"ba", "ko", "ri", "mu", "ne", "ta", "lo", "pi", "su", "de", "ga", "vi", "zo", "fe", "ru", "ma", "ni", "to"}
	vocab := slices.Clone(real)
	for len(vocab) < 4000 {
		var b strings.Builder
		for range 2 + rng.IntN(3) {
			b.WriteString(syll[rng.IntN(len(syll))])
		}
		vocab = append(vocab, b.String())
	}
	rng.Shuffle(len(vocab), func(i, j int) { vocab[i], vocab[j] = vocab[j], vocab[i] })
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))
	text := func(words int) string {
		var b strings.Builder
		for i := range words {
			if i > 0 {
				b.WriteByte(' ')
			}
			if rng.IntN(4) == 0 {
				b.WriteString(stop[rng.IntN(len(stop))])
			} else {
				b.WriteString(vocab[zipf.Uint64()])
			}
			if i%15 == 14 {
				b.WriteString(".")
			}
		}
		return b.String()
	}
	as := make([]*Article, n)
	for i := range as {
		as[i] = &Article{ID: int64(i + 1), Category: Categories[i%len(Categories)], Visibility: Visibilities[i%len(Visibilities)],
			State: Published, TitleFR: text(5 + rng.IntN(5)), BodyFR: text(150 + rng.IntN(151)),
			TitleEN: text(5 + rng.IntN(5)), BodyEN: text(150 + rng.IntN(151))}
	}
	x := NewIndex()
	x.Apply(int64(n), as...)
	return x
}

// BenchmarkSuggest measures a suggestion as a customer types an incident's title: a search of
// 10,000 bilingual articles keeping the 5 best, those below 30 % of the best dropped. Each query
// reports how many postings its words have (the documents it scores).
func BenchmarkSuggest(b *testing.B) {
	x := benchIndex(10000)
	filter := readerFilter(tenancy.Actor{Actor: identity.Actor{UserID: 1, Kind: identity.Customer}})
	for _, q := range []string{"Impossible de se connecter à mon instance", "quota vCPU augmentation", "mot de passe oublié compte bloqué"} {
		if len(x.Search(q, "fr", filter, SuggestLimit, 0, suggestShare)) == 0 {
			b.Fatalf("%q finds nothing", q)
		}
		postings := 0
		for _, w := range Terms(q) {
			if t, ok := x.dict[w]; ok {
				postings += len(x.postings[t])
			}
		}
		b.Run(strings.ReplaceAll(q, " ", "_"), func(b *testing.B) {
			for b.Loop() {
				x.Search(q, "fr", filter, SuggestLimit, 0, suggestShare)
			}
			b.ReportMetric(float64(postings), "postings")
		})
	}
}

// A search keeping few articles ranks them as one keeping them all: the first of a long search
// are a short one's, whatever the query, the reader's language and the share kept.
func TestSearchFewAsMany(t *testing.T) {
	x := benchIndex(600)
	rng := rand.New(rand.NewPCG(3, 4))
	var vocab []string
	for w := range x.dict {
		vocab = append(vocab, w)
	}
	slices.Sort(vocab)
	customer := readerFilter(tenancy.Actor{Actor: identity.Actor{UserID: 1, Kind: identity.Customer}})
	for i := range 300 {
		words := make([]string, 1+rng.IntN(6))
		for j := range words {
			words[j] = vocab[rng.IntN(len(vocab))]
		}
		q := strings.Join(words, " ")
		lang := Langs[i%2]
		share := []float32{0, 0.3, 0.6}[i%3]
		except := int64(rng.IntN(600))
		every := x.Search(q, lang, customer, 10000, except, share)
		for _, limit := range []int{1, 5, 20, topKMax} {
			few := x.Search(q, lang, customer, limit, except, share)
			if want := every[:min(limit, len(every))]; !slices.Equal(ids(few), ids(want)) {
				t.Fatalf("Search(%q, %s, limit %d, share %v) = %v, want %v", q, lang, limit, share, ids(few), ids(want))
			}
		}
		seen := map[int64]bool{}
		for _, h := range every {
			if seen[h.ID] || h.ID == except {
				t.Fatalf("Search(%q) = %v: an article twice or excepted", q, ids(every))
			}
			seen[h.ID] = true
		}
	}
}

// Searches run while articles are applied: run with -race.
func TestIndexConcurrent(t *testing.T) {
	x := benchIndex(200)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			x.Apply(int64(1000+i), art(int64(i%50+1), fmt.Sprintf("Quota réseau %d", i), "Le quota du réseau.", "Network quota", "The quota."))
		}
	}()
	for {
		select {
		case <-done:
			if got := x.Search("quota réseau", "fr", all, 100, 0, 0); len(got) < 50 {
				t.Errorf("%d hits", len(got))
			}
			if x.Len() != 200 || x.Seq() != 1199 {
				t.Errorf("Len %d, Seq %d", x.Len(), x.Seq())
			}
			return
		default:
			x.Search("quota réseau instance", "fr", all, 5, 0, 0.3)
			x.List("en", all)
		}
	}
}
