-- Queries behind `ingest status` and the summary `ingest run` prints.

-- name: counted_relations
-- (label, relation): `ingest status` counts each one on its own, so a lake that cannot be read
-- (the `tokens` view) does not hide the other counts.
SELECT * FROM (VALUES ('documents', 'documents'), ('speeches (canonical)', 'speeches'), ('clusters', 'clusters'),
                      ('tokens', 'tokens'), ('rejects', 'rejects'), ('boilerplate hits', 'boilerplate_hits'),
                      ('runs', 'runs'), ('retired documents', 'retired_documents')) t(label, relation);

-- name: last_runs
SELECT run_id, strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS finished, inputs_read AS "read",
       documents_new AS new, exact_duplicates + near_duplicates AS dups, rejects,
       round(elapsed_s, 1) AS seconds
FROM runs ORDER BY finished_at DESC LIMIT 5;

-- name: example
SELECT coalesce(genre, '(none)') AS genre, count(*) AS speeches, sum(char_count) AS chars
FROM speeches GROUP BY ALL ORDER BY speeches DESC;

-- name: new_speeches
SELECT title, speaker, published_at, source_name, source_uri
FROM documents WHERE run_id = $run_id AND is_canonical
ORDER BY published_at NULLS LAST, title LIMIT $limit;

-- name: run_rejects
-- A run records a reject once: a re-run that meets the same bad bytes adds no row.
SELECT source_uri, stage, reason FROM rejects WHERE run_id = $run_id ORDER BY source_uri, stage LIMIT $limit;
