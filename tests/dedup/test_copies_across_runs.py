"""A copy of a loaded speech arriving under a new path (the old path still there) is its duplicate."""
from __future__ import annotations

import shutil


from conftest import SAMPLE
from ingest import run_plan, stages
from ingest.pipeline import content_hash, make_doc_id
from ingest.storage.warehouse import Warehouse
from warehouse_db import open_db


def run(wh: Warehouse, sources: list[str]) -> dict:
    with wh.run_lock():
        stages.prepare_warehouse(wh)
        plan = run_plan.plan_run(wh, sources)
        counts = [stages.stage_batch(wh, plan.run_id, no, refs, "rjieba", workers=1)
                  for no, refs in enumerate(plan.batches or [[]])]
        dups = stages.decide_duplicates(wh, plan.run_id)
        return {**dups, **stages.load_run(wh, plan, counts, dups.get("documents_known", 0), None, "rjieba")}


def test_copies_under_new_paths_are_exact_duplicates_of_the_loaded_speech(tmp_path):
    speech = next(SAMPLE.glob("002_*.txt"))
    src = tmp_path / "in"
    src.mkdir()
    data = speech.read_bytes()

    def doc_id(name: str) -> str:
        return make_doc_id(str((src / name).resolve()), content_hash(data))

    # The original's name is the one of 50 whose doc_id sorts last, so that copies sorting before
    # it exist whatever the temporary directory (a doc_id hashes the path): with one fixed name,
    # a CI run's directory gave it a doc_id below all 1,000 copies tried below.
    original = src / max((f"original_{n}.txt" for n in range(50)), key=doc_id)
    shutil.copy(speech, original)
    wh = Warehouse.at(tmp_path / "wh")
    run(wh, [str(src)])
    con = open_db(str(wh.db_path))
    try:
        (first_id, cluster), = con.execute("SELECT doc_id, cluster_id FROM documents").fetchall()
    finally:
        con.close()

    # copies whose doc_ids (from path and content) sort before the original's: by doc_id alone
    # the first of them would take over
    names = (f"copy_{n}.txt" for n in range(1000))
    smaller = [name for name in names if doc_id(name) < first_id]
    copies = smaller[:6]
    assert copies
    for name in copies:
        (src / name).write_bytes(data)
    loaded = run(wh, [str(src)])
    assert loaded["documents_new"] == len(copies) and loaded["exact_duplicates"] == len(copies)
    # the loaded speech keeps its place and its label: nothing earlier changed
    assert (loaded["canonical_changes"], loaded["kind_changes"]) == (0, 0)

    con = open_db(str(wh.db_path))
    try:
        rows = con.execute("SELECT doc_id, cluster_id, dup_kind, is_canonical FROM documents").fetchall()
        last = con.execute("SELECT exact_duplicates FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
        speeches = con.execute("SELECT doc_id FROM speeches").fetchall()
    finally:
        con.close()
    assert {c for _, c, _, _ in rows} == {cluster}
    assert [(d, k) for d, _, k, canon in rows if canon] == [(first_id, "unique")]
    assert sorted(k for d, _, k, _ in rows if d != first_id) == ["exact"] * len(copies)
    assert last == (len(copies),) and speeches == [(first_id,)]
