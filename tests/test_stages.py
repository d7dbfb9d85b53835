"""The stages of a run: the CLI's head start (plan and queue before the flow) is adopted or abandoned."""
from __future__ import annotations

import shutil

import pytest

from conftest import SAMPLE
from ingest import parallel, run_plan, stages
from ingest.storage.warehouse import Warehouse
from warehouse_db import open_db


@pytest.fixture
def two_workers(monkeypatch):
    monkeypatch.setenv(parallel.WORKERS_ENV, "2")
    yield
    stages.stop_workers()


def finish(wh: Warehouse, sources: list[str]) -> run_plan.RunPlan:
    """What the flow does after `ingest run` started early: adopt the plan, collect, dedup, load."""
    plan = stages.plan_or_adopt(wh, sources)
    counts = [stages.stage_batch(wh, plan.run_id, no, refs) for no, refs in enumerate(plan.batches or [[]])]
    stages.stop_workers()
    known = stages.decide_duplicates(wh, plan.run_id).get("documents_known", 0)
    stages.load_run(wh, plan, counts, known, None, "rjieba")
    return plan


def documents(wh: Warehouse) -> list[tuple]:
    con = open_db(str(wh.db_path))
    try:
        return con.execute("SELECT doc_id, cluster_id, dup_kind, is_canonical, text FROM documents ORDER BY doc_id").fetchall()
    finally:
        con.close()


def test_head_start_is_adopted_and_loads_what_a_plain_run_loads(tmp_path, two_workers):
    early, plain = Warehouse.at(tmp_path / "early"), Warehouse.at(tmp_path / "plain")
    with early.run_lock():
        head = stages.start_staging_early(early, [str(SAMPLE)])
        assert head is not None and head.staged_early and head.inputs_to_read == 10
        with early.run_lock():  # the flow takes the lock again in the same thread
            adopted = finish(early, [str(SAMPLE)])
    assert adopted is head
    with plain.run_lock():
        assert finish(plain, [str(SAMPLE)]).staged_early is False
    assert documents(early) == documents(plain) and len(documents(early)) == 10
    assert not early.staging_root.exists() or not any(early.staging_root.iterdir())


def test_nothing_to_read_queues_nothing(tmp_path, two_workers):
    wh = Warehouse.at(tmp_path / "wh")
    with wh.run_lock():
        stages.start_staging_early(wh, [str(SAMPLE)])
        finish(wh, [str(SAMPLE)])
        idle = stages.start_staging_early(wh, [str(SAMPLE)])
        assert idle is not None and not idle.batches and not idle.staged_early
        assert finish(wh, [str(SAMPLE)]).inputs_unchanged == 10


def plan_objects_held() -> int:
    """In a worker: the FileRefs its heap holds (a part's own are freed once it is staged)."""
    import gc

    from ingest.sources.files import FileRef

    return sum(isinstance(o, FileRef) for o in gc.get_objects())


def test_workers_are_forked_before_the_plan_and_stopped_when_it_is_idle(tmp_path, two_workers):
    from ingest.segment import get_segmenter

    get_segmenter.cache_clear()
    wh = Warehouse.at(tmp_path / "wh")
    with wh.run_lock():
        plan = stages.start_staging_early(wh, [str(SAMPLE)])
        assert plan.staged_early and plan.inputs_to_read == 10
        for no, refs in enumerate(plan.batches):
            stages.stage_batch(wh, plan.run_id, no, refs)
        # Forked after planning, each worker's RSS held the plan's file list as well (its pages
        # are the parent's): ~0.3 KB a file, ~100 MB a worker at 360,000 files.
        pool = parallel.shared_pool()
        assert [f.result() for f in [pool.submit(plan_objects_held) for _ in range(4)]] == [0] * 4
        assert finish(wh, [str(SAMPLE)]) is plan  # (its batches staged above: their counts are kept)
        # the workers segmented: this process never loaded a dictionary (~57 MB held to the end)
        assert get_segmenter.cache_info().currsize == 0
        idle = stages.start_staging_early(wh, [str(SAMPLE)])
        assert not idle.batches and parallel._pool is None  # nothing to read: no workers left waiting


def test_a_head_start_for_other_sources_is_abandoned_and_swept(tmp_path, two_workers):
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(next(SAMPLE.glob("*.txt")), other / "one.txt")
    wh = Warehouse.at(tmp_path / "wh")
    with wh.run_lock():
        head = stages.start_staging_early(wh, [str(SAMPLE)])
        plan = finish(wh, [str(other)])
    assert plan is not head and plan.inputs_to_read == 1
    assert not wh.staging(head.run_id).exists()
    assert len(documents(wh)) == 1


def test_planning_errors_are_left_to_the_flow(tmp_path, two_workers):
    wh = Warehouse.at(tmp_path / "wh")
    wh.root.mkdir()
    wh.db_path.write_text("not a duckdb file")
    with wh.run_lock():
        assert stages.start_staging_early(wh, [str(SAMPLE)]) is None


def test_a_broken_link_is_a_read_reject_not_a_crash(tmp_path, two_workers):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(next(SAMPLE.glob("*.txt")), src / "one.txt")
    (src / "broken.txt").symlink_to(tmp_path / "gone.txt")
    wh = Warehouse.at(tmp_path / "wh")
    with wh.run_lock():
        stages.start_staging_early(wh, [str(src)])
        finish(wh, [str(src)])
    con = open_db(str(wh.db_path))
    try:
        rejects = con.execute("SELECT source_uri, stage, reason FROM rejects").fetchall()
    finally:
        con.close()
    assert len(documents(wh)) == 1
    assert [(uri, stage) for uri, stage, _ in rejects] == [(str(src / "broken.txt"), "read")]
    assert rejects[0][2] == "cannot read file: No such file or directory"
