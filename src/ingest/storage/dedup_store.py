"""Dedup state in the warehouse: load what new documents can match, save a run's plan (inside its transaction)."""
from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..dedup import Candidate, DedupPlan, Fingerprint, PriorDoc, PriorIndex
from ..dedup.cluster import ClusterConfig
from ..dedup.reuse import Passage

FINGERPRINT_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("exact_hash", pa.int64()), ("signature", pa.binary()),
    ("band_keys", pa.list_(pa.int64())), ("n_shingles", pa.int32()), ("match_len", pa.int32()),
    ("has_masking", pa.bool_()), ("was_traditional", pa.bool_()), ("dropped_lines", pa.int32()),
    ("passage_keys", pa.list_(pa.int64())), ("passage_starts", pa.list_(pa.int32())),
    ("passage_ends", pa.list_(pa.int32())),
])


# ---- fingerprints between the per-batch stage and the run-level decision ---------------------
def fingerprints_table(items: list[tuple[str, Fingerprint]]) -> pa.Table:
    cols: dict[str, list] = {f.name: [] for f in FINGERPRINT_SCHEMA}
    for doc_id, fp in items:
        cols["doc_id"].append(doc_id)
        cols["exact_hash"].append(fp.exact_hash)
        cols["signature"].append(np.asarray(fp.signature, dtype="<u4").tobytes())
        cols["band_keys"].append(fp.band_keys.tolist())
        for name in ("n_shingles", "match_len", "has_masking", "was_traditional", "dropped_lines"):
            cols[name].append(getattr(fp, name))
        cols["passage_keys"].append([p.key for p in fp.passages])
        cols["passage_starts"].append([p.start for p in fp.passages])
        cols["passage_ends"].append([p.end for p in fp.passages])
    return pa.table(cols, schema=FINGERPRINT_SCHEMA)


def fingerprints_from_table(table: pa.Table) -> dict[str, Fingerprint]:
    out = {}
    for row in table.to_pylist():
        passages = [Passage(k, s, e) for k, s, e in zip(row["passage_keys"], row["passage_starts"], row["passage_ends"])]
        out[row["doc_id"]] = Fingerprint(
            row["exact_hash"], np.frombuffer(row["signature"], dtype="<u4").copy(),
            np.asarray(row["band_keys"], dtype=np.int64), row["n_shingles"], row["match_len"],
            row["has_masking"], row["was_traditional"], row["dropped_lines"], passages)
    return out


# ---- reading the state ------------------------------------------------------------------------
def load_prior(con: duckdb.DuckDBPyConnection, new: list[Candidate],
               config: ClusterConfig = ClusterConfig()) -> PriorIndex:
    """The postings the new documents hit (exact hash, bands, sentences) and those clusters' members."""
    idx = PriorIndex()
    if not new:
        return idx
    keys = pa.table({
        "kind": ["exact"] * len(new) + ["band"] * sum(len(c.fingerprint.band_keys) for c in new)
        + ["passage"] * sum(len(c.fingerprint.passages) for c in new),
        "key": pa.array([c.fingerprint.exact_hash for c in new]
                        + [k for c in new for k in c.fingerprint.band_keys.tolist()]
                        + [p.key for c in new for p in c.fingerprint.passages], pa.int64()),
    })
    con.register("dedup_new_keys", keys)
    con.register("dedup_new_ids", pa.table({"doc_id": pa.array([c.doc_id for c in new], pa.string())}))
    try:
        for key, doc_id in con.execute(
            "SELECT exact_hash, doc_id FROM dedup_docs WHERE exact_hash IN "
            "(SELECT key FROM dedup_new_keys WHERE kind = 'exact') ORDER BY doc_id").fetchall():
            idx.exact.setdefault(key, []).append(doc_id)
        for key, doc_id in con.execute(
            "SELECT key, doc_id FROM dedup_bands WHERE key IN "
            "(SELECT key FROM dedup_new_keys WHERE kind = 'band') ORDER BY doc_id").fetchall():
            idx.bands.setdefault(key, []).append(doc_id)
        for key, doc_id, start, end in con.execute(
            "WITH hit AS (SELECT p.* FROM dedup_passages p WHERE p.key IN "
            "  (SELECT key FROM dedup_new_keys WHERE kind = 'passage')),"
            " common AS (SELECT key FROM hit GROUP BY key HAVING count(*) > ?)"
            " SELECT key, doc_id, start_pos, end_pos FROM hit WHERE key NOT IN (SELECT key FROM common)"
            " ORDER BY doc_id, start_pos", [config.passage_max_df]).fetchall():
            idx.passages.setdefault(key, []).append((doc_id, start, end))
        hit = {d for ids in idx.exact.values() for d in ids} | {d for ids in idx.bands.values() for d in ids}
        hit |= {d for rows in idx.passages.values() for d, _, _ in rows}
        con.register("dedup_hit_ids", pa.table({"doc_id": pa.array(sorted(hit), pa.string())}))
        rows = con.execute(
            "SELECT d.doc_id, d.cluster_id, f.exact_hash, f.signature, f.n_shingles, d.has_masking OR f.has_masking,"
            "       f.was_traditional, f.dropped_lines, d.published_at, d.source_kind, d.is_canonical, d.dup_kind"
            " FROM documents d JOIN dedup_docs f USING (doc_id)"
            " WHERE d.cluster_id IN (SELECT cluster_id FROM documents WHERE doc_id IN"
            "   (SELECT doc_id FROM dedup_hit_ids UNION ALL SELECT doc_id FROM dedup_new_ids))"
            " ORDER BY d.doc_id").fetchall()
    finally:
        for name in ("dedup_new_keys", "dedup_new_ids", "dedup_hit_ids"):
            try:
                con.unregister(name)
            except Exception:
                pass
    for r in rows:
        idx.docs[r[0]] = PriorDoc(r[0], r[1], r[2], np.frombuffer(r[3], dtype="<u4").copy(), r[4], bool(r[5]),
                                  r[6], r[7], r[8], r[9], r[10], r[11])
    return idx


def text_fetcher(con: duckdb.DuckDBPyConnection):
    """fetch_texts for assign_clusters: earlier documents' clean text by doc_id."""
    def fetch(doc_ids: list[str]) -> dict[str, str]:
        if not doc_ids:
            return {}
        con.register("dedup_fetch_ids", pa.table({"doc_id": pa.array(doc_ids, pa.string())}))
        try:
            return dict(con.execute("SELECT doc_id, text FROM documents WHERE doc_id IN "
                                    "(SELECT doc_id FROM dedup_fetch_ids)").fetchall())
        finally:
            con.unregister("dedup_fetch_ids")
    return fetch


# ---- writing a plan ---------------------------------------------------------------------------
def plan_tables(plan: DedupPlan) -> dict[str, pa.Table]:
    """The plan as Arrow tables (staged as Parquet between the decision and the load)."""
    docs = [(a.doc_id, plan.fingerprints[a.doc_id]) for a in plan.assignments]
    decisions = plan.assignments + plan.updates
    return {
        "decisions": pa.table({
            "doc_id": pa.array([a.doc_id for a in decisions], pa.string()),
            "cluster_id": pa.array([a.cluster_id for a in decisions], pa.string()),
            "dup_kind": pa.array([a.dup_kind for a in decisions], pa.string()),
            "is_canonical": pa.array([a.is_canonical for a in decisions], pa.bool_()),
            "canonical_reason": pa.array([a.canonical_reason for a in decisions], pa.string()),
            "matched_doc_id": pa.array([a.matched_doc_id for a in decisions], pa.string()),
            "similarity": pa.array([a.similarity for a in decisions], pa.float64()),
            "is_update": pa.array([False] * len(plan.assignments) + [True] * len(plan.updates), pa.bool_()),
        }),
        "fingerprints": fingerprints_table(docs),
        "reuse": pa.table({
            "doc_id": pa.array([r.doc_id for r in plan.reuse], pa.string()),
            "other_doc_id": pa.array([r.other_doc_id for r in plan.reuse], pa.string()),
            "cluster_id": pa.array([r.cluster_id for r in plan.reuse], pa.string()),
            "other_cluster_id": pa.array([r.other_cluster_id for r in plan.reuse], pa.string()),
            "passage_key": pa.array([r.passage_key for r in plan.reuse], pa.int64()),
            "start_pos": pa.array([r.start for r in plan.reuse], pa.int32()),
            "end_pos": pa.array([r.end for r in plan.reuse], pa.int32()),
            "passage": pa.array([r.passage for r in plan.reuse], pa.string()),
        }),
        "links": pa.table({
            "cluster_id": pa.array([x[0] for x in plan.links], pa.string()),
            "other_cluster_id": pa.array([x[1] for x in plan.links], pa.string()),
            "via_doc_id": pa.array([x[2] for x in plan.links], pa.string()),
            "similarity": pa.array([x[3] for x in plan.links], pa.float64()),
        }),
    }


def write_tables(tables: dict[str, pa.Table], directory: Path) -> None:
    """Stage a plan's tables as Parquet (atomically, one file per table)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        tmp = directory / f".dedup-{name}.parquet.tmp"
        pq.write_table(table, tmp)
        tmp.replace(directory / f"dedup-{name}.parquet")


def read_plan_tables(directory: Path) -> dict[str, pa.Table]:
    return {name: pq.read_table(directory / f"dedup-{name}.parquet")
            for name in ("decisions", "fingerprints", "reuse", "links")}


def save_plan(con: duckdb.DuckDBPyConnection, plan: DedupPlan | dict[str, pa.Table], run_id: str,
              new_doc_ids: str | None = None) -> None:
    """Persist state rows, canonical flips, text reuse and links. Runs INSIDE the caller's transaction.

    `new_doc_ids` optionally names a table/view of the doc_ids the run really inserts: state of
    documents that the loader skipped (already present) is not written.
    """
    tables = plan_tables(plan) if isinstance(plan, DedupPlan) else plan
    for name, table in tables.items():
        con.register(f"dedup_plan_{name}", table)
    keep = f"doc_id IN (SELECT doc_id FROM {new_doc_ids})" if new_doc_ids else "TRUE"
    try:
        con.execute(
            "INSERT INTO dedup_docs SELECT doc_id, exact_hash, n_shingles, match_len, was_traditional, has_masking,"
            f" dropped_lines, signature, $run_id FROM dedup_plan_fingerprints WHERE {keep}"
            " AND doc_id NOT IN (SELECT doc_id FROM dedup_docs)", {"run_id": run_id})
        con.execute(
            "INSERT INTO dedup_bands SELECT unnest(band_keys), doc_id FROM dedup_plan_fingerprints"
            f" WHERE {keep} AND doc_id IN (SELECT doc_id FROM dedup_docs WHERE run_id = $run_id)", {"run_id": run_id})
        con.execute(
            "INSERT INTO dedup_passages SELECT unnest(passage_keys), doc_id, unnest(passage_starts),"
            f" unnest(passage_ends) FROM dedup_plan_fingerprints WHERE {keep}"
            " AND doc_id IN (SELECT doc_id FROM dedup_docs WHERE run_id = $run_id)", {"run_id": run_id})
        con.execute(
            "UPDATE documents SET is_canonical = u.is_canonical, dup_kind = u.dup_kind,"
            " canonical_reason = u.canonical_reason"
            " FROM (SELECT * FROM dedup_plan_decisions WHERE is_update) u WHERE documents.doc_id = u.doc_id")
        con.execute(f"INSERT INTO text_reuse SELECT *, $run_id FROM dedup_plan_reuse WHERE {keep}",
                    {"run_id": run_id})
        con.execute("INSERT INTO cluster_links SELECT *, $run_id FROM dedup_plan_links", {"run_id": run_id})
    finally:
        for name in tables:
            con.unregister(f"dedup_plan_{name}")
