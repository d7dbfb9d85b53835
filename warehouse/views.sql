-- Views over the tables and the Parquet lake. {lake} is replaced by 'lake': a path relative to the
-- warehouse directory, which every connection of this project sets as DuckDB's file_search_path.

-- Canonical documents of files still there (a deleted file's document is kept, retired).
CREATE OR REPLACE VIEW speeches AS
    SELECT * FROM documents WHERE is_canonical AND retired_at IS NULL;

-- Tokens live in the Parquet lake (one partition per run); only committed runs are visible,
-- so files left by a crashed run never show.
CREATE OR REPLACE VIEW tokens AS
    SELECT doc_id, position, token
    FROM read_parquet('{lake}/tokens/*/*.parquet', hive_partitioning = true)
    WHERE run_id IN (SELECT run_id FROM runs);

CREATE OR REPLACE VIEW clusters AS
    SELECT cluster_id,
           count(*)                                    AS members,
           any_value(title) FILTER (WHERE is_canonical) AS canonical_title,
           any_value(doc_id) FILTER (WHERE is_canonical) AS canonical_doc_id,
           list(DISTINCT dup_kind ORDER BY dup_kind)   AS kinds
    FROM documents GROUP BY cluster_id;

-- Documents of local files that are gone (deleted from a directory named in a run): kept, out of `speeches`.
CREATE OR REPLACE VIEW retired_documents AS
    SELECT * FROM documents WHERE retired_at IS NOT NULL;
