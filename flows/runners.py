"""The task runner a run's batches go to: in-process by default, or a Dask cluster."""
from __future__ import annotations

import os


def dask_task_runner(address: str | None, n_workers: int = 2):
    """A DaskTaskRunner on an existing scheduler, or on a LocalCluster of worker processes.

    Worker processes inherit this process's environment, so they report to the same Prefect API
    (PREFECT_API_URL) instead of each starting a temporary server; each one loads the segmenter
    and its user dictionary itself on its first batch.
    """
    import logging

    from prefect_dask import DaskTaskRunner

    # Dask logs every worker start and stop at INFO; the run's own log should stay readable.
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={"n_workers": n_workers, "processes": True, "threads_per_worker": 1,
                        "dashboard_address": os.environ.get("INGEST_DASK_DASHBOARD", ":0")},
    )


def warm_worker(segmenter: str) -> str:
    """Load the segmenter (and the user dictionary) in a worker before its first batch."""
    from ingest.segment import get_segmenter, user_dictionary

    get_segmenter(segmenter)
    return user_dictionary()[0]
