package timeline

import (
	"context"
	"fmt"
	"strconv"
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

// Scope is what part of the index a search reads: one tenant's texts (TenantID), or the whole
// desk's (0, for staff); internal notes' texts only when Notes is true (staff).
type Scope struct {
	TenantID int64
	Notes    bool
}

// Matches returns the ids of the timeline entries (and tickets' creation entries, see
// TicketDoc) in scope whose indexed text holds every word of q, below before, newest first, at
// most limit. The scope is read inside the index, so the matches of one tenant come whatever
// the other tenants' texts: a search is complete as well as fast. Each database has its own
// index, read by the seam of its dialect.
func Matches(ctx context.Context, idb bun.IDB, q Query, scope Scope, before int64, limit int) ([]int64, error) {
	if !scope.Notes && scope.TenantID == 0 {
		// Only staff read the whole desk, and staff read notes: a scope without a tenant
		// and without notes is a mistake of the caller, not a search of everything public.
		return nil, fmt.Errorf("timeline: a search without notes must name its tenant")
	}
	if db.IsPG(idb) {
		return matchesPG(ctx, idb, q, scope, before, limit)
	}
	return matchesSQLite(ctx, idb, q, scope, before, limit)
}

// fts5 is the query in FTS5's syntax: every word quoted (words hold only letters and digits)
// and looked for in the text's column, and the scope's token in the scope column (see
// Doc.scopeSQLite).
func (q Query) fts5(scope Scope) string {
	parts := make([]string, 0, len(q)+1)
	for _, w := range q {
		parts = append(parts, `body : "`+w+`"`)
	}
	switch {
	case scope.TenantID != 0 && scope.Notes:
		parts = append(parts, `scope : "t`+strconv.FormatInt(scope.TenantID, 10)+`"`)
	case scope.TenantID != 0:
		parts = append(parts, `scope : "p`+strconv.FormatInt(scope.TenantID, 10)+`"`)
	}
	return strings.Join(parts, " AND ")
}

// matchesSQLite reads timeline_fts, an FTS5 table whose rowids are entry ids negated
// (sqliteRowID), forwards: newest first.
func matchesSQLite(ctx context.Context, idb bun.IDB, q Query, scope Scope, before int64, limit int) ([]int64, error) {
	var ids []int64
	err := idb.NewRaw("SELECT -rowid FROM timeline_fts WHERE timeline_fts MATCH ? AND rowid > ? ORDER BY rowid LIMIT ?",
		q.fts5(scope), sqliteRowID(before), limit).Scan(ctx, &ids)
	return ids, err
}

// matchesPG reads timeline_search, whose tsvectors the 'simple' configuration made of the folded
// words: plainto_tsquery splits q's words the same way and requires them all. A customer's
// search walks the tenant's public texts in the order of their negated ids (the index
// timeline_search_public) for a common word, and reads the GIN index for a rare one; staff's
// walk the primary key backwards, or read the GIN index.
func matchesPG(ctx context.Context, idb bun.IDB, q Query, scope Scope, before int64, limit int) ([]int64, error) {
	var ids []int64
	words := strings.Join(q, " ")
	if scope.TenantID != 0 && !scope.Notes {
		err := idb.NewRaw("SELECT id FROM timeline_search WHERE tenant_id = ? AND NOT internal AND -id > ? "+
			"AND doc @@ plainto_tsquery('simple', ?) ORDER BY -id LIMIT ?", scope.TenantID, -before, words, limit).Scan(ctx, &ids)
		return ids, err
	}
	where := "doc @@ plainto_tsquery('simple', ?) AND id < ?"
	args := []any{words, before}
	if scope.TenantID != 0 {
		where += " AND tenant_id = ?"
		args = append(args, scope.TenantID)
	}
	err := idb.NewRaw("SELECT id FROM timeline_search WHERE "+where+" ORDER BY id DESC LIMIT ?", append(args, limit)...).Scan(ctx, &ids)
	return ids, err
}
