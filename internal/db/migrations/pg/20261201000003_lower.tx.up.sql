-- guichet_lower(text) lowers as the program's strings.ToLower does, for addresses compared in
-- any case (a login by email, an invitation's address). PostgreSQL's lower() follows the
-- database's LC_CTYPE, which in a "C" database lowers ASCII alone: the capitals of the Latin-1
-- Supplement and Latin Extended-A blocks are translated first, as fold.Letters' table is.
CREATE FUNCTION guichet_lower(t text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $lower$
SELECT lower(translate(t,
    'ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮİĲĴĶĹĻĽĿŁŃŅŇŊŌŎŐŒŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŸŹŻŽ',
    'àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþāăąćĉċčďđēĕėęěĝğġģĥħĩīĭįiĳĵķĺļľŀłńņňŋōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷÿźżž'))
$lower$;
