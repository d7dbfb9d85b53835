"""Interleaved A/B of `ingest run` between two versions of the code: A, B, A, B ... on the same corpus.

Each round ingests the corpus into an empty warehouse with each version (then re-runs it over the
unchanged input), against one running Prefect server, alternating so that the load of other
processes falls on both alike. Prints the medians of wall time, CPU seconds, the peak RSS of
the process tree and (without re-runs) the decision's and the load's task spans as the Prefect
server recorded them. A version is a commit (git archive into bench/out/code-SHA) or `worktree`.
With --jieba, plain jieba.lcut runs in each round too (the ratio's yardstick, side by side).
With --onto, each round's warehouse starts as a copy of that one (a daily run: a few new files
against everything loaded before), and --corpus names the directories to run instead.

    python bench/ab_run.py [--a main] [--b worktree] [--mb 60] [--rounds 4]
    python bench/ab_run.py --kind real --mb 20,60,120 --rounds 3 --jieba --no-rerun
    python bench/ab_run.py --onto bench/out/wh-real-120mb --corpus DAILY_DIR --no-rerun
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

from run_bench import BIN, OUT, PrefectServer, ensure_corpus, flow_stages, jieba_baseline, snapshot, timed_tree  # noqa: E402


def env_for(version: str, base: dict) -> tuple[str, dict]:
    if version == "worktree":
        return "worktree", dict(base)
    sha = snapshot(version)
    return sha, {**base, "PYTHONPATH": str(OUT / f"code-{sha}" / "src")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--a", default="main")
    ap.add_argument("--b", default="worktree")
    ap.add_argument("--mb", default="60", help="corpus sizes in MB, comma separated")
    ap.add_argument("--kind", choices=("generated", "real"), default="generated")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--jieba", action="store_true", help="plain jieba.lcut in each round too")
    ap.add_argument("--no-rerun", action="store_true", help="skip the re-run over unchanged input")
    ap.add_argument("--onto", type=Path, help="each round's warehouse starts as a copy of this one")
    ap.add_argument("--corpus", type=Path, action="append", default=[],
                    help="a directory to run (instead of --kind/--mb corpora; repeatable)")
    args = ap.parse_args()
    if args.onto and not (args.onto / "speeches.duckdb").exists():
        sys.exit(f"--onto {args.onto}: no warehouse there")
    corpora = [(c.name, c) for c in args.corpus] or \
        [(f"{args.kind} {float(m):g} MB", None) for m in args.mb.split(",")]
    base = {**os.environ, "PREFECT_HOME": str(OUT / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "COLUMNS": "200"}
    versions = [env_for(v, base) for v in (args.a, args.b)]
    summary = []
    with PrefectServer(OUT / "prefect-home") as server:
        os.environ.update(PREFECT_API_URL=server.url, PREFECT_HOME=base["PREFECT_HOME"])  # (flow_stages asks it)
        for label, corpus in corpora:
            corpus = corpus or ensure_corpus(float(label.split()[-2]), args.kind)
            stats: dict[str, dict[str, list[float]]] = {
                name: {"wall": [], "cpu": [], "rss": [], "rerun": [], "decision": [], "load": []}
                for name, _ in versions}
            jieba: dict[str, list[float]] = {"wall": [], "cpu": []}
            for n in range(args.rounds):
                if args.jieba:
                    j = jieba_baseline(corpus)
                    jieba["wall"].append(j["seconds"])
                    jieba["cpu"].append(j["cpu_seconds"])
                    print(f"{label} round {n + 1} plain jieba: {j['seconds']:.2f} s wall, "
                          f"{j['cpu_seconds']:.1f} CPU s", flush=True)
                order = versions if n % 2 == 0 else versions[::-1]
                for name, env in order:
                    env = {**env, "PREFECT_API_URL": server.url}
                    wh = OUT / f"ab-wh-{name}"
                    shutil.rmtree(wh, ignore_errors=True)
                    if args.onto:
                        shutil.copytree(args.onto, wh, ignore=shutil.ignore_patterns(".staging"))
                    cmd = [str(BIN / "ingest"), "run", str(corpus), "--warehouse", str(wh)]
                    first = timed_tree(cmd, env)
                    again = None if args.no_rerun else timed_tree(cmd, env)
                    stats[name]["wall"].append(first["seconds"])
                    stats[name]["cpu"].append(first["cpu_seconds"])
                    stats[name]["rss"].append(first["peak_rss_mb"])
                    if again:
                        stats[name]["rerun"].append(again["seconds"])
                    # the decision's and the load's task spans as the Prefect server recorded them
                    # (a whole run's rounds spread wider than a stage's change; the batch tasks
                    # only collect what staging, begun before the flow, did)
                    spans = {} if again else flow_stages(server.url, wh)
                    for key, task in (("decision", "find duplicates"), ("load", "load warehouse")):
                        if task in spans:
                            stats[name][key].append(spans[task]["seconds"])
                    print(f"{label} round {n + 1} {name}: {first['seconds']:.2f} s wall, "
                          f"{first['cpu_seconds']:.1f} CPU s, peak RSS {first['peak_rss_mb']:.0f} MB"
                          + (f", re-run {again['seconds']:.2f} s" if again else "")
                          + "".join(f", {key} {stats[name][key][-1]:.2f} s" for key in ("decision", "load")
                                    if len(stats[name][key]) == n + 1)
                          + f", load average {os.getloadavg()[0]:.1f}", flush=True)
                    shutil.rmtree(wh, ignore_errors=True)
            for name, s in stats.items():
                line = (f"{label:>16} {name:>10}: median {statistics.median(s['wall']):.2f} s wall, "
                        f"{statistics.median(s['cpu']):.1f} CPU s, peak RSS {statistics.median(s['rss']):.0f} MB")
                if s["rerun"]:
                    line += f", re-run {statistics.median(s['rerun']):.2f} s"
                line += "".join(f", {key} {statistics.median(s[key]):.2f} s" for key in ("decision", "load")
                                if s[key])
                if jieba["wall"]:
                    line += (f"; plain jieba {statistics.median(jieba['wall']):.2f} s wall -> "
                             f"x{statistics.median(jieba['wall']) / statistics.median(s['wall']):.2f}")
                summary.append(line + f"  ({args.rounds} rounds)")
    print()
    print("\n".join(summary))


if __name__ == "__main__":
    main()
