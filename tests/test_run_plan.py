"""A run's plan: the files it will read, in batches, and what it keeps of them once staged."""
from __future__ import annotations

from conftest import SAMPLE
from ingest import run_plan, stages
from ingest.storage.warehouse import Warehouse


def test_a_plan_releases_its_files_and_keeps_its_counts(tmp_path):
    wh = Warehouse.at(tmp_path / "wh")
    with wh.run_lock():
        stages.prepare_warehouse(wh)
        plan = run_plan.plan_run(wh, [str(SAMPLE)], batch_bytes=5000)
    batches = len(plan.batches)
    assert plan.inputs_to_read == 10 and batches > 1
    plan.release_files()
    plan.release_files()  # twice: the count is the files', not the empty batches'
    assert plan.inputs_to_read == 10 and len(plan.batches) == batches
    assert not any(plan.batches)
