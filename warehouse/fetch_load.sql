-- Fetch statements the loader runs inside the run's one transaction ({staging} as in load.sql).

-- name: upsert_fetch_state
INSERT OR REPLACE INTO fetch_state BY NAME
    SELECT f.*, $run_id AS run_id FROM read_parquet('{staging}/fetch-*.parquet') f;

-- name: new_raw_lake
SELECT * FROM read_parquet('{staging}/raw-*.parquet');

-- name: supersede_versions
UPDATE documents SET is_canonical = false
    WHERE doc_id IN (SELECT previous_doc_id FROM new_documents WHERE previous_doc_id IS NOT NULL);

-- name: previous_versions
SELECT d.source_uri, arg_max(d.doc_id, d.fetched_at), arg_max(d.match_hash, d.fetched_at)
    FROM documents d WHERE d.source_uri IN (SELECT source_uri FROM wanted_uris) GROUP BY d.source_uri;

-- name: known_pages
SELECT url, etag, last_modified, content_hash, status, last_fetched, unit_uri FROM fetch_state;

-- name: stored_body
SELECT body FROM read_parquet('{lake}/raw/*/*.parquet')
    WHERE content_hash = $content_hash AND status = 200 LIMIT 1;
