-- Full-text search (BM25), concordance (KWIC) and collocations over the jieba tokens of the
-- canonical speeches. Applied on every open by the writer, so a plain `duckdb speeches.duckdb`
-- session has these macros too. No index: each query reads the tokens it needs from the lake
-- (the tokens view) and the document lengths from documents.token_count, so a run pays nothing.

-- search_ranked(leaves, clauses): the ranking alone (doc_id, score, rarest_leaf, leaves_hit), for
-- callers that filter and cut the list before making snippets (`ingest search` does).
-- Canonical speeches ranked by Okapi BM25 (k1 1.2, b 0.75; idf ln(1 + (N - df + 0.5) / (df + 0.5)),
-- never negative; N, df and the mean length over `speeches`, reposts left out).
--   leaves:  VARCHAR[][]  each a term (one token) or a phrase (tokens that must stand side by side)
--   clauses: BIGINT[][]   the query in disjunctive normal form: a speech matches when it holds every
--                         leaf (1-based index) of at least one clause. [[1, 2]] = 1 AND 2; [[1], [2]] = 1 OR 2.
-- A phrase counts as one term: tf = its occurrences, df = speeches holding it. rarest_leaf: the
-- leaf of highest idf the speech holds (where its snippet is cut).
CREATE OR REPLACE MACRO search_ranked(leaves, clauses, k1 := 1.2, b := 0.75) AS TABLE
WITH args AS (
    -- the arguments, evaluated once (they may be expressions over a session function)
    SELECT leaves AS leaves, clauses AS clauses
), leaf_tokens AS (
    SELECT leaf, j, a.leaves[leaf][j] AS token, len(a.leaves[leaf]) AS width
    FROM (SELECT leaf, unnest(range(1, len(a.leaves[leaf]) + 1)) AS j
          FROM (SELECT unnest(range(1, len(leaves) + 1)) AS leaf FROM args), args a), args a
), hits AS (
    -- list_contains over the argument itself: DuckDB filters the Parquet scan with it (a join
    -- against leaf_tokens only narrowed the scan to the tokens' min-max range: half the lake)
    SELECT doc_id, position, token FROM tokens
    WHERE list_contains(flatten(leaves), token) AND doc_id IN (SELECT doc_id FROM speeches)
), occurrences AS (
    -- a phrase occurs at `start` when each of its tokens stands at start + j - 1
    SELECT h.doc_id, q.leaf, h.position - q.j + 1 AS start
    FROM hits h JOIN leaf_tokens q ON h.token = q.token
    GROUP BY h.doc_id, q.leaf, start, q.width
    HAVING count(*) = q.width
), doc_leaves AS (
    SELECT doc_id, leaf, count(*) AS tf FROM occurrences GROUP BY doc_id, leaf
), matching AS (
    SELECT l.doc_id FROM (SELECT doc_id, list(leaf) AS held FROM doc_leaves GROUP BY doc_id) l, args a
    WHERE list_bool_or(list_transform(a.clauses, c -> list_has_all(l.held, c)))
), corpus AS (
    SELECT count(*) AS n, avg(token_count) AS avgdl FROM speeches
), idf AS (
    SELECT leaf, ln(1 + (any_value(c.n) - count(*) + 0.5) / (count(*) + 0.5)) AS idf
    FROM doc_leaves, corpus c GROUP BY leaf
)
SELECT l.doc_id,
       sum(i.idf * l.tf * (k1 + 1)
           / (l.tf + k1 * (1 - b + b * coalesce(d.token_count, c.avgdl) / c.avgdl))) AS score,
       arg_max(l.leaf, i.idf) AS rarest_leaf,
       list(l.leaf ORDER BY l.leaf) AS leaves_hit
FROM doc_leaves l
JOIN matching USING (doc_id)
JOIN idf i USING (leaf)
JOIN speeches d USING (doc_id), corpus c
GROUP BY l.doc_id;

-- search_snippet(text, leaves, anchor_leaf, mark_open, mark_close, context): `context` characters
-- on each side of the first occurrence of leaf number anchor_leaf in the text (newlines as spaces),
-- every leaf marked; … where the text goes on.
CREATE OR REPLACE MACRO search_snippet(text, leaves, anchor_leaf, mark_open, mark_close, context) AS
    list_transform(
        [greatest(instr(text, array_to_string(leaves[anchor_leaf], '')) - context, 1)],
        cut_from -> CASE WHEN cut_from > 1 THEN '…' ELSE '' END
            || regexp_replace(
                   replace(substr(text, cut_from, 2 * context + length(array_to_string(leaves[anchor_leaf], ''))), chr(10), ' '),
                   -- longest first where one leaf is a prefix of another (descending order does that)
                   '(' || array_to_string(list_sort(list_transform(leaves, x -> regexp_escape(array_to_string(x, ''))), 'DESC'), '|') || ')',
                   mark_open || '\0' || mark_close, 'g')
            || CASE WHEN cut_from + 2 * context + length(array_to_string(leaves[anchor_leaf], '')) <= length(text)
                    THEN '…' ELSE '' END)[1];

-- search_query(leaves, clauses): search_ranked with each speech's columns and its snippet, best
-- first: doc_id, score, title, published_at, organization, speaker, genre, matched (the leaves
-- it holds), snippet, source_uri. `ingest search` and the session macro search(query) fill both
-- lists from a query string; search_tokens(terms) is the plain-SQL shortcut.
CREATE OR REPLACE MACRO search_query(leaves, clauses, mark_open := '【', mark_close := '】', context := 30,
                                     k1 := 1.2, b := 0.75) AS TABLE
WITH args AS (
    SELECT leaves AS leaves
), ranked AS (
    -- ordered before the snippets are made, so that a LIMIT on the result spares the rest
    SELECT * FROM search_ranked(leaves, clauses, k1 := k1, b := b) ORDER BY score DESC, doc_id
)
SELECT r.doc_id, round(r.score, 4) AS score, d.title, d.published_at, d.organization, d.speaker, d.genre,
       list_transform(r.leaves_hit, i -> array_to_string(a.leaves[i], '')) AS matched,
       search_snippet(d.text, a.leaves, r.rarest_leaf, mark_open, mark_close, context) AS snippet,
       d.source_uri
FROM ranked r JOIN speeches d USING (doc_id), args a
ORDER BY r.score DESC, r.doc_id;

-- search_tokens(terms): search_query for single tokens, every term required (any_term := true: any).
--   SELECT title, score, snippet FROM search_tokens(['新质生产力', '人才']) LIMIT 10
CREATE OR REPLACE MACRO search_tokens(terms, any_term := false) AS TABLE
    SELECT * FROM search_query(
        list_transform(terms, t -> [t]),
        CASE WHEN any_term THEN list_transform(range(1, len(terms) + 1), i -> [i])
             ELSE [range(1, len(terms) + 1)] END);

-- kwic(term, width): every occurrence of a token in the canonical speeches with up to `width`
-- characters of whole tokens on each side. left_context is padded on the left to 2 * width display
-- columns (a Chinese character takes two), so the term lines up in a terminal.
CREATE OR REPLACE MACRO kwic(term, width) AS TABLE
WITH hits AS (
    SELECT doc_id, position FROM tokens
    WHERE token = term AND doc_id IN (SELECT doc_id FROM speeches)
), nearby AS (
    -- the tokens within `width` positions on each side: no token is shorter than one character
    SELECT h.doc_id, h.position AS hit_pos, t.position - h.position AS shift, t.token
    FROM hits h JOIN tokens t ON t.doc_id = h.doc_id
         AND t.position BETWEEN h.position - width AND h.position + width
    WHERE t.doc_id IN (SELECT doc_id FROM hits) AND t.position <> h.position
), reach AS (
    -- characters from the term to the far edge of each token, per side
    SELECT doc_id, hit_pos, shift, token,
           sum(length(token)) OVER (PARTITION BY doc_id, hit_pos, shift < 0 ORDER BY abs(shift)) AS reach
    FROM nearby
), sides AS (
    SELECT doc_id, hit_pos,
           coalesce(string_agg(token, '' ORDER BY shift) FILTER (WHERE shift < 0 AND reach <= width), '') AS left_text,
           coalesce(string_agg(token, '' ORDER BY shift) FILTER (WHERE shift > 0 AND reach <= width), '') AS right_text
    FROM reach GROUP BY doc_id, hit_pos
)
SELECT d.doc_id, d.title, h.position,
       -- display width = characters + (UTF-8 bytes - characters) / 2: 2 for CJK, 1 for ASCII
       repeat(' ', greatest(2 * width - (length(coalesce(s.left_text, '')) + (strlen(coalesce(s.left_text, '')) - length(coalesce(s.left_text, ''))) // 2), 0))
           || coalesce(s.left_text, '') AS left_context,
       term AS term,
       coalesce(s.right_text, '') AS right_context
FROM hits h
JOIN speeches d USING (doc_id)
LEFT JOIN sides s ON s.doc_id = h.doc_id AND s.hit_pos = h.position
ORDER BY d.published_at NULLS LAST, d.doc_id, h.position;

-- collocates(term, window_size): tokens standing within `window_size` tokens of `term` in the
-- canonical speeches, ranked by Dunning's log-likelihood ratio G2 over the 2x2 table of token
-- positions (within a window of the term or not; this token or not), positive associations
-- only, at least `min_count` times together. G2 rather than PMI: PMI ranks a word seen twice, both times next to the term, above
-- everything; G2 weighs evidence. PMI (log2 observed / expected) is shown beside it. Punctuation
-- and tokens shorter than `min_length` characters (Chinese function words are mostly one
-- character: 的, 和, 在) are left out.
CREATE OR REPLACE MACRO collocates(term, window_size, min_count := 3, min_length := 2) AS TABLE
WITH hits AS (
    SELECT doc_id, position FROM tokens
    WHERE token = term AND doc_id IN (SELECT doc_id FROM speeches)
), window_tokens AS (
    -- each position once, however many windows it falls in (so a token is never counted near the
    -- term more often than it occurs); the term's own positions are no one's context
    SELECT DISTINCT t.doc_id, t.position, t.token FROM hits h JOIN tokens t ON t.doc_id = h.doc_id
         AND t.position BETWEEN h.position - window_size AND h.position + window_size
    WHERE t.doc_id IN (SELECT doc_id FROM hits) AND t.token <> term
), together AS (
    SELECT token, count(*) AS o11 FROM window_tokens GROUP BY token
), sizes AS (
    SELECT (SELECT count(*) FROM window_tokens) AS r1, (SELECT sum(token_count) FROM speeches) AS n
), candidates AS (
    SELECT * FROM together
    WHERE o11 >= min_count AND length(token) >= min_length
      AND regexp_matches(token, '[\p{L}\p{N}]')
), corpus_freq AS (
    SELECT token, count(*) AS c1 FROM tokens
    WHERE token IN (SELECT token FROM candidates) AND doc_id IN (SELECT doc_id FROM speeches)
    GROUP BY token
), cells AS (
    SELECT c.token, c.o11::DOUBLE AS o11, (s.r1 - c.o11)::DOUBLE AS o12, (f.c1 - c.o11)::DOUBLE AS o21,
           (s.n - s.r1 - f.c1 + c.o11)::DOUBLE AS o22, s.r1::DOUBLE AS r1, (s.n - s.r1)::DOUBLE AS r2,
           f.c1::DOUBLE AS c1, (s.n - f.c1)::DOUBLE AS c2, s.n::DOUBLE AS n
    FROM candidates c JOIN corpus_freq f USING (token), sizes s
)
SELECT token AS collocate, o11::BIGINT AS together, c1::BIGINT AS corpus_count,
       round(2 * (  CASE WHEN o11 > 0 THEN o11 * ln(o11 * n / (r1 * c1)) ELSE 0 END
                  + CASE WHEN o12 > 0 THEN o12 * ln(o12 * n / (r1 * c2)) ELSE 0 END
                  + CASE WHEN o21 > 0 THEN o21 * ln(o21 * n / (r2 * c1)) ELSE 0 END
                  + CASE WHEN o22 > 0 THEN o22 * ln(o22 * n / (r2 * c2)) ELSE 0 END), 2) AS log_likelihood,
       round(log2(o11 * n / (r1 * c1)), 2) AS pmi
FROM cells
WHERE o11 * n > r1 * c1
ORDER BY log_likelihood DESC, collocate;
