"""Helpers and fixtures for tests against a real `prefect server` on a free 127.0.0.1 port."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
# flows/ lives beside src/ and is not installed: tests import it from the checkout.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
STARTUP_TIMEOUT = 180
RUN_TIMEOUT = 300
POOL = "ingest-pool"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, body: dict | None = None, timeout: float = 30, attempts: int = 6):
    """(status, parsed JSON) of one request to the Prefect REST API. A busy SQLite database
    answers 503 for a moment; retry those like Prefect's own client does."""
    for attempt in range(attempts):
        status, payload = _request(method, url, body, timeout)
        if status not in (502, 503) or attempt == attempts - 1:
            return status, payload
        time.sleep(1 + 2 * attempt)


def _request(method: str, url: str, body: dict | None, timeout: float):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, raw.decode("utf-8", "replace")


def _tail(path: Path, n: int = 40) -> str:
    try:
        return "\n".join(path.read_text("utf-8", "replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen) -> None:
    """Stop a process we started and everything it spawned (its own session)."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@dataclass
class Server:
    url: str
    api: str
    env: dict
    log: Path
    tmp: Path
    procs: list = field(default_factory=list)

    def start(self, args: list[str], log_name: str, env: dict | None = None) -> subprocess.Popen:
        log = self.tmp / log_name
        proc = subprocess.Popen(args, cwd=ROOT, env={**self.env, **(env or {})}, stdout=log.open("wb"),
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def run(self, args: list[str], timeout: float = 180, env: dict | None = None) -> subprocess.CompletedProcess:
        proc = subprocess.run(args, cwd=ROOT, env={**self.env, **(env or {})}, capture_output=True, text=True,
                              timeout=timeout)
        if proc.returncode != 0:
            raise AssertionError(f"{' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    def wait_for_run(self, flow_run_id: str, timeout: float = RUN_TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _, run = http("GET", f"{self.api}/flow_runs/{flow_run_id}")
            if run["state_type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
                return run
            time.sleep(1)
        logs = "\n\n".join(f"--- {p}\n{_tail(p)}" for p in sorted(self.tmp.glob("*.log")))
        raise AssertionError(f"flow run {flow_run_id} not finished after {timeout} s (state "
                             f"{run['state_type']}); logs:\n{logs}")


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory) -> Server:
    """`prefect server start` in a subprocess with its own PREFECT_HOME; stopped at the end."""
    tmp = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    server_env = {**base, "PREFECT_HOME": str(tmp / "server-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
                  "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
                  "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5"}
    api = f"http://127.0.0.1:{port}/api"
    client_env = {**base, "PREFECT_HOME": str(tmp / "client-home"), "PREFECT_API_URL": api,
                  "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_WORKER_QUERY_SECONDS": "2",
                  "PREFECT_WORKER_PREFETCH_SECONDS": "5", "COLUMNS": "200"}
    server = Server(f"http://127.0.0.1:{port}", api, client_env, tmp / "server.log", tmp)
    proc = server.start([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                        "server.log", env=server_env)
    deadline = time.monotonic() + STARTUP_TIMEOUT
    try:
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"prefect server exited {proc.returncode}:\n{_tail(server.log)}")
            try:
                if http("GET", f"{api}/health", timeout=5)[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"prefect server not healthy after {STARTUP_TIMEOUT} s:\n{_tail(server.log)}")
            time.sleep(1)
        yield server
    finally:
        for p in reversed(server.procs):
            _stop(p)


def deployable_names() -> tuple[list[str], list[str]]:
    """Deployments in prefect.yaml whose entrypoint file exists, and those whose file does not
    (the crawl and reprocess flows come from the fetch branch)."""
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text("utf-8"))
    present, missing = [], []
    for d in spec["deployments"]:
        (present if (ROOT / d["entrypoint"].split(":")[0]).exists() else missing).append(d["name"])
    return present, missing


@pytest.fixture(scope="session")
def deployed(prefect_server, tmp_path_factory) -> dict:
    """The README path: create the pool, deploy, start a worker. Returns deployments by name."""
    s = prefect_server
    wh = tmp_path_factory.mktemp("deployed-warehouse")
    prefect = str(BIN / "prefect")
    s.run([prefect, "work-pool", "create", POOL, "--type", "process"])
    present, missing = deployable_names()
    args = ["--all"] if not missing else [a for n in present for a in ("--name", n)]
    out = s.run([prefect, "--no-prompt", "deploy", *args], timeout=300)
    _, deployments = http("POST", f"{s.api}/deployments/filter", {})
    # The worker's flow runs find the warehouse here instead of ./warehouse in the checkout.
    s.start([prefect, "worker", "start", "--pool", POOL], "worker.log", env={"INGEST_WAREHOUSE": str(wh)})
    return {"deployments": {d["name"]: d for d in deployments}, "warehouse": wh, "deploy_output": out.stdout,
            "present": present, "missing": missing}


@pytest.fixture(scope="session")
def ingest_local_run(prefect_server, deployed) -> dict:
    """One run of the ingest-local deployment, created through the API, executed by the worker."""
    s = prefect_server
    dep = deployed["deployments"]["ingest-local"]
    status, run = http("POST", f"{s.api}/deployments/{dep['id']}/create_flow_run", {})
    assert status == 201, run
    return s.wait_for_run(run["id"])
