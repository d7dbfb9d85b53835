"""A run's plan: which files are new or changed since the last ingest, cut into batches."""
from __future__ import annotations

import os
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import parallel, resume
from .sources.file_lists import FileBatch
from .sources.files import FileRef, FileRules, discover_files, read_file, sample_corpus_dir
from .storage.lake import STAGING_OPTIONS, write_parquet_atomic
from .storage.tables import file_state_table
from .storage.warehouse import Warehouse

DEFAULT_BATCH_BYTES = 4 << 20
MAX_BATCH_FILES = 2000
STITCH_BATCH_CAP = 4  # a directory of HTML pages may grow a batch (or a part) to 4x the byte budget


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def new_run_id() -> str:
    return utcnow().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


@dataclass
class RunPlan:
    """What a run will read: new or changed files in batches, and what it skips."""

    run_id: str
    sources: list[str]
    batches: list[FileBatch]  # (lists of FileRefs given are packed)
    inputs_seen: int
    inputs_unchanged: int
    started_at: datetime = field(default_factory=utcnow)
    started_clock: float = field(default_factory=time.perf_counter)
    # Files whose mtime changed but whose bytes did not: skipped, their new mtime recorded.
    touched: list[tuple[str, int, int, str]] = field(default_factory=list)
    # Planned by `ingest run` itself, which queued the batches before the flow began.
    staged_early: bool = False
    # False when another process held the warehouse as the run began: the schema and the sweep of
    # uncommitted lake partitions wait for the load's connection, staging goes ahead meanwhile.
    prepared: bool = True
    # Files ingested before that are gone from a directory named in this run: path -> content hash.
    missing: dict[str, str] = field(default_factory=dict)
    # how many files the batches held, once `release_files` dropped them
    files_released: int | None = None

    @property
    def inputs_to_read(self) -> int:
        return self.files_released if self.files_released is not None else sum(len(b) for b in self.batches)

    def __post_init__(self) -> None:
        # Held packed until staged, and so persisted by Prefect as the plan task's result (a
        # retry of the run reuses it): sources/file_lists.py says what an object a file cost.
        self.batches = [b if isinstance(b, FileBatch) else FileBatch(b) for b in self.batches]

    def release_files(self) -> None:
        """Drop the batches' files once every batch is staged: the decision and the load do not
        read them (packed since, 3.4 MB at 360,000 notices; an object a file, they were 117 MB of
        the flow process's RSS through both). The counts stay."""
        if self.files_released is None:
            self.files_released = self.inputs_to_read
        self.batches = [FileBatch() for _ in self.batches]


def staging_weight(ref: FileRef) -> int:
    # A file rejected unopened (too large, a FIFO) costs nothing to stage.
    return 0 if ref.problem else ref.size


def pages_side_by_side(a: FileRef, b: FileRef) -> bool:
    # Forum threads are stitched within a batch; the pages of one thread sit in one directory, so
    # a batch is not cut between two HTML pages of the same directory (up to STITCH_BATCH_CAP).
    html = (".html", ".htm")
    return (Path(a.path).parent == Path(b.path).parent and a.path.lower().endswith(html)
            and b.path.lower().endswith(html))


def batch_bytes_from_env() -> int:
    """Bytes per batch: $INGEST_BATCH_BYTES (smaller batches spread better over Dask workers)."""
    return int(os.environ.get("INGEST_BATCH_BYTES") or DEFAULT_BATCH_BYTES)


def plan_run(wh: Warehouse, sources: list[str] | None, run_id: str | None = None,
             batch_bytes: int = DEFAULT_BATCH_BYTES, rules: FileRules | None = None) -> RunPlan:
    """Discover inputs and skip the files whose path, size and mtime match the last ingest.

    Files rejected by `rules` unopened (special files, over the size cap, links out of the tree)
    are planned too, so that staging records their rejects; they are never skipped as unchanged.
    """
    # None: nothing named, so the sample corpus; [] : only URLs were named, so no files.
    sources = list(sources) if sources is not None else [str(sample_corpus_dir())]
    con = wh.connect(read_only=True)
    try:
        known = wh.file_state(con)
    finally:
        con.close()
    seen, unchanged, todo, paths, touched = 0, 0, [], set(), []
    for ref in discover_files(sources, rules or FileRules.from_env()):
        if ref.path in paths:
            continue
        paths.add(ref.path)
        seen += 1
        prev = None if ref.problem else known.get(ref.path)
        if prev is not None and prev[:2] == (ref.size, ref.mtime_ns):
            unchanged += 1
        elif prev is not None and prev[0] == ref.size and _same_bytes(ref, prev[2]):
            # Copied, touched or restored from a backup: hashing (GB/s) is far cheaper than
            # extracting and segmenting it again only to find the document already loaded.
            unchanged += 1
            touched.append((ref.path, ref.size, ref.mtime_ns, prev[2]))
        else:
            todo.append(ref)
    batches = parallel.split_by_bytes(todo, [staging_weight(r) for r in todo], batch_bytes, MAX_BATCH_FILES,
                                      keep_together=pages_side_by_side, cap=STITCH_BATCH_CAP)
    # A run that gave up waiting for the warehouse kept what it staged from these very files.
    run_id = (resume.adopt(wh.staging_root, sources, batches) if batches else None) or run_id or new_run_id()
    if batches:
        resume.write_plan(wh.staging(run_id), sources, batches)
    # Only a directory named in this run tells that a file in it is gone.
    named = [os.path.realpath(Path(s).expanduser()) + os.sep for s in sources if Path(s).expanduser().is_dir()]
    missing = {p: known[p][2] for p in known if p not in paths and p.startswith(tuple(named))} if named else {}
    if missing:
        write_parquet_atomic(file_state_table([(p, *known[p]) for p in sorted(missing)]),
                             wh.staging(run_id) / "missing.parquet", **STAGING_OPTIONS)
    return RunPlan(run_id, sources, batches, seen, unchanged, touched=touched, missing=missing)


def _same_bytes(ref: FileRef, content_hash: str) -> bool:
    from .pipeline import content_hash as pipeline_content_hash

    try:
        return pipeline_content_hash(read_file(ref).data) == content_hash
    except OSError:
        return False
