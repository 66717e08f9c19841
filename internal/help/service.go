package help

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/i18n"
	"github.com/guichet/guichet/internal/identity"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/paging"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// Service holds the help center's use cases. Agents and admins write articles; everyone reads
// the published ones their visibility allows: visitors the public ones, customers those for
// customers too, staff all. Anything else is answered apperr.ErrNotFound, as for an article
// that does not exist.
type Service struct {
	DB *bun.DB
	// Index is the search index of this instance; Warm or the first read fills it.
	Index *Index
	// Fresh is how long the index is trusted before looking for articles another instance
	// wrote; 0 looks at every read. The instance that writes an article sees it at once.
	Fresh time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time

	refresh sync.Mutex
	checked atomic.Int64 // when the index last looked, in Unix nanoseconds
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Writer reports whether actor writes articles: support agents and admins.
func Writer(actor tenancy.Actor) bool {
	return actor.Kind == identity.Agent || actor.Kind == identity.Admin
}

func mayWrite(actor tenancy.Actor) error {
	if Writer(actor) {
		return nil
	}
	return apperr.ErrNotFound
}

// Readable reports whether actor may read a published article of visibility v: anyone a
// public one, customers and staff one for customers, staff a staff one.
func Readable(actor tenancy.Actor, v Visibility) bool {
	switch {
	case v == Public:
		return true
	case actor.UserID == 0:
		return false
	case v == Customers:
		return actor.Kind == identity.Customer || actor.Kind.Staff()
	}
	return actor.Kind.Staff()
}

// readerFilter lets through the published articles actor may read.
func readerFilter(actor tenancy.Actor) Filter {
	return func(e *entry) bool { return e.state == Published && Readable(actor, e.visibility) }
}

// canRead is whether actor may open a: published and readable, or any article for a writer.
func canRead(actor tenancy.Actor, a *Article) bool {
	return Writer(actor) || (a.State == Published && Readable(actor, a.Visibility))
}

// Warm fills the index with every article, before the first reader waits for it.
func (s *Service) Warm(ctx context.Context) error { return s.fresh(ctx, true) }

// fresh applies to the index the articles written since it last looked, at most every Fresh
// unless force. Readers that find another one looking go on with the index as it is.
func (s *Service) fresh(ctx context.Context, force bool) error {
	if !force && time.Duration(time.Now().UnixNano()-s.checked.Load()) < s.Fresh {
		return nil
	}
	if force {
		s.refresh.Lock()
	} else if !s.refresh.TryLock() {
		return nil
	}
	defer s.refresh.Unlock()
	started := time.Now().UnixNano()
	seq, err := stateSeq(ctx, s.DB)
	if err != nil {
		return err
	}
	if have := s.Index.Seq(); seq > have {
		err = writtenSince(ctx, s.DB, have, seq, func(as []*Article) { s.Index.Apply(0, as...) })
		if err != nil {
			return err
		}
		s.Index.Apply(seq)
	}
	s.checked.Store(started)
	return nil
}

// Search returns the published articles actor may read that match q, in lang first, at most
// limit.
func (s *Service) Search(ctx context.Context, actor tenancy.Actor, lang, q string, limit int) ([]Hit, error) {
	if err := s.fresh(ctx, false); err != nil {
		return nil, err
	}
	return s.Index.Search(q, lang, readerFilter(actor), limit, 0, 0), nil
}

// SuggestLimit is how many articles a suggestion shows at most.
const SuggestLimit = 5

// suggestShare drops the suggestions scored below this share of the best one: a word in common
// is not an answer.
const suggestShare = 0.3

// Suggest returns the articles that best answer text (an incident's title as it is typed, a
// change item's name) for actor, at most SuggestLimit.
func (s *Service) Suggest(ctx context.Context, actor tenancy.Actor, lang, text string) ([]Hit, error) {
	if err := s.fresh(ctx, false); err != nil {
		return nil, err
	}
	return s.Index.Search(text, lang, readerFilter(actor), SuggestLimit, 0, suggestShare), nil
}

// Related returns the published articles actor may read closest to a, at most limit: those its
// title's words find, in its category first.
func (s *Service) Related(ctx context.Context, actor tenancy.Actor, a *Article, lang string, limit int) ([]Hit, error) {
	if err := s.fresh(ctx, false); err != nil {
		return nil, err
	}
	l := a.Shown(lang)
	hits := s.Index.Search(a.Title(l)+" "+a.Title(Other(l)), lang, readerFilter(actor), limit*3, a.ID, 0)
	slices.SortStableFunc(hits, func(x, y Hit) int {
		switch {
		case x.Category == a.Category && y.Category != a.Category:
			return -1
		case y.Category == a.Category && x.Category != a.Category:
			return 1
		}
		return 0
	})
	return hits[:min(limit, len(hits))], nil
}

// Category lists the published articles of category c actor may read, by title in lang.
func (s *Service) Category(ctx context.Context, actor tenancy.Actor, lang string, c Category) ([]Hit, error) {
	if !c.Valid() {
		return nil, apperr.ErrNotFound
	}
	if err := s.fresh(ctx, false); err != nil {
		return nil, err
	}
	read := readerFilter(actor)
	return s.Index.List(lang, func(e *entry) bool { return e.category == c && read(e) }), nil
}

// Counts counts the published articles actor may read, by category.
func (s *Service) Counts(ctx context.Context, actor tenancy.Actor) (map[Category]int, error) {
	if err := s.fresh(ctx, false); err != nil {
		return nil, err
	}
	return s.Index.Count(readerFilter(actor)), nil
}

// Get returns an article for actor to read: a published one their visibility allows, or any
// article for a writer.
func (s *Service) Get(ctx context.Context, actor tenancy.Actor, id int64) (*Article, error) {
	a, err := byID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if !canRead(actor, a) {
		return nil, apperr.ErrNotFound
	}
	return a, nil
}

// Create writes an article from in, by actor, created from the resolved incident fromIncident
// when it is not 0. Refused input writes nothing.
func (s *Service) Create(ctx context.Context, actor tenancy.Actor, in Input, fromIncident int64) (*Article, error) {
	if err := mayWrite(actor); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if fromIncident != 0 { // the incident the form names must still be one to write from
		if _, err := s.FromIncident(ctx, actor, fromIncident); err != nil {
			return nil, err
		}
	}
	now := s.now()
	a := &Article{Category: in.Category, Visibility: in.Visibility, State: in.State, TitleFR: in.TitleFR, BodyFR: in.BodyFR,
		TitleEN: in.TitleEN, BodyEN: in.BodyEN, AuthorID: actor.UserID, EditorID: actor.UserID, CreatedAt: now, UpdatedAt: now, Version: 1}
	if fromIncident != 0 {
		a.IncidentID = &fromIncident
	}
	if a.State == Published {
		a.PublishedAt = &now
	}
	err := s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		a.Seq = seq
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return fmt.Errorf("help: insert article: %w", err)
		}
		return insertVersions(ctx, tx, a)
	})
	if err != nil {
		return nil, err
	}
	return s.written(ctx, a.ID)
}

// written is article id as a write left it, once this instance's index holds the write.
func (s *Service) written(ctx context.Context, id int64) (*Article, error) {
	if err := s.fresh(ctx, true); err != nil {
		return nil, err
	}
	return byID(ctx, s.DB, id)
}

// Update changes article id, read at version, to in: a new version is kept. An article changed
// since is apperr.ErrStale; refused input writes nothing.
func (s *Service) Update(ctx context.Context, actor tenancy.Actor, id int64, version int, in Input) (*Article, error) {
	if err := mayWrite(actor); err != nil {
		return nil, err
	}
	cur, err := byID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if cur.Version != version {
		return nil, apperr.ErrStale
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	err = s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		a, err := lockByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.Version != version {
			return apperr.ErrStale
		}
		seq, err := nextSeq(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		a.Category, a.Visibility, a.State = in.Category, in.Visibility, in.State
		a.TitleFR, a.BodyFR, a.TitleEN, a.BodyEN = in.TitleFR, in.BodyFR, in.TitleEN, in.BodyEN
		a.EditorID, a.UpdatedAt, a.Seq, a.Version = actor.UserID, now, seq, version+1
		if a.State == Published && a.PublishedAt == nil {
			a.PublishedAt = &now
		}
		res, err := tx.NewUpdate().Model(a).Column("category", "visibility", "state", "title_fr", "body_fr", "title_en",
			"body_en", "editor_id", "updated_at", "published_at", "seq", "version").
			Where("id = ? AND version = ?", id, version).Exec(ctx)
		if err != nil {
			return fmt.Errorf("help: update article %d: %w", id, err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return apperr.ErrStale
		}
		return insertVersions(ctx, tx, a)
	})
	if err != nil {
		return nil, err
	}
	return s.written(ctx, id)
}

// Versions lists an article's saved versions, newest first, for a writer.
func (s *Service) Versions(ctx context.Context, actor tenancy.Actor, id int64) ([]Version, error) {
	if err := mayWrite(actor); err != nil {
		return nil, err
	}
	if _, err := byID(ctx, s.DB, id); err != nil {
		return nil, err
	}
	var vs []Version
	err := s.DB.NewSelect().Model(&vs).ColumnExpr("hv.*").
		ColumnExpr("(SELECT u.display_name FROM users u WHERE u.id = hv.editor_id) AS editor_name").
		Where("hv.article_id = ?", id).OrderExpr("hv.version DESC").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("help: list versions of article %d: %w", id, err)
	}
	return vs, nil
}

// VersionOf returns one saved version of an article, for a writer.
func (s *Service) VersionOf(ctx context.Context, actor tenancy.Actor, id int64, version int) (*Version, error) {
	vs, err := s.Versions(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	for i := range vs {
		if vs[i].Version == version {
			return &vs[i], nil
		}
	}
	return nil, apperr.ErrNotFound
}

// StaffFilter narrows the writers' list of articles.
type StaffFilter struct {
	Q          string
	Category   Category
	State      State
	Visibility Visibility
}

// StaffList returns a writer's page of the articles filter lets through, with their figures: by
// relevance when it searches, by title otherwise. It returns how many there are.
func (s *Service) StaffList(ctx context.Context, actor tenancy.Actor, lang string, f StaffFilter, pg paging.Page) ([]Article, int, error) {
	if err := mayWrite(actor); err != nil {
		return nil, 0, err
	}
	if err := s.fresh(ctx, false); err != nil {
		return nil, 0, err
	}
	keep := func(e *entry) bool {
		return (f.Category == "" || e.category == f.Category) && (f.State == "" || e.state == f.State) &&
			(f.Visibility == "" || e.visibility == f.Visibility)
	}
	var hits []Hit
	if terms := Terms(f.Q); len(terms) > 0 {
		hits = s.Index.Search(f.Q, lang, keep, s.Index.Len(), 0, 0)
	} else {
		hits = s.Index.List(lang, keep)
	}
	total := len(hits)
	from := min(pg.Offset(), total)
	if pg.Size > 0 { // a Size of 0 reads every row
		hits = hits[from:min(from+pg.Limit(), total)]
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	as, err := byIDs(ctx, s.DB, ids)
	if err != nil {
		return nil, 0, err
	}
	slices.SortFunc(as, func(a, b Article) int { return slices.Index(ids, a.ID) - slices.Index(ids, b.ID) })
	return as, total, nil
}

// Viewed counts a view of an article by a reader who is not staff, in the customer's tenant
// (0 for none). An article the reader may not read is apperr.ErrNotFound.
func (s *Service) Viewed(ctx context.Context, actor tenancy.Actor, id, tenantID int64) error {
	if actor.Kind.Staff() {
		return nil
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		// Only what decides who reads it: a view is counted on every page shown.
		a := new(Article)
		err := tx.NewSelect().Model(a).Column("id", "state", "visibility").Where("ha.id = ?", id).Scan(ctx)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return apperr.ErrNotFound
		case err != nil:
			return fmt.Errorf("help: read article %d: %w", id, err)
		}
		if !canRead(actor, a) {
			return apperr.ErrNotFound
		}
		if _, err := tx.NewUpdate().Model((*Article)(nil)).Set("views = views + 1").Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("help: count a view of article %d: %w", id, err)
		}
		return s.record(ctx, tx, actor, id, EventView, "", tenantID)
	})
}

// record writes one event of an article.
func (s *Service) record(ctx context.Context, tx bun.IDB, actor tenancy.Actor, id int64, kind, source string, tenantID int64) error {
	ev := &event{ArticleID: id, Kind: kind, Source: source, CreatedAt: s.now()}
	if actor.UserID != 0 {
		uid := actor.UserID
		ev.UserID = &uid
	}
	if tenantID != 0 {
		ev.TenantID = &tenantID
	}
	if _, err := tx.NewInsert().Model(ev).Exec(ctx); err != nil {
		return fmt.Errorf("help: record a %s of article %d: %w", kind, id, err)
	}
	return nil
}

// MyVote is actor's vote on an article: nil when they have not voted.
func (s *Service) MyVote(ctx context.Context, actor tenancy.Actor, id int64) (*bool, error) {
	if actor.UserID == 0 {
		return nil, nil
	}
	v := new(vote)
	err := s.DB.NewSelect().Model(v).Where("article_id = ? AND user_id = ?", id, actor.UserID).Scan(ctx)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, fmt.Errorf("help: read a vote on article %d: %w", id, err)
	}
	return &v.Helpful, nil
}

// Vote records whether actor found an article helpful (« Cet article vous a-t-il aidé ? »). A
// person has one vote an article: voting again replaces it. Customers vote: the figures are
// their readers' (staff's views are not counted either), and a visitor has no identity to
// keep to one vote.
func (s *Service) Vote(ctx context.Context, actor tenancy.Actor, id int64, helpful bool, tenantID int64) error {
	if actor.Kind != identity.Customer {
		return apperr.ErrNotFound
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		a, err := lockByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canRead(actor, a) {
			return apperr.ErrNotFound
		}
		return s.vote(ctx, tx, actor, id, helpful, tenantID)
	})
}

// vote writes actor's vote on article id, which the transaction holds, and adjusts its figures.
func (s *Service) vote(ctx context.Context, tx bun.Tx, actor tenancy.Actor, id int64, helpful bool, tenantID int64) error {
	now := s.now()
	old := new(vote)
	err := tx.NewSelect().Model(old).Where("article_id = ? AND user_id = ?", id, actor.UserID).Scan(ctx)
	switch {
	case err == nil && old.Helpful == helpful:
		return nil
	case err == nil:
		if _, err := tx.NewUpdate().Model((*vote)(nil)).Set("helpful = ?, updated_at = ?", helpful, now).
			Where("article_id = ? AND user_id = ?", id, actor.UserID).Exec(ctx); err != nil {
			return fmt.Errorf("help: change a vote on article %d: %w", id, err)
		}
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.NewInsert().Model(&vote{ArticleID: id, UserID: actor.UserID, Helpful: helpful, CreatedAt: now, UpdatedAt: now}).Exec(ctx); err != nil {
			return fmt.Errorf("help: vote on article %d: %w", id, err)
		}
	default:
		return fmt.Errorf("help: read a vote on article %d: %w", id, err)
	}
	set := "helpful = helpful + 1"
	kind := EventHelpful
	if !helpful {
		set, kind = "unhelpful = unhelpful + 1", EventUnhelpful
	}
	if err == nil { // a changed vote: the old one no longer counts, in the totals nor in the periods
		if helpful {
			set += ", unhelpful = unhelpful - 1"
		} else {
			set += ", helpful = helpful - 1"
		}
		if _, err := tx.NewDelete().Model((*event)(nil)).Where("article_id = ? AND user_id = ? AND kind IN (?)",
			id, actor.UserID, bun.In([]string{EventHelpful, EventUnhelpful})).Exec(ctx); err != nil {
			return fmt.Errorf("help: replace a vote's event on article %d: %w", id, err)
		}
	}
	if _, err := tx.NewUpdate().Model((*Article)(nil)).Set(set).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("help: count a vote on article %d: %w", id, err)
	}
	return s.record(ctx, tx, actor, id, kind, "", tenantID)
}

// deflectAgain is how long a customer's second « Cela répond à ma question » on the same article
// counts as the first sent again.
const deflectAgain = time.Minute

// Deflect records that an article answered a customer who was declaring an incident or ordering
// a change (« Cela répond à ma question »): nothing is declared, the deflection is counted, and
// the article counts as helpful to them.
func (s *Service) Deflect(ctx context.Context, actor tenancy.Actor, id int64, source string, tenantID int64) error {
	if actor.Kind != identity.Customer {
		return apperr.ErrNotFound
	}
	if !ValidSource(source) {
		return i18n.NewError("help.error.source")
	}
	return s.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		a, err := lockByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canRead(actor, a) {
			return apperr.ErrNotFound
		}
		// The same answer sent again (a double click, a page sent anew) is one deflection.
		again, err := tx.NewSelect().Model((*event)(nil)).Where("article_id = ? AND user_id = ? AND kind = ? AND created_at > ?",
			id, actor.UserID, EventDeflection, s.now().Add(-deflectAgain)).Exists(ctx)
		if err != nil {
			return fmt.Errorf("help: read the deflections of article %d: %w", id, err)
		}
		if again {
			return nil
		}
		if _, err := tx.NewUpdate().Model((*Article)(nil)).Set("deflections = deflections + 1").Where("id = ?", id).Exec(ctx); err != nil {
			return fmt.Errorf("help: count a deflection on article %d: %w", id, err)
		}
		if err := s.record(ctx, tx, actor, id, EventDeflection, source, tenantID); err != nil {
			return err
		}
		return s.vote(ctx, tx, actor, id, true, tenantID)
	})
}

// FromIncident is the input of a new article written from a resolved incident's resolution: its
// title, and its resolution note as the body, in the reporter's language; a draft for customers,
// for the writer to make general before publishing. An incident that is not resolved (or
// closed) with a resolution note is refused.
func (s *Service) FromIncident(ctx context.Context, actor tenancy.Actor, incidentID int64) (Input, error) {
	var in Input
	if err := mayWrite(actor); err != nil {
		return in, err
	}
	inc, err := incident.ByID(ctx, s.DB, incidentID)
	if err != nil {
		return in, err
	}
	if err := incident.CanRead(ctx, s.DB, actor, inc.TenantID); err != nil {
		return in, err
	}
	if inc.Status != incident.Resolved && inc.Status != incident.Closed {
		return in, i18n.NewError("help.error.not_resolved", "Number", inc.Number())
	}
	es, err := timeline.List(ctx, s.DB, inc.Subject(), false)
	if err != nil {
		return in, err
	}
	note := ""
	for _, e := range es {
		if e.Event == incident.EventStatus && e.To == incident.StatusKey(incident.Resolved) && e.Body != "" {
			note = e.Body
		}
	}
	if note == "" {
		return in, i18n.NewError("help.error.no_resolution", "Number", inc.Number())
	}
	lang := "fr"
	if u, err := identity.UserByID(ctx, s.DB, inc.ReporterID); err == nil && u.Lang == "en" {
		lang = "en"
	}
	in = Input{Category: General, Visibility: Customers, State: Draft}
	if lang == "en" {
		in.TitleEN, in.BodyEN = inc.Title, note
	} else {
		in.TitleFR, in.BodyFR = inc.Title, note
	}
	return in, nil
}

// Linkable returns an article a writer may link to in a reply to a customer: published, and not
// for staff only. Anything else is refused beside the field help_q.
func (s *Service) Linkable(ctx context.Context, actor tenancy.Actor, id int64) (*Article, error) {
	if err := mayWrite(actor); err != nil {
		return nil, err
	}
	a, err := byID(ctx, s.DB, id)
	if err != nil {
		return nil, err
	}
	if a.State != Published || a.Visibility == Staff {
		return nil, i18n.FieldError("help_q", "help.error.not_linkable")
	}
	return a, nil
}

// LinkSearch returns the articles a writer may link to in a reply (Linkable) that match q, at
// most limit, in lang first.
func (s *Service) LinkSearch(ctx context.Context, actor tenancy.Actor, lang, q string, limit int) ([]Hit, error) {
	if err := mayWrite(actor); err != nil {
		return nil, err
	}
	if err := s.fresh(ctx, false); err != nil {
		return nil, err
	}
	return s.Index.Search(q, lang, func(e *entry) bool { return e.state == Published && e.visibility != Staff }, limit, 0, 0), nil
}

// ForReply returns an article a writer links to in a reply on an incident they may read
// (Linkable), and the language the link names: the reporter's when the article is written in
// it, the other otherwise.
func (s *Service) ForReply(ctx context.Context, actor tenancy.Actor, articleID, incidentID int64) (*Article, string, error) {
	a, err := s.Linkable(ctx, actor, articleID)
	if err != nil {
		return nil, "", err
	}
	inc, err := incident.ByID(ctx, s.DB, incidentID)
	if err != nil {
		return nil, "", err
	}
	if err := incident.CanRead(ctx, s.DB, actor, inc.TenantID); err != nil {
		return nil, "", err
	}
	lang := "fr"
	if u, err := identity.UserByID(ctx, s.DB, inc.ReporterID); err == nil && u.Lang == "en" {
		lang = "en"
	}
	return a, a.Shown(lang), nil
}

// List returns every published article actor may read, by title in lang.
func (s *Service) List(ctx context.Context, actor tenancy.Actor, lang string) ([]Hit, error) {
	if err := s.fresh(ctx, false); err != nil {
		return nil, err
	}
	return s.Index.List(lang, readerFilter(actor)), nil
}
