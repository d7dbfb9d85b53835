"""The benchmarks' Prefect server goes when a benchmark is stopped by a signal, not only on Ctrl-C."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCRIPT = """
import sys, time
from pathlib import Path
sys.path.insert(0, {bench!r})
from run_bench import PrefectServer
with PrefectServer(Path({home!r})) as server:
    print(server.port, server.proc.pid, flush=True)
    time.sleep(600)
"""


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_benchmark_stopped_by_a_signal_stops_its_prefect_server(tmp_path, sig):
    bench = subprocess.Popen([sys.executable, "-c", SCRIPT.format(bench=str(BENCH), home=str(tmp_path / "home"))],
                             stdout=subprocess.PIPE, text=True)
    try:
        port, server_pid = map(int, bench.stdout.readline().split())
        assert listening(port)
        bench.send_signal(sig)
        assert bench.wait(timeout=60) == 128 + sig
        deadline = time.time() + 30
        while time.time() < deadline and listening(port):
            time.sleep(0.2)
        assert not listening(port)
        assert not psutil.pid_exists(server_pid) or psutil.Process(server_pid).status() == psutil.STATUS_ZOMBIE
    finally:
        if bench.poll() is None:
            bench.kill()
