-- Search statements of `ingest search` and of `ingest sql` sessions (src/ingest/search.py).
-- Not applied to the database file: search(query) needs the session's segment_query function
-- (a Python UDF), so each session defines it for itself, as a TEMP macro.

-- name: session_macros
-- search(query): canonical speeches ranked by BM25 for a query string, e.g.
--   SELECT title, score, snippet FROM search('新质生产力 人才') LIMIT 10
-- (words are all required; OR, brackets and "phrases" as in `ingest search`).
CREATE OR REPLACE TEMP MACRO search(query) AS TABLE
    SELECT * FROM search_query(segment_query(query).leaves, segment_query(query).clauses);

-- name: ranked
-- What `ingest search` prints: the macro's ranking, filtered, best first.
SELECT * FROM search_query($leaves, $clauses, mark_open := $mark_open, mark_close := $mark_close,
                           context := $context)
WHERE ($since IS NULL OR published_at >= $since)
  AND ($org IS NULL OR contains(organization, $org))
ORDER BY score DESC, doc_id
LIMIT $limit;
