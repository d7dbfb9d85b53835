"""Staging alone, in this one process: the first MB of a corpus planned into parts and staged as a
worker stages them (read, extract, clean, segment, fingerprint, write Parquet), into a throwaway
warehouse; prints the CPU seconds. Something to profile (see spy_shares.py), not a benchmark.

    .venv/bin/python bench/stage_alone.py bench/out/real-60mb 10
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))


def main() -> None:
    from ingest import stages
    from ingest.segment import get_segmenter
    from ingest.sources.files import discover_files
    from ingest.storage.warehouse import Warehouse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", help="a directory of input files")
    ap.add_argument("mb", type=float, nargs="?", default=5.0, help="how many MB of it (default 5)")
    args = ap.parse_args()
    refs, total = [], 0
    for ref in discover_files([args.corpus]):
        if total >= args.mb * 1e6:
            break
        refs.append(ref)
        total += ref.size
    if not refs:
        raise SystemExit(f"no input files under {args.corpus}")
    get_segmenter("rjieba")  # the dictionary, loaded before the clock as a worker has it
    with tempfile.TemporaryDirectory() as tmp:
        wh = Warehouse.at(Path(tmp) / "wh")
        stages.prepare_warehouse(wh)
        start = time.process_time()
        for call in stages._part_calls(wh, "profile", 0, refs, "rjieba"):
            stages.stage_part(*call)
        cpu = time.process_time() - start
    print(f"{len(refs)} files, {total / 1e6:.1f} MB staged in {cpu:.2f} CPU s ({total / 1e6 / cpu:.2f} MB/s)")


if __name__ == "__main__":
    main()
