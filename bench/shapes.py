"""Peak memory of `ingest run` by corpus shape: short, ordinary and long documents of real paragraphs.

    .venv/bin/python bench/shapes.py [--sizes 20,60,120] [--shapes short,ordinary,long]

Each shape is recombined from the dev set's paragraphs like `make bench`'s real corpus
(gen_real_corpus.py; needs ../shared/devset; written under bench/out/, never shipped), with
another number of paragraphs per document: short notices (1-2, ~0.3 KB), the ordinary corpus
(6-24, ~2.6 KB) and long reports (150-350, ~40 KB). One `ingest run` per shape and size into an
empty warehouse, against one running Prefect server; the figure is the peak RSS of the process
tree (polled every 20 ms) and its growth from the smallest to the largest size. Memory figures
are steady from run to run; the seconds are one run's, on a shared machine.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import gen_real_corpus  # noqa: E402
from run_bench import BIN, OUT, PrefectServer, ensure_real_corpus, timed_tree  # noqa: E402

SHAPES = {"short": (1, 2), "ordinary": (6, 24), "long": (150, 350)}


def ensure_shape_corpus(shape: str, mb: float) -> Path:
    # the ordinary shape is the very corpus `make bench` reports (bench/out/real-<mb>mb)
    return ensure_real_corpus(mb, SHAPES[shape], "" if shape == "ordinary" else shape)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="20,60,120", help="corpus sizes in MB, comma separated")
    ap.add_argument("--shapes", default="short,ordinary,long", help=f"of {', '.join(SHAPES)}")
    args = ap.parse_args()
    if gen_real_corpus.find_devset() is None:
        sys.exit("bench/shapes.py needs the dev set (../shared/devset or $BENCH_DEVSET) to recombine its paragraphs")
    sizes = sorted(float(x) for x in args.sizes.split(","))
    shapes = args.shapes.split(",")
    rows = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a killed bench stops its Prefect server too
    with PrefectServer(OUT / "prefect-home-shapes") as server:
        env = {**os.environ, "PREFECT_API_URL": server.url}
        for shape in shapes:
            for mb in sizes:
                corpus = ensure_shape_corpus(shape, mb)
                files = json.loads((corpus / ".generated.json").read_text())["files"]
                wh = OUT / f"wh-shape-{shape}-{mb:g}mb"
                shutil.rmtree(wh, ignore_errors=True)
                run = timed_tree([str(BIN / "ingest"), "run", str(corpus), "--warehouse", str(wh)], env)
                rows.append((shape, mb, files, run["peak_rss_mb"], run["seconds"]))
                print(f"  {shape} {mb:g} MB: {files} files, peak RSS {run['peak_rss_mb']:.0f} MB, "
                      f"{run['seconds']:.1f} s, load average {os.getloadavg()[0]:.1f}", flush=True)
                shutil.rmtree(wh, ignore_errors=True)
    print(f"\n{'shape':>9} {'MB':>5} {'files':>7} {'KB/file':>8} {'peak RSS MB':>12} {'seconds':>8}")
    for shape, mb, files, peak, seconds in rows:
        print(f"{shape:>9} {mb:5g} {files:7d} {mb * 1000 / files:8.1f} {peak:12.0f} {seconds:8.1f}")
    for shape in shapes:
        peaks = [r[3] for r in rows if r[0] == shape]
        print(f"{shape}: peak RSS {min(sizes):g} -> {max(sizes):g} MB: {peaks[0]:.0f} -> {peaks[-1]:.0f} MB "
              f"({(peaks[-1] / peaks[0] - 1) * 100:+.0f}%), largest {max(peaks):.0f} MB")


if __name__ == "__main__":
    main()
