"""Staging batches on worker processes gives the same warehouse as staging them in this process."""
from __future__ import annotations

import shutil
import sys

import pytest

from conftest import ROOT, SAMPLE
from ingest import parallel, run_plan, stages
from ingest.storage.warehouse import Warehouse

sys.path.insert(0, str(ROOT / "bench"))
from gen_corpus import generate  # noqa: E402

TABLES = {
    "documents": "SELECT * EXCLUDE (run_id, fetched_at) FROM documents ORDER BY doc_id",
    "tokens": "SELECT doc_id, position, token FROM tokens ORDER BY doc_id, position",
    "boilerplate_hits": "SELECT * EXCLUDE (run_id) FROM boilerplate_hits ORDER BY ALL",
    "file_state": "SELECT * EXCLUDE (run_id) FROM file_state ORDER BY path",
    "rejects": "SELECT source_uri, stage, reason FROM rejects ORDER BY ALL",
}


def ingest(root, sources, workers: int) -> dict:
    wh = Warehouse.at(root)
    stages.prepare_warehouse(wh)
    plan = run_plan.plan_run(wh, sources, batch_bytes=120_000)
    counts = [stages.stage_batch(wh, plan.run_id, no, refs, "rjieba", workers=workers)
              for no, refs in enumerate(plan.batches)]
    known = stages.decide_duplicates(wh, plan.run_id).get("documents_known", 0)
    stages.load_run(wh, plan, counts, known, None, "rjieba")
    con = wh.connect(read_only=True)  # sets file_search_path: the tokens view reads lake/ relative to the warehouse
    try:
        return {name: con.execute(q).fetchall() for name, q in TABLES.items()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    generate(root / "gen", 400_000, seed=3)
    shutil.copytree(SAMPLE, root / "sample")
    (root / "sample" / "broken.txt").write_bytes(b"\xff\xfe\x00garbage\x81" * 3)
    return root


def test_parallel_and_sequential_warehouses_are_equal(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(stages, "PART_BYTES", 30_000)  # several parts per batch, several batches
    sequential = ingest(tmp_path / "seq", [str(corpus)], workers=1)
    parallel_ = ingest(tmp_path / "par", [str(corpus)], workers=2)
    assert len(sequential["documents"]) > 40 and len(sequential["tokens"]) > 10_000
    for name in TABLES:
        assert parallel_[name] == sequential[name], name


def test_split_by_bytes_keeps_order_and_bounds():
    items = list(range(10))
    parts = parallel.split_by_bytes(items, [5] * 10, target=12, max_items=100)
    assert [i for p in parts for i in p] == items
    assert all(sum(5 for _ in p) <= 12 or len(p) == 1 for p in parts)
    assert parallel.split_by_bytes(items, [1] * 10, target=100, max_items=3) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert parallel.split_by_bytes([], [], 10, 10) == []


def test_one_worker_means_no_pool(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    assert parallel.worker_count() == 1
    assert parallel.shared_pool("rjieba") is None


KILLED_PARENT = """
import os, signal
from ingest import parallel
if __name__ == "__main__":
    pool = parallel.shared_pool("rjieba", 2)
    print(" ".join(str(p) for p in {pool.submit(os.getpid).result() for _ in range(4)}), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def test_workers_exit_when_the_run_is_killed(tmp_path):
    import os
    import subprocess
    import time

    script = tmp_path / "killed.py"
    script.write_text(KILLED_PARENT)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    pids = [int(p) for p in out.stdout.split()]
    assert pids
    deadline = time.time() + 30
    while time.time() < deadline and any(os.path.exists(f"/proc/{p}") for p in pids):
        time.sleep(0.2)
    assert not any(os.path.exists(f"/proc/{p}") for p in pids)


_POOL_SCRIPT = """
import sys, threading
from ingest import parallel
if sys.argv[1] == "thread":
    stop = threading.Event()
    threading.Thread(target=stop.wait, daemon=True).start()
pool = parallel.shared_pool("rjieba", workers=2)
method = pool._mp_context.get_start_method()
from ingest.segment import get_segmenter
print(method, pool.submit(parallel._ready).result() > 0)
parallel.shutdown_pool()
if sys.argv[1] == "thread":
    stop.set()
"""


@pytest.mark.parametrize("before, method", [("nothing", "fork"), ("thread", "spawn")])
def test_workers_fork_only_from_a_single_threaded_process(before, method):
    import subprocess

    out = subprocess.run([sys.executable, "-c", _POOL_SCRIPT, before], capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [method, "True"]
