-- Dedup state and text reuse. Applied on every open (idempotent). The loader writes these in
-- the same transaction as the run's documents, so a crashed run leaves no half-saved state.

-- One row per document: what later runs need to compare new documents with it.
CREATE TABLE IF NOT EXISTS dedup_docs (
    doc_id          VARCHAR PRIMARY KEY,
    exact_hash      BIGINT NOT NULL,       -- xxh3 of the matching form (exact duplicates)
    n_shingles      INTEGER NOT NULL,      -- distinct 5-character shingles of the matching form
    match_len       INTEGER NOT NULL,
    was_traditional BOOLEAN NOT NULL,      -- body written in traditional script (folded by OpenCC)
    has_masking     BOOLEAN NOT NULL,      -- ** / XX / x markers found
    dropped_lines   INTEGER NOT NULL,      -- chrome lines the matching step had to strip
    signature       BLOB NOT NULL,         -- 128 MinHash values, uint32 little-endian (scheme: dedup_meta)
    run_id          VARCHAR NOT NULL
);

-- Facts about the stored dedup state. 'signature_scheme': minhash.SIGNATURE_SCHEME of every
-- stored signature and band key (no row in a warehouse that holds documents: 'perm128', the
-- scheme of the versions before this table); dedup_store.ensure_signature_scheme migrates.
CREATE TABLE IF NOT EXISTS dedup_meta (
    name            VARCHAR PRIMARY KEY,
    value           VARCHAR NOT NULL
);

-- LSH band keys (band index mixed into the key): equal key = candidate pair.
CREATE TABLE IF NOT EXISTS dedup_bands (
    key             BIGINT NOT NULL,
    doc_id          VARCHAR NOT NULL
);

-- Sentence keys: excerpt candidates, and the raw material of text_reuse.
CREATE TABLE IF NOT EXISTS dedup_passages (
    key             BIGINT NOT NULL,
    doc_id          VARCHAR NOT NULL,
    start_pos       INTEGER NOT NULL,      -- character offsets of the sentence in documents.text
    end_pos         INTEGER NOT NULL
);

-- Passages shared by documents of different clusters (template copying between cities ...).
CREATE TABLE IF NOT EXISTS text_reuse (
    doc_id          VARCHAR NOT NULL,      -- the later-loaded document
    other_doc_id    VARCHAR NOT NULL,
    cluster_id      VARCHAR NOT NULL,
    other_cluster_id VARCHAR NOT NULL,
    passage_key     BIGINT NOT NULL,
    start_pos       INTEGER NOT NULL,      -- offsets in doc_id's text
    end_pos         INTEGER NOT NULL,
    passage         VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL
);

-- A new document matched two clusters that earlier runs had kept apart; cluster ids never
-- change, so it joined the closer one and the other match is recorded here.
CREATE TABLE IF NOT EXISTS cluster_links (
    cluster_id      VARCHAR NOT NULL,
    other_cluster_id VARCHAR NOT NULL,
    via_doc_id      VARCHAR NOT NULL,
    similarity      DOUBLE,
    run_id          VARCHAR NOT NULL
);

ALTER TABLE documents ADD COLUMN IF NOT EXISTS canonical_reason VARCHAR;

-- Which speeches copy which: one row per pair of documents, both directions merged.
CREATE OR REPLACE VIEW text_reuse_pairs AS
    SELECT r.doc_id, d.title, r.cluster_id,
           r.other_doc_id, o.title AS other_title, r.other_cluster_id,
           count(*) AS shared_passages,
           sum(length(r.passage)) AS shared_chars,
           round(sum(length(r.passage)) / greatest(d.char_count, 1), 3) AS share_of_doc,
           round(sum(length(r.passage)) / greatest(o.char_count, 1), 3) AS share_of_other,
           list(r.passage ORDER BY r.start_pos)[1:5] AS sample_passages
    FROM text_reuse r
    JOIN documents d ON d.doc_id = r.doc_id
    JOIN documents o ON o.doc_id = r.other_doc_id
    GROUP BY r.doc_id, d.title, r.cluster_id, r.other_doc_id, o.title, r.other_cluster_id,
             d.char_count, o.char_count;
