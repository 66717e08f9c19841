-- The full-text index's merging is taken out of the writes of requests: by default FTS5 merges
-- its segments as part of the statement that adds a text (a third of the time of declaring an
-- incident at a million incidents, inside the transaction that holds SQLite's only write lock).
-- The desk merges in the background instead (timeline.MergeIndex, run by `guichet serve`); a
-- level that still gathers 16 segments is merged at once by FTS5 itself (crisismerge).
INSERT INTO timeline_fts (timeline_fts, rank) VALUES ('automerge', 0);
