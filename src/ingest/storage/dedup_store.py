"""Dedup state in the warehouse: load what new documents can match, save a run's plan (inside its transaction)."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..dedup import BANDS, Candidate, DedupPlan, PriorDoc, PriorIndex
from ..dedup.records import Postings
from ..dedup.candidates import ClusterConfig
from ..dedup.new_documents import NewDocuments
from ..dedup.occurrences import Occurrences, SentenceRows
from .sql import named_statements
from .staged_fingerprints import FINGERPRINT_SCHEMA, fingerprints_table


# ---- reading the state ------------------------------------------------------------------------
def registered(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table]):
    """Register Arrow tables for the statements of dedup_state.sql; unregister them afterwards."""
    class _Scope:
        def __enter__(self):
            for name, table in tables.items():
                con.register(name, table)

        def __exit__(self, *exc):
            for name in tables:
                con.unregister(name)

    return _Scope()


def load_prior(con: duckdb.DuckDBPyConnection, new: NewDocuments | list[Candidate],
               config: ClusterConfig = ClusterConfig(),
               band_keys: Callable[[list[str]], np.ndarray] | None = None) -> PriorIndex:
    """The postings the new documents hit (exact hash, bands, sentences) and those clusters' members.

    `band_keys` gives the LSH band keys of documents given without a signature (the staged ones:
    decision.StagedSignatures), all of them in one array.
    """
    idx = PriorIndex()
    # An empty warehouse (every first run) has no postings to look up.
    if not len(new) or con.execute("SELECT NOT EXISTS (SELECT 1 FROM dedup_docs)").fetchone()[0]:
        return idx
    if not isinstance(new, NewDocuments):
        new = NewDocuments.of(new)
    sql = named_statements("dedup_state.sql")
    if new.signatures is None:
        if band_keys is None:
            raise ValueError("documents without a signature need load_prior(band_keys=...)")
        bands = band_keys(new.doc_ids)
    else:
        bands = BANDS.keys(new.signatures).ravel()
    sentences = new.passages[0][new.passage_bounds[0]:new.passage_bounds[-1]]
    keys = pa.table({
        "kind": ["exact"] * len(new) + ["band"] * len(bands) + ["passage"] * len(sentences),
        "key": pa.array(np.concatenate([new.numbers["exact_hash"], bands, sentences]), pa.int64()),
    })
    del bands, sentences
    ids = pa.table({"doc_id": pa.array(new.doc_ids, pa.string())})
    with registered(con, {"dedup_new_keys": keys, "dedup_new_ids": ids}):
        for key, doc_id in con.execute(sql["prior_exact"]).fetchall():
            idx.exact.setdefault(key, []).append(doc_id)
        # Postings as columns: a dict of lists per key cost more than the queries.
        idx.bands = _postings(con.execute(sql["prior_bands"]).to_arrow_table())
        idx.passages = _postings(con.execute(sql["prior_passages"], {"max_df": config.candidate_max_df})
                                 .to_arrow_table())
        hit = {d for ids_ in idx.exact.values() for d in ids_} | set(idx.bands.doc_ids) | set(idx.passages.doc_ids)
        hits = pa.table({"doc_id": pa.array(sorted(hit), pa.string())})
        with registered(con, {"dedup_hit_ids": hits}):
            members = con.execute(sql["prior_members"]).to_arrow_table()
    idx.docs = prior_docs(members)
    return idx


def prior_docs(members: pa.Table) -> dict[str, PriorDoc]:
    """The rows of prior_members as PriorDocs, built column by column.

    A daily run of 200 documents loads most of a template-copying warehouse's members (42,963
    of 45,929): a tuple per row and a bytes object per signature were ~47 MB beside the
    PriorDocs. Here the signatures are rows of one matrix, and repeated words are one string.
    """
    n = members.num_rows
    if not n:
        return {}
    columns = [members.column(i).combine_chunks() for i in range(members.num_columns)]
    signatures = _signature_rows(columns[3])

    def values(i: int) -> list:
        # (cluster ids and kinds repeat, doc_ids cost no more so)
        return shared_strings(columns[i]) if pa.types.is_string(columns[i].type) else columns[i].to_pylist()

    doc_ids, clusters, hashes = values(0), values(1), values(2)
    n_shingles, masking, traditional, dropped = values(4), values(5), values(6), values(7)
    published, source_kinds, canonical, kinds, titled = values(8), values(9), values(10), values(11), values(12)
    return {doc_ids[i]: PriorDoc(doc_ids[i], clusters[i], hashes[i], signatures[i], n_shingles[i], bool(masking[i]),
                                 traditional[i], dropped[i], published[i], source_kinds[i], canonical[i], kinds[i],
                                 bool(titled[i]))
            for i in range(n)}


def _signature_rows(column: pa.Array) -> list[np.ndarray] | np.ndarray:
    """Signature blobs (little-endian uint32 values) as rows of one matrix when they are all of
    one length (they are: one scheme per warehouse), else an array each."""
    lengths = pc.binary_length(column)
    width = pc.min_max(lengths)
    if column.null_count or width["min"].as_py() != width["max"].as_py() or width["min"].as_py() % 4:
        return [np.frombuffer(b, dtype="<u4").copy() for b in column.to_pylist()]
    offset_type = np.int64 if pa.types.is_large_binary(column.type) else np.int32
    offsets = np.frombuffer(column.buffers()[1], dtype=offset_type, count=len(column) + 1,
                            offset=column.offset * np.dtype(offset_type).itemsize)
    data = np.frombuffer(column.buffers()[2], dtype="<u4")[offsets[0] // 4:offsets[-1] // 4]
    return data.reshape(len(column), -1).astype(np.uint32)  # (a copy: the rows are the decision's own)


def shared_strings(column: pa.Array) -> list[str | None]:
    """A string column as a list in which equal values are one str object (to_pylist makes one per row)."""
    encoded = column.dictionary_encode()
    words = encoded.dictionary.to_pylist()
    return [None if k is None else words[k] for k in encoded.indices.to_pylist()]


def _postings(table: pa.Table) -> Postings:
    # doc_ids repeat (a document has a posting per band or sentence)
    return Postings(table["key"].to_numpy().astype(np.int64, copy=False), shared_strings(table["doc_id"].combine_chunks()))


def text_fetcher(con: duckdb.DuckDBPyConnection):
    """fetch_texts for assign_clusters: earlier documents' clean text by doc_id."""
    def fetch(doc_ids: list[str]) -> dict[str, str]:
        if not doc_ids:
            return {}
        with registered(con, {"dedup_fetch_ids": pa.table({"doc_id": pa.array(doc_ids, pa.string())})}):
            return dict(con.execute(named_statements("dedup_state.sql")["fetch_texts"]).fetchall())
    return fetch


# ---- writing a plan ---------------------------------------------------------------------------
def plan_tables(plan: DedupPlan, fingerprints_staged: bool = False) -> dict[str, pa.Table]:
    """The plan as Arrow tables (staged as Parquet between the decision and the load).

    With `fingerprints_staged`, the plan's fingerprints are the rows of the run's staged
    `fingerprints-*.parquet` parts, which the load reads where they are (`_staged_plan`): no
    table of them is built here (at 120 MB a copy of ~65 MB at the decision's end).
    """
    decisions = plan.assignments + plan.updates
    fingerprints = None
    if not fingerprints_staged:
        fingerprints = fingerprints_table([(a.doc_id, plan.candidates[a.doc_id].fingerprint) for a in plan.assignments])
        # the matching lines served verification; the warehouse keeps documents.text, not them
        fingerprints = fingerprints.drop_columns(["matching_lines", "titled"])
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
        **({"fingerprints": fingerprints} if fingerprints is not None else {}),
        "occurrences": occurrences_table(plan.occurrences or Occurrences()),
        "touched": pa.table({"doc_id": pa.array((plan.occurrences or Occurrences()).touched, pa.string())}),
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
        # No dictionaries: signatures, keys and ids are nearly all distinct, the attempt was wasted.
        pq.write_table(table, tmp, use_dictionary=False)
        tmp.replace(directory / f"dedup-{name}.parquet")


PLAN_TABLES = ("decisions", "fingerprints", "occurrences", "touched", "links")


def save_plan(con: duckdb.DuckDBPyConnection, plan: DedupPlan | dict[str, pa.Table] | Path, run_id: str,
              new_doc_ids: str | None = None) -> None:
    """Persist state rows, canonical flips, passage occurrences and links. Runs INSIDE the caller's transaction.

    `plan` is a plan, its tables, or the directory they were staged in (write_tables): staged
    tables are read by DuckDB where the statements need them, never as Arrow tables in Python
    (at 120 MB those were ~100 MB, and ~200 MB of peak while read, on top of the load's own).
    `new_doc_ids` optionally names a table/view of the doc_ids the run really inserts: state of
    documents that the loader skipped (already present) is not written.
    """
    sql = named_statements("dedup_state.sql")
    params = {"run_id": run_id}
    if isinstance(plan, Path):
        scope = _staged_plan(con, plan, new_doc_ids)
    else:
        tables = plan_tables(plan) if isinstance(plan, DedupPlan) else plan
        if new_doc_ids:
            keep = con.execute(f"SELECT doc_id FROM {new_doc_ids}").to_arrow_table()
        else:
            keep = tables["fingerprints"].select(["doc_id"])
        scope = registered(con, {**{f"dedup_plan_{n}": t for n, t in tables.items()}, "dedup_keep_ids": keep})
    with scope:
        for name in ("insert_docs", "insert_bands", "insert_passages", "delete_touched_occurrences",
                     "insert_occurrences", "insert_links"):
            con.execute(sql[name], params if "$run_id" in sql[name] else None)
        con.execute(sql["update_canonical"])


@contextmanager
def _staged_plan(con: duckdb.DuckDBPyConnection, directory: Path, new_doc_ids: str | None) -> Iterator[None]:
    """The staged plan's tables as temporary views over their Parquet files, for the statements
    of dedup_state.sql (dedup_keep_ids: `new_doc_ids`, else the staged fingerprints' doc_ids)."""
    def parquet(name: str) -> str:
        return "read_parquet('{}')".format((directory / name).as_posix().replace("'", "''"))

    views = {f"dedup_plan_{n}": f"SELECT * FROM {parquet(f'dedup-{n}.parquet')}" for n in PLAN_TABLES}
    if not (directory / "dedup-fingerprints.parquet").exists():
        # the staged parts' rows of the documents the plan decided (a file staged twice in the
        # run is one document: its first row), without the columns only verification read
        columns = ", ".join(f for f in FINGERPRINT_SCHEMA.names if f not in ("matching_lines", "titled"))
        views["dedup_plan_fingerprints"] = (
            f"SELECT {columns} FROM {parquet('fingerprints-*.parquet')} "
            "WHERE doc_id IN (SELECT doc_id FROM dedup_plan_decisions WHERE NOT is_update) "
            "QUALIFY row_number() OVER (PARTITION BY doc_id) = 1")
    views["dedup_keep_ids"] = f"SELECT doc_id FROM {new_doc_ids or 'dedup_plan_fingerprints'}"
    for name, query in views.items():
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {query}")
    try:
        yield
    finally:
        for name in reversed(list(views)):
            try:
                con.execute(f"DROP VIEW IF EXISTS {name}")
            except duckdb.TransactionException:
                break  # the transaction failed (its error is on its way up): its views go with it


def occurrences_table(occ: Occurrences) -> pa.Table:
    offsets, values = occ.link_offsets.astype(np.int32), occ.link_values
    return pa.table({
        "doc_id": pa.array(occ.doc_ids, pa.string()),
        "cluster_id": pa.array(occ.clusters, pa.string()),
        "passage_key": pa.array(occ.passage_key, pa.int64()),
        "start_pos": pa.array(occ.start, pa.int32()),
        "end_pos": pa.array(occ.end, pa.int32()),
        "sentences": pa.array(occ.sentences, pa.int32()),
        "link_keys": pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(values, pa.int64())),
    })


# ---- text reuse: what earlier documents' sentences tell a run (occurrences.PriorReuse) ----------
class PriorReuseSQL:
    """occurrences.PriorReuse over dedup_passages; asks nothing of an empty warehouse."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.sql = named_statements("dedup_state.sql")
        self.empty = con.execute("SELECT NOT EXISTS (SELECT 1 FROM dedup_passages)").fetchone()[0]

    def _keys(self, *arrays: np.ndarray) -> pa.Table:
        return pa.table({"key": pa.array(np.unique(np.concatenate(arrays)).astype(np.int64), pa.int64())})

    def key_clusters(self, keys: np.ndarray, pairs: np.ndarray) -> tuple[np.ndarray, list[str]]:
        if self.empty:
            return np.zeros(0, np.int64), []
        with registered(self.con, {"dedup_reuse_keys": self._keys(keys, pairs)}):
            t = self.con.execute(self.sql["reuse_key_clusters"]).to_arrow_table()
        return t.column(0).to_numpy().astype(np.int64, copy=False), t.column(1).to_pylist()

    def holders(self, keys: np.ndarray, pairs: np.ndarray) -> list[str]:
        if self.empty:
            return []
        with registered(self.con, {"dedup_reuse_keys": self._keys(keys, pairs)}):
            return [r[0] for r in self.con.execute(self.sql["reuse_holders"]).fetchall()]

    def sentence_rows(self, doc_ids: list[str]) -> SentenceRows:
        ids = pa.table({"doc_id": pa.array(doc_ids, pa.string())})
        with registered(self.con, {"dedup_reuse_ids": ids}):
            t = self.con.execute(self.sql["reuse_sentence_rows"]).to_arrow_table()
        return sentence_rows_from(t)


def sentence_rows_from(t: pa.Table) -> SentenceRows:
    """Rows (doc_id, cluster_id, key, start_pos, end_pos) sorted by doc_id, start_pos -> SentenceRows."""
    docs = t["doc_id"].to_pylist()
    clusters = t["cluster_id"].to_pylist()
    first = [i for i in range(len(docs)) if i == 0 or docs[i] != docs[i - 1]]
    doc = np.cumsum([i > 0 and docs[i] != docs[i - 1] for i in range(len(docs))], dtype=np.int64) \
        if docs else np.zeros(0, np.int64)
    return SentenceRows([docs[i] for i in first], [clusters[i] for i in first], doc,
                        t["key"].to_numpy().astype(np.int64), t["start_pos"].to_numpy().astype(np.int64),
                        t["end_pos"].to_numpy().astype(np.int64))

