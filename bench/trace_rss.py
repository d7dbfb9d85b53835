"""Where a run's memory goes over time: `ingest run` on a shape corpus, the RSS of each process
of its tree sampled every 0.1 s, printed every 5 s, and the peak.

    python bench/trace_rss.py short 120
    INGEST_BATCH_BYTES=110000 python bench/trace_rss.py short 20      # 180 batches instead of 31

The first number of a line is the tree's total, then one per process (the flow's process first,
then the staging workers while they run); the run's own log lines that mark its stages (the
plan, the duplicate decision, the load) are printed where they fall, batch lines left out.
Environment variables pass through to `ingest run`.
Corpora as `bench/shapes.py` (cached under bench/out); a Prefect server is started for the run.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run_bench import BIN, OUT, PrefectServer, tree_rss  # noqa: E402
from shapes import SHAPES, ensure_shape_corpus  # noqa: E402


def trace(shape: str, mb: float, every: float = 0.1) -> tuple[list[tuple[float, list[int]]], list[tuple[float, str]]]:
    """(seconds since start, RSS MB of each process of the tree) every `every` seconds, and the
    run's output lines with the second each was read."""
    corpus = ensure_shape_corpus(shape, mb)
    wh = OUT / f"wh-trace-{shape}-{mb:g}"
    shutil.rmtree(wh, ignore_errors=True)
    samples, lines = [], []
    try:
        with PrefectServer(OUT / "prefect-home-shapes") as server:
            env = {**os.environ, "PREFECT_API_URL": server.url}
            run = subprocess.Popen([str(BIN / "ingest"), "run", str(corpus), "--warehouse", str(wh)], env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
            root, start = psutil.Process(run.pid), time.time()
            reader = threading.Thread(target=lambda: lines.extend((time.time() - start, line.rstrip())
                                                                  for line in run.stdout), daemon=True)
            reader.start()
            try:
                while run.poll() is None:
                    samples.append((time.time() - start, [r >> 20 for r in tree_rss(root)]))
                    time.sleep(every)
            finally:
                if run.poll() is None:  # the trace was stopped: so is its run
                    run.kill()
                    run.wait()
            reader.join(timeout=10)
            if run.returncode:
                raise SystemExit(f"ingest run failed ({run.returncode}):\n" + "\n".join(l for _, l in lines[-20:]))
    finally:
        shutil.rmtree(wh, ignore_errors=True)
    return samples, lines


def stage_marks(lines: list[tuple[float, str]]) -> list[tuple[float, str]]:
    """The log lines that mark where a run is: task runs ended, the flow's own counts;
    not the per-batch lines (a run of notices has hundreds)."""
    keep = ("Finished in state", "dedup:", "inputs found", "loaded ")
    return [(t, line) for t, line in lines
            if any(k in line for k in keep) and "stage-batch" not in line and "batch " not in line]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("shape", choices=sorted(SHAPES))
    ap.add_argument("mb", type=float)
    ap.add_argument("--print-every", type=float, default=5.0, help="seconds between printed lines")
    args = ap.parse_args()
    samples, lines = trace(args.shape, args.mb)
    marks = stage_marks(lines)
    last = -args.print_every
    for t, rss in samples:
        while marks and marks[0][0] <= t:
            print(f"{marks[0][0]:7.1f}s   | {marks.pop(0)[1][-110:]}")
        if t - last >= args.print_every:
            print(f"{t:7.1f}s {sum(rss):6d} MB {rss}")
            last = t
    t, rss = max(samples, key=lambda s: sum(s[1]))
    print(f"peak {sum(rss)} MB at {t:.1f} s {rss}; wall {samples[-1][0]:.1f} s")


if __name__ == "__main__":
    main()
