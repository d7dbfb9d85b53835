"""Where a process's time goes: py-spy's raw samples summed by function, as shares of a root's samples.

    py-spy record -r 250 -f raw -o stage.raw -- .venv/bin/python bench/stage_alone.py bench/out/real-60mb 10
    python bench/spy_shares.py stage.raw stage_part

    py-spy record -r 200 -f raw -o decide.raw -- .venv/bin/python bench/decision_rss.py replay bench/out/staged-real-60
    python bench/spy_shares.py decide.raw _decide_duplicates

Only samples whose stack holds the root function count. "inclusive" is the share of those samples
in which a function is on the stack (what it calls included), "self" the share in which it is the
innermost frame. py-spy is not a dependency of the project (`pip download py-spy` brings a
static binary in a wheel); any sampler that writes the same "frame;frame;... count" lines will do.
"""
from __future__ import annotations

import argparse
import re
from collections import Counter


def shares(lines, root: str) -> tuple[int, Counter, Counter]:
    """(samples under `root`, inclusive counts, self counts) by "function (file)"."""
    inclusive, own, total = Counter(), Counter(), 0
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_name(f) for f in stack.split(";")]
        if not any(f.startswith(root + " ") for f in frames):
            continue
        n = int(count)
        total += n
        for f in set(frames):
            inclusive[f] += n
        own[frames[-1]] += n
    return total, inclusive, own


def _name(frame: str) -> str:
    # "stage_part (/path/to/src/ingest/stages.py:121)" -> "stage_part (ingest/stages.py)"
    frame = re.sub(r":\d+\)$", ")", frame)
    return re.sub(r"\((?:.*/site-packages/|.*/src/)", "(", frame)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("raw", help="py-spy record -f raw output")
    ap.add_argument("root", help="count only samples under this function (e.g. stage_part)")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args()
    with open(args.raw, encoding="utf-8") as fh:
        total, inclusive, own = shares(fh, args.root)
    if not total:
        raise SystemExit(f"no sample has {args.root} on its stack")
    print(f"{total} samples under {args.root}")
    for title, counts in (("inclusive", inclusive), ("self", own)):
        print(f"--- {title}")
        for name, n in counts.most_common(args.top):
            print(f"{100 * n / total:5.1f} %  {name}")


if __name__ == "__main__":
    main()
