"""A re-run recognises unchanged input cheaply: size and mtime first, then the content hash."""
from __future__ import annotations

import os
import shutil


from conftest import SAMPLE
from ingest import run_plan, stages
from ingest.storage.warehouse import Warehouse
from warehouse_db import open_db


def run(wh: Warehouse, sources: list[str]) -> run_plan.RunPlan:
    stages.prepare_warehouse(wh)
    plan = run_plan.plan_run(wh, sources)
    counts = [stages.stage_batch(wh, plan.run_id, no, refs, "rjieba", workers=1)
              for no, refs in enumerate(plan.batches or [[]])]
    known = stages.decide_duplicates(wh, plan.run_id).get("documents_known", 0)
    stages.load_run(wh, plan, counts, known, None, "rjieba")
    return plan


def test_touched_file_is_hashed_not_reprocessed(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(SAMPLE, src)
    wh = Warehouse.at(tmp_path / "wh")
    first = run(wh, [str(src)])
    assert first.inputs_to_read == first.inputs_seen > 5

    target = src / "001_e53861ccea28f2a4.txt"
    st = target.stat()
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    second = run(wh, [str(src)])
    assert second.inputs_to_read == 0
    assert [t[0] for t in second.touched] == [str(target.resolve())]

    con = open_db(str(wh.db_path))
    try:
        mtime, = con.execute("SELECT mtime_ns FROM file_state WHERE path = ?", [str(target.resolve())]).fetchone()
        docs, = con.execute("SELECT count(*) FROM documents").fetchone()
    finally:
        con.close()
    assert mtime == target.stat().st_mtime_ns
    assert docs == first.inputs_seen  # every sample file is one document; the re-run added none

    third = run_plan.plan_run(wh, [str(src)])
    assert third.inputs_to_read == 0 and third.touched == []


def test_changed_bytes_of_the_same_size_are_read_again(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(SAMPLE, src)
    wh = Warehouse.at(tmp_path / "wh")
    run(wh, [str(src)])
    target = src / "002_2840dd54e5d42493.txt"
    data = target.read_text("utf-8")
    changed = data.replace("。", "；", 1)
    assert len(changed.encode()) == len(data.encode())
    target.write_text(changed, "utf-8")
    plan = run_plan.plan_run(wh, [str(src)])
    assert [r.path for b in plan.batches for r in b] == [str(target.resolve())]
