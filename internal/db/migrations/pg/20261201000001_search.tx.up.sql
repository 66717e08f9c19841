-- Search on PostgreSQL, with the meaning it has on SQLite: whole words, in any case and with or
-- without accents, newest match first.
--
-- guichet_fold(text) folds as the program's fold.String does (lower case, no accents, French
-- ligatures written out), for the substring filters of lists (users, tenants, changes). It
-- needs no extension: the accented letters of the Latin-1 Supplement and Latin Extended-A
-- blocks are translated by the table below, which fold.Letters() prints and a test compares.
CREATE FUNCTION guichet_fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $fold$
SELECT lower(translate(
    replace(replace(replace(replace(replace(replace(t, 'œ', 'oe'), 'Œ', 'oe'), 'æ', 'ae'), 'Æ', 'ae'), 'ß', 'ss'), 'ẞ', 'ss'),
    'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞàáâãäåçèéêëìíîïñòóôõöùúûüýÿĀāĂăĄąĆćĈĉĊċČčĎďĐĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦĨĩĪīĬĭĮįİĲĴĵĶķĹĺĻļĽľĿŁŃńŅņŇňŊŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšŢţŤťŦŨũŪūŬŭŮůŰűŲųŴŵŶŷŸŹźŻżŽž',
    'aaaaaaceeeeiiiiðnoooooøuuuuyþaaaaaaceeeeiiiinooooouuuuyyaaaaaaccccccccddđeeeeeeeeeegggggggghhħiiiiiiiiiĳjjkkllllllŀłnnnnnnŋoooooorrrrrrssssssssttttŧuuuuuuuuuuuuwwyyyzzzzzz'))
$fold$;
--bun:split
-- The full-text index of timeline texts (SQLite's timeline_fts): one row per indexed timeline
-- entry, under the entry's id, holding the words the program folded (fold.Words), so that the
-- 'simple' configuration only has to split them on spaces.
CREATE TABLE timeline_search (
    id  BIGINT   PRIMARY KEY,
    doc tsvector NOT NULL
);
--bun:split
CREATE INDEX timeline_search_doc ON timeline_search USING gin (doc);
