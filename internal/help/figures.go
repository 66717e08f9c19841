package help

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/tenancy"
	"github.com/uptrace/bun"
)

// ArticleFigures are one article's figures over a period.
type ArticleFigures struct {
	ID int64
	// Title is the article's title in the reader's language (or the other), Lang its language.
	Title, Lang                            string
	Views, Helpful, Unhelpful, Deflections int
}

// Figures are the help center's figures over a period: totals, and each article that was read,
// voted on or answered a question, the most deflections first, then the most views.
type Figures struct {
	Views, Helpful, Unhelpful, Deflections int
	Articles                               []ArticleFigures
}

// PeriodFigures counts, for staff, the views, votes and deflections recorded from from (included)
// to to (excluded), in tenants (nil: every tenant, and readers in none, such as visitors).
func (s *Service) PeriodFigures(ctx context.Context, actor tenancy.Actor, lang string, from, to time.Time, tenants []int64) (*Figures, error) {
	if !actor.Kind.Staff() {
		return nil, apperr.ErrNotFound
	}
	f := &Figures{}
	if tenants != nil && len(tenants) == 0 {
		return f, nil
	}
	var rows []struct {
		ArticleID int64  `bun:"article_id"`
		Kind      string `bun:"kind"`
		N         int    `bun:"n"`
	}
	q := s.DB.NewSelect().Table("help_events").ColumnExpr("article_id, kind, COUNT(*) AS n").
		Where("created_at >= ? AND created_at < ?", from.UTC(), to.UTC()).GroupExpr("article_id, kind")
	if tenants != nil {
		q = q.Where("tenant_id IN (?)", bun.In(tenants))
	}
	if err := q.Scan(ctx, &rows); err != nil {
		return nil, fmt.Errorf("help: count the period's events: %w", err)
	}
	if err := s.fresh(ctx, false); err != nil {
		return nil, err
	}
	by := map[int64]*ArticleFigures{}
	for _, r := range rows {
		a := by[r.ArticleID]
		if a == nil {
			a = &ArticleFigures{ID: r.ArticleID}
			by[r.ArticleID] = a
		}
		switch r.Kind {
		case EventView:
			a.Views += r.N
			f.Views += r.N
		case EventHelpful:
			a.Helpful += r.N
			f.Helpful += r.N
		case EventUnhelpful:
			a.Unhelpful += r.N
			f.Unhelpful += r.N
		case EventDeflection:
			a.Deflections += r.N
			f.Deflections += r.N
		}
	}
	s.Index.mu.RLock()
	for id, a := range by {
		if e := s.Index.entries[id]; e != nil {
			h := e.hit(lang)
			a.Title, a.Lang = h.Title, h.Lang
		}
		f.Articles = append(f.Articles, *a)
	}
	s.Index.mu.RUnlock()
	slices.SortFunc(f.Articles, func(a, b ArticleFigures) int {
		return cmp.Or(cmp.Compare(b.Deflections, a.Deflections), cmp.Compare(b.Views, a.Views), cmp.Compare(a.ID, b.ID))
	})
	return f, nil
}
