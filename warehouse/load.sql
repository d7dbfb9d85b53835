-- Statements the loader runs inside one transaction per run. {staging} is the run's staging
-- directory; $run_id is bound by the loader. Blocks are named so the code can find them.

-- name: staged_documents
CREATE OR REPLACE TEMP VIEW staged_documents AS
    SELECT * FROM read_parquet('{staging}/documents-*.parquet', union_by_name = true);

-- name: new_documents
-- The run's new documents: their ids, the previous version a web document replaces (when web
-- batches are staged) and the decision. Not the text: a temporary table holding every new text
-- was the largest allocation of a run; it streams from staging in new_documents_full. Not the
-- other staged columns either: each column of each staged part costs a read of its own.
CREATE OR REPLACE TEMP TABLE new_documents AS
    SELECT s.* SIMILAR TO 'doc_id|previous_doc_id', d.cluster_id, d.is_canonical, d.dup_kind,
           d.canonical_reason, d.matched_doc_id, d.similarity
    FROM staged_documents s
    JOIN read_parquet('{staging}/decisions.parquet') d USING (doc_id)
    WHERE s.doc_id NOT IN (SELECT doc_id FROM documents);

-- name: new_documents_full
-- The staged columns (text included, batch_no not) followed by the decision: what the insert reads.
CREATE OR REPLACE TEMP VIEW new_documents_full AS
    SELECT s.* EXCLUDE (batch_no), n.cluster_id, n.is_canonical, n.dup_kind, n.canonical_reason,
           n.matched_doc_id, n.similarity
    FROM staged_documents s JOIN new_documents n USING (doc_id);

-- name: insert_documents
INSERT INTO documents BY NAME
    SELECT *, $run_id AS run_id FROM new_documents_full;

-- name: insert_hits
INSERT INTO boilerplate_hits BY NAME
    SELECT h.*, $run_id AS run_id
    FROM read_parquet('{staging}/hits-*.parquet') h
    WHERE h.doc_id IN (SELECT doc_id FROM new_documents);

-- name: insert_rejects
INSERT INTO rejects BY NAME
    SELECT r.*, $run_id AS run_id
    FROM read_parquet('{staging}/rejects-*.parquet') r
    WHERE NOT EXISTS (SELECT 1 FROM rejects x
                      WHERE x.source_uri = r.source_uri AND x.content_hash = r.content_hash
                        AND x.stage = r.stage AND x.reason = r.reason);

-- name: upsert_file_state
INSERT OR REPLACE INTO file_state BY NAME
    SELECT f.*, $run_id AS run_id FROM read_parquet('{staging}/files-*.parquet') f;

-- name: staged_and_new
SELECT (SELECT count(*) FROM staged_documents), (SELECT count(*) FROM new_documents);

-- name: new_tokens
SELECT t.* FROM read_parquet('{staging}/tokens-*.parquet') t
    WHERE t.doc_id IN (SELECT doc_id FROM new_documents);

-- name: new_document_decisions
-- The decision columns of the lake copy, which follow the staged columns (storage/lake_documents.py).
SELECT doc_id, cluster_id, is_canonical, dup_kind, canonical_reason, matched_doc_id, similarity
FROM new_documents;

-- name: load_counts
SELECT count(*) AS documents_new,
       count(*) FILTER (WHERE dup_kind = 'exact') AS exact_duplicates,
       count(*) FILTER (WHERE dup_kind IN ('near', 'contained')) AS near_duplicates
FROM new_documents;

-- name: insert_run
INSERT INTO runs BY NAME SELECT * FROM run_row;
