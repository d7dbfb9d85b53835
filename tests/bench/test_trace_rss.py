"""bench/trace_rss.py marks a run's stages with its own log lines, without the per-batch ones."""
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from trace_rss import stage_marks  # noqa: E402


def test_stage_marks_keep_the_stages_and_drop_the_batches():
    lines = [(1.0, "12:00:01 | INFO | Task run 'plan inputs: x' - Finished in state Completed()"),
             (2.0, "12:00:02 | INFO | Task run 'batch 3/181: 2000 files a .. b' - Finished in state Completed()"),
             (3.0, "12:00:03 | INFO | Flow run 'ingest x' - batch 3/181: 2000 files, 0.7 MB, 2000 documents"),
             (9.0, "12:00:09 | INFO | Flow run 'ingest x' - dedup: exact=3, near=1"),
             (12.0, "12:00:12 | INFO | Task run 'load run into speeches.duckdb' - Finished in state Completed()")]
    assert [t for t, _ in stage_marks(lines)] == [1.0, 9.0, 12.0]
