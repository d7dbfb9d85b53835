"""The ingest flow: plan, stage batches, find duplicates, load, all in one committed step."""
from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run

from ingest import stages
from ingest.storage.warehouse import Warehouse


@task(name="plan-inputs", task_run_name="plan inputs from {sources}")
def plan_inputs(wh: Warehouse, sources: list[str] | None) -> stages.RunPlan:
    stages.prepare_warehouse(wh)
    return stages.plan_run(wh, sources)


@task(name="stage-batch", task_run_name="batch {batch_no}: {first_name} (+{more} files)")
def stage_batch(wh: Warehouse, run_id: str, batch_no: int, refs: list, segmenter: str,
                first_name: str = "", more: int = 0) -> stages.BatchCounts:
    return stages.stage_batch(wh, run_id, batch_no, refs, segmenter)


@task(name="find-duplicates")
def find_duplicates(wh: Warehouse, run_id: str) -> dict:
    return stages.decide_duplicates(wh, run_id)


@task(name="load-warehouse")
def load_warehouse(wh: Warehouse, plan: stages.RunPlan, batches: list, known: int, segmenter: str) -> dict:
    return stages.load_run(wh, plan, batches, known, flow_run.get_id(), segmenter)


@flow(name="ingest-speeches", log_prints=True)
def ingest_speeches(sources: list[str] | None = None, warehouse: str | None = None,
                    segmenter: str = "rjieba") -> dict:
    """Ingest local files and directories (default: the bundled sample corpus) into the warehouse."""
    logger = get_run_logger()
    wh = Warehouse.at(warehouse)
    with wh.run_lock():
        plan = plan_inputs(wh, sources)
        logger.info("%d inputs found, %d unchanged since the last run, %d to read in %d batches",
                    plan.inputs_seen, plan.inputs_unchanged, plan.inputs_to_read, len(plan.batches))
        batches = []
        for no, refs in enumerate(plan.batches or [[]]):
            name = refs[0].path.rsplit("/", 1)[-1] if refs else "nothing new"
            counts = stage_batch(wh, plan.run_id, no, refs, segmenter, first_name=name, more=max(len(refs) - 1, 0))
            batches.append(counts)
            logger.info("batch %d/%d: %d files, %.1f MB, %d documents, %d rejects",
                        no + 1, max(len(plan.batches), 1), counts.files, counts.bytes_read / 1e6,
                        counts.documents, counts.rejects)
        dups = find_duplicates(wh, plan.run_id)
        logger.info("dedup: %s", ", ".join(f"{k}={v}" for k, v in sorted(dups.items())))
        loaded = load_warehouse(wh, plan, batches, dups.get("documents_known", 0), segmenter)
    summary = {
        "run_id": plan.run_id,
        "warehouse": str(wh.root),
        "inputs_seen": plan.inputs_seen,
        "inputs_unchanged": plan.inputs_unchanged,
        "inputs_read": sum(b.files for b in batches),
        "bytes_read": sum(b.bytes_read for b in batches),
        "documents_known": dups.get("documents_known", 0),
        "rejects": sum(b.rejects for b in batches),
        "reject_reasons": _merge_reasons(batches),
        **loaded,
    }
    logger.info("loaded %(documents_new)d new documents (%(exact_duplicates)d exact, "
                "%(near_duplicates)d near duplicates), %(rejects)d rejects", summary)
    return summary


def _merge_reasons(batches: list[stages.BatchCounts]) -> dict[str, int]:
    merged: dict[str, int] = {}
    for b in batches:
        for reason, n in b.reject_reasons.items():
            merged[reason] = merged.get(reason, 0) + n
    return merged
