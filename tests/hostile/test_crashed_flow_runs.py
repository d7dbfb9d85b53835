"""Item 11: a flow run killed while RUNNING is marked CRASHED by the next ingest flow run."""
from __future__ import annotations

import subprocess

import pytest

from conftest import SAMPLE
from prefect_server import BIN, http

pytestmark = pytest.mark.server


def flow_runs(server) -> dict[str, dict]:
    status, runs = http("POST", f"{server.api}/flow_runs/filter", {"flows": {"name": {"any_": ["ingest-speeches"]}}})
    assert status == 200, runs
    return {r["id"]: r for r in runs}


def ingest(server, *args, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "ingest"), *args], env={**server.env, **(env or {})}, capture_output=True,
                          text=True, timeout=600)


def test_a_killed_run_is_marked_crashed_by_the_next(prefect_server, tmp_path):
    wh = tmp_path / "wh"
    killed = ingest(prefect_server, "run", str(SAMPLE), "--warehouse", str(wh), env={"INGEST_CRASH_AT": "before_commit"})
    assert killed.returncode == -9
    stuck = [r for r in flow_runs(prefect_server).values()
             if r["state_type"] == "RUNNING" and r["parameters"].get("warehouse") == str(wh)]
    assert len(stuck) == 1, "the killed run should still show RUNNING"
    nxt = ingest(prefect_server, "run", str(SAMPLE), "--warehouse", str(wh))
    assert nxt.returncode == 0, nxt.stderr[-3000:]
    after = flow_runs(prefect_server)
    assert after[stuck[0]["id"]]["state_type"] == "CRASHED"
    assert f"marked flow run {stuck[0]['name']}" in nxt.stdout + nxt.stderr
    # the run that did the marking completed; no other run was touched
    assert sum(1 for r in after.values() if r["state_type"] == "CRASHED") == 1
