"""Item 9: a reader holding the warehouse makes a run wait (with a message naming its pid) instead
of failing; a run that gives up keeps its staged batches for the next one; `ingest sql` waits for a load."""
from __future__ import annotations

import re
import subprocess
import sys
import time

from conftest import SAMPLE
from helpers import copy_sample, counts, query

HOLD = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == 'ro');"
        "print('holding', flush=True); time.sleep(float(sys.argv[3]))")


def hold(wh, seconds: float, mode: str = "ro") -> subprocess.Popen:
    """Another process holding the warehouse: a notebook's read-only session, or a writer."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(wh / "speeches.duckdb"), mode, str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


def test_a_run_waits_for_a_read_only_session_and_then_loads(run_cli, tmp_path):
    wh = tmp_path / "wh"
    run_cli("run", str(SAMPLE / "001_e53861ccea28f2a4.txt"), "--warehouse", str(wh))
    src = copy_sample(tmp_path / "in")
    reader = hold(wh, 20)  # longer than the ~12 s of retries a run used to survive
    try:
        proc = run_cli("run", str(src), "--warehouse", str(wh), env={"INGEST_LOCK_TIMEOUT": "120"}, check=False)
    finally:
        reader.kill()
        reader.wait()
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert re.search(rf"waiting for pid {reader.pid}\b.*holding the warehouse", out), out[-3000:]
    assert counts(wh)["documents"] == 11


def test_a_run_that_gives_up_waiting_keeps_its_staged_work_for_the_next(run_cli, tmp_path):
    wh = tmp_path / "wh"
    run_cli("run", str(SAMPLE / "001_e53861ccea28f2a4.txt"), "--warehouse", str(wh))
    src = copy_sample(tmp_path / "in")
    reader = hold(wh, 300)
    try:
        start = time.monotonic()
        proc = run_cli("run", str(src), "--warehouse", str(wh), "--lock-timeout", "3", check=False)
        waited = time.monotonic() - start
    finally:
        reader.kill()
        reader.wait()
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2 and "Traceback" not in out, out[-3000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert f"pid {reader.pid}" in last and "staged" in last, last
    assert waited < 120
    staged = list((wh / ".staging").glob("*/files-*.parquet"))
    assert staged, "the staged batches were swept"
    again = run_cli("run", str(src), "--warehouse", str(wh))
    assert "reusing" in again.stdout + again.stderr
    assert counts(wh)["documents"] == 11
    assert query(wh, "SELECT count(*) FROM runs") == [(2,)]
    assert not any((wh / ".staging").iterdir())


def test_sql_waits_briefly_for_a_load_to_finish(run_cli, tmp_path):
    wh = tmp_path / "wh"
    run_cli("run", str(SAMPLE / "001_e53861ccea28f2a4.txt"), "--warehouse", str(wh))
    writer = hold(wh, 4, mode="rw")  # a load holds the file for a few seconds
    try:
        proc = run_cli("sql", "select count(*) as n from documents", "--warehouse", str(wh), "--format", "csv",
                       check=False)
    finally:
        writer.kill()
        writer.wait()
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["n", "1"]
    assert f"waiting for pid {writer.pid}" in proc.stderr
