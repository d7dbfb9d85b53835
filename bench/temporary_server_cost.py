"""What Prefect's temporary server costs an `ingest run`: the same run with and without a running server.

Rounds alternate (server, temporary, server, ...) so load from other processes hits both alike;
each run ingests the bundled sample corpus into an empty warehouse. Prints the medians and their
difference, the figure `ingest run` quotes when it starts a temporary server.

    python bench/temporary_server_cost.py [--rounds 5]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run_bench import BIN, PrefectServer  # noqa: E402


def timed_run(env: dict, warehouse: Path) -> float:
    shutil.rmtree(warehouse, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.run([str(BIN / "ingest"), "run", "--warehouse", str(warehouse)], env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(proc.stdout[-2000:] + proc.stderr[-2000:])
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="temporary-server-cost-"))
    home = work / "prefect-home"
    base = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    base.pop("PREFECT_API_URL", None)
    try:
        # The temporary server's first start in a new PREFECT_HOME also creates its database.
        first = timed_run(base, work / "wh")
        with PrefectServer(work / "server-home") as server:
            with_server, temporary = [], []
            for n in range(args.rounds):
                with_server.append(timed_run({**base, "PREFECT_API_URL": server.url}, work / "wh"))
                temporary.append(timed_run(base, work / "wh"))
                print(f"round {n + 1}: with a server {with_server[-1]:.2f} s, temporary server {temporary[-1]:.2f} s, "
                      f"load average {os.getloadavg()[0]:.1f}", flush=True)
        a, b = statistics.median(with_server), statistics.median(temporary)
        print(f"first run in a new PREFECT_HOME (temporary server, creates its database): {first:.2f} s")
        print(f"median with a running server: {a:.2f} s; with a temporary server: {b:.2f} s; "
              f"temporary server cost: {b - a:.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
