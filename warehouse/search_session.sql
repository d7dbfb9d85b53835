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
-- What `ingest search` prints: the ranking, filtered and cut to --limit, then the snippets of
-- those speeches only (making one reads the speech's text). Columns as search_query's.
WITH ranked AS (
    SELECT r.* FROM search_ranked($leaves, $clauses) r JOIN speeches d USING (doc_id)
    WHERE ($since IS NULL OR d.published_at >= $since)
      AND ($org IS NULL OR contains(d.organization, $org))
    ORDER BY r.score DESC, r.doc_id
    LIMIT $limit
)
SELECT r.doc_id, round(r.score, 4) AS score, d.title, d.published_at, d.organization, d.speaker, d.genre,
       list_transform(r.leaves_hit, i -> array_to_string(($leaves)[i], '')) AS matched,
       search_snippet(d.text, $leaves, r.rarest_leaf, $mark_open, $mark_close, $context) AS snippet,
       d.source_uri
FROM ranked r JOIN speeches d USING (doc_id)
ORDER BY r.score DESC, r.doc_id;
