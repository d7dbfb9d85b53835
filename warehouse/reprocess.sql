-- Queries `ingest reprocess` runs against the warehouse it rebuilds from (read-only).

-- name: raw_pages
-- Pages of each document fetch, for fetches where every page of the document came back 200.
WITH complete AS (
    SELECT unit_uri, run_id FROM raw_responses
    WHERE role = 'page' AND unit_uri IS NOT NULL AND status <> 304
    GROUP BY ALL HAVING bool_and(status = 200 AND error IS NULL)
)
SELECT r.unit_uri, r.run_id, r.url, r.final_url, r.status, r.headers, r.body, r.fetched_at, r.source_kind, r.page_no
FROM raw_responses r JOIN complete USING (unit_uri, run_id)
WHERE r.role = 'page' AND r.status = 200
ORDER BY min(r.fetched_at) OVER (PARTITION BY r.unit_uri, r.run_id), r.unit_uri, r.page_no;

-- name: raw_copy
SELECT * EXCLUDE (run_id) FROM raw_responses;

-- name: fetch_state_copy
SELECT * EXCLUDE (run_id) FROM fetch_state;
