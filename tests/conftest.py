"""Shared fixtures: an isolated Prefect home, one Prefect test server per session, the CLI runner."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "ingest" / "data" / "sample"

# Before anything imports Prefect: never touch the user's ~/.prefect, no telemetry, quiet server.
_PREFECT_HOME = tempfile.mkdtemp(prefix="ingest-tests-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_SERVER_LOGGING_LEVEL"] = "CRITICAL"
os.environ.pop("PREFECT_API_URL", None)

# A real `prefect server`, the deployments and a worker, for the `server` and `ui` tests.
from prefect_server import deployed, ingest_local_run, prefect_server  # noqa: E402,F401


@pytest.fixture(scope="session")
def prefect_api() -> str:
    """One temporary Prefect server for the whole session; subprocesses reach it by URL."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield PREFECT_API_URL.value()


@pytest.fixture
def run_cli(prefect_api, tmp_path):
    """Run the real `ingest` console script in a subprocess against the session's Prefect server."""

    def _run(*args: str, env: dict | None = None, check: bool = True,
             timeout: float = 600) -> subprocess.CompletedProcess:
        full_env = {**os.environ, "PREFECT_API_URL": prefect_api, "COLUMNS": "200", **(env or {})}
        exe = Path(sys.executable).with_name("ingest")
        proc = subprocess.run([str(exe), *args], capture_output=True, text=True, env=full_env, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"ingest {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        return proc

    return _run


@pytest.fixture
def warehouse_dir(tmp_path) -> Path:
    return tmp_path / "warehouse"
