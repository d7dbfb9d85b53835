"""Run the real ingest stages over a dedup dev-set directory into a scratch warehouse and score it."""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .. import run_plan, stages
from ..storage.warehouse import Warehouse
from .dedup import DedupScore, read_labels, read_meta, score


@dataclass
class DedupEvaluation:
    score: DedupScore
    seconds: float
    runs: int
    predicted: dict[str, str]
    documents: int


def _docs_dir(root: Path) -> Path:
    return root / "docs" if (root / "docs").is_dir() else root


def ingest_files(wh: Warehouse, batches: list[list[str]]) -> None:
    """One ingest run per list of files, through the same stages the Prefect flow calls."""
    for files in batches:
        with wh.run_lock():
            stages.prepare_warehouse(wh)
            plan = run_plan.plan_run(wh, files)
            counts = [stages.stage_batch(wh, plan.run_id, no, refs) for no, refs in enumerate(plan.batches or [[]])]
            dups = stages.decide_duplicates(wh, plan.run_id)
            stages.load_run(wh, plan, counts, dups.get("documents_known", 0), None, "rjieba")


def predicted_clusters(wh: Warehouse) -> dict[str, str]:
    con = wh.connect(read_only=True)
    try:
        rows = con.execute("SELECT source_uri, cluster_id FROM documents").fetchall()
    finally:
        con.close()
    return {os.path.basename(uri): cluster for uri, cluster in rows}


def evaluate_directory(root: str | os.PathLike, parts: int = 1, warehouse: str | None = None) -> DedupEvaluation:
    """Ingest DIR/docs (in `parts` runs, files dealt round-robin) and score DIR/labels.csv.

    `parts=2` is the incremental check: the second run must find the first run's documents
    through the warehouse state alone.
    """
    root = Path(root)
    labels = root / "labels.csv"
    if not labels.exists():
        raise FileNotFoundError(f"{labels} is missing (expected the dev-set layout: docs/, labels.csv, meta.csv)")
    gold = read_labels(str(labels))
    docs = _docs_dir(root)
    files = sorted(str((docs / f).resolve()) for f in gold if (docs / f).exists())
    scratch = Path(warehouse) if warehouse else Path(tempfile.mkdtemp(prefix="ingest-eval-dedup-"))
    try:
        wh = Warehouse.at(scratch)
        start = time.perf_counter()
        ingest_files(wh, [files[i::parts] for i in range(parts)])
        seconds = time.perf_counter() - start
        predicted = predicted_clusters(wh)
    finally:
        if warehouse is None:
            shutil.rmtree(scratch, ignore_errors=True)
    meta = read_meta(str(root / "meta.csv")) if (root / "meta.csv").exists() else None
    return DedupEvaluation(score(gold, predicted, meta), seconds, parts, predicted, len(predicted))
