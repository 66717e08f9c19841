package timeline

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/fold"
	"github.com/uptrace/bun"
)

// Doc is one row of the full-text index (timeline_fts on SQLite, timeline_search on
// PostgreSQL): a text under the id of the timeline entry it belongs to, scoped by its tenant and
// by whether only staff may read it. The index then holds every text of the desk in the order it
// was written, and a search reads the most recent matches of one tenant (or of the whole desk,
// for staff) first, inside the index: a common word on a small tenant reads that tenant's
// matches, not the desk's.
type Doc struct {
	RowID    int64
	Text     string
	TenantID int64
	// Internal marks an internal note's text: staff only.
	Internal bool
}

// EntryDoc is what an entry puts in the index: a reply's or a note's body, under the entry's
// id, in the scope of its subject's tenant. An event puts nothing (false): its reason is not
// searched; nor does an entry of a subject that is not searched (no TenantID, see Subject).
func EntryDoc(e *Entry) (Doc, bool) {
	if e.Kind == Event || e.Body == "" || e.TenantID == 0 {
		return Doc{}, false
	}
	return Doc{RowID: e.ID, Text: e.Body, TenantID: e.TenantID, Internal: e.Internal()}, true
}

// TicketDoc is what a ticket puts in the index of itself: its number, title and description,
// under the id of its creation event, in its tenant's scope.
func TicketDoc(createdEntryID, tenantID int64, number, title, description string) Doc {
	return Doc{RowID: createdEntryID, Text: number + " " + title + "\n" + description, TenantID: tenantID}
}

// scopeSQLite is a document's scope column on SQLite: a token of its tenant, which staff
// searching one tenant ask for, and for a text customers may read, a token of its tenant's
// public texts, which customers ask for. The tokens live in their own column: no word of a
// text can be taken for them.
func (d Doc) scopeSQLite() string {
	s := "t" + strconv.FormatInt(d.TenantID, 10)
	if !d.Internal {
		s += " p" + strconv.FormatInt(d.TenantID, 10)
	}
	return s
}

// indexBatch is how many rows one statement adds to the index.
const indexBatch = 200

// sqliteRowID is the rowid of entry id's text in SQLite's full-text index: its id negated, so
// that the newest text comes first in the index's own order. FTS5 reads a word's matches
// forwards as a stream, stopping at the LIMIT, and the next match of another word by skipping
// ahead; backwards it first decodes every match of every word asked (a common word's hundreds of
// thousands). A search reads the newest matches: forwards, with negated ids.
func sqliteRowID(id int64) int64 { return -id }

// Index adds docs to the full-text index of the database, in id order (it sorts docs), a batch
// of rows per statement. What is indexed is the text's folded words (fold.Words), the same on
// both databases: SQLite's timeline_fts (FTS5, the scope in a column of tokens) and
// PostgreSQL's timeline_search (tsvector, the scope in columns of a b-tree index).
func Index(ctx context.Context, idb bun.IDB, docs ...Doc) error {
	if len(docs) == 0 {
		return nil
	}
	pg := db.IsPG(idb)
	if pg {
		slices.SortFunc(docs, func(x, y Doc) int { return cmp.Compare(x.RowID, y.RowID) })
	} else {
		// Under their negated ids (see sqliteRowID), in the order of those.
		slices.SortFunc(docs, func(x, y Doc) int { return cmp.Compare(y.RowID, x.RowID) })
	}
	insert, row := "INSERT INTO timeline_fts (rowid, body, scope) VALUES ", "(?, ?, ?)"
	if pg {
		insert, row = "INSERT INTO timeline_search (id, tenant_id, internal, doc) VALUES ", "(?, ?, ?, to_tsvector('simple', ?))"
	}
	for len(docs) > 0 {
		n := min(len(docs), indexBatch)
		args := make([]any, 0, 4*n)
		for _, d := range docs[:n] {
			if d.TenantID == 0 {
				return fmt.Errorf("timeline: the text of entry %d has no tenant to be searched in", d.RowID)
			}
			words := strings.Join(fold.Words(d.Text), " ")
			if pg {
				args = append(args, d.RowID, d.TenantID, d.Internal, words)
			} else {
				args = append(args, sqliteRowID(d.RowID), words, d.scopeSQLite())
			}
		}
		values := strings.TrimPrefix(strings.Repeat(", "+row, n), ", ")
		if _, err := idb.NewRaw(insert+values, args...).Exec(ctx); err != nil {
			return fmt.Errorf("timeline: index the text of entry %d: %w", docs[0].RowID, err)
		}
		docs = docs[n:]
	}
	return nil
}

// MergeIndex does up to pages pages of the merging of SQLite's full-text index that FTS5 would
// otherwise do inside the requests' writes (automerge is off, see the search_merge migration),
// in a transaction of its own that takes its turn among the writers, and reports whether there
// was any to do. `guichet serve` calls it in the background. PostgreSQL's index needs nothing
// of the kind: it reports false.
func MergeIndex(ctx context.Context, bdb *bun.DB, pages int) (bool, error) {
	if db.IsPG(bdb) {
		return false, nil
	}
	var worked bool
	err := bdb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var before, after int64
		if err := tx.NewRaw("SELECT total_changes()").Scan(ctx, &before); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO timeline_fts (timeline_fts, rank) VALUES ('merge', ?)", pages); err != nil {
			return err
		}
		if err := tx.NewRaw("SELECT total_changes()").Scan(ctx, &after); err != nil {
			return err
		}
		// FTS5 counts one change for the command itself, and more when it merged.
		worked = after-before >= 2
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("timeline: merge the search index: %w", err)
	}
	return worked, nil
}

// OptimizeIndex merges SQLite's whole full-text index into one segment, after it was filled in
// bulk (a rebuild, a copy): a search then seeks each word in one place instead of in every
// segment the filling left (searches of common words 20 % faster at a million incidents; 10 s
// of work there). PostgreSQL's index needs nothing of the kind.
func OptimizeIndex(ctx context.Context, idb bun.IDB) error {
	if db.IsPG(idb) {
		return nil
	}
	if _, err := idb.ExecContext(ctx, "INSERT INTO timeline_fts (timeline_fts) VALUES ('optimize')"); err != nil {
		return fmt.Errorf("timeline: optimize the search index: %w", err)
	}
	return nil
}
