"""Staged batches kept for the next run, when a run's load gave up waiting for the warehouse or ran out of memory."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from .sources.files import FileRef
from .storage.lake import remove_tree

PLAN_FILE = "plan.json"
KEPT_MARK = "resumable.json"  # Warehouse.sweep_staging leaves a staging area with this file alone
_BATCH_FILE = re.compile(r"^(?:[a-z]+-(\d{5})(?:-\d{3})?\.parquet|batch-(\d{5})\.json)$")


def _batches_json(batches: list[list[FileRef]]) -> list[list[list]]:
    return [[[r.path, r.size, r.mtime_ns] for r in refs] for refs in batches]


def write_plan(staging: Path, sources: list[str], batches: list[list[FileRef]]) -> None:
    """What the staged batches were made from: a later run adopts them only for the same files."""
    staging.mkdir(parents=True, exist_ok=True)
    (staging / PLAN_FILE).write_text(json.dumps({"sources": sources, "batches": _batches_json(batches)}), "utf-8")


def staged_batches(staging: Path) -> list[int]:
    return sorted(int(p.stem.split("-")[1]) for p in staging.glob("batch-*.json"))


def keep_for_next_run(staging: Path, why: str) -> int:
    """Mark a failed run's staging area as kept; returns how many batches it holds complete."""
    if not (staging / PLAN_FILE).exists():
        return 0
    (staging / KEPT_MARK).write_text(json.dumps({"why": why}), "utf-8")
    return len(staged_batches(staging))


def adopt(staging_root: Path, sources: list[str], batches: list[list[FileRef]]) -> str | None:
    """The run id of a kept staging area made from exactly these files (the same plan), cleared
    of everything but its complete batches; kept areas for other plans are stale and removed."""
    if not staging_root.exists():
        return None
    wanted = {"sources": sources, "batches": _batches_json(batches)}
    adopted = None
    for mark in sorted(staging_root.glob(f"*/{KEPT_MARK}")):
        run_dir = mark.parent
        try:
            plan = json.loads((run_dir / PLAN_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            plan = None
        if adopted is None and plan == wanted:
            adopted = run_dir.name
            try:
                why = json.loads(mark.read_text("utf-8"))["why"]
            except (OSError, ValueError, KeyError, TypeError):
                why = "its load did not finish"
            _keep_only_complete_batches(run_dir)
        else:
            remove_tree(run_dir)
    if adopted:
        done = staged_batches(staging_root / adopted)
        print(f"reusing {len(done)} of {len(batches)} staged batches of run {adopted} ({why}; the files are "
              f"unchanged since)", file=sys.stderr, flush=True)
    return adopted


def _keep_only_complete_batches(run_dir: Path) -> None:
    # Web batches, dedup decisions and the like are made again; only whole file batches are reused.
    done = set(staged_batches(run_dir))
    for path in run_dir.iterdir():
        m = _BATCH_FILE.match(path.name)
        batch = int(m.group(1) or m.group(2)) if m else None
        if path.name == PLAN_FILE or (batch in done and (path.name.startswith("batch-") or
                                                         not path.name.startswith(("decisions", "dedup")))):
            continue
        remove_tree(path) if path.is_dir() else path.unlink(missing_ok=True)
    (run_dir / KEPT_MARK).unlink(missing_ok=True)


def save_counts(staging: Path, batch_no: int, counts: dict) -> None:
    """A batch's counts beside its staged files (written last: the batch is complete)."""
    tmp = staging / f".batch-{batch_no:05d}.json.tmp"
    tmp.write_text(json.dumps(counts), "utf-8")
    tmp.replace(staging / f"batch-{batch_no:05d}.json")


def saved_counts(staging: Path, batch_no: int) -> dict | None:
    try:
        return json.loads((staging / f"batch-{batch_no:05d}.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
