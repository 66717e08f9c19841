package timeline

import (
	"context"
	"strings"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/fold"
	"github.com/uptrace/bun"
)

// maxQueryWords bounds a search: more words than this are ignored.
const maxQueryWords = 12

// Query is what a reader typed, as the index understands it: whole words, folded (fold.Words:
// any case, with or without accents, "reseau" finds "Réseau" and "ÉLODIE" finds "Élodie"),
// every one of which must appear. Search syntax typed by the reader (quotes, NEAR, OR, column
// filters, operators) is read as plain words. Words are not prefixes: a prefix makes the index
// merge every matching word's list before it can read the newest match, which costs seconds on
// a common word of a large desk.
type Query []string

// ParseQuery reads q; an empty Query means nothing searchable was typed.
func ParseQuery(q string) Query {
	words := fold.Words(q)
	if len(words) > maxQueryWords {
		words = words[:maxQueryWords]
	}
	return Query(words)
}

// fts5 is the query in FTS5's syntax: every word quoted (words hold only letters and digits).
func (q Query) fts5() string {
	parts := make([]string, len(q))
	for i, w := range q {
		parts[i] = `"` + w + `"`
	}
	return strings.Join(parts, " ")
}

// Matches returns the ids of the timeline entries (and tickets' creation entries, see
// TicketDoc) whose indexed text holds every word of q, below before, newest first, at most
// limit. Each database has its own index, read by the seam of its dialect.
func Matches(ctx context.Context, idb bun.IDB, q Query, before int64, limit int) ([]int64, error) {
	var ids []int64
	var err error
	if db.IsPG(idb) {
		ids, err = matchesPG(ctx, idb, q, before, limit)
	} else {
		ids, err = matchesSQLite(ctx, idb, q, before, limit)
	}
	return ids, err
}

// matchesSQLite reads timeline_fts, an FTS5 table whose rowids are entry ids, backwards.
func matchesSQLite(ctx context.Context, idb bun.IDB, q Query, before int64, limit int) ([]int64, error) {
	var ids []int64
	err := idb.NewRaw("SELECT rowid FROM timeline_fts WHERE timeline_fts MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?",
		q.fts5(), before, limit).Scan(ctx, &ids)
	return ids, err
}

// matchesPG reads timeline_search, whose tsvectors the 'simple' configuration made of the folded
// words: plainto_tsquery splits q's words the same way and requires them all. The planner
// walks the primary key backwards for a common word and the GIN index for a rare one.
func matchesPG(ctx context.Context, idb bun.IDB, q Query, before int64, limit int) ([]int64, error) {
	var ids []int64
	err := idb.NewRaw("SELECT id FROM timeline_search WHERE doc @@ plainto_tsquery('simple', ?) AND id < ? ORDER BY id DESC LIMIT ?",
		strings.Join(q, " "), before, limit).Scan(ctx, &ids)
	return ids, err
}
