"""`ingest sql` and `ingest status` are read-only: no statement writes a file, reaches the network
or loads an extension, and every view still reads. Real CLI, real DuckDB file, real lake."""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from warehouse_db import open_db

INGEST = str(Path(sys.executable).with_name("ingest"))


@pytest.fixture(scope="module")
def warehouse(prefect_api, tmp_path_factory) -> Path:
    """The sample corpus loaded once for the module (the statements below must not change it)."""
    wh = tmp_path_factory.mktemp("readonly") / "wh"
    env = {**os.environ, "PREFECT_API_URL": prefect_api}
    subprocess.run([INGEST, "run", "--warehouse", str(wh)], check=True, capture_output=True, env=env, timeout=600)
    return wh


def sql(wh: Path, query: str, fmt: str = "json") -> subprocess.CompletedProcess:
    return subprocess.run([INGEST, "sql", query, "--warehouse", str(wh), "--format", fmt],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})


def snapshot(wh: Path) -> dict[str, str]:
    """Every file of the warehouse (database and lake) with a hash of its bytes."""
    return {str(p.relative_to(wh)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(wh.rglob("*")) if p.is_file() and p.name != ".ingest.lock"}


def token_count(wh: Path) -> int:
    return json.loads(sql(wh, "select count(*) as n from tokens").stdout)[0]["n"]


def a_run_partition(wh: Path) -> Path:
    return next(p for p in (wh / "lake" / "tokens").iterdir() if p.name != "run_id=__schema__")


def test_writing_statements_are_refused_and_change_nothing(warehouse, tmp_path):
    before, tokens = snapshot(warehouse), token_count(warehouse)
    lake, db = warehouse / "lake", warehouse / "speeches.duckdb"
    outside = tmp_path / "outside"
    outside.mkdir()
    forged = a_run_partition(warehouse) / "forged.parquet"
    attempts = {
        # forged tokens planted in a committed run's partition (the tokens view would read them)
        "plant lake file": f"COPY (SELECT doc_id, 999999 AS position, 'FORGED' AS token FROM documents LIMIT 3) "
                           f"TO '{forged}' (FORMAT parquet)",
        "overwrite database": f"COPY (SELECT 1) TO '{db}' (FORMAT csv)",
        "export": f"EXPORT DATABASE '{lake / 'exported'}'",
        "attach read-write": f"ATTACH '{outside / 'new.duckdb'}' AS n (READ_WRITE)",
        "attach inside lake": f"ATTACH '{lake / 'new.duckdb'}' AS n",
        "copy after a select": f"SELECT 1; COPY (SELECT 1) TO '{outside / 'x.csv'}'",
        # EXPLAIN ANALYZE runs the statement it explains
        "explain analyze copy": f"EXPLAIN ANALYZE COPY (SELECT 1) TO '{lake / 'explained.csv'}'",
        "explain copy, comment first": f"/* x */ explain analyse (FORMAT json) COPY (SELECT 1) TO '{outside / 'e.csv'}'",
        "install": "INSTALL fts",
        "load": "LOAD fts",
        "re-enable access": "SET enable_external_access = true",
        "widen allow-list": "SET allowed_directories = ['/']",
        "read outside the lake": "SELECT * FROM read_csv('/etc/passwd')",
        "glob outside the lake": "SELECT * FROM glob('/etc/*')",
        "remote read": "SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')",
    }
    for what, statement in attempts.items():
        proc = sql(warehouse, statement)
        assert proc.returncode == 2, f"{what}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        assert proc.stderr.startswith("Error: SQL error:"), f"{what}: {proc.stderr}"
        assert "Traceback" not in proc.stderr
    assert not (lake / "explained.csv").exists()
    assert not forged.exists() and not (lake / "exported").exists() and not (lake / "new.duckdb").exists()
    assert list(outside.iterdir()) == []
    assert snapshot(warehouse) == before
    assert token_count(warehouse) == tokens
    assert sql(warehouse, "select count(*) from tokens where token = 'FORGED'", "csv").stdout.splitlines()[1] == "0"


def test_refusals_say_why(warehouse, tmp_path):
    proc = sql(warehouse, f"COPY (SELECT 1) TO '{tmp_path / 'x.csv'}'")
    assert "read-only" in proc.stderr and "COPY" in proc.stderr
    proc = sql(warehouse, "SELECT * FROM read_csv('/etc/passwd')")
    assert "/etc/passwd" in proc.stderr and "disabled by configuration" in proc.stderr


def test_every_view_and_macro_still_reads(warehouse):
    con = open_db(str(warehouse / "speeches.duckdb"))
    try:
        views = [r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()]
    finally:
        con.close()
    assert {"tokens", "speeches", "raw_responses", "clusters"} <= set(views)
    for view in views:
        proc = sql(warehouse, f"SELECT count(*) AS n FROM {view}")
        assert proc.returncode == 0, f"{view}: {proc.stderr}"
    assert token_count(warehouse) > 10000
    proc = sql(warehouse, "SELECT * FROM term_per_month('发展')")
    assert proc.returncode == 0 and json.loads(proc.stdout)
    # several statements: temporary objects live in memory only, the last result is printed
    proc = sql(warehouse, "CREATE TEMP TABLE t AS SELECT doc_id FROM speeches; SELECT count(*) AS n FROM t")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["n"] > 0
    status = subprocess.run([INGEST, "status", "--warehouse", str(warehouse)], capture_output=True, text=True,
                            timeout=120)
    assert status.returncode == 0, status.stderr
    assert "tokens" in status.stdout and "Last runs" in status.stdout


def test_duckdb_error_text_is_shown_whole(warehouse):
    proc = sql(warehouse, "SELECT * FROM documnts")
    assert proc.returncode == 2
    assert 'Did you mean "documents"' in proc.stderr
    assert "LINE 1: SELECT * FROM documnts" in proc.stderr


def test_explain_of_a_query_still_runs(warehouse):
    proc = sql(warehouse, "EXPLAIN ANALYZE SELECT count(*) FROM speeches", "csv")
    assert proc.returncode == 0, proc.stderr


def test_values_and_names_that_look_like_markup_print_as_they_are(warehouse):
    """Speech text and SQL aliases hold brackets (BBCode from forums: [/b], [quote]); the table prints them."""
    proc = sql(warehouse, "SELECT '[/b]' AS \"[/quote]\", '[bold]x[/bold]' AS y", "table")
    assert proc.returncode == 0, proc.stderr
    assert "[/b]" in proc.stdout and "[/quote]" in proc.stdout and "[bold]x[/bold]" in proc.stdout
    proc = sql(warehouse, "SUMMARIZE runs", "table")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
