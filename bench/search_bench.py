"""Query latency of `ingest search` (and of kwic, collocates, term_trend) on a 60 MB warehouse.

Builds the warehouse from bench/gen_corpus.py's 60 MB corpus with the real `ingest run` the first
time (bench/out/search-wh-60mb; `--runs-per-dir` builds it in one run per corpus directory, as a
warehouse grown by daily runs is), then reuses it. Prints, per query, the median of --repeat
timings of:
  - the in-process call: ingest.search.search() on an open read-only connection (query parsing,
    segmentation and the SQL, with snippets), and the analyst macros through the same connection;
  - the whole command: `ingest search QUERY --warehouse W` as a user runs it (Python start-up,
    imports, the segmenter's dictionary, opening the database, the query, printing).

    python bench/search_bench.py [--mb 60] [--repeat 7] [--runs-per-dir]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run_bench import BIN, OUT, PrefectServer, ensure_corpus  # noqa: E402

QUERIES = [
    ("two terms, AND", "新质生产力 人才", []),
    ("a dictionary term", "两个确立", []),
    ("a split word (phrase)", "组织工作", []),
    ("OR and a group", "(新质生产力 OR 两个确立) 干部", []),
    ("filtered", "新质生产力 人才", ["--since", "2024", "--org", "市"]),
]
MACROS = [
    ("kwic('两个确立', 10)", "SELECT count(*) FROM kwic('两个确立', 10)"),
    ("kwic('人才', 10)", "SELECT count(*) FROM kwic('人才', 10)"),
    ("collocates('新质生产力', 5)", "SELECT count(*) FROM collocates('新质生产力', 5)"),
    ("term_trend('人才', by := 'organization')", "SELECT count(*) FROM term_trend('人才', by := 'organization')"),
]


def build_warehouse(corpus: Path, wh: Path, per_dir: bool) -> None:
    """`ingest run` into wh; again (a no-op run) when it exists, which brings its schema up to date."""
    dirs = sorted(p for p in corpus.iterdir() if p.is_dir()) if per_dir else [corpus]
    with PrefectServer(OUT / "search-bench-prefect") as server:
        env = {**os.environ, "PREFECT_API_URL": server.url}
        for d in dirs:
            start = time.perf_counter()
            proc = subprocess.run([str(BIN / "ingest"), "run", str(d), "--warehouse", str(wh)], env=env,
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(proc.stdout[-3000:] + proc.stderr[-3000:])
            print(f"  ingest run {d.name}: {time.perf_counter() - start:.1f} s", flush=True)


def median_ms(fn, repeat: int) -> tuple[float, float, object]:
    """Median wall ms, median CPU ms (this process's threads and its finished children), last result.

    CPU time is the figure to compare on a busy machine: other processes stretch the wall time.
    """
    import resource

    def cpu() -> float:
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime

    walls, cpus, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), cpu()
        result = fn()
        walls.append(time.perf_counter() - start)
        cpus.append(cpu() - start_cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000, result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=60)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--runs-per-dir", action="store_true", help="build the warehouse in one run per corpus directory")
    args = ap.parse_args()
    corpus = ensure_corpus(args.mb)
    wh = OUT / f"search-wh-{args.mb:g}mb{'-runs' if args.runs_per_dir else ''}"
    print(f"warehouse {wh} (corpus {corpus})", flush=True)
    build_warehouse(corpus, wh, args.runs_per_dir and not (wh / "speeches.duckdb").exists())

    import duckdb

    from ingest.search import parse_query, parse_since, search
    from ingest.segment import get_segmenter

    get_segmenter()  # the command pays for this too; counted there, not in every in-process call
    con = duckdb.connect(str(wh / "speeches.duckdb"), read_only=True)
    facts = con.execute("SELECT (SELECT count(*) FROM speeches), (SELECT sum(token_count) FROM speeches), "
                        "(SELECT count(*) FROM tokens), (SELECT count(DISTINCT run_id) FROM runs)").fetchone()
    lake_mb = sum(p.stat().st_size for p in (wh / "lake" / "tokens").rglob("*.parquet")) / 1e6
    files = len(list((wh / "lake" / "tokens").rglob("*.parquet")))
    print(f"{facts[0]} canonical speeches, {facts[1]:,} of their tokens, {facts[2]:,} tokens in the lake "
          f"({files} files, {lake_mb:.0f} MB), {facts[3]} runs; median of {args.repeat}, load average "
          f"{os.getloadavg()[0]:.1f}")
    print()
    print(f"{'':<34} {'':>7} {'in-process search()':>20} {'ingest search (command)':>24}")
    print(f"{'query':<34} {'matches':>7} {'wall ms':>9} {'CPU ms':>10} {'wall ms':>11} {'CPU ms':>12}")
    results = []
    for label, query, options in QUERIES:
        since = parse_since(options[options.index("--since") + 1]) if "--since" in options else None
        org = options[options.index("--org") + 1] if "--org" in options else None
        wall, cpu, _ = median_ms(lambda: search(con, parse_query(query), limit=10, since=since, org=org), args.repeat)
        cmd = [str(BIN / "ingest"), "search", query, "--warehouse", str(wh), *options]
        cmd_wall, cmd_cpu, _ = median_ms(lambda: subprocess.run(cmd, capture_output=True, check=True), args.repeat)
        total = con.execute("SELECT count(*) FROM search_ranked($l, $c)",
                            {"l": parse_query(query).leaves, "c": parse_query(query).clauses}).fetchone()[0]
        shown = f"{query} {' '.join(options)}".strip()
        print(f"{shown:<34} {total:>7} {wall:>9.0f} {cpu:>10.0f} {cmd_wall:>11.0f} {cmd_cpu:>12.0f}   ({label})",
              flush=True)
        results.append({"query": shown, "matching": total, "in_process_ms": wall, "in_process_cpu_ms": cpu,
                        "command_ms": cmd_wall, "command_cpu_ms": cmd_cpu})
    print()
    print(f"{'macro':<44} {'rows':>7} {'wall ms':>9} {'CPU ms':>10}")
    for label, sql in MACROS:
        wall, cpu, (n,) = median_ms(lambda: con.execute(sql).fetchone(), args.repeat)
        print(f"{label:<44} {n:>7} {wall:>9.0f} {cpu:>10.0f}", flush=True)
        results.append({"macro": label, "rows": n, "in_process_ms": wall, "in_process_cpu_ms": cpu})
    print(f"\nload average at the end {os.getloadavg()[0]:.1f} (figures from a busy machine: compare CPU ms)")
    con.close()
    (OUT / "search_bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
