"""bench/run_bench.py's timed_tree: the peak counts the children, and a talkative run does not stall it."""
import sys
import threading

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from run_bench import timed_tree  # noqa: E402

# a parent that starts a child holding ~200 MB (touched, so resident) for a second
_CHILD_HOLDS_200_MB = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c",
                          "import time; b = bytearray(200 << 20); b[::4096] = b'x' * len(b[::4096]); time.sleep(1.5)"])
child.wait()
print("child done")
"""


def test_the_peak_counts_the_memory_of_a_child_process():
    run = timed_tree([sys.executable, "-c", _CHILD_HOLDS_200_MB], {})
    assert run["peak_rss_mb"] >= 200
    assert "child done" in run["output"]
    assert run["seconds"] >= 1.5


def test_a_run_that_writes_more_than_a_pipe_holds_ends_and_keeps_its_output():
    # 4 MB on stdout: a pipe holds 64 KB, and one not read until the end stalled the run for good
    cmd = [sys.executable, "-c", "import sys; sys.stdout.write('x' * (4 << 20) + 'end')"]
    result = {}
    worker = threading.Thread(target=lambda: result.update(timed_tree(cmd, {})), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive(), "timed_tree never returned"
    assert len(result["output"]) == (4 << 20) + 3 and result["output"].endswith("end")
