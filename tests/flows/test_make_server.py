"""`make server` on a machine without outbound network: the server stays up, logs to a file, and a
stale PID file from a server that died does not stop the next start."""
import os
import re
import subprocess
import time

import pytest

from prefect_server import ROOT, _tail, free_port, http

pytestmark = pytest.mark.server

TELEMETRY_ERROR = re.compile(r"Failed to send telemetry|ERROR .*send_telemetry_heartbeat")


def make(target: str, home, port: int, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return subprocess.run(["make", "--no-print-directory", target, f"PREFECT_HOME={home}", f"PREFECT_PORT={port}", *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def test_make_server_survives_failing_telemetry_and_clears_a_stale_pid_file(tmp_path):
    home, port = tmp_path / "prefect-home", free_port()
    home.mkdir()
    gone = subprocess.Popen(["true"])
    gone.wait()
    (home / "server.pid").write_text(str(gone.pid))  # a server that died and left its PID file
    log = home / f"server-{port}.log"
    # Analytics on, as on a machine where nobody turned them off: telemetry cannot reach its host
    # here and logs an error, which killed a server started with `prefect server start --background`.
    started = make("server", home, port, "ANALYTICS=true")
    pid = int((home / "server.pid").read_text()) if (home / "server.pid").exists() else None
    try:
        assert started.returncode == 0, started.stdout + started.stderr + _tail(log)
        assert f"removing stale {home}/server.pid" in started.stdout
        assert f"log in {log}" in started.stdout
        # The first heartbeat fails one way or another here (no route out, or the fresh SQLite database
        # still locked by migrations); either error line on the server's output is what killed it.
        deadline = time.monotonic() + 150
        while (not TELEMETRY_ERROR.search(log.read_text("utf-8", "replace"))
               and alive(pid) and time.monotonic() < deadline):
            time.sleep(2)
        assert TELEMETRY_ERROR.search(log.read_text("utf-8", "replace")), _tail(log)
        time.sleep(3)
        assert alive(pid) and http("GET", f"http://127.0.0.1:{port}/api/health")[0] == 200
        again = make("server", home, port)
        assert again.returncode == 0 and "already running" in again.stdout
        stopped = make("server-stop", home, port)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        deadline = time.monotonic() + 30
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not alive(pid)
    finally:
        if pid and alive(pid):
            os.kill(pid, 15)
