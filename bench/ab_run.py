"""Interleaved A/B of `ingest run` between two versions of the code: A, B, A, B ... on the same corpus.

Each round ingests the generated corpus into an empty warehouse with each version (then re-runs it
over the unchanged input), against one running Prefect server, alternating so that the load of
other processes falls on both alike. Prints the medians of wall time and CPU seconds of the
process tree. A version is a commit (git archive into bench/out/code-SHA) or `worktree`.

    python bench/ab_run.py [--a main] [--b worktree] [--mb 60] [--rounds 4]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run_bench import BIN, OUT, PrefectServer, ensure_corpus, snapshot, timed_tree  # noqa: E402


def env_for(version: str, base: dict) -> tuple[str, dict]:
    if version == "worktree":
        return "worktree", dict(base)
    sha = snapshot(version)
    return sha, {**base, "PYTHONPATH": str(OUT / f"code-{sha}" / "src")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", default="main")
    ap.add_argument("--b", default="worktree")
    ap.add_argument("--mb", type=float, default=60)
    ap.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args()
    corpus = ensure_corpus(args.mb)
    base = {**os.environ, "PREFECT_HOME": str(OUT / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "COLUMNS": "200"}
    versions = [env_for(v, base) for v in (args.a, args.b)]
    stats: dict[str, dict[str, list[float]]] = {name: {"wall": [], "cpu": [], "rerun": []} for name, _ in versions}
    with PrefectServer(OUT / "prefect-home") as server:
        for n in range(args.rounds):
            order = versions if n % 2 == 0 else versions[::-1]
            for name, env in order:
                env = {**env, "PREFECT_API_URL": server.url}
                wh = OUT / f"ab-wh-{name}"
                shutil.rmtree(wh, ignore_errors=True)
                cmd = [str(BIN / "ingest"), "run", str(corpus), "--warehouse", str(wh)]
                first = timed_tree(cmd, env)
                again = timed_tree(cmd, env)
                stats[name]["wall"].append(first["seconds"])
                stats[name]["cpu"].append(first["cpu_seconds"])
                stats[name]["rerun"].append(again["seconds"])
                print(f"round {n + 1} {name}: {first['seconds']:.2f} s wall, {first['cpu_seconds']:.1f} CPU s, "
                      f"re-run {again['seconds']:.2f} s, load average {os.getloadavg()[0]:.1f}", flush=True)
                shutil.rmtree(wh, ignore_errors=True)
    print()
    for name, s in stats.items():
        print(f"{name:>10}: median {statistics.median(s['wall']):.2f} s wall, {statistics.median(s['cpu']):.1f} CPU s, "
              f"re-run {statistics.median(s['rerun']):.2f} s  ({args.rounds} rounds, {args.mb:g} MB)")


if __name__ == "__main__":
    main()
