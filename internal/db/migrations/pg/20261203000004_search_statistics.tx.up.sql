-- The planner's statistics of the search index keep the frequencies of up to 100,000 words
-- (the default keeps a thousand): a word it does not know is then estimated rare, as it is,
-- and read through the GIN index (0.2 ms at a million incidents), not by walking every text
-- backwards in search of it (3 s). 20261203000006_search_public reads them (ANALYZE) rather
-- than leaving it to autovacuum.
ALTER TABLE timeline_search ALTER COLUMN doc SET STATISTICS 10000;
