"""A copy of a loaded speech arriving under a new path (the old path still there) is its duplicate."""
from __future__ import annotations

import shutil

import duckdb

from conftest import SAMPLE
from ingest import stages
from ingest.storage.warehouse import Warehouse


def run(wh: Warehouse, sources: list[str]) -> dict:
    with wh.run_lock():
        stages.prepare_warehouse(wh)
        plan = stages.plan_run(wh, sources)
        counts = [stages.stage_batch(wh, plan.run_id, no, refs, "rjieba", workers=1)
                  for no, refs in enumerate(plan.batches or [[]])]
        dups = stages.decide_duplicates(wh, plan.run_id)
        return stages.load_run(wh, plan, counts, dups.get("documents_known", 0), None, "rjieba")


def test_copies_under_new_paths_are_exact_duplicates_of_the_loaded_speech(tmp_path):
    speech = next(SAMPLE.glob("002_*.txt"))
    src = tmp_path / "in"
    src.mkdir()
    original = src / "original.txt"
    shutil.copy(speech, original)
    wh = Warehouse.at(tmp_path / "wh")
    run(wh, [str(src)])
    con = duckdb.connect(str(wh.db_path), read_only=True)
    try:
        (first_id, cluster), = con.execute("SELECT doc_id, cluster_id FROM documents").fetchall()
    finally:
        con.close()

    # several copies: doc_ids come from path and content, so some sort before the original's
    for n in range(6):
        shutil.copy(speech, src / f"copy_{n}.txt")
    loaded = run(wh, [str(src)])
    assert loaded["documents_new"] == 6 and loaded["exact_duplicates"] == 6

    con = duckdb.connect(str(wh.db_path), read_only=True)
    try:
        rows = con.execute("SELECT doc_id, cluster_id, dup_kind, is_canonical FROM documents").fetchall()
        last = con.execute("SELECT exact_duplicates FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
        speeches = con.execute("SELECT doc_id FROM speeches").fetchall()
    finally:
        con.close()
    assert any(d < first_id for d, *_ in rows)  # the smallest doc_id is a copy: it did not take over
    assert {c for _, c, _, _ in rows} == {cluster}
    assert [(d, k) for d, _, k, canon in rows if canon] == [(first_id, "unique")]
    assert sorted(k for d, _, k, _ in rows if d != first_id) == ["exact"] * 6
    assert last == (6,) and speeches == [(first_id,)]
