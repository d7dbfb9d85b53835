-- Statements over lake_files (DDL in schema.sql): what each run committed to the lake, and
-- the runs committed before checksums were kept. Used by storage/lake_check.py.

-- name: record_files
INSERT INTO lake_files SELECT *, $recorded FROM lake_files_new;

-- name: unrecorded_runs
SELECT run_id FROM runs WHERE run_id NOT IN (SELECT run_id FROM lake_files) ORDER BY started_at;

-- name: committed_files
SELECT run_id, path, row_count, bytes, checksum FROM lake_files
WHERE run_id IN (SELECT run_id FROM runs) ORDER BY run_id, path;
