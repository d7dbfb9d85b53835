"""The flow runs its batch tasks a few at a time, not one thread per batch."""
import threading
import time

from flows import ingest_speeches as mod
from flows.policy import TASK_THREADS
from prefect_server import ROOT

SAMPLE = ROOT / "src" / "ingest" / "data" / "sample"


def test_batches_run_side_by_side_but_at_most_task_threads_at_once(prefect_api, tmp_path, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLE.glob("*.txt"))]
    for i in range(3 * TASK_THREADS):  # a file per batch (below): three times as many batches as threads
        (src / f"{i:03d}.txt").write_text(f"{texts[i % len(texts)]}\n第{i}号通知。\n", encoding="utf-8")
    monkeypatch.setenv("INGEST_BATCH_BYTES", "1")

    running, most, lock = [0], [0], threading.Lock()
    stage_batch = mod.stages.stage_batch

    def counted(*args, **kwargs):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.2)  # long enough for the batches submitted together to overlap
            return stage_batch(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(mod.stages, "stage_batch", counted)
    state = mod.ingest_speeches(sources=[str(src)], warehouse=str(tmp_path / "wh"), return_state=True)
    assert state.is_completed()
    summary = state.result()
    assert summary["documents_new"] == 3 * TASK_THREADS
    assert 2 <= most[0] <= TASK_THREADS
