"""The ingest flow: plan, stage batches, find duplicates, load, all in one committed step."""
from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run

from ingest import stages, web_stages
from ingest.sources.config import load_sources_file
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
def load_warehouse(wh: Warehouse, plan: stages.RunPlan, batches: list, known: int, segmenter: str,
                   extra: dict | None = None) -> dict:
    return stages.load_run(wh, plan, batches, known, flow_run.get_id(), segmenter, extra)


# The fetcher retries timeouts and 5xx itself, request by request; retrying a whole host's crawl
# would ask the site for every page again. Tag fetch-host:<host> lets an operator cap concurrency.
@task(name="fetch-host", task_run_name="fetch {host}", cache_policy=NO_CACHE)
def fetch_host(wh: Warehouse, run_id: str, part: str, host: str, specs: list,
               allow_private_hosts: bool) -> web_stages.CrawlResult:
    return web_stages.crawl_host(wh, run_id, part, specs, allow_private_hosts)


@task(name="stage-web-batch", task_run_name="web batch {batch_no}: {n_units} documents", cache_policy=NO_CACHE)
def stage_web_batch(wh: Warehouse, run_id: str, batch_no: int, units: list, fetch_rejects: list,
                    segmenter: str, n_units: int = 0) -> web_stages.WebBatchCounts:
    return web_stages.stage_units(wh, run_id, batch_no, units, fetch_rejects, segmenter)


def fetch_web(wh: Warehouse, plan: stages.RunPlan, specs: list, allow_private_hosts: bool,
              first_batch: int, segmenter: str, logger) -> tuple[list, web_stages.WebSummary]:
    """One fetch task per host (run side by side), then the fetched documents in batches."""
    summary = web_stages.WebSummary()
    groups = web_stages.group_by_host(specs)
    futures = [fetch_host.with_options(tags=[f"fetch-host:{host}"]).submit(
                   wh, plan.run_id, f"{i:03d}", host, group, allow_private_hosts)
               for i, (host, group) in enumerate(groups.items())]
    units, rejects = [], []
    for future in futures:
        result = future.result()
        summary.add_crawl(result)
        units.extend(result.units)
        rejects.extend(result.rejects)
    batches = []
    for i, chunk in enumerate(web_stages.unit_batches(units) or [[]]):
        counts = stage_web_batch(wh, plan.run_id, first_batch + i, chunk, rejects if i == 0 else [],
                                 segmenter, n_units=len(chunk))
        summary.add_batch(counts)
        batches.append(counts)
    c = summary.counts
    logger.info("web: %d seen, %d new, %d changed, %d unchanged, %d rejected (%d requests, %d answered 304)",
                c["seen"], c["new"], c["changed"], c["unchanged"], c["rejected"], c["requests"], c["not_modified"])
    return batches, summary


@flow(name="ingest-speeches", log_prints=True)
def ingest_speeches(sources: list[str] | None = None, warehouse: str | None = None,
                    segmenter: str = "rjieba", sources_file: str | None = None,
                    allow_private_hosts: bool = False) -> dict:
    """Ingest files, directories and URLs (default: the bundled sample corpus) into the warehouse."""
    logger = get_run_logger()
    wh = Warehouse.at(warehouse)
    paths, specs = web_stages.split_sources(sources)
    if sources_file:
        specs += load_sources_file(sources_file)
        paths = paths or []
    web = None
    with wh.run_lock():
        plan = plan_inputs(wh, paths)
        plan.sources.extend(s.url for s in specs)
        if plan.batches:
            stages.start_workers(segmenter)
        logger.info("%d inputs found, %d unchanged since the last run, %d to read in %d batches",
                    plan.inputs_seen, plan.inputs_unchanged, plan.inputs_to_read, len(plan.batches))
        # All batch tasks are submitted at once: each hands its parts to the shared worker pool,
        # so the two cores never wait at a batch boundary, and the UI still shows one task per batch.
        futures = []
        for no, refs in enumerate(plan.batches or [[]]):
            name = refs[0].path.rsplit("/", 1)[-1] if refs else "nothing new"
            futures.append(stage_batch.submit(wh, plan.run_id, no, refs, segmenter, first_name=name,
                                              more=max(len(refs) - 1, 0)))
        batches = []
        for future in futures:
            counts = future.result()
            batches.append(counts)
            logger.info("batch %d/%d: %d files, %.1f MB, %d documents, %d rejects",
                        counts.batch_no + 1, max(len(plan.batches), 1), counts.files, counts.bytes_read / 1e6,
                        counts.documents, counts.rejects)
        if specs:
            web_batches, web = fetch_web(wh, plan, specs, allow_private_hosts, len(batches), segmenter, logger)
            batches.extend(web_batches)
        # Peak memory is staging (workers) or loading (DuckDB), not both at once.
        stages.stop_workers()
        dups = find_duplicates(wh, plan.run_id)
        logger.info("dedup: %s", ", ".join(f"{k}={v}" for k, v in sorted(dups.items())))
        extra = {f"web_{k}": web.counts[k] for k in ("seen", "new", "changed", "unchanged", "rejected",
                                                      "requests", "not_modified")} if web else None
        loaded = load_warehouse(wh, plan, batches, dups.get("documents_known", 0), segmenter, extra)
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
        "web": web.counts if web else None,
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
