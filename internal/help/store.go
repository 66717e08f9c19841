package help

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/guichet/guichet/internal/apperr"
	"github.com/guichet/guichet/internal/db"
	"github.com/uptrace/bun"
)

// withNames selects the article with its author's and last editor's names.
func withNames(q *bun.SelectQuery) *bun.SelectQuery {
	return q.ColumnExpr("ha.*").
		ColumnExpr("(SELECT u.display_name FROM users u WHERE u.id = ha.author_id) AS author_name").
		ColumnExpr("(SELECT u.display_name FROM users u WHERE u.id = ha.editor_id) AS editor_name")
}

// byID reads an article; one that does not exist is apperr.ErrNotFound. It does not authorize.
func byID(ctx context.Context, idb bun.IDB, id int64) (*Article, error) {
	a := new(Article)
	err := withNames(idb.NewSelect().Model(a)).Where("ha.id = ?", id).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, apperr.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("help: read article %d: %w", id, err)
	}
	return a, nil
}

// lockByID reads an article holding its row until the transaction ends, on PostgreSQL.
func lockByID(ctx context.Context, tx bun.IDB, id int64) (*Article, error) {
	a := new(Article)
	err := db.ForUpdate(tx.NewSelect().Model(a).Where("ha.id = ?", id)).Scan(ctx)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, apperr.ErrNotFound
	case err != nil:
		return nil, fmt.Errorf("help: read article %d: %w", id, err)
	}
	return a, nil
}

// byIDs reads articles by id, in no order.
func byIDs(ctx context.Context, idb bun.IDB, ids []int64) ([]Article, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var as []Article
	if err := withNames(idb.NewSelect().Model(&as)).Where("ha.id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
		return nil, fmt.Errorf("help: read articles: %w", err)
	}
	return as, nil
}

// takeSeqs takes the next n write numbers and returns the last, holding help_state's row until
// the transaction ends: the writes of articles are numbered in the order they commit. The row is
// written by the first write (a new desk's tables are empty, as guichet copy wants them).
func takeSeqs(ctx context.Context, tx bun.IDB, n int) (int64, error) {
	var seq int64
	err := tx.NewRaw("INSERT INTO help_state (id, seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seq = help_state.seq + ? RETURNING seq", n, n).
		Scan(ctx, &seq)
	if err != nil {
		return 0, fmt.Errorf("help: number the write: %w", err)
	}
	return seq, nil
}

// nextSeq takes the next write number (takeSeqs).
func nextSeq(ctx context.Context, tx bun.IDB) (int64, error) { return takeSeqs(ctx, tx, 1) }

// TakeTurn holds help_state's row until tx ends, numbering nothing: writers of articles that
// must see each other's (the demo's, loaded by desks starting together) take turns.
func TakeTurn(ctx context.Context, tx bun.Tx) error {
	_, err := takeSeqs(ctx, tx, 0)
	return err
}

// stateSeq is the number of the last write committed (0 before the first).
func stateSeq(ctx context.Context, idb bun.IDB) (int64, error) {
	var seq int64
	err := idb.NewRaw("SELECT seq FROM help_state WHERE id = 1").Scan(ctx, &seq)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("help: read the write number: %w", err)
	}
	return seq, nil
}

// loadPage is how many articles the index reads at a time.
const loadPage = 500

// writtenSince reads the articles whose last write is numbered above after and at most upTo,
// in that order, loadPage at a time, handing each page to fn.
func writtenSince(ctx context.Context, idb bun.IDB, after, upTo int64, fn func([]*Article)) error {
	for {
		var as []*Article
		if err := idb.NewSelect().Model(&as).Column("id", "category", "visibility", "state", "title_fr", "body_fr",
			"title_en", "body_en", "updated_at", "seq").Where("seq > ? AND seq <= ?", after, upTo).
			OrderExpr("seq").Limit(loadPage).Scan(ctx); err != nil {
			return fmt.Errorf("help: read the articles written since %d: %w", after, err)
		}
		if len(as) == 0 {
			return nil
		}
		fn(as)
		after = as[len(as)-1].Seq
	}
}

// insertVersions keeps the saved state of each written article, as its current version.
func insertVersions(ctx context.Context, tx bun.IDB, as ...*Article) error {
	vs := make([]*Version, len(as))
	for i, a := range as {
		vs[i] = &Version{ArticleID: a.ID, Version: a.Version, Category: a.Category, Visibility: a.Visibility, State: a.State,
			TitleFR: a.TitleFR, BodyFR: a.BodyFR, TitleEN: a.TitleEN, BodyEN: a.BodyEN, EditorID: a.EditorID, CreatedAt: a.UpdatedAt}
	}
	if _, err := tx.NewInsert().Model(&vs).Exec(ctx); err != nil {
		return fmt.Errorf("help: insert versions: %w", err)
	}
	return nil
}

// InsertArticles writes new articles with their first versions, numbered as the service numbers
// its writes, in transaction tx: the demo's articles and the generated ones. It does not
// validate them.
func InsertArticles(ctx context.Context, tx bun.Tx, as []*Article) error {
	if len(as) == 0 {
		return nil
	}
	seq, err := takeSeqs(ctx, tx, len(as))
	if err != nil {
		return err
	}
	for i, a := range as {
		a.Seq = seq - int64(len(as)) + int64(i) + 1
	}
	if _, err := tx.NewInsert().Model(&as).Exec(ctx); err != nil {
		return fmt.Errorf("help: insert articles: %w", err)
	}
	return insertVersions(ctx, tx, as...)
}

// event is one row of help_events.
type event struct {
	bun.BaseModel `bun:"table:help_events"`

	ID        int64     `bun:"id,pk,autoincrement"`
	ArticleID int64     `bun:"article_id"`
	Kind      string    `bun:"kind"`
	Source    string    `bun:"source"`
	UserID    *int64    `bun:"user_id"`
	TenantID  *int64    `bun:"tenant_id"`
	CreatedAt time.Time `bun:"created_at"`
}

// vote is one row of help_votes.
type vote struct {
	bun.BaseModel `bun:"table:help_votes,alias:hvo"`

	ArticleID int64     `bun:"article_id,pk"`
	UserID    int64     `bun:"user_id,pk"`
	Helpful   bool      `bun:"helpful"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}
