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

-- Sentence keys: excerpt candidates, and the sentences text reuse is made of. pair_key: this
-- sentence with the next one of the document, xor(key, next_key >> 1) (NULL for the last);
-- occurrences.pair_keys computes the same.
CREATE TABLE IF NOT EXISTS dedup_passages (
    key             BIGINT NOT NULL,
    doc_id          VARCHAR NOT NULL,
    start_pos       INTEGER NOT NULL,      -- character offsets of the sentence in documents.text
    end_pos         INTEGER NOT NULL,
    pair_key        BIGINT
);

-- Text reuse, one row per document and span: a maximal run of consecutive sentences that
-- documents of other clusters hold too, in the same order (dedup/occurrences.py). O(documents):
-- a passage copied by 200 cities is 200 rows. Families, pairs and per-document views below are
-- derived from it on demand.
CREATE TABLE IF NOT EXISTS passage_occurrences (
    doc_id          VARCHAR NOT NULL,
    cluster_id      VARCHAR NOT NULL,      -- the document's cluster (cluster ids never change)
    passage_key     BIGINT NOT NULL,       -- the span's smallest link key
    start_pos       INTEGER NOT NULL,      -- offsets of the span in documents.text
    end_pos         INTEGER NOT NULL,
    sentences       INTEGER NOT NULL,
    link_keys       BIGINT[] NOT NULL,     -- its aligned sentence pairs (a lone sentence: its key)
    run_id          VARCHAR NOT NULL       -- the run that wrote the row (a later run may rewrite it)
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

-- Every span with its passage family. A span's family is its anchor: of its link keys, the one
-- held by the most spans (ties: the smallest key). Every copy of a template holds the template's
-- most copied sentence pair, so the copies meet in one family; a chance neighbourhood of two
-- shared paragraphs in a few documents is a rare pair and never the anchor, so it does not glue
-- two families together (full connected components did: on recombined paragraphs one family
-- swallowed 93 % of the documents). One pass over the link keys, on demand.
CREATE OR REPLACE VIEW passage_families AS
    WITH links AS (
        SELECT doc_id, start_pos, unnest(link_keys) AS link FROM passage_occurrences
    ), df AS (
        SELECT link, count(*) AS spans FROM links GROUP BY link
    ), anchor AS (
        SELECT l.doc_id, l.start_pos, arg_max(l.link, [df.spans, -l.link]) AS family
        FROM links l JOIN df USING (link) GROUP BY l.doc_id, l.start_pos
    )
    SELECT o.doc_id, o.cluster_id, a.family, o.passage_key, o.start_pos, o.end_pos, o.sentences
    FROM passage_occurrences o JOIN anchor a USING (doc_id, start_pos);

-- A passage family with every document and organisation that carries it, however many.
-- weight = ln(clusters in the warehouse / clusters carrying it): a stock phrase found everywhere
-- weighs ~0 and ranks last, a template shared by a few cities ranks first; nothing is dropped.
CREATE OR REPLACE VIEW reused_passages AS
    WITH f AS MATERIALIZED (SELECT * FROM passage_families),
    total AS (SELECT count(DISTINCT cluster_id) AS n FROM documents),
    longest AS (
        -- one span's document and offset together (two arg_max calls could take them from two
        -- spans of equal length); among equally long copies a canonical document's wins (a
        -- traditional-script or masked repost is not what the family should be shown as), then
        -- the greatest doc_id, so the choice is stable
        SELECT family, best.doc_id AS doc_id, best.start_pos AS start_pos, chars, sentences
        FROM (SELECT f.family, arg_max({'doc_id': f.doc_id, 'start_pos': f.start_pos},
                                       (f.end_pos - f.start_pos, d.is_canonical, f.doc_id)) AS best,
                     max(f.end_pos - f.start_pos) AS chars, max(f.sentences) AS sentences
              FROM f JOIN documents d USING (doc_id) GROUP BY f.family)
    ), carriers AS (
        SELECT f.family, count(DISTINCT f.cluster_id) AS clusters, count(DISTINCT f.doc_id) AS documents,
               list(DISTINCT f.doc_id ORDER BY f.doc_id) AS doc_ids,
               list(DISTINCT coalesce(d.organization, d.source_name) ORDER BY coalesce(d.organization, d.source_name))
                   FILTER (WHERE coalesce(d.organization, d.source_name) IS NOT NULL) AS organizations
        FROM f JOIN documents d USING (doc_id) GROUP BY f.family
        HAVING count(DISTINCT f.cluster_id) >= 2  -- a family copied only within one cluster is no reuse
    )
    SELECT c.family AS passage_key, c.clusters, c.documents, round(ln(total.n / c.clusters), 3) AS weight,
           l.chars, l.sentences, substr(d.text, l.start_pos + 1, l.chars) AS passage, c.doc_ids, c.organizations
    FROM carriers c JOIN longest l USING (family) JOIN documents d ON d.doc_id = l.doc_id, total;

-- Which speeches copy which: one row per pair of clusters sharing passages (not per copy),
-- named by their canonical documents.
-- shared_chars counts each shared family once, at its shorter side; weighted_chars weighs it by
-- the family's weight (above), so pairs sharing only stock phrases rank last.
CREATE OR REPLACE VIEW text_reuse_pairs AS
    WITH per_cluster AS MATERIALIZED (
        SELECT family, cluster_id, max(end_pos - start_pos) AS chars FROM passage_families GROUP BY family, cluster_id
    ), df AS (SELECT family, count(*) AS clusters FROM per_cluster GROUP BY family),
    total AS (SELECT count(DISTINCT cluster_id) AS n FROM documents),
    pairs AS (
        SELECT a.cluster_id, b.cluster_id AS other_cluster_id, count(*) AS shared_passages,
               sum(least(a.chars, b.chars)) AS shared_chars,
               round(sum(least(a.chars, b.chars) * ln(total.n / df.clusters)), 1) AS weighted_chars,
               min(df.clusters) AS rarest_passage_clusters,
               arg_max(a.family, least(a.chars, b.chars) * ln(total.n / df.clusters)) AS top_passage_key
        FROM per_cluster a JOIN per_cluster b ON a.family = b.family AND a.cluster_id < b.cluster_id
        JOIN df ON df.family = a.family, total
        GROUP BY a.cluster_id, b.cluster_id
    )
    SELECT p.cluster_id, d.doc_id, d.title, p.other_cluster_id, od.doc_id AS other_doc_id, od.title AS other_title,
           p.shared_passages, p.shared_chars, p.weighted_chars, p.rarest_passage_clusters,
           round(p.shared_chars / greatest(d.char_count, 1), 3) AS share_of_doc,
           round(p.shared_chars / greatest(od.char_count, 1), 3) AS share_of_other,
           p.top_passage_key
    FROM pairs p
    JOIN documents d ON d.cluster_id = p.cluster_id AND d.is_canonical
    JOIN documents od ON od.cluster_id = p.other_cluster_id AND od.is_canonical;

-- The reused passages of one document: each span, its text, and who else carries it.
CREATE OR REPLACE MACRO reuse_of(doc) AS TABLE
    WITH f AS MATERIALIZED (SELECT * FROM passage_families),
    mine AS (SELECT * FROM f WHERE doc_id = doc),
    total AS (SELECT count(DISTINCT cluster_id) AS n FROM documents)
    SELECT m.start_pos, m.end_pos, m.sentences, substr(d.text, m.start_pos + 1, m.end_pos - m.start_pos) AS passage,
           m.family AS passage_key, count(DISTINCT c.cluster_id) AS clusters,
           round(ln(any_value(total.n) / count(DISTINCT c.cluster_id)), 3) AS weight,
           list(DISTINCT c.doc_id ORDER BY c.doc_id) FILTER (WHERE c.cluster_id <> m.cluster_id) AS other_clusters_doc_ids
    FROM mine m JOIN documents d ON d.doc_id = m.doc_id JOIN f c ON c.family = m.family, total
    GROUP BY m.start_pos, m.end_pos, m.sentences, d.text, m.family
    ORDER BY m.start_pos;
