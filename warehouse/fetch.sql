-- Fetching from the web: what each URL looked like when last fetched, document versions, and
-- the raw layer (every HTTP response, kept as Parquet in the lake). Applied on every open.

-- One row per URL ever fetched successfully: the validators for a conditional GET next time
-- and the hash that tells an unchanged page from a changed one.
CREATE TABLE IF NOT EXISTS fetch_state (
    url             VARCHAR PRIMARY KEY,   -- canonical URL
    etag            VARCHAR,
    last_modified   VARCHAR,
    content_hash    VARCHAR,               -- hash of the body bytes last received
    status          INTEGER NOT NULL,
    last_fetched    TIMESTAMP NOT NULL,
    unit_uri        VARCHAR,               -- the document this page belongs to (thread URL for thread pages)
    run_id          VARCHAR NOT NULL
);

-- A page whose content changed is a new document row that points at the version it replaces.
ALTER TABLE documents ADD COLUMN IF NOT EXISTS previous_doc_id VARCHAR;

-- Every response of every committed run: URL, status, headers, bytes. `ingest reprocess` reads it.
CREATE OR REPLACE VIEW raw_responses AS
    SELECT * FROM read_parquet('{lake}/raw/*/*.parquet', hive_partitioning = true)
    WHERE run_id IN (SELECT run_id FROM runs);

-- Each document (web page or local file) with the versions before it (newest first).
CREATE OR REPLACE VIEW document_versions AS
    SELECT source_uri, doc_id, previous_doc_id, fetched_at, run_id,
           row_number() OVER (PARTITION BY source_uri ORDER BY fetched_at DESC) AS version_rank
    FROM documents;

-- Web counts of each run (NULL for runs that fetched nothing).
ALTER TABLE runs ADD COLUMN IF NOT EXISTS web_seen INTEGER;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS web_new INTEGER;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS web_changed INTEGER;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS web_unchanged INTEGER;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS web_rejected INTEGER;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS web_requests INTEGER;
ALTER TABLE runs ADD COLUMN IF NOT EXISTS web_not_modified INTEGER;
