"""Retry, caching and concurrency policy shared by the flows: retries only where I/O can fail."""
from __future__ import annotations

import hashlib
import logging

# Reading the file system, writing DuckDB and calling the Prefect API can fail for a moment
# (a reader holding the DuckDB file, a network blip); pure computation retried gives the same error.
IO_TASK = {"retries": 2, "retry_delay_seconds": [2, 10]}

# Every task that fetches over the network carries this tag, so one command caps the load on
# the sites we crawl: `prefect concurrency-limit create fetch 4`.
FETCH_TAG = "fetch"
FETCH_TASK = {"tags": [FETCH_TAG], "retries": 3, "retry_delay_seconds": [5, 30, 120]}


# Tasks of one flow run that run side by side, each on a thread of this process. Prefect's default
# is a thread per submitted task: a run of 180 batches held 180 threads, ~120 MB more in the
# flow process (20 MB of one-paragraph notices in 180 batches: 449 -> 330 MB after staging, peak
# of the run 869 -> 727 MB; bench notes in docs/benchmark.md). The batches only collect what the
# worker processes stage, so a few at a time keep both cores busy; 8 also lets 8 sites be
# crawled at once. $PREFECT_TASK_RUNNER_THREAD_POOL_MAX_WORKERS still sets another number.
TASK_THREADS = 8


def task_runner():
    """The flows' task runner: a pool of TASK_THREADS threads (see above)."""
    from prefect.settings import get_current_settings
    from prefect.task_runners import ThreadPoolTaskRunner

    return ThreadPoolTaskRunner(max_workers=get_current_settings().tasks.runner.thread_pool_max_workers
                                or TASK_THREADS)


def digest(*parts) -> str:
    h = hashlib.sha1()
    for part in parts:
        h.update(repr(part).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:16]


def retry_unless_settled(task, task_run, state) -> bool:
    """Retry a failed I/O task (a disk briefly full, a file system hiccup: the load is idempotent),
    except when the warehouse stayed locked for the whole lock timeout (it waited already) or the
    load ran out of DuckDB's memory limit (the same limit fails the same way)."""
    from ingest.storage.errors import OutOfMemory
    from ingest.storage.warehouse import WarehouseLocked

    try:
        state.result()
    except (WarehouseLocked, OutOfMemory):
        return False
    except Exception:
        return True
    return True


IO_TASK = {**IO_TASK, "retry_condition_fn": retry_unless_settled}


class KnownErrorsWithoutTraceback(logging.Filter):
    """The warehouse's own errors (locked, disk full, ...) carry a message written for the user:
    Prefect's log lines keep it and drop the traceback, so a run that ends on one prints no
    traceback at all."""

    def filter(self, record: logging.LogRecord) -> bool:
        from ingest.storage.warehouse import WarehouseError, is_disk_full

        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and (isinstance(exc, WarehouseError) or is_disk_full(exc)):
            record.exc_info, record.exc_text = None, None
        return True


def quiet_known_errors() -> None:
    """Install the filter on the handlers of Prefect's loggers (console and API)."""
    quiet = KnownErrorsWithoutTraceback()
    for name in ("prefect", "prefect.flow_runs", "prefect.task_runs", "prefect.flow_engine", "prefect.task_engine"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, KnownErrorsWithoutTraceback) for f in handler.filters):
                handler.addFilter(quiet)
