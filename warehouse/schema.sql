-- Warehouse tables. Applied on every open (idempotent); the ingest loader is the only writer.

CREATE TABLE IF NOT EXISTS documents (
    doc_id          VARCHAR PRIMARY KEY,   -- stable: derived from source_uri + raw content hash
    source_uri      VARCHAR NOT NULL,      -- for a local file: its absolute path
    source_kind     VARCHAR NOT NULL,      -- file | web | feed | sitemap | forum
    title           VARCHAR,
    text            VARCHAR NOT NULL,      -- clean body only, paragraphs joined by '\n'
    published_at    TIMESTAMP,
    author          VARCHAR,
    editor          VARCHAR,
    source_name     VARCHAR,
    speaker         VARCHAR,
    organization    VARCHAR,
    event           VARCHAR,
    genre           VARCHAR,
    poster          VARCHAR,
    thread_id       VARCHAR,
    page_no         INTEGER,
    has_masking     BOOLEAN NOT NULL,
    fetched_at      TIMESTAMP NOT NULL,
    char_count      INTEGER NOT NULL,
    content_hash    VARCHAR NOT NULL,      -- hash of the raw bytes
    match_hash      VARCHAR NOT NULL,      -- hash of the matching form (exact-duplicate key)
    cluster_id      VARCHAR NOT NULL,      -- same value = same underlying text
    is_canonical    BOOLEAN NOT NULL,
    dup_kind        VARCHAR NOT NULL,      -- unique | exact | near | contained
    canonical_reason VARCHAR,              -- why this member is canonical (the written rule's deciding step)
    matched_doc_id  VARCHAR,
    similarity      DOUBLE,
    extractor       VARCHAR NOT NULL,
    rules_version   VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL
);

-- Tokens per document (BM25's document length, the per-10k trends' denominator): staging fills
-- it; rows loaded by older versions are counted from the lake once (Warehouse.ensure_schema).
ALTER TABLE documents ADD COLUMN IF NOT EXISTS token_count INTEGER;

CREATE TABLE IF NOT EXISTS rejects (
    source_uri      VARCHAR NOT NULL,
    stage           VARCHAR NOT NULL,      -- read | decode | extract | fetch ...
    reason          VARCHAR NOT NULL,
    content_hash    VARCHAR NOT NULL,
    detail          VARCHAR,
    run_id          VARCHAR NOT NULL,
    rejected_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS boilerplate_hits (
    doc_id          VARCHAR NOT NULL,
    rule_id         VARCHAR NOT NULL,
    removed         VARCHAR NOT NULL,
    rules_version   VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS runs (
    run_id              VARCHAR PRIMARY KEY,
    flow_run_id         VARCHAR,           -- the Prefect flow run, so SQL and the UI meet
    started_at          TIMESTAMP NOT NULL,
    finished_at         TIMESTAMP NOT NULL,
    sources             VARCHAR[],
    inputs_seen         INTEGER NOT NULL,  -- files found
    inputs_unchanged    INTEGER NOT NULL,  -- skipped: same size, mtime and path as last time
    inputs_read         INTEGER NOT NULL,
    documents_new       INTEGER NOT NULL,
    documents_known     INTEGER NOT NULL,  -- read again but already in the warehouse
    exact_duplicates    INTEGER NOT NULL,
    near_duplicates     INTEGER NOT NULL,
    rejects             INTEGER NOT NULL,
    bytes_read          BIGINT NOT NULL,
    elapsed_s           DOUBLE NOT NULL,
    rules_version       VARCHAR NOT NULL,
    dictionary_version  VARCHAR NOT NULL,
    segmenter           VARCHAR NOT NULL
);

-- What each local file looked like when last ingested: lets a re-run skip it without reading.
CREATE TABLE IF NOT EXISTS file_state (
    path            VARCHAR PRIMARY KEY,
    size            BIGINT NOT NULL,
    mtime_ns        BIGINT NOT NULL,
    content_hash    VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL
);

-- The print edition a page cites (`《某某日报》2024-05-20 第5版`), read by the page rules; added
-- after the first warehouses were built, hence an ALTER (idempotent like the table DDL).
ALTER TABLE documents ADD COLUMN IF NOT EXISTS print_edition VARCHAR;

-- The lake's files as each run committed them: `ingest check` and `ingest status` compare the
-- lake with these (storage/lake_check.py, statements in lake.sql).
CREATE TABLE IF NOT EXISTS lake_files (
    run_id          VARCHAR NOT NULL,
    table_name      VARCHAR NOT NULL,      -- tokens | documents | raw
    path            VARCHAR NOT NULL,      -- relative to the warehouse directory
    row_count       BIGINT NOT NULL,
    bytes           BIGINT NOT NULL,
    checksum        VARCHAR NOT NULL,      -- xxh3-128 of the file's bytes
    recorded        VARCHAR NOT NULL       -- 'commit', or 'adopted' (committed before checksums were kept)
);

-- A local file that is gone from a directory named in a run: its document is kept, out of `speeches`.
ALTER TABLE documents ADD COLUMN IF NOT EXISTS retired_at TIMESTAMP;

-- Facts about the warehouse itself: 'schema' = hash of the schema files last applied (a run may
-- stage before it gets the file only when this version's schema is already there).
CREATE TABLE IF NOT EXISTS warehouse_meta (
    name            VARCHAR PRIMARY KEY,
    value           VARCHAR NOT NULL
);

-- A renamed local file (same bytes, old path gone) stays one document; its moves are kept here.
CREATE TABLE IF NOT EXISTS file_moves (
    doc_id          VARCHAR NOT NULL,
    old_path        VARCHAR NOT NULL,
    new_path        VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL,
    moved_at        TIMESTAMP NOT NULL
);
