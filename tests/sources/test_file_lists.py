"""A run's batches of files packed for its persisted plan: the same FileRefs back, in a fraction of the bytes."""
import os
import pickle

import pytest

from ingest import run_plan, stages
from ingest.sources.file_lists import FileBatch, pack_files, unpack_files
from ingest.sources.files import FileRef, discover_files


def _batches(tmp_path):
    root = tmp_path / "政府工作报告"
    root.mkdir()
    for i in range(300):
        (root / f"通知-{i:04d}.txt").write_text("关于做好有关工作的通知" * (i % 7 + 1), encoding="utf-8")
    odd = os.fsencode(str(root)) + b"/bad-\xff.txt"  # a name that is not UTF-8
    with open(odd, "wb") as f:
        f.write("通知".encode())
    os.mkfifo(root / "pipe.txt")  # planned with a problem: rejected unopened
    refs = list(discover_files([str(root)]))
    assert any(r.disk_name for r in refs) and any(r.problem for r in refs)
    return [refs[:120], [], refs[120:121], refs[121:]]


def test_the_batches_come_back_equal(tmp_path):
    batches = _batches(tmp_path)
    assert [unpack_files(pack_files(b)) for b in batches] == batches
    assert unpack_files(pack_files([])) == []


def test_a_pickled_plan_holds_its_files_packed(tmp_path):
    batches = _batches(tmp_path)
    plan = run_plan.RunPlan("r1", [str(tmp_path)], batches, inputs_seen=302, inputs_unchanged=0,
                            touched=[("/x.txt", 1, 2, "h")], missing={"/gone.txt": "h2"})
    blob = pickle.dumps(plan)
    again = pickle.loads(blob)
    assert again == plan and again.batches == batches and again.touched == plan.touched
    # an object a file would be several times the bytes: the paths share their directory
    assert len(blob) * 4 < len(pickle.dumps(batches))


def test_a_plan_packed_in_another_format_says_so():
    packed = pack_files([FileRef("/a.txt", 1, 2)])
    with pytest.raises(ValueError, match="plan the run again"):
        unpack_files({**packed, "format": 99})


def test_a_file_batch_is_its_files_packed(tmp_path):
    refs = [r for b in _batches(tmp_path) for r in b]
    batch = FileBatch(refs)
    assert len(batch) == len(refs) and list(batch) == refs and batch == refs and batch[-1] == refs[-1]
    assert pickle.loads(pickle.dumps(batch)) == batch and batch != refs[:-1] and batch != FileBatch(refs[1:])
    assert not FileBatch() and FileBatch() == [] and list(FileBatch()) == []
    assert len(pickle.dumps(batch)) * 4 < len(pickle.dumps(refs))


def test_a_plan_and_the_parts_it_queues_hold_their_files_packed(tmp_path):
    from ingest.storage.warehouse import Warehouse

    _batches(tmp_path)
    wh = Warehouse.at(tmp_path / "wh")
    stages.prepare_warehouse(wh)
    plan = run_plan.plan_run(wh, [str(tmp_path / "政府工作报告")])
    assert plan.batches and all(isinstance(b, FileBatch) for b in plan.batches)
    calls = stages._part_calls(wh, plan.run_id, 0, plan.batches[0], "rjieba")
    assert all(isinstance(c[4], FileBatch) for c in calls)
    assert [r for c in calls for r in c[4]] == list(plan.batches[0])
