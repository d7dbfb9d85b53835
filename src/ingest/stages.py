"""The stages of one ingest run as plain functions; Prefect tasks in flows/ wrap each one."""
from __future__ import annotations

import sys
import time
from concurrent.futures import Future
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from . import parallel, resume
from .clean import RULES_VERSION
from .decision import decide_duplicates  # noqa: F401 (the flows call stages.decide_duplicates)
from .memory import release_memory
from .run_plan import (STITCH_BATCH_CAP, RunPlan, batch_bytes_from_env, pages_side_by_side, plan_run, staging_weight,
                       utcnow)
from .segment import user_dictionary
from .sources.file_lists import FileBatch
from .sources.files import FileRef, FileRules, read_file, stored_name
from .storage import staged_fingerprints
from .storage.lake import STAGING_OPTIONS, remove_tree, write_parquet_atomic
from .storage.memory_limits import out_of_memory
from .storage.tables import documents_table, file_state_table, hits_table, rejects_table, tokens_table
from .storage.warehouse import DiskFull, Warehouse, WarehouseLocked, is_disk_full

# A part is what one worker process stages at a time: small enough that the two cores finish a
# batch together, large enough that its five Parquet files are not mostly overhead. Bounded by
# bytes first: 1,000 short notices (0.3 KB each) are one part, where 250 made the 120 MB corpus
# 1,442 parts of each kind, whose footers the load caches (~85 MB of DuckDB's 192 MB) and
# whose many files it opens; 640 KB keeps real speeches' parts as they were (~250 files of ~2.6 KB:
# a 1 MB part was ~40 MB more of a run's peak, two workers' worth).
PART_BYTES = 640 << 10
MAX_PART_FILES = 1000


@dataclass
class BatchCounts:
    batch_no: int
    files: int
    bytes_read: int
    documents: int
    rejects: int
    reject_reasons: dict[str, int]


def prepare_warehouse(wh: Warehouse) -> bool:
    """Leftovers of any crashed run removed, then the schema brought up to date (call under the run lock).

    The sweep comes first and its staging part touches no DuckDB file: on a full disk, what a
    killed run left is what frees the space the schema statements then need.
    """
    wh.sweep_staging()
    try:
        con = wh.connect(wait=0)
    except WarehouseLocked as exc:
        if not wh.schema_is_current():
            con = wh.connect()  # this version's schema is not there yet: wait for it like the load does
        else:
            # A reader (a notebook's session) blocks writers, not readers: stage now, and let the
            # load wait for the file (schema and lake sweep then happen on its connection).
            print(f"{exc.holder} holds the warehouse {wh.db_path}: staging goes ahead, the load waits for it",
                  file=sys.stderr, flush=True)
            return False
    try:
        wh.sweep(con)
        wh.ensure_schema(con)
    except duckdb.OutOfMemoryException:
        raise out_of_memory(f"preparing the warehouse {wh.db_path}") from None
    finally:
        con.close()
    return True


def stage_batch(wh: Warehouse, run_id: str, batch_no: int, refs: list[FileRef],
                segmenter: str = "rjieba", workers: int | None = None) -> BatchCounts:
    """Read, process and write one batch to the run's staging area as Parquet.

    The batch is cut into parts that the worker processes stage side by side (or collected from
    the head start, which queued them before the flow began); the batch's file-state rows are
    written last, so `files-NNNNN.parquet` marks a completely staged batch.
    """
    queued = _take_head_start_parts(wh, run_id, batch_no)
    if queued is None and (saved := resume.saved_counts(wh.staging(run_id), batch_no)) is not None:
        return BatchCounts(**saved)  # staged by an earlier attempt (a retry, or a run that gave up waiting)
    if queued is not None:
        results = [f.result() for f in queued]
    else:
        pool = parallel.shared_pool(segmenter, workers) if refs else None
        results = parallel.run_parts(stage_part, _part_calls(wh, run_id, batch_no, refs, segmenter), pool)
    file_rows = [row for r in results for row in r.file_rows]
    write_parquet_atomic(file_state_table(file_rows), wh.staging(run_id) / f"files-{batch_no:05d}.parquet",
                         **STAGING_OPTIONS)
    reasons: dict[str, int] = {}
    for r in results:
        for reason, n in r.reject_reasons.items():
            reasons[reason] = reasons.get(reason, 0) + n
    counts = BatchCounts(batch_no, len(refs), sum(r.bytes_read for r in results),
                         sum(r.documents for r in results), sum(r.rejects for r in results), reasons)
    resume.save_counts(wh.staging(run_id), batch_no, asdict(counts))
    return counts


def _part_calls(wh: Warehouse, run_id: str, batch_no: int, refs: list[FileRef], segmenter: str) -> list[tuple]:
    # Threads are stitched within a part, so parts are cut like batches: never between two pages.
    refs = list(refs)
    parts = parallel.split_by_bytes(refs, [staging_weight(r) for r in refs], PART_BYTES, MAX_PART_FILES,
                                    keep_together=pages_side_by_side, cap=STITCH_BATCH_CAP) or [[]]
    # packed: the head start queues every part of the run at once, each held until staged
    return [(wh, run_id, batch_no, no, FileBatch(part), segmenter) for no, part in enumerate(parts)]


@dataclass
class PartCounts:
    bytes_read: int
    documents: int
    rejects: int
    reject_reasons: dict[str, int]
    file_rows: list[tuple[str, int, int, str]]


def stage_part(wh: Warehouse, run_id: str, batch_no: int, part_no: int, refs: list[FileRef],
               segmenter: str = "rjieba") -> PartCounts:
    """Read, process and write one part of a batch (runs in a worker process); only counts return."""
    # Imported here, not with this module: a run with nothing to read never needs the pipeline
    # (the worker processes have it already, imported before they were forked).
    from .pipeline import process_batch

    from .model import Reject

    raws, file_rows, read_rejects = [], [], []
    for ref in refs:
        if ref.problem:
            read_rejects.append(Reject(ref.path, "read", ref.problem))
            continue
        try:
            raw = read_file(ref)
        except OSError as exc:
            read_rejects.append(Reject(ref.path, "read", f"cannot read file: {exc.strerror or exc}"))
            continue
        raws.append(raw)
    result = process_batch(raws, segmenter)
    result.rejects.extend(read_rejects)
    hashes = {p.document.source_uri: p.document.content_hash for p in result.documents}
    # A thread's later pages live inside page 1's document; remember them so a rerun skips them.
    hashes.update({uri: h for p in result.documents for uri, h in p.merged_sources})
    hashes.update({r.source_uri: r.content_hash for r in result.rejects if r.content_hash})
    for ref in refs:
        if ref.path in hashes:
            file_rows.append((ref.path, ref.size, ref.mtime_ns, hashes[ref.path]))
    out = wh.staging(run_id)
    name = f"{batch_no:05d}-{part_no:03d}"
    docs = documents_table(result.documents)
    docs = docs.append_column("batch_no", pa.array([batch_no] * docs.num_rows, pa.int32()))
    write_parquet_atomic(docs, out / f"documents-{name}.parquet", **STAGING_OPTIONS)
    # zstd like the lake: when every staged document is new the load moves this file in as it is
    write_parquet_atomic(tokens_table(result.documents), out / f"tokens-{name}.parquet")
    write_parquet_atomic(hits_table(result.documents), out / f"hits-{name}.parquet", **STAGING_OPTIONS)
    write_parquet_atomic(rejects_table(result.rejects), out / f"rejects-{name}.parquet", **STAGING_OPTIONS)
    fps = [(p.document.doc_id, p.fingerprint) for p in result.documents]
    write_parquet_atomic(staged_fingerprints.fingerprints_table(fps), out / f"fingerprints-{name}.parquet",
                         **STAGING_OPTIONS)
    reasons: dict[str, int] = {}
    for r in result.rejects:
        reasons[r.reason] = reasons.get(r.reason, 0) + 1
    return PartCounts(sum(len(r.data) for r in raws), len(result.documents), len(result.rejects),
                      reasons, file_rows)


def stop_workers() -> None:
    """Let the worker processes go once every batch is staged: the load needs their memory more."""
    global _head_start
    _head_start = None
    parallel.shutdown_pool()
    release_memory()


@dataclass
class HeadStart:
    """A run planned, and its parts queued on the worker pool, before the flow began."""

    root: Path
    sources: list[str] | None
    plan: RunPlan
    queued: dict[int, list[Future]]
    rules: FileRules = FileRules()


_head_start: HeadStart | None = None


def start_staging_early(wh: Warehouse, sources: list[str] | None, segmenter: str = "rjieba",
                        rules: FileRules | None = None) -> RunPlan | None:
    """Prepare the warehouse, plan the run and queue every batch's parts on the worker pool now.

    The CLI calls this, holding the run lock, before it imports Prefect: the seconds of imports
    and API calls before the flow's first task then overlap with staging on the other cores.
    The flow's plan task adopts this plan (`plan_or_adopt`) and its batch tasks collect the
    queued parts (`stage_batch`). Returns the plan, with `staged_early` set only when parts
    were queued (not when there is nothing to read, or one worker is all there is), or None
    when planning fails (the flow then plans again and reports why).
    """
    global _head_start
    rules = rules or FileRules.from_env()
    # The workers are forked before the plan exists: forked after it, each one's RSS held the
    # plan's file list too (~0.3 KB a file; at 360,000 notices the workers were 263 MB each,
    # forked first 155 MB, the tree's staging plateau 970 -> 750 MB). A plan with nothing to
    # read stops them again.
    pool = parallel.shared_pool(segmenter)
    try:
        prepared = prepare_warehouse(wh)
        plan = plan_run(wh, sources, batch_bytes=batch_bytes_from_env(), rules=rules)
        plan.prepared = prepared
    except WarehouseLocked:  # it waited its timeout already: waiting again in the flow helps nobody
        raise
    except Exception as exc:  # the flow plans again and reports the error in its own run
        if is_disk_full(exc):
            raise
        return None
    if pool is None or not plan.batches:
        if pool is not None:
            parallel.shutdown_pool()
        return plan
    queued = {no: parallel.submit_parts(stage_part, _part_calls(wh, plan.run_id, no, refs, segmenter), pool)
              for no, refs in enumerate(plan.batches) if not batch_is_staged(wh, plan.run_id, no)}
    plan.staged_early = True
    _head_start = HeadStart(wh.root, None if sources is None else list(sources), plan, queued, rules)
    return plan


def plan_or_adopt(wh: Warehouse, sources: list[str] | None, batch_bytes: int | None = None,
                  rules: FileRules | None = None) -> RunPlan:
    """The plan of this run: the head start's when it was made for this warehouse, these sources
    and these rules, else a new one (schema ensured, leftovers swept). Call under the run lock."""
    global _head_start
    head = _head_start
    rules = rules or FileRules.from_env()
    if head is not None and head.root == wh.root and head.sources == (None if sources is None else list(sources)) \
            and head.rules == rules:
        return head.plan
    if head is not None:
        _abandon(head)
        _head_start = None
    prepared = prepare_warehouse(wh)
    plan = plan_run(wh, sources, batch_bytes=batch_bytes or batch_bytes_from_env(), rules=rules)
    plan.prepared = prepared
    return plan


def _abandon(head: HeadStart) -> None:
    # The sweep that follows removes staging dirs: no part of this head start may still be writing.
    for futures in head.queued.values():
        for f in futures:
            f.cancel()
    for futures in head.queued.values():
        for f in futures:
            if not f.cancelled():
                try:
                    f.result()
                except Exception:
                    pass


def _take_head_start_parts(wh: Warehouse, run_id: str, batch_no: int) -> list[Future] | None:
    head = _head_start
    if head is None or head.root != wh.root or head.plan.run_id != run_id:
        return None
    return head.queued.pop(batch_no, None)


def start_workers(segmenter: str = "rjieba", workers: int | None = None) -> int:
    """Start the worker processes early so their start-up overlaps with planning; returns their count."""
    pool = parallel.shared_pool(segmenter, workers)
    return (workers or parallel.worker_count()) if pool is not None else 1


def stage_empty(wh: Warehouse, run_id: str) -> BatchCounts:
    """A run with nothing to read still loads (it records the run): stage empty tables."""
    return stage_batch(wh, run_id, 0, [])


def load_run(wh: Warehouse, plan: RunPlan, batches: list[BatchCounts], known: int,
             flow_run_id: str | None, segmenter: str, extra: dict[str, int] | None = None) -> dict:
    """Commit the run to the warehouse in one transaction and drop its staging area."""
    row = pa.table({
        "run_id": [plan.run_id], "flow_run_id": pa.array([flow_run_id], pa.string()),
        "started_at": [plan.started_at], "finished_at": [utcnow()],
        "sources": pa.array([[stored_name(s) for s in plan.sources]], pa.list_(pa.string())),
        "inputs_seen": pa.array([plan.inputs_seen], pa.int32()),
        "inputs_unchanged": pa.array([plan.inputs_unchanged], pa.int32()),
        "inputs_read": pa.array([sum(b.files for b in batches)], pa.int32()),
        "documents_new": pa.array([0], pa.int32()),
        "documents_known": pa.array([known], pa.int32()),
        "exact_duplicates": pa.array([0], pa.int32()),
        "near_duplicates": pa.array([0], pa.int32()),
        "rejects": pa.array([sum(b.rejects for b in batches)], pa.int32()),
        "bytes_read": pa.array([sum(b.bytes_read for b in batches)], pa.int64()),
        "elapsed_s": [time.perf_counter() - plan.started_clock],
        "rules_version": [RULES_VERSION], "dictionary_version": [user_dictionary()[0]],
        "segmenter": [segmenter],
    })
    for name, value in (extra or {}).items():  # e.g. the web counts (columns added by fetch.sql)
        row = row.append_column(name, pa.array([value], pa.int32()))
    if plan.touched:
        write_parquet_atomic(file_state_table(plan.touched), wh.staging(plan.run_id) / "files-touched.parquet")
    try:
        con = wh.connect()  # waits for a reader holding the file (up to the lock timeout)
    except WarehouseLocked as exc:
        kept = resume.keep_for_next_run(wh.staging(plan.run_id), "it gave up waiting for the warehouse")
        raise WarehouseLocked(f"{exc.args[0].split('; try again')[0]}; the {kept} staged batches of run "
                              f"{plan.run_id} are kept: the next `ingest run` over the same inputs reuses them"
                              if kept else exc.args[0]) from None
    try:
        try:
            if not plan.prepared:  # deferred at the start (another process held the file)
                wh.sweep(con, keep_staging=True)
                wh.ensure_schema(con)
            counts = wh.load_run(con, plan.run_id, row)
        except duckdb.OutOfMemoryException:
            # Rolled back: the warehouse is as it was. The staged batches (the expensive part) are
            # kept for the run the user starts with a higher limit.
            kept = resume.keep_for_next_run(wh.staging(plan.run_id), "its load ran out of DuckDB's memory limit")
            raise out_of_memory(f"the load of run {plan.run_id}", "; the warehouse is as it was" + (
                f", and the {kept} staged batches are kept: the next `ingest run` over the same inputs reuses them"
                if kept else "")) from None
        con.execute("CHECKPOINT")
    finally:
        con.close()
    remove_tree(wh.staging(plan.run_id))
    return counts




def run_summary(wh: Warehouse, plan: RunPlan, batches: list[BatchCounts], dups: dict, loaded: dict,
                flow_run_id: str | None, sources_named: bool, web_counts: dict | None = None,
                stage_seconds: dict[str, float] | None = None) -> dict:
    """What a run did, as the flow returns it and `ingest run` prints it."""
    from .report import text_reuse_count

    return {
        "run_id": plan.run_id,
        "flow_run_id": flow_run_id,
        "warehouse": str(wh.root),
        "sources": plan.sources if sources_named else None,
        "inputs_seen": plan.inputs_seen,
        "inputs_unchanged": plan.inputs_unchanged,
        "inputs_read": sum(b.files for b in batches),
        "bytes_read": sum(b.bytes_read for b in batches),
        "documents_known": dups.get("documents_known", 0),
        "rejects": sum(b.rejects for b in batches),
        "reject_reasons": merge_reasons(batches),
        "web": web_counts,
        "files": {k: dups.get(f"files_{k}", 0) for k in ("edited", "deleted", "renamed", "restored")},
        **loaded,
        "text_reuse": text_reuse_count(dups),
        "canonical_changes": int(dups.get("canonical_changes", 0) or 0),
        "kind_changes": int(dups.get("kind_changes", 0) or 0),
        "stage_seconds": {k: round(v, 3) for k, v in (stage_seconds or {}).items()},
        "elapsed_s": round(time.perf_counter() - plan.started_clock, 3),
    }


def merge_reasons(batches: list[BatchCounts]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for b in batches:
        for reason, n in b.reject_reasons.items():
            merged[reason] = merged.get(reason, 0) + n
    return merged


def record_idle_run(wh: Warehouse, plan: RunPlan, segmenter: str, sources_named: bool) -> dict:
    """Finish a planned run that has nothing to read, in this process: the same stages the flow
    runs (empty staging, no duplicates to decide, the load), so files whose mtime alone changed
    are brought up to date and `runs` gets its row. Call under the run lock."""
    batches = [stage_empty(wh, plan.run_id)]
    dups = decide_duplicates(wh, plan.run_id)
    loaded = load_run(wh, plan, batches, dups.get("documents_known", 0), None, segmenter)
    return run_summary(wh, plan, batches, dups, loaded, None, sources_named)


def batch_is_staged(wh: Warehouse, run_id: str, batch_no: int) -> bool:
    """Whether a batch's staged Parquet files are still on disk (a retried run may reuse them)."""
    return (wh.staging(run_id) / f"files-{batch_no:05d}.parquet").exists()


def give_up_on_full_disk(wh: Warehouse) -> DiskFull:
    """A run the disk filled up: its staged files go (a full disk is not left full by the run that
    filled it), and the error says so in one line. Call under the run lock."""
    freed = wh.discard_staging()
    return DiskFull(f"no space left on device under {wh.root}: the run was not committed (the warehouse is as it was)"
                    + (f"; its staged files were removed ({freed / 1e6:.1f} MB freed)" if freed else "")
                    + ". Free some space and run again")
