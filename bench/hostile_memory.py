"""Peak RSS of `ingest run` against hostile inputs: compression bombs, and one-line files of given sizes.

    .venv/bin/python bench/hostile_memory.py [--bomb-gib 2] [--line-mb 5 20]

Each case is a fresh `ingest run` (with its temporary Prefect server) into a scratch warehouse;
the figure is the largest RSS of that process and its children (getrusage). Memory figures are
not noisy; the elapsed seconds are, on a shared machine.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "hostile")]
INGEST = str(Path(sys.executable).with_name("ingest"))
FETCH_ENV = {"INGEST_FETCH_TIMEOUT": "5", "INGEST_FETCH_RETRIES": "0", "INGEST_FETCH_DELAY": "0"}


def peak_of(args: list[str], env: dict | None = None) -> tuple[float, float, str]:
    """(peak RSS in MB, seconds, the summary's rejects line) of one `ingest` command."""
    code = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); print(p.returncode);"
            "print(next((l for l in p.stdout.splitlines() if 'rejects:' in l), p.stderr[-300:]).strip())")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, INGEST, *args], capture_output=True, text=True,
                         env={**os.environ, **(env or {})}, timeout=1200).stdout.splitlines()
    return int(out[0]) / 1024, time.perf_counter() - start, f"exit {out[1]}, {out[2]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-gib", type=int, default=2, help="GiB each bomb decodes to")
    parser.add_argument("--line-mb", type=int, nargs="*", default=[5, 20], help="sizes of one-line files (MB)")
    args = parser.parse_args()
    from hostile_sites import hostile_site

    with tempfile.TemporaryDirectory(prefix="hostile-memory-") as tmp:
        tmp = Path(tmp)
        with hostile_site(args.bomb_gib) as site:
            for pages in (["plain", "gzipped"], ["plain", "bomb-gzip-gzip", "bomb-gzip-deflate"]):
                urls = [f"{site.base}/news/{p}.html" for p in pages]
                mb, s, note = peak_of(["run", *urls, "--warehouse", str(tmp / "-".join(pages)),
                                       "--allow-private-hosts"], FETCH_ENV)
                print(f"web {'+'.join(pages):<40} peak {mb:7.0f} MB  {s:5.1f} s  {note}", flush=True)
        line = ("很长的一行没有换行。" * 1000).encode()
        for size in args.line_mb:
            corpus = tmp / f"line-{size}"
            corpus.mkdir()
            with open(corpus / "one-line.txt", "wb") as fh:
                for _ in range(-(-size * 1_000_000 // len(line))):
                    fh.write(line)
            mb, s, note = peak_of(["run", str(corpus), "--warehouse", str(tmp / f"wh-{size}"),
                                   "--max-file-bytes", str(size * 2_000_000)])
            print(f"file one line of {size:>4} MB{'':<22} peak {mb:7.0f} MB  {s:5.1f} s  {note}", flush=True)


if __name__ == "__main__":
    main()
