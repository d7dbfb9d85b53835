"""The run-level duplicate decision: the staged documents and fingerprints in, the staged plan out.

Between staging and the load (stages): clusters the run's new documents against each other and
what the warehouse holds, notes edited, deleted and renamed local files, and stages the plan
as Parquet beside the run's parts for `Warehouse.load_run` to save in the run's transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import dedup, file_versions
from .memory import release_memory
from .storage import dedup_store, versions
from .storage.lake import write_parquet_atomic
from .storage.sql import named_statements
from .storage.warehouse import Warehouse


def decide_duplicates(wh: Warehouse, run_id: str) -> dict[str, int]:
    """Cluster this run's new documents against each other and everything loaded before.

    Reads the staged documents and fingerprints, asks the warehouse only for the state those
    fingerprints can match (read-only), and stages the plan; `load_run` saves it in the run's
    transaction.
    """
    try:
        return _decide_duplicates(wh, run_id)
    finally:
        release_memory()


def _decide_duplicates(wh: Warehouse, run_id: str) -> dict[str, int]:
    staging = wh.staging(run_id)
    # No text: the clustering reads the few texts it needs (StagedDocuments.texts).
    staged = StagedDocuments.read(staging)
    fps = _read_fingerprints(staging) if staged.rows else {}
    con = wh.connect(read_only=True)
    try:
        con.execute("SET threads = 1")  # small lookups: a second thread cost CPU and saved no time
        con.register("staged_ids", pa.table({"doc_id": pa.array(staged.doc_ids, pa.string())}))
        known = {r[0] for r in con.execute("SELECT doc_id FROM documents WHERE doc_id IN (SELECT doc_id FROM staged_ids)").fetchall()}
        con.unregister("staged_ids")
        changes = _file_changes(con, wh, staging, known)
        renamed = {c.new_doc_id for c in changes if c.kind == "rename"}  # the same document as before
        # The same file content staged twice within a run is one document.
        new = list({r[0]: dedup.Candidate(r[0], fps[r[0]], None, *r[1:])
                    for r in staged.rows if r[0] not in known and r[0] not in renamed}.values())
        prior = dedup_store.load_prior(con, new)
        plan = dedup.assign_clusters(new, prior, dedup_store.text_fetcher(con), new_texts=staged.texts,
                                     reuse=dedup_store.PriorReuseSQL(con))
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
    return {"documents_known": len(staged.rows) - len(new), **kinds, "canonical_changes": len(plan.updates),
            # rows this run writes to passage_occurrences (its new documents' spans and the
            # rewritten spans of earlier documents it touched)
            "passage_occurrences": len(plan.occurrences or ()), **file_versions.counts(changes)}


def _read_fingerprints(staging: Path) -> dict[str, dedup.Fingerprint]:
    """The staged fingerprints as objects, a part at a time, so the lines are held once, as the
    objects' str (the load reads the parts themselves: dedup_store.plan_tables)."""
    fps: dict[str, dedup.Fingerprint] = {}
    lines: dict[str, str] = {}  # exact copies in different parts share one string too
    for path in sorted(staging.glob("fingerprints-*.parquet")):
        table, = _read_parts([path])
        fps.update(dedup_store.fingerprints_from_table(table, lines))
    return fps


def _file_changes(con, wh: Warehouse, staging: Path, known_ids: set[str]) -> list[file_versions.FileChange]:
    """Edits, deletions, renames and restorations of local files among what the run staged."""
    docs = _concat(_read_parts(sorted(staging.glob("documents-*.parquet")),
                               ["doc_id", "source_uri", "source_kind", "content_hash"]))
    staged = [(d, p, h) for d, p, k, h in zip(*(docs[c].to_pylist() for c in docs.column_names))
              if k == "file"] if docs is not None else []
    rows = _concat(_read_parts(sorted(staging.glob("files-*.parquet")), ["path", "content_hash"]))
    staged_files = dict(zip(rows["path"].to_pylist(), rows["content_hash"].to_pylist())) if rows is not None else {}
    missing_file = staging / "missing.parquet"
    missing = {}
    if missing_file.exists():
        table = pq.read_table(missing_file)
        missing = dict(zip(table["path"].to_pylist(), table["content_hash"].to_pylist()))
    if not staged and not missing:
        return []
    sql = named_statements("file_versions.sql")
    wanted = sorted({p for _, p, _ in staged} | set(missing) | set(staged_files))
    con.register("wanted_paths", pa.table({"path": pa.array(wanted, pa.string())}))
    con.register("wanted_ids", pa.table({"doc_id": pa.array([d for d, _, _ in staged], pa.string())}))
    try:
        live = {p: (d, h) for p, d, h in con.execute(sql["live_file_documents"]).fetchall()}
        retired = {d for d, is_retired in con.execute(sql["known_among"]).fetchall() if is_retired}
    finally:
        con.unregister("wanted_paths")
        con.unregister("wanted_ids")
    return file_versions.plan_file_changes(staged, staged_files, set(wh.file_state(con)), missing, live,
                                           known_ids, retired)


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
    and where each one's text is, so that only the texts it compares are read."""

    COLUMNS = ("doc_id", "title", "published_at", "source_kind", "has_masking", "char_count")

    rows: list[tuple]  # one per staged document, COLUMNS in order (has_masking a bool)
    places: dict[str, tuple[Path, int]]  # doc_id -> (part file, row in it)

    @classmethod
    def read(cls, staging: Path) -> "StagedDocuments":
        paths = sorted(staging.glob("documents-*.parquet"))
        tables = _read_parts(paths, [*cls.COLUMNS, "batch_no"])
        batch = [t["batch_no"][0].as_py() if t.num_rows else -1 for t in tables]
        rows, places = [], {}
        for i in sorted(range(len(paths)), key=lambda i: (batch[i], paths[i].as_posix())):
            cols = [tables[i][c].to_pylist() for c in cls.COLUMNS]
            cols[4] = [bool(x) for x in cols[4]]
            for n, row in enumerate(zip(*cols)):
                rows.append(row)
                places[row[0]] = (paths[i], n)
        return cls(rows, places)

    @property
    def doc_ids(self) -> list[str]:
        return [r[0] for r in self.rows]

    def texts(self, doc_ids: list[str]) -> dict[str, str]:
        """Texts of some staged documents, by doc_id: only the part files that hold them are read."""
        wanted: dict[Path, dict[int, str]] = {}
        for d in doc_ids:
            if d in self.places:
                path, row = self.places[d]
                wanted.setdefault(path, {})[row] = d
        out = {}
        for path, rows in wanted.items():
            with pa.memory_map(str(path)) as source:  # the texts become str before the map closes
                text = pq.ParquetFile(source).read(columns=["text"], use_threads=False)["text"]
                out.update(zip(rows.values(), text.take(list(rows)).to_pylist()))
        return out
