-- Local file versions, retirements and renames (src/ingest/file_versions.py decides them), applied
-- inside the run's one load transaction. Registered by the loader: file_changes (file_versions.CHANGE_SCHEMA).

-- name: live_file_documents
-- The current document of each path asked about: not retired, not replaced by a later version.
SELECT source_uri, doc_id, content_hash FROM documents
WHERE source_kind = 'file' AND retired_at IS NULL AND source_uri IN (SELECT path FROM wanted_paths)
  AND doc_id NOT IN (SELECT previous_doc_id FROM documents WHERE previous_doc_id IS NOT NULL);

-- name: known_among
SELECT doc_id, retired_at IS NOT NULL FROM documents WHERE doc_id IN (SELECT doc_id FROM wanted_ids);

-- name: known_paths_among
-- Paths asked about that were ingested before (file_state).
SELECT path FROM file_state WHERE path IN (SELECT path FROM wanted_paths);

-- name: link_versions
UPDATE documents SET previous_doc_id = c.doc_id
FROM file_changes c WHERE c.kind = 'edit' AND documents.doc_id = c.new_doc_id;

-- name: supersede_versions
UPDATE documents SET is_canonical = false WHERE doc_id IN (SELECT doc_id FROM file_changes WHERE kind = 'edit');

-- name: retire_documents
UPDATE documents SET retired_at = $now, is_canonical = false
WHERE retired_at IS NULL AND doc_id IN (SELECT doc_id FROM file_changes WHERE kind = 'retire');

-- name: revive_documents
UPDATE documents SET retired_at = NULL WHERE doc_id IN (SELECT doc_id FROM file_changes WHERE kind = 'revive');

-- name: move_documents
UPDATE documents SET source_uri = c.new_path
FROM file_changes c WHERE c.kind = 'rename' AND documents.doc_id = c.doc_id;

-- name: record_moves
INSERT INTO file_moves SELECT doc_id, old_path, new_path, $run_id, $now FROM file_changes WHERE kind = 'rename';

-- name: forget_paths
DELETE FROM file_state WHERE path IN (SELECT old_path FROM file_changes WHERE old_path IS NOT NULL);

-- name: clusters_to_reelect
-- Clusters whose canonical member is retired or replaced by a later version, or whose current
-- members have no canonical (or more than one): the canonical rule picks again among the current ones.
WITH member AS (
    SELECT cluster_id, is_canonical,
           retired_at IS NULL AND doc_id NOT IN (SELECT previous_doc_id FROM documents
                                                WHERE previous_doc_id IS NOT NULL) AS current
    FROM documents
)
SELECT cluster_id FROM member GROUP BY cluster_id
HAVING count(*) FILTER (WHERE is_canonical AND NOT current) > 0
    OR (count(*) FILTER (WHERE current) > 0 AND count(*) FILTER (WHERE is_canonical AND current) <> 1)
ORDER BY cluster_id;

-- name: current_members
-- What the canonical rule needs of the current members of the clusters in reelect_clusters.
SELECT d.doc_id, d.cluster_id, f.n_shingles, d.has_masking OR f.has_masking, f.was_traditional,
       f.dropped_lines, d.published_at, d.source_kind, f.signature, d.title IS NOT NULL AND d.title <> ''
FROM documents d JOIN dedup_docs f USING (doc_id)
WHERE d.cluster_id IN (SELECT cluster_id FROM reelect_clusters) AND d.retired_at IS NULL
  AND d.doc_id NOT IN (SELECT previous_doc_id FROM documents WHERE previous_doc_id IS NOT NULL)
ORDER BY d.cluster_id, d.doc_id;

-- name: step_down
-- Canonicals of the clusters that elect again, and canonicals that are retired or superseded
-- (a cluster whose current members have no dedup state keeps its canonical: nobody to elect).
UPDATE documents SET is_canonical = false
WHERE is_canonical AND cluster_id IN (SELECT cluster_id FROM reelect_clusters)
  AND (cluster_id IN (SELECT cluster_id FROM reelect_winners)
       OR retired_at IS NOT NULL
       OR doc_id IN (SELECT previous_doc_id FROM documents WHERE previous_doc_id IS NOT NULL));

-- name: elect
UPDATE documents SET is_canonical = true, dup_kind = 'unique', canonical_reason = e.reason
FROM reelect_winners e WHERE documents.doc_id = e.doc_id;
