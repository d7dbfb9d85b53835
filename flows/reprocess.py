"""The reprocess flow: rebuild web documents from a warehouse's raw layer into a new warehouse, offline."""
from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from ingest import reprocess, run_plan, stages, web_stages
from ingest.storage.warehouse import Warehouse


@task(name="read-raw-layer", cache_policy=NO_CACHE)
def read_raw(src: Warehouse, dest: Warehouse, run_id: str) -> list:
    stages.prepare_warehouse(dest)
    reprocess.stage_raw_copy(src, dest, run_id)
    return reprocess.read_raw_units(src)


@task(name="stage-raw-batch", task_run_name="raw batch {batch_no}", cache_policy=NO_CACHE)
def stage_raw_batch(dest: Warehouse, run_id: str, batch_no: int, units: list, segmenter: str,
                    earlier: dict) -> web_stages.WebBatchCounts:
    return web_stages.stage_units(dest, run_id, batch_no, units, [], segmenter, earlier)


@task(name="find-duplicates")
def find_duplicates(wh: Warehouse, run_id: str) -> dict:
    return stages.decide_duplicates(wh, run_id)


@task(name="load-warehouse", cache_policy=NO_CACHE)
def load_warehouse(wh: Warehouse, plan: run_plan.RunPlan, batches: list, known: int, segmenter: str) -> dict:
    return stages.load_run(wh, plan, batches, known, flow_run.get_id(), segmenter)


@flow(name="reprocess", log_prints=True)
def reprocess_raw(warehouse: str | None = None, into: str | None = None, segmenter: str = "rjieba") -> dict:
    """Rebuild every web document kept in WAREHOUSE's raw layer with today's rules, into INTO."""
    logger = get_run_logger()
    src, dest = Warehouse.at(warehouse), Warehouse.at(into)
    reprocess.check_target(src, dest)
    run_id = run_plan.new_run_id()
    with dest.run_lock():
        units = read_raw(src, dest, run_id)
        plan = run_plan.RunPlan(run_id, [f"reprocess:{src.root}"], [], len(units), 0)
        batches, earlier = [], {}
        for no, chunk in enumerate(web_stages.unit_batches(units) or [[]]):
            counts = stage_raw_batch(dest, run_id, no, chunk, segmenter, earlier)
            earlier.update(counts.latest)
            batches.append(counts)
        dups = find_duplicates(dest, run_id)
        loaded = load_warehouse(dest, plan, batches, dups.get("documents_known", 0), segmenter)
    logger.info("rebuilt %d documents from %d raw fetches", loaded["documents_new"], len(units))
    return {"run_id": run_id, "warehouse": str(dest.root), "source": str(src.root), "raw_units": len(units),
            "rejects": sum(b.rejects for b in batches), **loaded}
