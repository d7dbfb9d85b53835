-- Statements of the dedup store (src/ingest/storage/dedup_store.py). Tables registered by the
-- code: dedup_new_keys(kind, key), dedup_new_ids(doc_id), dedup_hit_ids(doc_id),
-- dedup_fetch_ids(doc_id), dedup_keep_ids(doc_id), the plan tables dedup_plan_*,
-- dedup_resigned(doc_id, signature, band_keys), dedup_reuse_keys(key), dedup_reuse_ids(doc_id).

-- name: prior_exact
SELECT exact_hash, doc_id FROM dedup_docs
WHERE exact_hash IN (SELECT key FROM dedup_new_keys WHERE kind = 'exact')
ORDER BY doc_id;

-- name: prior_bands
SELECT key, doc_id FROM dedup_bands
WHERE key IN (SELECT key FROM dedup_new_keys WHERE kind = 'band');

-- name: prior_passages
-- A sentence held by more than $max_df documents is a stock phrase or chrome: left out.
WITH hit AS (
    SELECT * FROM dedup_passages WHERE key IN (SELECT key FROM dedup_new_keys WHERE kind = 'passage')
), common AS (
    SELECT key FROM hit GROUP BY key HAVING count(*) > $max_df
)
SELECT key, doc_id FROM hit
WHERE key NOT IN (SELECT key FROM common);

-- name: prior_members
-- Every member of every cluster that a posting (or a re-read document) touches.
SELECT d.doc_id, d.cluster_id, f.exact_hash, f.signature, f.n_shingles, d.has_masking OR f.has_masking,
       f.was_traditional, f.dropped_lines, d.published_at, d.source_kind, d.is_canonical, d.dup_kind,
       d.title IS NOT NULL AND d.title <> ''
FROM documents d JOIN dedup_docs f USING (doc_id)
WHERE d.cluster_id IN (SELECT cluster_id FROM documents
                       WHERE doc_id IN (SELECT doc_id FROM dedup_hit_ids UNION ALL SELECT doc_id FROM dedup_new_ids))
ORDER BY d.doc_id;

-- name: fetch_texts
SELECT doc_id, text FROM documents WHERE doc_id IN (SELECT doc_id FROM dedup_fetch_ids);

-- name: insert_docs
INSERT INTO dedup_docs
    SELECT doc_id, exact_hash, n_shingles, match_len, was_traditional, has_masking, dropped_lines, signature, $run_id
    FROM dedup_plan_fingerprints
    WHERE doc_id IN (SELECT doc_id FROM dedup_keep_ids) AND doc_id NOT IN (SELECT doc_id FROM dedup_docs);

-- name: insert_bands
INSERT INTO dedup_bands
    SELECT unnest(band_keys), doc_id FROM dedup_plan_fingerprints
    WHERE doc_id IN (SELECT doc_id FROM dedup_docs WHERE run_id = $run_id);

-- name: insert_passages
INSERT INTO dedup_passages
    SELECT key, doc_id, start_pos, end_pos,
           xor(key, lead(key) OVER (PARTITION BY doc_id ORDER BY start_pos) >> 1) AS pair_key
    FROM (SELECT unnest(passage_keys) AS key, doc_id, unnest(passage_starts) AS start_pos,
                 unnest(passage_ends) AS end_pos
          FROM dedup_plan_fingerprints
          WHERE doc_id IN (SELECT doc_id FROM dedup_docs WHERE run_id = $run_id));

-- name: update_canonical
-- Earlier documents whose canonical status or duplicate kind changed (a better member arrived).
UPDATE documents SET is_canonical = u.is_canonical, dup_kind = u.dup_kind, canonical_reason = u.canonical_reason
FROM (SELECT * FROM dedup_plan_decisions WHERE is_update) u
WHERE documents.doc_id = u.doc_id;

-- name: delete_touched_occurrences
-- Earlier documents whose spans this run recomputed (a sentence of theirs became shared).
DELETE FROM passage_occurrences WHERE doc_id IN (SELECT doc_id FROM dedup_plan_touched);

-- name: insert_occurrences
INSERT INTO passage_occurrences
    SELECT doc_id, cluster_id, passage_key, start_pos, end_pos, sentences, link_keys, $run_id
    FROM dedup_plan_occurrences
    WHERE doc_id IN (SELECT doc_id FROM dedup_keep_ids UNION ALL SELECT doc_id FROM dedup_plan_touched);

-- name: reuse_key_clusters
-- For each asked sentence or pair key, the smallest and largest cluster of the earlier documents
-- holding it (two rows when they differ: enough to tell a shared key).
WITH held AS (
    SELECT key AS k, doc_id FROM dedup_passages WHERE key IN (SELECT key FROM dedup_reuse_keys)
    UNION ALL
    SELECT pair_key, doc_id FROM dedup_passages WHERE pair_key IN (SELECT key FROM dedup_reuse_keys)
), spread AS (
    SELECT k, min(d.cluster_id) AS lo, max(d.cluster_id) AS hi FROM held JOIN documents d USING (doc_id) GROUP BY k
)
SELECT k, lo FROM spread UNION ALL SELECT k, hi FROM spread WHERE hi <> lo;

-- name: reuse_holders
SELECT DISTINCT doc_id FROM dedup_passages
WHERE key IN (SELECT key FROM dedup_reuse_keys) OR pair_key IN (SELECT key FROM dedup_reuse_keys)
ORDER BY doc_id;

-- name: reuse_sentence_rows
SELECT p.doc_id, d.cluster_id, p.key, p.start_pos, p.end_pos
FROM dedup_passages p JOIN documents d USING (doc_id)
WHERE p.doc_id IN (SELECT doc_id FROM dedup_reuse_ids)
ORDER BY p.doc_id, p.start_pos;

-- name: reuse_state
SELECT value FROM dedup_meta WHERE name = 'reuse_state';

-- name: record_reuse_state
INSERT OR REPLACE INTO dedup_meta VALUES ('reuse_state', $state);

-- name: insert_links
INSERT INTO cluster_links SELECT *, $run_id FROM dedup_plan_links;

-- name: signature_scheme
SELECT value FROM dedup_meta WHERE name = 'signature_scheme';

-- name: record_signature_scheme
INSERT OR REPLACE INTO dedup_meta VALUES ('signature_scheme', $scheme);

-- name: resign_doc_ids
SELECT doc_id FROM dedup_docs ORDER BY doc_id;

-- name: resign_update_docs
UPDATE dedup_docs SET signature = r.signature FROM dedup_resigned r WHERE dedup_docs.doc_id = r.doc_id;

-- name: resign_insert_bands
INSERT INTO dedup_bands SELECT unnest(band_keys), doc_id FROM dedup_resigned;

-- name: fill_pair_keys
UPDATE dedup_passages SET pair_key = n.pair_key
FROM (SELECT rowid AS r, xor(key, lead(key) OVER (PARTITION BY doc_id ORDER BY start_pos) >> 1) AS pair_key
      FROM dedup_passages) n
WHERE dedup_passages.rowid = n.r;

-- name: all_sentence_rows
SELECT p.doc_id, d.cluster_id, p.key, p.start_pos, p.end_pos
FROM dedup_passages p JOIN documents d USING (doc_id)
ORDER BY p.doc_id, p.start_pos;

-- name: migrate_occurrences
INSERT INTO passage_occurrences
    SELECT o.doc_id, o.cluster_id, o.passage_key, o.start_pos, o.end_pos, o.sentences, o.link_keys, d.run_id
    FROM dedup_plan_occurrences o JOIN documents d USING (doc_id);
