package help

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/guichet/guichet/internal/fold"
)

// The search of the help center is an index each instance keeps in memory: articles are few
// (thousands at most) and read on every keystroke of a declaration, so the index answers in
// microseconds, ranks the same way on SQLite and PostgreSQL, and reads the database only for
// the articles written since it last looked (help_state.seq).
//
// Words are whole words: folded (fold.Words: any case, with or without accents), without the
// commonest words of both languages, and with a final plural s or x taken off ("quotas" finds
// "quota", "réseaux" finds "réseau"). A word is never a prefix of another. Articles are ranked
// by BM25 over their title (which counts three times) and body: those matched in the reader's
// language first, then those matching more of the words asked, then the better scored.

// stopWords are left out of the index and of queries: they would match every article.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`le la les l de des du d un une et ou a au aux en pour par sur
		dans ce cet cette ces mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs je j tu
		il elle on nous vous ils elles me m te t se s ne n pas plus est sont suis etre ai as avons
		avez ont qui que qu quoi dont y c ca cela comment quand pourquoi avec sans mais donc si tout
		tous toute toutes faire fait peut peux puis dois doit est
		the an of to in on for and or is are be was were my your our their it its i we you they he
		she this that these those with from at by as not can cannot how do does did what why when
		no yes me us them am has have had will would should could so if all any into about`) {
		m[w] = true
	}
	return m
}()

// Terms are the words of s the index reads: folded, without stop words, plurals made singular.
func Terms(s string) []string {
	words := fold.Words(s)
	out := words[:0]
	for _, w := range words {
		if stopWords[w] {
			continue
		}
		out = append(out, singular(w))
	}
	return out
}

// singular takes a final plural s or x off a word of more than three letters (not "ss").
func singular(w string) string {
	if len(w) <= 3 {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ss"):
		return w
	case strings.HasSuffix(w, "s"), strings.HasSuffix(w, "x"):
		return w[:len(w)-1]
	}
	return w
}

// titleWeight is how many times a title's word counts against a body's.
const titleWeight = 3

// BM25's parameters.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// ExcerptLength is how many characters of its body a hit shows.
const ExcerptLength = 180

// entry is an article as the index holds it.
type entry struct {
	id         int64
	category   Category
	visibility Visibility
	state      State
	title      [2]string // by language: 0 French, 1 English; "" when not written
	excerpt    [2]string
	sortKey    [2]string // the folded title, to list by title
	updated    time.Time
	docs       [2]int32 // the documents of its languages, -1 for none
}

// has reports whether the entry is written in language l (0 French, 1 English).
func (e *entry) has(l int) bool { return e.title[l] != "" }

type termTF struct {
	term uint32
	tf   float32
}

type posting struct {
	doc int32
	tf  float32
}

// doc is one language version of an article.
type doc struct {
	article int64
	lang    int
	length  float32
	terms   []termTF
	live    bool
}

// Index is the help center's search index, kept up to date by the service.
type Index struct {
	mu       sync.RWMutex
	seq      int64 // every article written up to this number is applied
	entries  map[int64]*entry
	dict     map[string]uint32
	postings [][]posting
	docs     []doc
	// By document, dense for the scoring loop: its length, language and article.
	lens   []float32
	langs  []uint8
	owners []*entry
	free   []int32
	total  float64 // the live documents' lengths
	live   int

	scratch sync.Pool
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{entries: map[int64]*entry{}, dict: map[string]uint32{}}
}

func langIndex(lang string) int {
	if lang == "en" {
		return 1
	}
	return 0
}

// prepared is an article made ready for the index, outside its lock.
type prepared struct {
	e     *entry
	terms [2][]string // the title's and body's terms, titles weighted
	len   [2]float32
}

func prepare(a *Article) prepared {
	p := prepared{e: &entry{id: a.ID, category: a.Category, visibility: a.Visibility, state: a.State, updated: a.UpdatedAt, docs: [2]int32{-1, -1}}}
	for l, lang := range Langs {
		title := a.Title(lang)
		if title == "" {
			continue
		}
		plain := Plain(a.Body(lang))
		p.e.title[l], p.e.excerpt[l], p.e.sortKey[l] = title, Excerpt(plain, ExcerptLength), fold.String(title)
		tt, bt := Terms(title), Terms(plain)
		terms := make([]string, 0, len(tt)*titleWeight+len(bt))
		for range titleWeight {
			terms = append(terms, tt...)
		}
		p.terms[l] = append(terms, bt...)
		p.len[l] = float32(len(p.terms[l]))
	}
	return p
}

// Apply puts articles in the index, in place of what it held of them, and records that every
// article written up to seq is applied (0 keeps the number).
func (x *Index) Apply(seq int64, articles ...*Article) {
	ps := make([]prepared, len(articles))
	for i, a := range articles {
		ps[i] = prepare(a)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, p := range ps {
		x.remove(p.e.id)
		x.add(p)
	}
	if seq > x.seq {
		x.seq = seq
	}
}

// Seq is the number of the last write the index applied, with all those before it.
func (x *Index) Seq() int64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.seq
}

func (x *Index) remove(id int64) {
	e := x.entries[id]
	if e == nil {
		return
	}
	for _, d := range e.docs {
		if d < 0 {
			continue
		}
		dd := &x.docs[d]
		for _, t := range dd.terms {
			ps := x.postings[t.term]
			for i := range ps {
				if ps[i].doc == d {
					ps[i] = ps[len(ps)-1]
					ps = ps[:len(ps)-1]
					break
				}
			}
			x.postings[t.term] = ps
		}
		x.total -= float64(dd.length)
		x.live--
		*dd = doc{}
		x.lens[d], x.langs[d], x.owners[d] = 0, 0, nil
		x.free = append(x.free, d)
	}
	delete(x.entries, id)
}

func (x *Index) add(p prepared) {
	e := p.e
	for l := range Langs {
		if !e.has(l) {
			continue
		}
		counts := map[uint32]float32{}
		for _, w := range p.terms[l] {
			t, ok := x.dict[w]
			if !ok {
				t = uint32(len(x.postings))
				x.dict[w] = t
				x.postings = append(x.postings, nil)
			}
			counts[t]++
		}
		d := doc{article: e.id, lang: l, length: p.len[l], live: true, terms: make([]termTF, 0, len(counts))}
		for t, tf := range counts {
			d.terms = append(d.terms, termTF{t, tf})
		}
		var slot int32
		if n := len(x.free); n > 0 {
			slot, x.free = x.free[n-1], x.free[:n-1]
			x.docs[slot] = d
			x.lens[slot], x.langs[slot], x.owners[slot] = d.length, uint8(l), e
		} else {
			slot = int32(len(x.docs))
			x.docs = append(x.docs, d)
			x.lens, x.langs, x.owners = append(x.lens, d.length), append(x.langs, uint8(l)), append(x.owners, e)
		}
		for _, t := range d.terms {
			x.postings[t.term] = append(x.postings[t.term], posting{slot, t.tf})
		}
		x.total += float64(d.length)
		x.live++
		e.docs[l] = slot
	}
	x.entries[e.id] = e
}

// Hit is an article a search or a list found, in the language the reader is shown.
type Hit struct {
	ID       int64
	Category Category
	// Lang is the language of Title and Excerpt: the reader's unless the article is not
	// written in it.
	Lang    string
	Title   string
	Excerpt string
	// Visibility and State are the article's, for staff lists.
	Visibility Visibility
	State      State
	Updated    time.Time
}

func (e *entry) hit(lang string) Hit {
	l := langIndex(lang)
	if !e.has(l) {
		l = 1 - l
	}
	return Hit{ID: e.id, Category: e.category, Lang: Langs[l], Title: e.title[l], Excerpt: e.excerpt[l],
		Visibility: e.visibility, State: e.state, Updated: e.updated}
}

// Filter says which articles a reader may be given.
type Filter func(e *entry) bool

type scratch struct {
	score   []float32
	cover   []uint8
	touched []int32
}

// ranked is an article found by a search, with what ranks it.
type ranked struct {
	e        *entry
	inReader bool
	cover    uint8
	score    float32
}

// Search returns the articles filter lets through whose text holds words of q, best first, at
// most limit, leaving out except; minShare drops those scored below that share of the best one
// (0 keeps every match). lang is the reader's language.
func (x *Index) Search(q, lang string, filter Filter, limit int, except int64, minShare float32) []Hit {
	var words []string // each once, in the order typed
	for _, w := range Terms(q) {
		if !slices.Contains(words, w) {
			words = append(words, w)
		}
	}
	if len(words) > maxQueryWords {
		words = words[:maxQueryWords]
	}
	reader := langIndex(lang)
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.live == 0 || len(words) == 0 {
		return nil
	}
	s, _ := x.scratch.Get().(*scratch)
	if s == nil {
		s = &scratch{}
	}
	if len(s.score) < len(x.docs) {
		s.score = make([]float32, len(x.docs)+len(x.docs)/4)
		s.cover = make([]uint8, len(s.score))
	}
	n, avg := float64(x.live), float32(x.total/float64(x.live))
	const k1, b = float32(bm25K1), float32(bm25B)
	for _, w := range words {
		t, ok := x.dict[w]
		if !ok {
			continue
		}
		ps := x.postings[t]
		if len(ps) == 0 {
			continue
		}
		df := float64(len(ps))
		idf := float32(math.Log(1 + (n-df+0.5)/(df+0.5)))
		for _, p := range ps {
			if s.cover[p.doc] == 0 {
				s.touched = append(s.touched, p.doc)
			}
			norm := k1 * (1 - b + b*x.lens[p.doc]/avg)
			s.score[p.doc] += idf * p.tf * (k1 + 1) / (p.tf + norm)
			s.cover[p.doc]++
		}
	}
	// The best score lets through only the matches scored at least minShare of it.
	var top float32
	for _, d := range s.touched {
		if e := x.owners[d]; e != nil && e.id != except && s.score[d] > top && filter(e) {
			top = s.score[d]
		}
	}
	// The best document of each article, kept in rank order: only the limit best articles
	// when few are asked (suggestions, searches), every one otherwise (the writers' list).
	var rs []ranked
	var best map[int64]int // article → index in rs, when every article is kept
	if limit > topKMax {
		best = map[int64]int{}
	}
	for _, d := range s.touched {
		e := x.owners[d]
		r := ranked{e: e, inReader: int(x.langs[d]) == reader, cover: s.cover[d], score: s.score[d]}
		s.score[d], s.cover[d] = 0, 0
		if e == nil || e.id == except || r.score < minShare*top || !filter(e) {
			continue
		}
		if best == nil {
			rs = keepTop(rs, r, limit)
			continue
		}
		if i, ok := best[e.id]; ok {
			if better(r, rs[i]) {
				rs[i] = r
			}
			continue
		}
		best[e.id] = len(rs)
		rs = append(rs, r)
	}
	s.touched = s.touched[:0]
	x.scratch.Put(s)
	if best != nil {
		slices.SortFunc(rs, rank)
	}
	hits := make([]Hit, 0, min(limit, len(rs)))
	for _, r := range rs[:min(limit, len(rs))] {
		hits = append(hits, r.e.hit(lang))
	}
	return hits
}

// topKMax is the most articles a search keeps by insertion; beyond it, it sorts them all.
const topKMax = 64

// keepTop puts r in rs, kept in rank order and at most limit long, in place of its article's
// other document when r ranks before it.
func keepTop(rs []ranked, r ranked, limit int) []ranked {
	for i := range rs {
		if rs[i].e.id == r.e.id {
			if !better(r, rs[i]) {
				return rs
			}
			rs = slices.Delete(rs, i, i+1)
			break
		}
	}
	i, _ := slices.BinarySearchFunc(rs, r, rank)
	if i >= limit {
		return rs
	}
	rs = slices.Insert(rs, i, r)
	if len(rs) > limit {
		rs = rs[:limit]
	}
	return rs
}

// rank orders two ranked articles: better first, then by id.
func rank(a, b ranked) int {
	switch {
	case better(a, b):
		return -1
	case better(b, a):
		return 1
	}
	return cmp.Compare(a.e.id, b.e.id)
}

// better ranks a before b: matched in the reader's language, then on more of the words, then
// better scored.
func better(a, b ranked) bool {
	if a.inReader != b.inReader {
		return a.inReader
	}
	if a.cover != b.cover {
		return a.cover > b.cover
	}
	return a.score > b.score
}

// maxQueryWords bounds a search: more words than this are ignored.
const maxQueryWords = 16

// List returns the articles filter lets through, by title in the reader's language (where an
// article is written only in the other, by that title).
func (x *Index) List(lang string, filter Filter) []Hit {
	l := langIndex(lang)
	x.mu.RLock()
	es := make([]*entry, 0, len(x.entries))
	for _, e := range x.entries {
		if filter(e) {
			es = append(es, e)
		}
	}
	x.mu.RUnlock()
	key := func(e *entry) string {
		if e.has(l) {
			return e.sortKey[l]
		}
		return e.sortKey[1-l]
	}
	slices.SortFunc(es, func(a, b *entry) int {
		return cmp.Or(strings.Compare(key(a), key(b)), cmp.Compare(a.id, b.id))
	})
	hits := make([]Hit, len(es))
	for i, e := range es {
		hits[i] = e.hit(lang)
	}
	return hits
}

// Count counts the articles filter lets through, by category.
func (x *Index) Count(filter Filter) map[Category]int {
	out := map[Category]int{}
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, e := range x.entries {
		if filter(e) {
			out[e.category]++
		}
	}
	return out
}

// Len is how many articles the index holds.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.entries)
}
