"""A process pool for batch work: workers load the segmenter and user dictionary once, then stage parts."""
from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Callable

WORKERS_ENV = "INGEST_WORKERS"

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_key: tuple[int, str] | None = None


def worker_count() -> int:
    """Worker processes to use: $INGEST_WORKERS, else one per core this process may run on."""
    env = os.environ.get(WORKERS_ENV, "").strip()
    if env:
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _init_worker(segmenter: str, parent_pid: int | None = None, forked: bool = False) -> None:
    global _lock, _pool, _pool_key
    # A forked child has copies of the parent's pool and of its lock, taken while held: drop them.
    _lock, _pool, _pool_key = threading.Lock(), None, None
    _exit_with_parent(parent_pid or os.getppid())
    if forked:
        # The imports came with the fork; the dictionary loads at the first part (`get_segmenter`
        # keeps it): a run with nothing to read stops its workers without waiting for it.
        return
    # Pay the imports and the dictionary load once per worker, not once per part.
    from .pipeline import process_one  # noqa: F401  (imports extractors, cleaning rules, dedup)
    from .segment import get_segmenter

    get_segmenter(segmenter)


def _exit_with_parent(parent_pid: int) -> None:
    """A run killed outright (SIGKILL, OOM) cannot shut its pool down; its workers notice and go."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def shared_pool(segmenter: str = "rjieba", workers: int | None = None) -> ProcessPoolExecutor | None:
    """The process-wide pool (created on first use), or None when one worker is all there is.

    rjieba and the Python cleaning rules hold the GIL, so threads would not use the second core:
    processes do. They are forked while this process still has a single thread (the CLI starts
    them before it plans and imports Prefect): the children inherit the imported pipeline
    instead of paying seconds of CPU each, and each loads the dictionary (~0.2 s) when its first
    part comes. Loaded here to be inherited, it cost a run with nothing to read that time, and
    this process, which segments nothing when there are workers, held it to the end (~57 MB
    of RSS). Once Prefect's threads and event loop run, a forked child could inherit a lock
    held half-way, so the pool is spawned instead (its workers load the dictionary at once).
    """
    global _pool, _pool_key
    workers = workers or worker_count()
    # A daemonic process (a Dask or multiprocessing worker) may not start children: work inline.
    if workers <= 1 or multiprocessing.current_process().daemon:
        return None
    with _lock:
        if _pool is not None and _pool_key == (workers, segmenter):
            return _pool
        if _pool is not None:
            _pool.shutdown(wait=True)
        method = _start_method()
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method),
                                    initializer=_init_worker, initargs=(segmenter, os.getpid(), method == "fork"))
        _pool_key = (workers, segmenter)
        # Start the workers now so their imports overlap with planning, not with the first batch.
        for f in [_pool.submit(_ready) for _ in range(workers)]:
            f.add_done_callback(lambda _f: None)
        return _pool


def _start_method() -> str:
    """'fork' from a single-threaded process (after importing what the workers need), else 'spawn'."""
    if os.environ.get("INGEST_WORKER_START") == "spawn" or "fork" not in multiprocessing.get_all_start_methods():
        return "spawn"
    if threading.active_count() != 1:
        return "spawn"
    from .pipeline import process_one  # noqa: F401  (inherited by the children)

    return "fork"


def _ready() -> int:
    return os.getpid()


def shutdown_pool() -> None:
    global _pool, _pool_key
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
        _pool, _pool_key = None, None


atexit.register(shutdown_pool)


def submit_parts(fn: Callable, parts: list[tuple], pool: ProcessPoolExecutor) -> list[Future]:
    """fn(*part) for every part, queued on the pool in part order."""
    return [pool.submit(fn, *args) for args in parts]


def run_parts(fn: Callable, parts: list[tuple], pool: ProcessPoolExecutor | None) -> list:
    """fn(*part) for every part, on the pool when there is one, results in part order."""
    if pool is None:
        return [fn(*args) for args in parts]
    return [f.result() for f in submit_parts(fn, parts, pool)]


def split_by_bytes(items: list, sizes: list[int], target: int, max_items: int,
                   keep_together: Callable | None = None, cap: int = 1) -> list[list]:
    """Consecutive runs of items of about `target` bytes each (order kept, none empty).

    Two neighbours for which keep_together(a, b) holds stay in one run while it is under
    cap * target bytes (the pages of one forum thread are stitched within a run).
    """
    parts, current, size = [], [], 0
    for item, n in zip(items, sizes):
        full = current and (size + n > target or len(current) >= max_items)
        if full and keep_together is not None and keep_together(current[-1], item) \
                and size + n <= cap * target and len(current) < max_items:
            full = False
        if full:
            parts.append(current)
            current, size = [], 0
        current.append(item)
        size += n
    if current:
        parts.append(current)
    return parts
