package timeline

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/fold"
	"github.com/uptrace/bun"
)

// Doc is one row of the full-text index (timeline_fts on SQLite, timeline_search on PostgreSQL): a text under the id of the timeline
// entry it belongs to. The index then holds every text of the desk in the order it was written,
// and a search reads the most recent matches first.
type Doc struct {
	RowID int64
	Text  string
}

// EntryDoc is what an entry puts in the index: a reply's or a note's body, under the entry's
// id. An event puts nothing (false): its reason is not searched.
func EntryDoc(e *Entry) (Doc, bool) {
	if e.Kind == Event || e.Body == "" {
		return Doc{}, false
	}
	return Doc{RowID: e.ID, Text: e.Body}, true
}

// TicketDoc is what a ticket puts in the index of itself: its number, title and description,
// under the id of its creation event.
func TicketDoc(createdEntryID int64, number, title, description string) Doc {
	return Doc{RowID: createdEntryID, Text: number + " " + title + "\n" + description}
}

// indexBatch is how many rows one statement adds to the index.
const indexBatch = 200

// Index adds docs to the full-text index of the database, in id order (it sorts docs), a batch
// of rows per statement. What is indexed is the text's folded words (fold.Words), the same on
// both databases: SQLite's timeline_fts (FTS5) and PostgreSQL's timeline_search (tsvector).
func Index(ctx context.Context, idb bun.IDB, docs ...Doc) error {
	if len(docs) == 0 {
		return nil
	}
	slices.SortFunc(docs, func(x, y Doc) int { return cmp.Compare(x.RowID, y.RowID) })
	insert, row := "INSERT INTO timeline_fts (rowid, body) VALUES ", "(?, ?)"
	if db.IsPG(idb) {
		insert, row = "INSERT INTO timeline_search (id, doc) VALUES ", "(?, to_tsvector('simple', ?))"
	}
	for len(docs) > 0 {
		n := min(len(docs), indexBatch)
		args := make([]any, 0, 2*n)
		for _, d := range docs[:n] {
			args = append(args, d.RowID, strings.Join(fold.Words(d.Text), " "))
		}
		values := strings.TrimPrefix(strings.Repeat(", "+row, n), ", ")
		if _, err := idb.NewRaw(insert+values, args...).Exec(ctx); err != nil {
			return fmt.Errorf("timeline: index the text of entry %d: %w", docs[0].RowID, err)
		}
		docs = docs[n:]
	}
	return nil
}
