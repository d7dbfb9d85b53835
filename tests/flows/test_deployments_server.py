"""The README's scheduled-runs path against a real server: deploy, a worker runs ingest-local, artifacts via REST."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from prefect_server import ROOT
from prefect_server import http
from warehouse_db import open_db

pytestmark = pytest.mark.server


def test_deploy_creates_every_deployment_with_pool_pull_step_and_schedules(deployed):
    deps = deployed["deployments"]
    assert set(deployed["present"]) <= set(deps) and "ingest-local" in deps
    for name in deployed["present"]:
        d = deps[name]
        assert d["work_pool_name"] == "ingest-pool"
        assert d["pull_steps"] == [{"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}]
        assert d["enforce_parameter_schema"] is True
        assert all(s["schedule"]["timezone"] == "Asia/Shanghai" for s in d["schedules"])
    local = deps["ingest-local"]
    assert [(s["schedule"]["cron"], s["active"]) for s in local["schedules"]] == [("0 6 * * *", True)]


def test_the_pool_is_a_process_pool(prefect_server, deployed):
    status, pool = http("GET", f"{prefect_server.api}/work_pools/ingest-pool")
    assert status == 200 and pool["type"] == "process"


def test_worker_runs_ingest_local_to_completed(ingest_local_run, deployed):
    assert ingest_local_run["state_type"] == "COMPLETED", ingest_local_run["state"]
    assert ingest_local_run["name"] == f"ingest sample corpus -> {deployed['warehouse'].name}"
    con = open_db(str(deployed["warehouse"] / "speeches.duckdb"))
    try:
        assert con.execute("select flow_run_id from runs").fetchall() == [(ingest_local_run["id"],)]
        assert con.execute("select count(*) from documents").fetchone()[0] == 10
    finally:
        con.close()


def test_artifacts_are_retrievable_through_the_rest_api(prefect_server, ingest_local_run):
    status, arts = http("POST", f"{prefect_server.api}/artifacts/filter",
                        {"artifacts": {"flow_run_id": {"any_": [ingest_local_run["id"]]}}})
    assert status == 200
    by_key = {a["key"]: a for a in arts}
    summary = by_key["ingest-summary"]
    assert summary["type"] == "markdown" and "| **documents loaded** | **10** |" in summary["data"]
    assert by_key["new-speeches"]["type"] == "table"
    status, latest = http("GET", f"{prefect_server.api}/artifacts/ingest-summary/latest")
    assert status == 200 and latest["flow_run_id"] == ingest_local_run["id"]


def test_scheduler_creates_runs_at_six_in_shanghai(prefect_server, deployed):
    import time

    dep = deployed["deployments"]["ingest-local"]
    deadline = time.monotonic() + 90
    while True:
        _, runs = http("POST", f"{prefect_server.api}/flow_runs/filter", {
            "deployments": {"id": {"any_": [dep["id"]]}}, "flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}})
        if runs or time.monotonic() > deadline:
            break
        time.sleep(2)
    assert runs, "the scheduler created no runs for ingest-local within 90 s"
    for run in runs:
        when = datetime.fromisoformat(run["expected_start_time"].replace("Z", "+00:00")).astimezone(ZoneInfo("Asia/Shanghai"))
        assert (when.hour, when.minute) == (6, 0)


def test_server_rejects_parameters_outside_the_schema(prefect_server, deployed):
    dep = deployed["deployments"]["ingest-local"]
    status, body = http("POST", f"{prefect_server.api}/deployments/{dep['id']}/create_flow_run",
                        {"parameters": {"segmenter": "pkuseg"}})
    assert status in (409, 422) and "segmenter" in str(body) or "pkuseg" in str(body), (status, body)


def test_missing_entrypoints_are_only_the_fetch_branch_flows(deployed):
    assert set(deployed["missing"]) <= {"crawl-sources", "reprocess"}


def test_ingest_serve_registers_a_scheduled_deployment_and_runs_it(prefect_server, tmp_path):
    """`ingest serve`: one process, no pool or worker; a UI-triggered run executes inside it."""
    import sys
    import time
    from pathlib import Path

    from prefect_server import _stop

    wh = tmp_path / "served"
    exe = str(Path(sys.executable).with_name("ingest"))
    proc = prefect_server.start([exe, "serve", "--warehouse", str(wh), "--name", "serve-test",
                                 "--cron", "15 7 * * *"], "serve.log")
    try:
        deadline = time.monotonic() + 120
        dep = None
        while dep is None:
            assert proc.poll() is None, (prefect_server.tmp / "serve.log").read_text()
            _, found = http("POST", f"{prefect_server.api}/deployments/filter",
                            {"deployments": {"name": {"any_": ["serve-test"]}}})
            dep = found[0] if found else None
            assert time.monotonic() < deadline, "ingest serve registered no deployment within 120 s"
            time.sleep(1)
        assert [(s["schedule"]["cron"], s["schedule"]["timezone"], s["active"]) for s in dep["schedules"]] == \
            [("15 7 * * *", "Asia/Shanghai", True)]
        status, run = http("POST", f"{prefect_server.api}/deployments/{dep['id']}/create_flow_run", {})
        assert status == 201, (status, run)
        assert prefect_server.wait_for_run(run["id"], timeout=180)["state_type"] == "COMPLETED"
        assert (wh / "speeches.duckdb").exists()
    finally:
        _stop(proc)
