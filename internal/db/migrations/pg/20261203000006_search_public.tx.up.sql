-- A customer's search walks their tenant's public texts newest first, in an index of its own
-- ordered by the negated id: the planner cannot answer "ORDER BY -id" from the primary key, so
-- it walks this index (a common word) or reads the GIN index (a rare one), instead of walking
-- every tenant's texts backwards by primary key and testing the words of each (twice slower at
-- a million incidents). It replaces the (tenant_id, id) index, which the planner passed over.
DROP INDEX timeline_search_tenant;
--bun:split
CREATE INDEX timeline_search_public ON timeline_search (tenant_id, (-id)) WHERE NOT internal;
--bun:split
-- The statistics of the words (20261203000004_search_statistics) and of the new index's
-- expression, now rather than when autovacuum gets to the table.
ANALYZE timeline_search;
