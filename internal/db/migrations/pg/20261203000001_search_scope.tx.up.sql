-- Search scoped inside the index: each document's tenant, and whether only staff may read it
-- (an internal note), beside its words; a customer's search walks its tenant's (tenant_id, id)
-- index backwards, or the GIN index for a rare word, instead of filtering the matches of the
-- whole desk (which missed a small tenant's older matches behind a common word). The table is
-- made anew and refilled from the timeline by the next migration (20261203000002_search_reindex,
-- in Go).
DROP TABLE timeline_search;
--bun:split
CREATE TABLE timeline_search (
    id        BIGINT   PRIMARY KEY,
    tenant_id BIGINT   NOT NULL,
    internal  BOOLEAN  NOT NULL,
    doc       tsvector NOT NULL
);
--bun:split
CREATE INDEX timeline_search_doc ON timeline_search USING gin (doc);
--bun:split
CREATE INDEX timeline_search_tenant ON timeline_search (tenant_id, id);
