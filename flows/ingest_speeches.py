"""The ingest flow: plan, stage batches, find duplicates, load, all in one committed step."""
# No `from __future__ import annotations`: Prefect builds the parameter model from these hints,
# and a served flow cannot resolve them from strings (`Literal` is not fully defined).
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run, task_run

from flows.crashed_runs import mark_crashed_runs
from flows.policy import FETCH_TAG, IO_TASK, digest, quiet_known_errors, task_runner
from ingest import report, run_plan, stages, web_stages
from ingest.config import validate_params
from ingest.sources.config import load_sources_file
from ingest.sources.files import FileRules
from ingest.sources.urls import local_paths
from ingest.storage.runs import new_canonical_speeches, run_rejects
from ingest.storage.warehouse import Warehouse, is_disk_full

SUMMARY_KEY = "ingest-summary"
SPEECHES_KEY = "new-speeches"


def _short(path: str) -> str:
    p = Path(path)
    return f"{p.parent.name}/{p.name}" if p.parent.name else p.name


def _sources_label(sources, sources_file=None) -> str:
    if sources_file:
        return f"sources file {Path(sources_file).name}"
    if sources is None:
        return "sample corpus"
    if not sources:
        return "no local files"
    label = ", ".join(_short(s.rstrip("/")) if "://" not in s else s for s in sources[:2])
    return label + (f" +{len(sources) - 2}" if len(sources) > 2 else "")


def _flow_run_name() -> str:
    p = flow_run.parameters
    runner = " on dask" if p.get("runner") == "dask" else ""
    wh = Warehouse.at(p.get("warehouse")).root.name
    return f"ingest {_sources_label(p.get('sources'), p.get('sources_file'))} -> {wh}{runner}"


def _plan_name() -> str:
    return f"plan inputs: {_sources_label(task_run.parameters.get('sources'))}"


def _batch_name() -> str:
    p = task_run.parameters
    # unpacked once (a FileBatch unpacks at each index)
    refs, no, total = list(p["refs"]), p["batch_no"], p.get("batch_count", 1)
    if not refs:
        return f"batch {no + 1}/{total}: nothing new"
    first, last = _short(refs[0].path), _short(refs[-1].path)
    span = first if len(refs) == 1 else f"{first} .. {last}"
    return f"batch {no + 1}/{total}: {len(refs)} files {span}"


def _run_key(context, parameters) -> str:
    # Cached within one flow run only: retrying a failed run from the UI reuses its plan and the
    # batches it already staged (extraction and segmentation, the expensive part) instead of
    # reading and segmenting everything again. A new flow run always plans afresh.
    fr = context.task_run.flow_run_id if context.task_run else None
    skip = {"wh", "refs"}
    simple = {k: v for k, v in parameters.items() if k not in skip}
    refs = [(r.path, r.size, r.mtime_ns) for r in parameters.get("refs", [])]
    return f"{context.task.name}-{fr}-{digest(str(parameters['wh'].root), simple, refs)}"


@task(name="plan-inputs", task_run_name=_plan_name, cache_key_fn=_run_key, persist_result=True, **IO_TASK)
def plan_inputs(wh: Warehouse, sources: list[str] | None, rules: FileRules | None = None) -> run_plan.RunPlan:
    # `ingest run` may have planned already and started staging while Prefect was importing.
    return stages.plan_or_adopt(wh, sources, rules=rules)


@task(name="stage-batch", task_run_name=_batch_name, cache_key_fn=_run_key, persist_result=True)
def stage_batch(wh: Warehouse, run_id: str, batch_no: int, refs: list, segmenter: str,
                batch_count: int = 1) -> stages.BatchCounts:
    return stages.stage_batch(wh, run_id, batch_no, refs, segmenter)


@task(name="find-duplicates", task_run_name="find exact and near duplicates")
def find_duplicates(wh: Warehouse, run_id: str) -> dict:
    return stages.decide_duplicates(wh, run_id)


@task(name="load-warehouse", task_run_name="load run into {wh.db_path.name}", **IO_TASK)
def load_warehouse(wh: Warehouse, plan: run_plan.RunPlan, batches: list, known: int, segmenter: str,
                   extra: dict | None = None) -> dict:
    return stages.load_run(wh, plan, batches, known, flow_run.get_id(), segmenter, extra)


# The fetcher retries timeouts and 5xx itself, request by request; retrying a whole host's crawl
# would ask the site for every page again. Tag `fetch` lets one concurrency limit cap all
# crawling (`prefect concurrency-limit create fetch 4`); fetch-host:<host> caps one site.
@task(name="fetch-host", task_run_name="fetch {host}", cache_policy=NO_CACHE, tags=[FETCH_TAG])
def fetch_host(wh: Warehouse, run_id: str, part: str, host: str, specs: list,
               allow_private_hosts: bool) -> web_stages.CrawlResult:
    return web_stages.crawl_host(wh, run_id, part, specs, allow_private_hosts)


@task(name="stage-web-batch", task_run_name="web batch {batch_no}: {n_units} documents", cache_policy=NO_CACHE)
def stage_web_batch(wh: Warehouse, run_id: str, batch_no: int, units: list, fetch_rejects: list,
                    segmenter: str, n_units: int = 0) -> web_stages.WebBatchCounts:
    return web_stages.stage_units(wh, run_id, batch_no, units, fetch_rejects, segmenter)


def fetch_web(wh: Warehouse, plan: run_plan.RunPlan, specs: list, allow_private_hosts: bool,
              first_batch: int, segmenter: str, logger) -> tuple[list, web_stages.WebSummary]:
    """One fetch task per host (run side by side), then the fetched documents in batches."""
    summary = web_stages.WebSummary()
    groups = web_stages.group_by_host(specs)
    futures = [fetch_host.with_options(tags=[FETCH_TAG, f"fetch-host:{host}"]).submit(
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


@task(name="build-report", task_run_name="build run summary", **IO_TASK)
def build_report(wh: Warehouse, summary: dict) -> tuple[str, list[dict]]:
    rows = report.speeches_table(new_canonical_speeches(wh, summary["run_id"]))
    rejected = run_rejects(wh, summary["run_id"]) if summary.get("rejects") else []
    return report.summary_markdown(summary, rows, rejected), rows


def publish_report(wh: Warehouse, summary: dict) -> None:
    """The run's summary and its new canonical speeches, as artifacts of the flow run itself
    (created in the flow, not in a task, so the UI lists them under the flow run)."""
    markdown, rows = build_report(wh, summary)
    create_markdown_artifact(key=SUMMARY_KEY, markdown=markdown,
                             description=f"Ingest run {summary['run_id']}: counts per stage")
    if rows:
        create_table_artifact(key=SPEECHES_KEY, table=rows,
                              description=f"{len(rows)} new canonical speeches in run {summary['run_id']}")


@flow(name="ingest-speeches", flow_run_name=_flow_run_name, log_prints=True, task_runner=task_runner())
def ingest_speeches(sources: list[str] | None = None, warehouse: str | None = None,
                    segmenter: Literal["rjieba", "jieba"] = "rjieba", sources_file: str | None = None,
                    allow_private_hosts: bool = False, runner: Literal["default", "dask"] = "default",
                    dask_address: str | None = None, dask_workers: int = 2, max_file_bytes: int | None = None,
                    follow_links_outside: bool = False) -> dict:
    """Ingest files, directories and URLs (default: the bundled sample corpus) into the warehouse."""
    params = validate_params(sources=sources, sources_file=sources_file, warehouse=warehouse,
                             segmenter=segmenter, allow_private_hosts=allow_private_hosts, runner=runner,
                             dask_address=dask_address, dask_workers=dask_workers, max_file_bytes=max_file_bytes,
                             follow_links_outside=follow_links_outside)
    logger = get_run_logger()
    wh = Warehouse.at(warehouse)
    paths, specs = local_paths(sources, sources_file), web_stages.url_sources(sources)
    if sources_file:
        specs += load_sources_file(sources_file)
    quiet_known_errors()
    with wh.run_lock():
        mark_crashed_runs(wh, flow_run.get_id(), logger)
        try:
            summary = _ingest_locked(wh, params, paths, specs, sources, sources_file, logger)
        except Exception as exc:
            if is_disk_full(exc):  # under the lock: what the run staged goes, then one clear error
                raise stages.give_up_on_full_disk(wh) from None
            raise
    publish_report(wh, summary)
    logger.info("loaded %(documents_new)d new documents (%(exact_duplicates)d exact, "
                "%(near_duplicates)d near duplicates), %(rejects)d rejects", summary)
    return summary


@contextmanager
def _timed(seconds: dict, stage: str):
    """Wall seconds of one stage of the flow, for the summary's per-stage table."""
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - start


def _ingest_locked(wh: Warehouse, params, paths, specs, sources, sources_file, logger) -> dict:
    """The flow's steps, under the warehouse's run lock."""
    segmenter, allow_private_hosts, web = params.segmenter, params.allow_private_hosts, None
    seconds: dict[str, float] = {}
    with _timed(seconds, "plan"):
        plan = plan_inputs(wh, paths, FileRules.from_env(params.max_file_bytes, params.follow_links_outside))
    if plan.staged_early:
        # `ingest run` planned and began staging, then imported Prefect and started the flow
        seconds = {"before the flow (Prefect start-up; staging meanwhile)": time.perf_counter() - plan.started_clock,
                   **seconds}
    plan.sources.extend(s.url for s in specs)
    if plan.batches and params.runner != "dask":
        stages.start_workers(segmenter)
    logger.info("%d inputs found, %d unchanged since the last run, %d to read in %d batches%s",
                plan.inputs_seen, plan.inputs_unchanged, plan.inputs_to_read, len(plan.batches),
                " (staging began before the flow started)" if plan.staged_early else "")
    with _timed(seconds, "stage batches"):
        batches = _stage_all(wh, plan, params)
    for counts in batches:
        logger.info("batch %d/%d: %d files, %.1f MB, %d documents, %d rejects",
                    counts.batch_no + 1, max(len(plan.batches), 1), counts.files, counts.bytes_read / 1e6,
                    counts.documents, counts.rejects)
    if specs:
        with _timed(seconds, "fetch and stage web pages"):
            web_batches, web = fetch_web(wh, plan, specs, allow_private_hosts, len(batches), segmenter, logger)
        batches.extend(web_batches)
    # Peak memory is staging (workers) or loading (DuckDB), not both at once.
    stages.stop_workers()
    plan.release_files()  # (the plan task's persisted result keeps them for a retry of the run)
    with _timed(seconds, "find duplicates"):
        dups = find_duplicates(wh, plan.run_id)
    logger.info("dedup: %s", ", ".join(f"{k}={v}" for k, v in sorted(dups.items())))
    extra = {f"web_{k}": web.counts[k] for k in ("seen", "new", "changed", "unchanged", "rejected",
                                                  "requests", "not_modified")} if web else None
    with _timed(seconds, "load warehouse"):
        loaded = load_warehouse(wh, plan, batches, dups.get("documents_known", 0), segmenter, extra)
    return stages.run_summary(wh, plan, batches, dups, loaded, flow_run.get_id(),
                              bool(sources or sources_file), web.counts if web else None, seconds)


def _stage_all(wh: Warehouse, plan: run_plan.RunPlan, params) -> list[stages.BatchCounts]:
    """Stage every batch, in this process or on a Dask cluster; a batch whose staged files are
    gone (swept by another run between a failure and its retry) is staged again."""
    if plan.files_released is not None:
        raise RuntimeError("the run's plan no longer holds its files: plan again to stage them")
    work = plan.batches or [[]]
    calls = [dict(wh=wh, run_id=plan.run_id, batch_no=no, refs=refs, segmenter=params.segmenter,
                  batch_count=len(work)) for no, refs in enumerate(work)]
    if params.runner == "dask":
        from flows.runners import dask_task_runner, warm_worker

        with dask_task_runner(params.dask_address, params.dask_workers) as runner:
            runner.client.run(warm_worker, params.segmenter)
            futures = [runner.submit(stage_batch, parameters=c) for c in calls]
            results = [f.result() for f in futures]
    else:
        # Batch tasks side by side (policy.TASK_THREADS at a time): each hands its parts to the
        # shared worker pool, so both cores stay busy across batch boundaries; the UI still
        # shows one task per batch.
        futures = [stage_batch.submit(**c) for c in calls]
        results = [f.result() for f in futures]
    for c, counts in zip(calls, results):
        if not stages.batch_is_staged(wh, plan.run_id, c["batch_no"]):
            results[c["batch_no"]] = stage_batch.with_options(refresh_cache=True)(**c)
    return results

