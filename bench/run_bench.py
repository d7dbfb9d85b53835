"""`make bench`: ingest run end to end vs plain jieba.lcut, side by side per round, on two kinds of corpus.

generated: speech-like files recombined from the bundled sample (gen_corpus.py), 10 and 60 MB;
real: the paragraphs of the dedup dev set recombined into documents (gen_real_corpus.py), 20, 60
and 120 MB, generated here into bench/out/ from ../shared/devset (never committed: licence);
skipped with a note when the dev set is not on the machine. The last line is the ratio at 60 MB
of real paragraphs.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
BIN = Path(sys.executable).parent
sys.path.insert(0, str(HERE))

from gen_corpus import GENERATOR_VERSION, corpus_digest, generate  # noqa: E402
import gen_real_corpus  # noqa: E402

SEED = 20261123
REAL_SEED = 20261205


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrefectServer:
    """A real `prefect server start` for the benchmark's runs (what a scheduled deployment talks to)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.proc: subprocess.Popen | None = None
        self._handlers: dict = {}

    def __enter__(self) -> "PrefectServer":
        # A benchmark stopped by `kill` or a closed terminal unwinds like Ctrl-C, so the server
        # (its own session) is stopped below instead of outliving the benchmark on its port.
        self._handlers = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGHUP):
                self._handlers[sig] = signal.signal(sig, _exit_on_signal)
        self.home.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PREFECT_HOME": str(self.home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
               "PREFECT_SERVER_LOGGING_LEVEL": "WARNING", "PREFECT_UI_ENABLED": "false"}
        env.pop("PREFECT_API_URL", None)
        self.proc = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                                      "--port", str(self.port)], env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 180
        try:
            while time.time() < deadline:
                try:
                    with urllib.request.urlopen(self.url + "/health", timeout=2) as r:
                        if r.status == 200:
                            return self
                except OSError:
                    time.sleep(0.5)
            raise RuntimeError("prefect server did not become healthy in 180 s")
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc) -> None:
        try:
            if self.proc and self.proc.poll() is None:
                os.killpg(self.proc.pid, 15)  # our own session: the server and its uvicorn child only
                try:
                    self.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, 9)
        finally:
            for sig, handler in self._handlers.items():
                signal.signal(sig, handler)
            self._handlers = {}


def _exit_on_signal(signum, _frame) -> None:
    raise SystemExit(128 + signum)


def tree_rss(root: psutil.Process) -> list[int]:
    """RSS in bytes of a process and of each of its children, in that order (those gone are left out)."""
    try:
        return rss_of([root, *root.children(recursive=True)])
    except psutil.Error:
        return []


def rss_of(procs: list[psutil.Process]) -> list[int]:
    """RSS in bytes of each process still there."""
    rss = []
    for p in procs:
        try:
            rss.append(p.memory_info().rss)
        except psutil.Error:
            pass
    return rss


# How often the sampler looks at the tree's RSS, and (far more costly: psutil reads every process
# on the machine to find the children) at which processes are in it. Listing the children at
# every 20 ms sample took ~10 % of a core, on a 2-core machine, away from the run it measured
# (2.9-4.1 CPU s over a 31-37 s run at real 60 MB; the jieba baseline runs unwatched).
RSS_EVERY = 0.02
CHILDREN_EVERY = 0.25


class TreeSampler:
    """Peak of the summed RSS of a process and its descendants, sampled (a child is counted from
    the first listing after it starts, at most CHILDREN_EVERY late: the run's workers and its
    helper process live for seconds)."""

    def __init__(self, root: psutil.Process) -> None:
        self.root, self.procs, self.listed, self.peak = root, [root], 0.0, 0

    def sample(self) -> None:
        now = time.monotonic()
        if now - self.listed >= CHILDREN_EVERY:
            try:
                self.procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                pass
            self.listed = now
        self.peak = max(self.peak, sum(rss_of(self.procs)))


def timed_tree(cmd: list[str], env: dict) -> dict:
    """Wall time, peak RSS (sampled every 20 ms, the processes listed every 0.25 s) and CPU seconds
    of a process and all its children."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = psutil.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    chunks: list[bytes] = []
    # read as it comes: a run that writes more than the pipe holds would otherwise stop, waiting
    drain = threading.Thread(target=lambda: chunks.extend(iter(lambda: proc.stdout.read(65536), b"")), daemon=True)
    drain.start()
    sampler = TreeSampler(proc)
    while proc.poll() is None:
        sampler.sample()
        time.sleep(RSS_EVERY)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    drain.join()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    output = b"".join(chunks).decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{output[-3000:]}")
    return {"seconds": wall, "cpu_seconds": cpu, "peak_rss_mb": sampler.peak / 1e6, "output": output}


def jieba_baseline(corpus: Path) -> dict:
    out = subprocess.run([sys.executable, str(HERE / "jieba_baseline.py"), str(corpus)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def flow_stages(api_url: str, warehouse: Path) -> dict:
    """Span of each kind of task of the last run, from the Prefect server's own records."""
    import duckdb

    con = duckdb.connect(str(warehouse / "speeches.duckdb"), read_only=True)
    try:
        flow_run_id, = con.execute("SELECT flow_run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()
    finally:
        con.close()
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
        flow = client.read_flow_run(flow_run_id)
    spans: dict[str, list] = {}
    for tr in runs:
        name = (tr.name or "").lower()
        kind = ("plan" if "plan" in name else "stage batches" if "batch" in name else
                "find duplicates" if "duplicate" in name else "load warehouse" if "load" in name else "other")
        if tr.start_time and tr.end_time:
            s = spans.setdefault(kind, [tr.start_time, tr.end_time, 0])
            s[0], s[1], s[2] = min(s[0], tr.start_time), max(s[1], tr.end_time), s[2] + 1
    result = {k: {"seconds": (e - b).total_seconds(), "tasks": n} for k, (b, e, n) in spans.items()}
    if flow.start_time and flow.end_time:
        result["flow run (server)"] = {"seconds": (flow.end_time - flow.start_time).total_seconds(), "tasks": 1}
    return result


def snapshot(rev: str) -> str:
    """The tree of commit REV under bench/out/code-SHA; PYTHONPATH then makes `ingest` import it."""
    sha = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    target = OUT / f"code-{sha}"
    if not target.exists():
        tmp = target.with_name(target.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", sha], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
        tmp.rename(target)
    return sha


def ensure_corpus(mb: float, kind: str = "generated") -> Path:
    if kind == "real":
        return ensure_real_corpus(mb)
    path = OUT / f"corpus-{mb:g}mb"
    stamp = path / ".generated.json"
    if stamp.exists():
        info = json.loads(stamp.read_text())
        if (info.get("seed"), info.get("mb"), info.get("generator")) == (SEED, mb, GENERATOR_VERSION):
            return path
    info = generate(path, int(mb * 1e6), SEED)
    info.update(mb=mb, digest=corpus_digest(path))
    stamp.write_text(json.dumps(info))
    return path


def ensure_real_corpus(mb: float, paragraphs_per_doc: tuple[int, int] = (6, 24), shape: str = "") -> Path:
    """bench/out/real[-shape]-<mb>mb, generated unless its stamp says it is this one already."""
    devset = gen_real_corpus.find_devset()
    path = OUT / f"real{'-' + shape if shape else ''}-{mb:g}mb"
    stamp = path / ".generated.json"
    digest = gen_real_corpus.paragraphs_digest(gen_real_corpus.load_paragraphs(gen_real_corpus.devset_docs(devset)))
    want = (REAL_SEED, mb, gen_real_corpus.REAL_GENERATOR_VERSION, digest, list(paragraphs_per_doc))
    if stamp.exists():
        info = json.loads(stamp.read_text())
        # (corpora stamped before the shape was recorded are the default shape)
        if (info.get("seed"), info.get("mb"), info.get("generator"), info.get("paragraphs_digest"),
                info.get("paragraphs_per_doc", [6, 24])) == want:
            return path
    info = gen_real_corpus.generate(path, int(mb * 1e6), devset, REAL_SEED, paragraphs_per_doc=paragraphs_per_doc)
    info.update(mb=mb, digest=corpus_digest(path))
    stamp.write_text(json.dumps(info))
    return path


def bench_size(mb: float, rounds: int, env: dict, api_url: str | None, steps: bool, kind: str = "generated") -> dict:
    corpus = ensure_corpus(mb, kind)
    info = json.loads((corpus / ".generated.json").read_text())
    rows = []
    for n in range(rounds):
        wh = OUT / f"wh-{kind}-{mb:g}mb"
        shutil.rmtree(wh, ignore_errors=True)
        base = jieba_baseline(corpus)
        first = timed_tree([str(BIN / "ingest"), "run", str(corpus), "--warehouse", str(wh)], env)
        stage = flow_stages(api_url, wh) if api_url else {}
        again = timed_tree([str(BIN / "ingest"), "run", str(corpus), "--warehouse", str(wh)], env)
        if "0 read" not in again["output"]:
            raise RuntimeError("the re-run on unchanged input read files again:\n" + again["output"][-2000:])
        row = {
            "round": n + 1, "jieba_s": base["seconds"], "jieba_mb_s": base["mb"] / base["seconds"],
            "ingest_s": first["seconds"], "ingest_mb_s": base["mb"] / first["seconds"],
            "ratio": base["seconds"] / first["seconds"], "peak_rss_mb": first["peak_rss_mb"],
            "rerun_s": again["seconds"], "rerun_share": again["seconds"] / first["seconds"],
            "rerun_peak_rss_mb": again["peak_rss_mb"], "stages": stage,
            # Less sensitive to other people's load than wall time: CPU seconds per run.
            "jieba_cpu_s": base.get("cpu_seconds", 0.0), "ingest_cpu_s": first["cpu_seconds"],
            "cpu_ratio": base.get("cpu_seconds", 0.0) / first["cpu_seconds"] if first["cpu_seconds"] else 0.0,
        }
        rows.append(row)
        print(f"  {kind} {mb:g} MB round {n + 1}: jieba {row['jieba_s']:.1f} s, ingest run {row['ingest_s']:.1f} s "
              f"(x{row['ratio']:.2f}), peak RSS {row['peak_rss_mb']:.0f} MB, re-run {row['rerun_s']:.1f} s; "
              f"CPU s jieba {row['jieba_cpu_s']:.1f} / ingest tree {row['ingest_cpu_s']:.1f}, "
              f"load average {os.getloadavg()[0]:.1f}", flush=True)
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0] if k not in ("round", "stages")}
    stage_names = sorted({k for r in rows for k in r["stages"]})
    med_stages = {k: statistics.median(r["stages"][k]["seconds"] for r in rows if k in r["stages"])
                  for k in stage_names}
    result = {"kind": kind, "mb": base["mb"], "docs": base["docs"], "files": info["files"], "reposts": info["reposts"],
              "digest": info["digest"], "rounds": rows, "median": med, "median_stages": med_stages}
    if steps:
        out = subprocess.run([sys.executable, str(HERE / "steps.py"), str(corpus), "5"], capture_output=True,
                             text=True, check=True)
        result["steps_single_core"] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def print_report(results: dict, mode: str) -> None:
    print()
    print(f"Prefect: {mode}. Medians of {len(next(iter(results.values()))['rounds'])} rounds; "
          "jieba and ingest run measured side by side in each round.")
    print()
    hdr = (f"{'corpus':>14} {'files':>6} {'jieba s':>8} {'jieba MB/s':>10} {'ingest s':>9} {'ingest MB/s':>11} "
           f"{'vs jieba':>8} {'peak RSS MB':>11} {'re-run s':>8} {'re-run/1st':>10}")
    print(hdr)
    print("-" * len(hdr))
    for name, r in results.items():
        m = r["median"]
        print(f"{name:>14} {r['files']:>6} {m['jieba_s']:>8.2f} {m['jieba_mb_s']:>10.2f} {m['ingest_s']:>9.2f} "
              f"{m['ingest_mb_s']:>11.2f} {m['ratio']:>8.2f} {m['peak_rss_mb']:>11.0f} {m['rerun_s']:>8.2f} "
              f"{m['rerun_share']:>10.0%}")
    print()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    print("CPU seconds (less sensitive to other processes on the machine than wall time), and the most the")
    print(f"ratio could be with all {cores} cores busy from the run's first second to its last (its ceiling):")
    for name, r in results.items():
        m = r["median"]
        if m.get("ingest_cpu_s"):
            print(f"{name:>14}  jieba {m['jieba_cpu_s']:.1f} s, ingest run process tree {m['ingest_cpu_s']:.1f} s "
                  f"(x{m['cpu_ratio']:.2f}; ceiling x{cores * m['cpu_ratio']:.2f})")
    print()
    print("Flow stages (task spans from the Prefect server, medians):")
    print(f"{'corpus':>14} {'stage':<20} {'seconds':>8} {'MB/s':>8} {'docs/s':>8}")
    for name, r in results.items():
        for stage, s in r["median_stages"].items():
            print(f"{name:>14} {stage:<20} {s:>8.2f} {r['mb'] / s if s else 0:>8.1f} {r['docs'] / s if s else 0:>8.0f}")
    for name, r in results.items():
        steps = r.get("steps_single_core")
        if not steps:
            continue
        sample = steps.pop("_sample")
        print()
        print(f"Pipeline steps on one core ({name} corpus, first {sample['mb']:.1f} MB, {sample['docs']} docs):")
        for step, s in steps.items():
            print(f"  {step:<16} {s['seconds']:>7.2f} s {s['mb_per_s']:>8.1f} MB/s {s['docs_per_s']:>8.0f} docs/s")
        steps["_sample"] = sample
    print()
    for kind in ("generated", "real"):
        names = [n for n, r in results.items() if r.get("kind", "generated") == kind]
        if not names:
            continue
        peaks = ", ".join(f"{n.split()[-2]} MB {results[n]['median']['peak_rss_mb']:.0f} MB" for n in names)
        line = f"peak RSS of the ingest run process tree, {kind}: {peaks}"
        if len(names) >= 2:
            small, large = results[names[0]]["median"], results[names[-1]]["median"]
            line += f"; growth {names[0].split()[-2]} -> {names[-1].split()[-2]} MB: " \
                    f"{large['peak_rss_mb'] / small['peak_rss_mb'] - 1:+.0%}"
        print(line)


def main() -> None:
    import signal

    # A killed benchmark still stops the Prefect server it started (the `with` block's exit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", default="10,60", help="generated corpus sizes in MB, comma separated ('' for none)")
    ap.add_argument("--real-sizes", default="20,60,120",
                    help="sizes in MB of the corpora recombined from the dev set's real paragraphs ('' for none)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--temporary-server", action="store_true",
                    help="no Prefect server: each ingest run starts Prefect's temporary one (~7 s more)")
    ap.add_argument("--no-steps", action="store_true",
                    help="skip the single-core per-step breakdown (taken at 60 MB of each kind of corpus)")
    ap.add_argument("--json", type=Path, default=HERE / "results.json")
    ap.add_argument("--from-commit", metavar="REV",
                    help="measure the code of commit REV (git archive into bench/out), not the working tree")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = [("generated", float(s)) for s in args.sizes.split(",") if s.strip()]
    real = [("real", float(s)) for s in args.real_sizes.split(",") if s.strip()]
    skipped_real = None
    if real and gen_real_corpus.find_devset() is None:
        skipped_real = ("the dev set is not on this machine (looked for "
                        + ", ".join(str(p) for p in gen_real_corpus.DEVSET_PLACES) + "; set BENCH_DEVSET):"
                        " the real-paragraph corpora are skipped")
        print(skipped_real, flush=True)
        real = []
    sizes += real
    env = {**os.environ, "PREFECT_HOME": str(OUT / "prefect-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_SERVER_LOGGING_LEVEL": "WARNING", "COLUMNS": "200"}
    code = "working tree"
    if args.from_commit:
        code = snapshot(args.from_commit)
        env["PYTHONPATH"] = str(OUT / f"code-{code}" / "src")
    results: dict = {}
    if args.temporary_server:
        env.pop("PREFECT_API_URL", None)
        mode = "temporary server started by each `ingest run` (no PREFECT_API_URL)"
        for kind, mb in sizes:
            results[f"{kind} {mb:g} MB"] = bench_size(mb, args.rounds, env, None, not args.no_steps and mb == 60, kind)
    else:
        with PrefectServer(OUT / "prefect-home") as server:
            env["PREFECT_API_URL"] = server.url
            os.environ.update(PREFECT_API_URL=server.url, PREFECT_HOME=env["PREFECT_HOME"])
            mode = f"a running `prefect server start` (PREFECT_API_URL={server.url})"
            for kind, mb in sizes:
                results[f"{kind} {mb:g} MB"] = bench_size(mb, args.rounds, env, server.url, not args.no_steps and mb == 60, kind)
    print_report(results, f"{mode}; code: {code}")
    payload = {"prefect_mode": mode, "code": code, "cores": len(os.sched_getaffinity(0)),
               "load_average": os.getloadavg(), "results": results}
    args.json.write_text(json.dumps(payload, indent=1, default=str))
    print(f"results: {args.json}")
    if skipped_real:
        print(skipped_real)
    # the last line: the ratio at 60 MB of real paragraphs (else the largest corpus measured, named)
    headline = "real 60 MB" if "real 60 MB" in results else list(results)[-1]
    rounds = ", ".join(f"{r['ratio']:.2f}" for r in results[headline]["rounds"])
    print(f"({headline}: rounds {rounds})")
    if headline == "real 60 MB":
        print(f"end_to_end_vs_jieba: {results[headline]['median']['ratio']:.2f}")
    else:
        print(f"end_to_end_vs_jieba: {results[headline]['median']['ratio']:.2f} ({headline}, not real paragraphs)")


if __name__ == "__main__":
    main()
