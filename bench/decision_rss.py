"""The duplicate decision alone, replayed on a staged run: RSS at each of its steps, and a digest.

    .venv/bin/python bench/decision_rss.py stage short:60 bench/out/staged-short-60
    .venv/bin/python bench/decision_rss.py replay bench/out/staged-short-60
    .venv/bin/python bench/decision_rss.py stage DAILY_DIR bench/out/staged-daily --onto bench/out/wh-real-120mb

`stage` plans and stages a corpus into a new warehouse (no decision, no load) and keeps it: the
corpus is a directory, or SHAPE:MB for a corpus of `bench/shapes.py` (needs ../shared/devset).
With `--onto WAREHOUSE` the new warehouse is a copy of that one (a daily run's few files
against everything loaded before: the decision then reads the earlier documents' state).
`replay` runs `decide_duplicates` on it in this process, without Prefect, as often as you like
(the decision reads the staged parts and writes its plan beside them; the load would consume
them): the process's RSS and max RSS when each step starts and ends, the top RSS within each
step (sampled every 10 ms), the top RSS of this process and its helper (verify_helper.py) together,
the decision's wall and CPU seconds (this process's), and a digest of the plan it staged, so that two versions of the code can be
compared on the same staged run (same digest: same decisions).
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import resource
import shutil
import sys
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

RUN_ID_FILE = "RUN_ID"
# (module, function) of the decision's steps, in the order they run
STEPS = [("decision", "StagedDocuments.read"), ("decision", "_file_changes"),
         ("decision", "_new_documents"), ("storage.dedup_store", "load_prior"),
         ("dedup.cluster", "candidate_pairs"), ("dedup.cluster", "_read_needed_texts"),
         ("dedup.cluster", "_assign"), ("dedup.cluster", "reuse_occurrences"),
         ("storage.dedup_store", "plan_tables")]
PLAN_FILES = ("decisions", "dedup-decisions", "dedup-links", "dedup-occurrences")


def stage(corpus: str, root: Path, onto: Path | None = None) -> str:
    """Plan and stage `corpus` into a new warehouse at `root` (a copy of `onto`); returns the run id."""
    from ingest import parallel, run_plan, stages
    from ingest.storage.warehouse import Warehouse

    if ":" in corpus and not Path(corpus).exists():
        from shapes import ensure_shape_corpus
        shape, mb = corpus.split(":")
        corpus = str(ensure_shape_corpus(shape, float(mb)))
    shutil.rmtree(root, ignore_errors=True)
    if onto is not None:
        if not Warehouse(onto).exists():
            sys.exit(f"{onto} is no warehouse to stage onto")
        shutil.copytree(onto, root, ignore=shutil.ignore_patterns(".staging"))
    wh = Warehouse.at(root)
    with wh.run_lock():
        stages.prepare_warehouse(wh)
        plan = run_plan.plan_run(wh, [corpus])
        try:
            for no, refs in enumerate(plan.batches):
                stages.stage_batch(wh, plan.run_id, no, refs)
        finally:
            parallel.shutdown_pool()
    (root / RUN_ID_FILE).write_text(plan.run_id)
    return plan.run_id


def replay(root: Path, out=print) -> dict:
    """decide_duplicates on the run staged at `root`, its steps' RSS printed; returns its counts,
    seconds, max RSS and digest."""
    import importlib

    from ingest import decision
    # (the flow's process has imported the stages, and with them Arrow's allocator: the C
    # library's malloc, see memory.use_system_allocator; without it the replay read mimalloc's)
    from ingest import stages  # noqa: F401
    from ingest.storage.warehouse import Warehouse

    me = psutil.Process()
    start = time.perf_counter()
    # The top RSS within each step (and in the stretch after each, "after STEP"), sampled every
    # 10 ms: the max RSS only says which step first reached the run's top.
    stretch, tops, sampling = ["before the decision"], {}, threading.Event()

    tree_top = [0]

    def sample() -> None:
        children: list = []
        ticks = 0
        while not sampling.wait(0.01):
            rss = me.memory_info().rss >> 20
            tops[stretch[0]] = max(tops.get(stretch[0], 0), rss)
            # with the helper process that compares pairs beside the decision (verify_helper.py),
            # looked for every 0.2 s: listing children scans every process, which every 10 ms
            # took enough of this process's time to slow the decision down by a fifth
            if ticks % 20 == 0:
                children = me.children()
            ticks += 1
            helpers = 0
            for child in children:
                try:
                    helpers += child.memory_info().rss >> 20
                except psutil.Error:
                    pass
            tree_top[0] = max(tree_top[0], rss + helpers)

    def mark(event: str) -> None:
        stretch[0] = event.replace("start ", "", 1).replace("end ", "after ", 1)
        out(f"{time.perf_counter() - start:8.1f} s  {event:40s} RSS {me.memory_info().rss >> 20:6d} MB"
            f"  max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10:6d} MB")

    patched = []
    for module_name, name in STEPS:
        module = importlib.import_module(f"ingest.{module_name}")
        owner, attr = (getattr(module, name.split(".")[0]), name.split(".")[1]) if "." in name else (module, name)
        real = owner.__dict__[attr]
        fn = real.__func__ if isinstance(real, (classmethod, staticmethod)) else real

        def step(*args, _fn=fn, _name=name, **kwargs):
            mark(f"start {_name}")
            try:
                return _fn(*args, **kwargs)
            finally:
                mark(f"end {_name}")

        wrapped = functools.wraps(fn)(step)
        setattr(owner, attr, classmethod(wrapped) if isinstance(real, classmethod) else wrapped)
        patched.append((owner, attr, real))
    try:
        wh = Warehouse(root)
        run_id = (root / RUN_ID_FILE).read_text().strip()
        baseline = me.memory_info().rss >> 20
        mark("decision starts")
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        clock, cpu = time.perf_counter(), time.process_time()
        try:
            counts = decision.decide_duplicates(wh, run_id)
        finally:
            sampling.set()
            sampler.join()
        seconds, cpu = time.perf_counter() - clock, time.process_time() - cpu
        mark("decision ends")
    finally:
        for owner, attr, real in patched:
            setattr(owner, attr, real)
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
    return {"counts": counts, "seconds": seconds, "cpu_seconds": cpu, "baseline_rss_mb": baseline,
            "max_rss_mb": max_rss, "tree_top_rss_mb": tree_top[0], "step_top_rss_mb": tops, "digest": plan_digest(wh.staging(run_id))}


def plan_digest(staging: Path) -> dict[str, str]:
    """A digest of each table of the staged plan, over its rows sorted (row order is no result)."""
    import pyarrow.parquet as pq

    digests = {}
    for name in PLAN_FILES:
        path = staging / f"{name}.parquet"
        if path.exists():
            table = pq.read_table(path)
            keys = [c for c in table.column_names if not str(table.schema.field(c).type).startswith("list")]
            table = table.sort_by([(c, "ascending") for c in keys])
            digests[name] = f"{table.num_rows} rows {hashlib.sha1(str(table.to_pylist()).encode()).hexdigest()[:12]}"
    return digests


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("stage", help="plan and stage a corpus into a new warehouse, without deciding")
    s.add_argument("corpus", help="a directory, or SHAPE:MB (bench/shapes.py's short, ordinary, long)")
    s.add_argument("warehouse", type=Path)
    s.add_argument("--onto", type=Path, help="stage into a copy of this warehouse (a daily run after it)")
    r = sub.add_parser("replay", help="replay the decision on a staged warehouse")
    r.add_argument("warehouse", type=Path)
    args = ap.parse_args()
    if args.command == "stage":
        t = time.perf_counter()
        run_id = stage(args.corpus, args.warehouse, args.onto)
        print(f"staged run {run_id} into {args.warehouse} in {time.perf_counter() - t:.1f} s")
        return
    if not (args.warehouse / RUN_ID_FILE).exists():
        sys.exit(f"{args.warehouse} holds no staged run: make one with `decision_rss.py stage CORPUS {args.warehouse}`")
    result = replay(args.warehouse)
    print(f"decision: {result['seconds']:.1f} s wall, {result['cpu_seconds']:.1f} CPU s, "
          f"max RSS {result['max_rss_mb']} MB (baseline {result['baseline_rss_mb']} MB), "
          f"top RSS with its helper process {result['tree_top_rss_mb']} MB (sampled)")
    print("top RSS (MB, sampled every 10 ms) in each step and after it:",
          ", ".join(f"{k} {v}" for k, v in result["step_top_rss_mb"].items()))
    print("counts:", ", ".join(f"{k}={v}" for k, v in sorted(result["counts"].items())))
    for name, digest in result["digest"].items():
        print(f"digest {name}: {digest}")


if __name__ == "__main__":
    main()
