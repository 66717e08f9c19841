package incident

import (
	"context"
	"fmt"

	"github.com/guichet/guichet/internal/db"
	"github.com/guichet/guichet/internal/timeline"
	"github.com/uptrace/bun"
)

func init() {
	// The index made anew with its scope (20261203000001_search_scope) is refilled here, with
	// the words the program folds, as Declare and timeline.Record write them.
	db.AddMigration("20261203000002", "search_reindex", func(ctx context.Context, bdb *bun.DB) error {
		return bdb.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if _, err := RebuildIndex(ctx, tx, func(int) {}); err != nil {
				return err
			}
			return timeline.OptimizeIndex(ctx, tx)
		})
	})
}

// indexPage is how many timeline entries are read and indexed at a time.
const indexPage = 5000

// RebuildIndex writes the search index of the desk in idb from its rows, exactly as the program
// writes it (the index must be empty): each incident's own document (SearchDoc: number, title
// and description) under the id of its creation entry, and each of its entries' documents as
// timeline.EntryDoc says (replies' and notes' bodies), in the scope of the incident's tenant.
// It walks the timeline in id order, tells tick how many entries it read, and returns how many
// documents it indexed.
func RebuildIndex(ctx context.Context, idb bun.IDB, tick func(int)) (int64, error) {
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
		var ids []int64
		for i := range es {
			if e := &es[i]; e.SubjectKind == SubjectKind {
				ids = append(ids, e.SubjectID)
			}
		}
		incs := map[int64]*Incident{}
		if len(ids) > 0 {
			var list []Incident
			if err := idb.NewSelect().Model(&list).Column("id", "tenant_id", "title", "description").
				Where("id IN (?)", bun.In(ids)).Scan(ctx); err != nil {
				return 0, fmt.Errorf("read incidents: %w", err)
			}
			for i := range list {
				incs[list[i].ID] = &list[i]
			}
		}
		docs := make([]timeline.Doc, 0, len(es))
		for i := range es {
			e := &es[i]
			inc := incs[e.SubjectID]
			if e.SubjectKind != SubjectKind || inc == nil {
				continue
			}
			if e.Kind == timeline.Event && e.Event == EventCreated && !seen[inc.ID] {
				seen[inc.ID] = true
				docs = append(docs, SearchDoc(inc, e.ID))
			}
			e.TenantID = inc.TenantID
			if d, ok := timeline.EntryDoc(e); ok {
				docs = append(docs, d)
			}
		}
		if err := timeline.Index(ctx, idb, docs...); err != nil {
			return 0, err
		}
		indexed += int64(len(docs))
		tick(len(es))
	}
}
