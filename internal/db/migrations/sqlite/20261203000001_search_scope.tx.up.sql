-- Search scoped inside the index: each document's tenant (and whether customers may read it) is
-- a token of its own column, asked for with the words, instead of a filter applied to the
-- matches of the whole desk (which missed a small tenant's older matches behind a common word).
-- The table is contentless, so it is made anew and refilled from the timeline by the next
-- migration (20261203000002_search_reindex, in Go), under the negated ids of the entries (see
-- timeline.sqliteRowID: FTS5 reads forwards fast, newest first). contentless_delete lets a text
-- be removed.
DROP TABLE timeline_fts;
--bun:split
CREATE VIRTUAL TABLE timeline_fts USING fts5(body, scope, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
