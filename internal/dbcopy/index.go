package dbcopy

import (
	"context"
	"fmt"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/incident"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

// indexPage is how many timeline entries are read and indexed at a time.
const indexPage = 5000

// rebuildIndex writes the search index of the desk in idb from its rows, exactly as the program
// writes it: each incident's own document (incident.SearchDoc: number, title and description)
// under the id of its creation entry, and each entry's document as timeline.EntryDoc says
// (replies' and notes' bodies). It walks the timeline in id order, tells tick how many entries
// it read, and returns how many documents it indexed.
func rebuildIndex(ctx context.Context, idb bun.IDB, tick func(int)) (int64, error) {
	var indexed int64
	seen := map[int64]bool{} // incidents whose creation entry was met
	for after := int64(0); ; {
		var es []timeline.Entry
		if err := idb.NewSelect().Model(&es).Column("id", "subject_kind", "subject_id", "kind", "event", "body").
			Where("id > ?", after).OrderExpr("id").Limit(indexPage).Scan(ctx); err != nil {
			return 0, fmt.Errorf("read the timeline after entry %d: %w", after, err)
		}
		if len(es) == 0 {
			return indexed, nil
		}
		after = es[len(es)-1].ID
		docs := make([]timeline.Doc, 0, len(es))
		created := map[int64]int64{} // incident id → its creation entry's id
		var ids []int64
		for i := range es {
			e := &es[i]
			if e.SubjectKind == incident.SubjectKind && e.Kind == timeline.Event && e.Event == incident.EventCreated && !seen[e.SubjectID] {
				seen[e.SubjectID] = true
				created[e.SubjectID] = e.ID
				ids = append(ids, e.SubjectID)
			}
			if d, ok := timeline.EntryDoc(e); ok {
				docs = append(docs, d)
			}
		}
		if len(ids) > 0 {
			var incs []incident.Incident
			if err := idb.NewSelect().Model(&incs).Column("id", "title", "description").
				Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
				return 0, fmt.Errorf("read incidents: %w", err)
			}
			for i := range incs {
				docs = append(docs, incident.SearchDoc(&incs[i], created[incs[i].ID]))
			}
		}
		if err := timeline.Index(ctx, idb, docs...); err != nil {
			return 0, err
		}
		indexed += int64(len(docs))
		tick(len(es))
	}
}

// indexRows counts the rows of idb's search index.
func indexRows(ctx context.Context, idb bun.IDB) (int64, error) {
	name := "timeline_fts"
	if db.IsPG(idb) {
		name = "timeline_search"
	}
	return countRows(ctx, idb, name)
}
