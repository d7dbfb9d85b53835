"""Item 8: the lake is found relative to the warehouse (moved or copied warehouses read their own),
and `ingest check` / `ingest status` say which lake files are missing or damaged, without tracebacks."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb

from conftest import SAMPLE
from helpers import copy_sample, query, token_digest


def test_a_moved_or_copied_warehouse_reads_its_own_lake(run_cli, tmp_path):
    wh = tmp_path / "wh"
    run_cli("run", str(SAMPLE), "--warehouse", str(wh))
    tokens = token_digest(wh)
    copy = tmp_path / "copy"
    shutil.copytree(wh, copy)
    moved = tmp_path / "moved"
    wh.rename(moved)
    for where in (moved, copy):
        out = run_cli("sql", "select count(*) as n from tokens", "--warehouse", str(where), "--format", "csv")
        assert out.stdout.splitlines() == ["n", str(tokens[0])]
    # the copy reads its own lake, not the original's
    shutil.rmtree(moved / "lake" / "tokens")
    out = run_cli("sql", "select count(*) as n from tokens", "--warehouse", str(copy), "--format", "csv")
    assert out.stdout.splitlines() == ["n", str(tokens[0])]


def test_an_analyst_session_finds_the_lake_from_the_warehouse_directory(run_cli, tmp_path):
    wh = tmp_path / "wh"
    run_cli("run", str(SAMPLE), "--warehouse", str(wh))
    n = token_digest(wh)[0]
    # what the README tells analysts: start in the warehouse directory, or set file_search_path
    code = ("import duckdb, sys; c = duckdb.connect('speeches.duckdb', read_only=True);"
            "print(c.execute('select count(*) from tokens').fetchone()[0])")
    out = subprocess.run([sys.executable, "-c", code], cwd=wh, capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == str(n), out.stderr
    con = duckdb.connect(str(wh / "speeches.duckdb"), read_only=True)
    try:
        con.execute(f"SET file_search_path = '{wh}'")
        assert con.execute("select count(*) from tokens").fetchone()[0] == n
    finally:
        con.close()


def _two_runs(run_cli, tmp_path):
    wh = tmp_path / "wh"
    names = sorted(p.name for p in SAMPLE.glob("*.txt") if p.name != "README.md")
    first, second = copy_sample(tmp_path / "a", names[:4]), copy_sample(tmp_path / "b", names[4:])
    run_cli("run", str(first), "--warehouse", str(wh))
    run_cli("run", str(second), "--warehouse", str(wh))
    runs = [r[0] for r in query(wh, "SELECT run_id FROM runs ORDER BY started_at")]
    return wh, runs


def test_check_passes_on_a_sound_warehouse(run_cli, tmp_path):
    wh, runs = _two_runs(run_cli, tmp_path)
    proc = run_cli("check", "--warehouse", str(wh))
    assert proc.returncode == 0 and "Lake OK" in proc.stdout


def test_deleted_and_garbled_lake_files_are_named_with_a_non_zero_exit(run_cli, tmp_path):
    wh, (run1, run2) = _two_runs(run_cli, tmp_path)
    gone = next((wh / "lake" / "tokens" / f"run_id={run1}").glob("*.parquet"))
    gone.unlink()
    garbled = next((wh / "lake" / "documents" / f"run_id={run2}").glob("*.parquet"))
    data = bytearray(garbled.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 64] = bytes(64)  # same size, different bytes
    garbled.write_bytes(bytes(data))
    for command in ("check", "status"):
        proc = run_cli(command, "--warehouse", str(wh), check=False)
        out = proc.stdout + proc.stderr
        assert proc.returncode != 0 and "Traceback" not in out, out[-3000:]
        assert "missing" in out and gone.name in out and run1 in out, out
        assert "damaged" in out and garbled.name in out and run2 in out, out


def test_a_deleted_lake_is_reported_not_a_traceback(run_cli, tmp_path):
    wh, runs = _two_runs(run_cli, tmp_path)
    shutil.rmtree(wh / "lake")
    for command in ("check", "status"):
        proc = run_cli(command, "--warehouse", str(wh), check=False)
        out = proc.stdout + proc.stderr
        assert proc.returncode != 0 and "Traceback" not in out, out[-3000:]
        assert "missing" in out and all(r in out for r in runs), out
