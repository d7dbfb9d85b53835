"""End to end through the real `ingest` command: sample corpus, re-runs, bad inputs, crashes, errors."""
import json
import os
import random
import re
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, SAMPLE

BOILERPLATE = ["查看完整版本", "发表于", "页: [1]", "稿源", "责编"]
TABLES = ["documents", "tokens", "rejects", "boilerplate_hits", "runs", "file_state"]


def counts(wh: Path) -> dict:
    # The lake views read `lake/...` relative to the warehouse directory (README, "The warehouse").
    con = duckdb.connect(str(wh / "speeches.duckdb"), read_only=True, config={"file_search_path": str(wh)})
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def sql_json(run_cli, wh: Path, query: str):
    return json.loads(run_cli("sql", query, "--warehouse", str(wh), "--format", "json").stdout)


def test_sample_corpus_run_is_clean_and_idempotent(run_cli, warehouse_dir):
    proc = run_cli("run", "--warehouse", str(warehouse_dir), env={"INGEST_WORKERS": "2"})
    out = proc.stdout
    assert "10 new" in out and str(warehouse_dir) in out and "Try: ingest sql" in out
    # the CLI planned and queued the batches itself; the flow adopted that plan
    assert "staging began before the flow started" in proc.stdout + proc.stderr
    first = counts(warehouse_dir)
    assert first["documents"] == 10 and first["rejects"] == 0 and first["tokens"] > 10000
    texts = sql_json(run_cli, warehouse_dir, "select text from documents")
    for row in texts:
        for needle in BOILERPLATE:
            assert needle not in row["text"]
    (row,) = sql_json(run_cli, warehouse_dir, "select count(*) as n from speeches")
    assert 0 < row["n"] < 10
    # The forum copy and the exact reposts join their originals' clusters.
    dup = sql_json(run_cli, warehouse_dir, "select count(*) as n from documents where dup_kind <> 'unique'")
    assert dup[0]["n"] >= 4

    proc = run_cli("run", "--warehouse", str(warehouse_dir))
    # Nothing to read: recorded without Prefect (no flow run, so no flow log lines at all).
    assert "without a Prefect flow run" in proc.stdout and "Flow run" not in proc.stdout + proc.stderr
    assert "10 found, 10 unchanged since last run, 0 read" in proc.stdout
    again = counts(warehouse_dir)
    assert {k: v for k, v in again.items() if k != "runs"} == {k: v for k, v in first.items() if k != "runs"}
    assert again["runs"] == first["runs"] + 1

    proc = run_cli("run", "--warehouse", str(warehouse_dir), "--always-flow-run")
    assert "without a Prefect flow run" not in proc.stdout and "Flow run" in proc.stdout + proc.stderr
    assert counts(warehouse_dir)["documents"] == first["documents"]
    rows = sql_json(run_cli, warehouse_dir, "select flow_run_id, inputs_read from runs order by started_at")
    assert [(r["flow_run_id"] is not None, r["inputs_read"]) for r in rows] == [(True, 10), (False, 0), (True, 0)]


def test_touched_files_are_recognised_by_their_hash_and_add_nothing(run_cli, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for p in sorted(SAMPLE.glob("00*.txt")):
        (src / p.name).write_bytes(p.read_bytes())
    wh = tmp_path / "wh"
    run_cli("run", str(src), "--warehouse", str(wh))
    first = counts(wh)
    for p in src.iterdir():
        os.utime(p, None)
    out = run_cli("run", str(src), "--warehouse", str(wh)).stdout
    # Same size, new mtime: the content hash says unchanged, so nothing is read or added.
    assert "5 found, 5 unchanged since last run, 0 read" in out
    assert counts(wh)["documents"] == first["documents"]
    # ... and the new mtimes are recorded (the run had nothing to read, so no flow ran), so the
    # next run need not hash the files again.
    recorded = {Path(r["path"]).name: r["mtime_ns"] for r in sql_json(run_cli, wh, "select path, mtime_ns from file_state")}
    assert recorded == {p.name: p.stat().st_mtime_ns for p in src.iterdir()}


def test_a_later_exact_copy_is_reported_as_a_relabel_not_a_canonical_change(run_cli, tmp_path):
    from dedup_fixtures import Variants, body_paragraphs

    speech = Variants(body_paragraphs("003"))
    src = tmp_path / "in"
    src.mkdir()
    (src / "speech.txt").write_text(speech.original(), "utf-8")
    (src / "repost.txt").write_text(speech.edited(), "utf-8")  # a near duplicate
    wh = tmp_path / "wh"
    run_cli("run", str(src), "--warehouse", str(wh))
    (near,) = [r["source_uri"] for r in sql_json(run_cli, wh, "select source_uri from documents where dup_kind = 'near'")]
    # an exact copy of the near member, under a new path: that member is `exact` now, nothing else moves
    (src / "repost-copy.txt").write_bytes(Path(near).read_bytes())
    out = run_cli("run", str(src), "--warehouse", str(wh)).stdout
    assert "1 exact" in out and "1 earlier duplicates relabelled" in out and "canonical choices changed" not in out
    kinds = sql_json(run_cli, wh, "select dup_kind, count(*) as n from documents group by 1 order by 1")
    assert [(r["dup_kind"], r["n"]) for r in kinds] == [("exact", 2), ("unique", 1)]


def test_bad_files_are_rejected_and_good_ones_load(run_cli, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "noise.html").write_bytes(bytes(random.Random(1).randrange(256) for _ in range(4096)))
    (bad / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(random.Random(2).randrange(256) for _ in range(2000)))
    (bad / "good.txt").write_bytes((SAMPLE / "000_1bc3db5da998a8c1.txt").read_bytes())
    wh = tmp_path / "wh"
    proc = run_cli("run", str(bad), "--warehouse", str(wh))
    assert proc.returncode == 0
    c = counts(wh)
    assert c["documents"] == 1 and c["rejects"] == 3
    rows = sql_json(run_cli, wh, "select source_uri, stage, reason from rejects order by source_uri")
    reasons = {Path(r["source_uri"]).name: r["reason"] for r in rows}
    assert reasons["empty.txt"] == "empty file"
    assert "PNG" in reasons["image.txt"]
    assert "noise.html" in reasons
    assert "3" in proc.stdout.split("rejects:")[1].splitlines()[0]
    # Unchanged bad files are not rejected twice.
    run_cli("run", str(bad), "--warehouse", str(wh))
    assert counts(wh)["rejects"] == 3


def test_invalid_utf8_text_file_is_rejected(run_cli, tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    good = "同志们：今天我们召开全市组织工作会议。".encode("utf-8") * 40
    (d / "broken.txt").write_bytes(good[:301] + b"\xff" + good[301:])
    wh = tmp_path / "wh"
    run_cli("run", str(d), "--warehouse", str(wh))
    assert counts(wh)["rejects"] == 1 and counts(wh)["documents"] == 0


def test_a_run_killed_before_commit_leaves_the_warehouse_as_it_was(run_cli, tmp_path):
    wh = tmp_path / "wh"
    first_half = tmp_path / "a"
    first_half.mkdir()
    (first_half / "one.txt").write_bytes((SAMPLE / "000_1bc3db5da998a8c1.txt").read_bytes())
    run_cli("run", str(first_half), "--warehouse", str(wh))
    before = counts(wh)
    proc = run_cli("run", str(SAMPLE), "--warehouse", str(wh), env={"INGEST_CRASH_AT": "before_commit"}, check=False)
    assert proc.returncode == -signal.SIGKILL
    assert counts(wh) == before
    # The killed run's files are invisible, and the next run cleans them up and loads everything.
    run_cli("run", str(SAMPLE), "--warehouse", str(wh))
    assert counts(wh)["documents"] == 11
    committed = {r["run_id"] for r in sql_json(run_cli, wh, "select run_id from runs")} | {"__schema__"}
    partitions = {p.name.split("=", 1)[1] for p in (wh / "lake").glob("*/run_id=*")}
    assert partitions <= committed
    assert not (wh / ".staging").exists() or not any((wh / ".staging").iterdir())


def test_missing_source_is_a_clear_fatal_error(run_cli, tmp_path):
    proc = run_cli("run", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "wh"), check=False)
    assert proc.returncode == 2
    assert "no such file or directory" in proc.stderr and "Traceback" not in proc.stderr


def test_sql_is_read_only_and_errors_are_one_line(run_cli, warehouse_dir):
    run_cli("run", str(SAMPLE / "000_1bc3db5da998a8c1.txt"), "--warehouse", str(warehouse_dir))
    bad = run_cli("sql", "selec 1", "--warehouse", str(warehouse_dir), check=False)
    assert bad.returncode == 2 and bad.stderr.startswith("Error: SQL error") and "Traceback" not in bad.stderr
    write = run_cli("sql", "delete from documents", "--warehouse", str(warehouse_dir), check=False)
    assert write.returncode == 2 and "read-only" in write.stderr.lower()
    csv_out = run_cli("sql", "select count(*) as n from documents", "--warehouse", str(warehouse_dir), "--format", "csv")
    assert csv_out.stdout.splitlines() == ["n", "1"]
    table = run_cli("sql", "select title from documents", "--warehouse", str(warehouse_dir)).stdout
    assert "市工信局在全市组织工作会议上的发言材料" in table and "(1 row)" in table


def test_sql_on_missing_warehouse_says_so(run_cli, tmp_path):
    proc = run_cli("sql", "select 1", "--warehouse", str(tmp_path / "none"), check=False)
    assert proc.returncode == 2 and "no warehouse at" in proc.stderr


def test_locked_warehouse_is_reported(run_cli, warehouse_dir):
    run_cli("run", str(SAMPLE / "000_1bc3db5da998a8c1.txt"), "--warehouse", str(warehouse_dir))
    holder = subprocess.Popen([sys.executable, "-c",
                               "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('ok', flush=True); time.sleep(60)",
                               str(warehouse_dir / "speeches.duckdb")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        proc = run_cli("sql", "select 1", "--warehouse", str(warehouse_dir), check=False)
        assert proc.returncode == 2 and "locked by another process" in proc.stderr
    finally:
        holder.kill()
        holder.wait()


def test_status_shows_counts_and_runs(run_cli, warehouse_dir):
    run_cli("run", str(SAMPLE / "000_1bc3db5da998a8c1.txt"), "--warehouse", str(warehouse_dir))
    out = run_cli("status", "--warehouse", str(warehouse_dir)).stdout
    assert re.search(r"documents\s+1\b", out) and "Last runs:" in out


def test_environment_variable_chooses_the_warehouse(run_cli, tmp_path):
    wh = tmp_path / "env-wh"
    run_cli("run", str(SAMPLE / "001_e53861ccea28f2a4.txt"), env={"INGEST_WAREHOUSE": str(wh)})
    assert counts(wh)["documents"] == 1


def test_every_cli_command_is_documented_in_the_readme():
    from ingest.cli import main

    readme = (ROOT / "README.md").read_text("utf-8")
    for name in main.commands:
        assert f"ingest {name}" in readme, f"`ingest {name}` is not documented in README.md"


def test_a_run_without_a_prefect_server_says_what_the_temporary_one_costs(tmp_path):
    """No PREFECT_API_URL: one line on stderr names the cost and the way out; the summary's Try line
    carries the warehouse the run used, so it can be pasted as it is."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_bytes(sorted(SAMPLE.glob("00*.txt"))[0].read_bytes())
    wh = tmp_path / "my warehouse"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    proc = subprocess.run([str(Path(sys.executable).with_name("ingest")), "run", str(src), "--warehouse", str(wh)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PREFECT_API_URL is not set, so this run starts a temporary Prefect server (about 4 s per run)" in proc.stderr
    assert "make server" in proc.stderr
    (try_line,) = [line for line in proc.stdout.splitlines() if line.startswith("Try: ingest sql")]
    assert try_line.endswith(f"--warehouse '{wh}'")
    # ... and pasted, it runs
    import shlex

    pasted = subprocess.run([str(Path(sys.executable).with_name("ingest")), *shlex.split(try_line[len("Try: ingest "):])],
                            capture_output=True, text=True, env=env, timeout=120)
    assert pasted.returncode == 0 and "(1 row)" in pasted.stdout


def test_analyst_commands_do_not_import_the_load_stack():
    """`ingest search`, `sql` and `status` open the database only: pyarrow, numpy and prefect cost
    ~0.2 s of start-up each time an analyst runs one (they come in where a load needs them)."""
    code = ("import sys, ingest.cli, ingest.search, ingest.search_cli, ingest.storage.analyst; "
            "print(sorted(m for m in ('pyarrow', 'numpy', 'prefect') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
