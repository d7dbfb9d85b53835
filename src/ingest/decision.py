"""The run-level duplicate decision: the staged documents and fingerprints in, the staged plan out.

Between staging and the load (stages): clusters the run's new documents against each other and
what the warehouse holds, notes edited, deleted and renamed local files, and stages the plan
as Parquet beside the run's parts for `Warehouse.load_run` to save in the run's transaction.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import dedup, file_versions
from .memory import release_memory, trim_heap
from .storage import dedup_store, staged_fingerprints, versions
from .storage.lake import write_parquet_atomic
from .storage.sql import named_statements
from .storage.memory_limits import LOOKUP_MEMORY_ENV, lookup_memory_limit
from .storage.warehouse import Warehouse
from .verify_helper import HelperProcess


def decide_duplicates(wh: Warehouse, run_id: str) -> dict[str, int]:
    """Cluster this run's new documents against each other and everything loaded before.

    Reads the staged documents and fingerprints, asks the warehouse only for the state those
    fingerprints can match (read-only), and stages the plan; `load_run` saves it in the run's
    transaction.
    """
    # DuckDB keeps the blocks its queries read cached up to its memory limit, by default 80% of
    # RAM. The decision's lookups read whole columns of the warehouse even for a few rows (200
    # earlier texts out of 45,929 documents read every text: 163 MB of cache), so a daily run's
    # memory grew with the warehouse, not with the run. Under a limit of their own (64MB unless
    # $INGEST_LOOKUP_MEMORY_LIMIT says otherwise) DuckDB evicts them; query results and spills
    # to its temporary directory are not bound by it (100 MB of texts fetched in one query).
    limit = lookup_memory_limit()
    try:
        try:
            return _decide_duplicates(wh, run_id, limit)
        except duckdb.OutOfMemoryException as e:
            # Only the lookups can fail so, before anything is staged: the decision again, with
            # DuckDB's own default limit (80% of RAM), is the same decision.
            logging.getLogger(__name__).warning(
                "the duplicate decision's warehouse lookups needed more than %s (%s); deciding again "
                "without that limit (%s=1GB, say, decides once)", limit, str(e).splitlines()[0], LOOKUP_MEMORY_ENV)
        # (again outside the handler: its traceback would keep the first attempt's frames, and a
        # helper process it started, through the second)
        release_memory()
        return _decide_duplicates(wh, run_id, None)
    finally:
        release_memory()


def _decide_duplicates(wh: Warehouse, run_id: str, memory_limit: str | None) -> dict[str, int]:
    staging = wh.staging(run_id)
    # No text: the clustering reads the few texts it needs (StagedDocuments.texts).
    staged = StagedDocuments.read(staging)
    con = wh.connect(read_only=True)
    try:
        con.execute("SET threads = 1")  # small lookups: a second thread cost CPU and saved no time
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        con.register("staged_ids", pa.table({"doc_id": pa.array(staged.doc_ids, pa.string())}))
        known = {r[0] for r in con.execute("SELECT doc_id FROM documents WHERE doc_id IN (SELECT doc_id FROM staged_ids)").fetchall()}
        con.unregister("staged_ids")
        changes = _file_changes(con, wh, staging, known)
        trim_heap()  # what that step freed (60 MB of notices: 502 -> 456 MB with the Arrow lookup)
        renamed = {c.new_doc_id for c in changes if c.kind == "rename"}  # the same document as before
        new = _new_documents(staging, staged.rows, known | renamed)
        n_staged, staged.rows = len(staged.rows), []  # the columns hold what the rows held
        trim_heap()  # the staged fingerprints' table the columns were taken from
        signatures = StagedSignatures(staging)
        prior = dedup_store.load_prior(con, new, band_keys=signatures.band_keys)
        plan = dedup.assign_clusters(new, prior, dedup_store.text_fetcher(con), new_texts=staged.texts,
                                     reuse=dedup_store.PriorReuseSQL(con), new_signatures=signatures.read,
                                     new_lines=signatures.matching_lines,
                                     start_helper=functools.partial(HelperProcess.start, spill_dir=staging))
    finally:
        con.close()
    tables = dedup_store.plan_tables(plan, fingerprints_staged=True)
    (staging / "dedup-fingerprints.parquet").unlink(missing_ok=True)  # the load reads the parts
    dedup_store.write_tables(tables, staging)
    decisions = tables["decisions"]
    new_only = decisions.filter(pc.invert(decisions["is_update"])).drop_columns(["is_update"])
    write_parquet_atomic(new_only, staging / "decisions.parquet")
    kinds: dict[str, int] = {}
    for d in plan.assignments:
        kinds[d.dup_kind] = kinds.get(d.dup_kind, 0) + 1
    write_parquet_atomic(file_versions.changes_table(changes), staging / versions.CHANGES_FILE)
    return {"documents_known": n_staged - len(new), **kinds,
            # earlier documents that gained or lost the canonical place / only changed dup_kind
            "canonical_changes": plan.stats.get("canonical_changes", 0), "kind_changes": plan.stats.get("kind_changes", 0),
            # rows this run writes to passage_occurrences (its new documents' spans and the
            # rewritten spans of earlier documents it touched)
            "passage_occurrences": len(plan.occurrences or ()), **file_versions.counts(changes)}


def _new_documents(staging: Path, rows: list[tuple], leave_out: set[str]) -> dedup.NewDocuments:
    """The staged documents (`rows`, StagedDocuments.COLUMNS) less `leave_out`, with their staged
    fingerprints, as columns; the same file content staged twice within a run is one document.

    Without signatures and matching lines: StagedSignatures reads those when the candidate
    search, and then the verification, need them.
    """
    by_id = {r[0]: r for r in rows if r[0] not in leave_out}
    ids = sorted(by_id)
    chosen = [by_id[d] for d in ids]
    del by_id
    columns = [c for c in staged_fingerprints.FINGERPRINT_SCHEMA.names
               if c not in ("signature", "band_keys", "matching_lines")]
    parts = _read_parts(sorted(staging.glob("fingerprints-*.parquet")), columns)
    table = pa.concat_tables(parts) if parts else staged_fingerprints.FINGERPRINT_SCHEMA.empty_table().select(columns)
    del parts
    found = staged_fingerprints.fingerprint_columns(table, ids, lines=False)
    del table
    found["numbers"]["has_masking"] = np.array([r[4] for r in chosen], dtype=bool)
    dates: dict = {}  # one object per distinct date, as per title and kind (StagedDocuments.read)
    found["objects"].update(title=[r[1] for r in chosen], published_at=[dates.setdefault(r[2], r[2]) for r in chosen],
                            source_kind=[r[3] for r in chosen])
    return dedup.NewDocuments(ids, **found)


class StagedSignatures:
    """The run's MinHash signatures, LSH band keys and matching lines, read from its staged
    fingerprint parts when the decision needs them.

    Held by every document's fingerprint for the whole decision, a signature was ~0.6 KB: its
    512 bytes, in a matrix per staged part and then in the search's, and an array object for
    its row (112 bytes), when only the candidate search (all of them) and the canonical rule
    (members of clusters of three or more) read them.
    """

    def __init__(self, staging: Path) -> None:
        self.paths = sorted(staging.glob("fingerprints-*.parquet"))

    def read(self, doc_ids: list[str], out: np.ndarray) -> None:
        """The signatures of `doc_ids` into the rows of `out`, in that order."""
        found = np.zeros(len(doc_ids), dtype=bool)
        for column, at in self._parts("signature", doc_ids):
            rows = staged_fingerprints.signature_rows(column)
            if isinstance(rows, list) or rows.shape[1] != out.shape[1]:
                raise ValueError(f"staged signatures are not {out.shape[1]} values each")
            out[at[at >= 0]] = rows[at >= 0]  # (a document staged twice has one signature)
            found[at[at >= 0]] = True
        if not found.all():
            raise ValueError(f"{int(np.count_nonzero(~found))} documents have no staged signature")

    def band_keys(self, doc_ids: list[str]) -> np.ndarray:
        """The band keys of `doc_ids`, all in one array (a document staged twice counted once)."""
        keys, taken = [np.zeros(0, np.int64)], np.zeros(len(doc_ids), dtype=bool)
        for column, at in self._parts("band_keys", doc_ids):
            rows = np.flatnonzero(at >= 0)
            rows = rows[np.unique(at[rows], return_index=True)[1]]
            rows = rows[~taken[at[rows]]]
            taken[at[rows]] = True
            keys.append(column.take(pa.array(rows)).flatten().to_numpy(zero_copy_only=False).astype(np.int64))
        return np.concatenate(keys)

    def matching_lines(self, doc_ids: list[str]) -> dict[str, str]:
        """The matching lines of `doc_ids` (those that have them), by doc_id."""
        out: dict[str, str] = {}
        for column, at in self._parts("matching_lines", doc_ids):
            rows = np.flatnonzero(at >= 0)
            out.update(zip((doc_ids[i] for i in at[rows].tolist()), column.take(pa.array(rows)).to_pylist()))
        return {d: x for d, x in out.items() if x is not None}

    def _parts(self, name: str, doc_ids: list[str]):
        """(the column `name`, the place in doc_ids of each row or -1) of every staged part."""
        place = {d: i for i, d in enumerate(doc_ids)}
        for path in self.paths:
            table, = _read_parts([path], ["doc_id", name])
            at = np.fromiter((place.get(d, -1) for d in table["doc_id"].to_pylist()), dtype=np.int64,
                             count=table.num_rows)
            if (at >= 0).any():
                yield table[name].combine_chunks(), at


def _file_changes(con, wh: Warehouse, staging: Path, known_ids: set[str]) -> list[file_versions.FileChange]:
    """Edits, deletions, renames and restorations of local files among what the run staged.

    The staged paths and hashes stay Arrow columns: only the rows that can make a change (a path
    the warehouse holds a document of, the hash of a file gone from its directory, a document
    loaded before) become Python objects. With all of them as lists, the step rose ~185 MB over
    what the decision held before it at 180,000 new files (60 MB of notices); now ~130 MB.
    """
    docs = _concat(_read_parts(sorted(staging.glob("documents-*.parquet")),
                               ["doc_id", "source_uri", "source_kind", "content_hash"]))
    if docs is not None:
        docs = docs.filter(pc.equal(docs["source_kind"], "file"))
    files = _concat(_read_parts(sorted(staging.glob("files-*.parquet")), ["path", "content_hash"]))
    missing_file = staging / "missing.parquet"
    missing = {}
    if missing_file.exists():
        table = pq.read_table(missing_file)
        missing = dict(zip(table["path"].to_pylist(), table["content_hash"].to_pylist()))
    if (docs is None or not docs.num_rows) and not missing:
        return []
    sql = named_statements("file_versions.sql")
    paths = [pa.array(sorted(missing), pa.string())]
    paths += [docs["source_uri"].combine_chunks().cast(pa.string())] if docs is not None else []
    paths += [files["path"].combine_chunks().cast(pa.string())] if files is not None else []
    con.register("wanted_paths", pa.table({"path": pc.unique(pa.concat_arrays(paths))}))
    con.register("wanted_ids", pa.table({"doc_id": docs["doc_id"] if docs is not None else pa.array([], pa.string())}))
    try:
        live = {p: (d, h) for p, d, h in con.execute(sql["live_file_documents"]).fetchall()}
        retired = {d for d, is_retired in con.execute(sql["known_among"]).fetchall() if is_retired}
        known_paths = {p for p, in con.execute(sql["known_paths_among"]).fetchall()}
    finally:
        con.unregister("wanted_paths")
        con.unregister("wanted_ids")
    live_paths = pa.array(list(live), pa.string())
    staged = []
    if docs is not None:
        may_change = pc.or_(pc.or_(pc.is_in(docs["source_uri"], live_paths),
                                   pc.is_in(docs["content_hash"], pa.array(list(missing.values()), pa.string()))),
                            pc.is_in(docs["doc_id"], pa.array(list(known_ids), pa.string())))
        docs = docs.filter(may_change)  # (in staged order: the first copy of a moved file is its rename)
        staged = list(zip(*(docs[c].to_pylist() for c in ("doc_id", "source_uri", "content_hash"))))
    staged_files = {}
    if files is not None:
        files = files.filter(pc.is_in(files["path"], live_paths))
        staged_files = dict(zip(files["path"].to_pylist(), files["content_hash"].to_pylist()))
    return file_versions.plan_file_changes(staged, staged_files, known_paths, missing, live, known_ids, retired)


def _read_parts(paths: list[Path], columns: list[str] | None = None) -> list[pa.Table]:
    """Staged part files read one by one in this thread: a run stages a hundred small files, and
    a dataset scan (DuckDB's or Arrow's) spent more on planning and threads than on reading them."""
    tables = []
    for path in paths:
        with pa.OSFile(str(path)) as source:  # a file object: ParquetFile(path) resolves a filesystem each time
            tables.append(pq.ParquetFile(source).read(columns=columns, use_threads=False))
    return tables


def _concat(tables: list[pa.Table]) -> pa.Table | None:
    return pa.concat_tables(tables, promote_options="default") if tables else None


@dataclass
class StagedDocuments:
    """What the clustering needs of the staged documents, in discovery order (batch, part, row),
    and the part files, from which `texts` reads the few texts it compares."""

    COLUMNS = ("doc_id", "title", "published_at", "source_kind", "has_masking")

    rows: list[tuple]  # one per staged document, COLUMNS in order (has_masking a bool)
    paths: list[Path]  # the staged part files

    @classmethod
    def read(cls, staging: Path) -> "StagedDocuments":
        paths = sorted(staging.glob("documents-*.parquet"))
        tables = _read_parts(paths, [*cls.COLUMNS, "batch_no"])
        batch = [t["batch_no"][0].as_py() if t.num_rows else -1 for t in tables]
        rows, kinds, titles = [], {}, {}
        for i in sorted(range(len(paths)), key=lambda i: (batch[i], paths[i].as_posix())):
            cols = [tables[i][c].to_pylist() for c in cls.COLUMNS]
            # one str per distinct title and kind, not per document: notices of one template
            # share a title (180,000 notices, 2,702 titles: their candidate search starts at 412 MB, not 432)
            cols[1] = [titles.setdefault(x, x) for x in cols[1]]
            cols[3] = [kinds.setdefault(x, x) for x in cols[3]]
            cols[4] = [bool(x) for x in cols[4]]
            rows.extend(zip(*cols))
        return cls(rows, paths)

    @property
    def doc_ids(self) -> list[str]:
        return [r[0] for r in self.rows]

    def texts(self, doc_ids: list[str]) -> dict[str, str]:
        """Texts of some staged documents, by doc_id: the parts' doc_id columns are searched for
        them (a place held per document for the whole decision was ~75 bytes each), and only the
        texts of the parts that hold them are read."""
        wanted, out = set(doc_ids), {}
        for path in self.paths:
            if not wanted:
                break
            with pa.memory_map(str(path)) as source:  # the texts become str before the map closes
                part = pq.ParquetFile(source)
                ids = part.read(columns=["doc_id"], use_threads=False)["doc_id"].to_pylist()
                rows = [n for n, d in enumerate(ids) if d in wanted]
                if rows:
                    text = part.read(columns=["text"], use_threads=False)["text"]
                    found = [ids[n] for n in rows]
                    out.update(zip(found, text.take(rows).to_pylist()))
                    wanted.difference_update(found)
        return out
