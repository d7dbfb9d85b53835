"""A load that runs out of DuckDB's memory limit: one clear message, nothing half-loaded, and the
staged batches kept for the run with a higher limit (which commits what a clean run commits)."""
from __future__ import annotations

import random
from pathlib import Path

from conftest import SAMPLE
from helpers import counts, query, token_digest
from planted_speeches import FILLER

LIMIT = "INGEST_DUCKDB_MEMORY_LIMIT"


def long_reports(directory: Path, n: int, chars: int) -> Path:
    """n reports of ~`chars` characters each, paragraphs of filler sentences drawn per report."""
    directory.mkdir(parents=True)
    for i in range(n):
        rng = random.Random(i)
        paragraphs, size = [], 0
        while size < chars:
            sentences = ["，".join("".join(rng.choice(FILLER) for _ in range(rng.randint(2, 5)))
                                  for _ in range(rng.randint(2, 4))) + "。" for _ in range(rng.randint(3, 6))]
            paragraphs.append("".join(sentences))
            size += len(paragraphs[-1])
        (directory / f"report_{i:03d}.txt").write_text(f"第{i}号报告\n\n" + "\n\n".join(paragraphs) + "\n", "utf-8")
    return directory


def test_a_load_out_of_memory_says_which_limit_to_raise_and_the_next_run_reuses_its_batches(run_cli, tmp_path):
    clean, tight = tmp_path / "clean", tmp_path / "tight"
    run_cli("run", str(SAMPLE), "--warehouse", str(clean))

    # 4MB: enough to open and prepare the warehouse, not for the load of the sample's ten documents
    failed = run_cli("run", str(SAMPLE), "--warehouse", str(tight), env={LIMIT: "4MB"}, check=False)
    said = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert "the load of run" in said and f"{LIMIT}=1GB" in said and "(4MB, set by" in said
    assert "the warehouse is as it was" in said and "1 staged batches are kept" in said
    assert "Traceback" not in said  # the user's message, not DuckDB's stack
    assert "Retry 1/" not in said  # the same limit fails the same way: no retries
    assert query(tight, "SELECT count(*) FROM documents") == [(0,)]
    assert query(tight, "SELECT count(*) FROM runs") == [(0,)]
    assert not [p for p in (tight / "lake").glob("*/run_id=*") if p.name != "run_id=__schema__"]
    assert list((tight / ".staging").glob("*/resumable.json"))

    again = run_cli("run", str(SAMPLE), "--warehouse", str(tight))
    assert "reusing 1 of 1 staged batches" in again.stderr
    assert "ran out of DuckDB's memory limit" in again.stderr
    assert counts(tight) == counts(clean)
    assert token_digest(tight) == token_digest(clean)
    assert query(tight, "SELECT count(*), sum(documents_new) FROM runs") == [(1, 10)]
    assert not (tight / ".staging").exists() or not any((tight / ".staging").iterdir())


def test_preparing_a_warehouse_out_of_memory_is_a_clear_error(run_cli, tmp_path):
    wh = tmp_path / "wh"
    proc = run_cli("run", str(SAMPLE), "--warehouse", str(wh), env={LIMIT: "2MB"}, check=False)
    said = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "preparing the warehouse" in said and f"{LIMIT}=1GB" in said
    assert "Traceback" not in said


def test_a_run_of_long_documents_loads_under_a_limit_smaller_than_its_texts(run_cli, tmp_path):
    # 300 reports of ~39 KB: 11.7 MB of text. The lake copy, a DuckDB COPY of the staged parts
    # joined with the decisions, put them all in one row group and allocated the whole text
    # column at once: it needed more than 32MB. The insert spills its texts to disk.
    corpus = long_reports(tmp_path / "reports", 300, 13_000)
    wh = tmp_path / "wh"
    run_cli("run", str(corpus), "--warehouse", str(wh), env={LIMIT: "32MB"})

    assert query(wh, "SELECT count(*), sum(strlen(text)) > 11_500_000 FROM documents") == [(300, True)]
    lake = next((wh / "lake" / "documents").glob("run_id=2*/part-0.parquet"))
    assert query(wh, f"SELECT count(*) FROM (SELECT doc_id, text, cluster_id FROM read_parquet('{lake}') "
                     "EXCEPT SELECT doc_id, text, cluster_id FROM documents)") == [(0,)]
    assert query(wh, f"SELECT count(*) FROM read_parquet('{lake}')") == [(300,)]


def test_a_memory_limit_duckdb_cannot_read_is_named_before_anything_runs(run_cli, tmp_path):
    for name in (LIMIT, "INGEST_LOOKUP_MEMORY_LIMIT"):
        wh = tmp_path / name
        proc = run_cli("run", str(SAMPLE), "--warehouse", str(wh), env={name: "lots"}, check=False)
        said = proc.stdout + proc.stderr
        assert proc.returncode != 0
        assert f"{name}='lots' is not a memory size DuckDB reads" in said and f"{name}=1GB" in said
        assert "Traceback" not in said and "Parser Error" not in said
        assert not (wh / "speeches.duckdb").exists() or query(wh, "SELECT count(*) FROM documents") == [(0,)]


def test_a_daily_run_whose_lookups_outgrow_their_limit_decides_again_and_loads_as_without_it(run_cli, tmp_path):
    """The duplicate decision's lookups run under $INGEST_LOOKUP_MEMORY_LIMIT; past it the run
    says so, decides again without it, and loads what a run without the limit loads."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    speeches = sorted(SAMPLE.glob("*.txt"))
    for p in speeches[:6]:
        (first / p.name).write_bytes(p.read_bytes())
    for p in speeches[6:]:
        (second / p.name).write_bytes(p.read_bytes())
    (second / "again.txt").write_bytes(speeches[0].read_bytes())
    plain, tight = tmp_path / "plain", tmp_path / "tight"
    for wh in (plain, tight):
        run_cli("run", str(first), "--warehouse", str(wh))
    run_cli("run", str(second), "--warehouse", str(plain))
    proc = run_cli("run", str(second), "--warehouse", str(tight), env={"INGEST_LOOKUP_MEMORY_LIMIT": "1KB"})
    said = proc.stdout + proc.stderr
    assert "lookups needed more than 1KB" in said and "deciding again without that limit" in said
    assert "Traceback" not in said
    assert counts(tight) == counts(plain)
    kinds = "SELECT regexp_replace(source_uri, '.*/', ''), dup_kind, is_canonical FROM documents ORDER BY 1, 2"
    assert query(tight, kinds) == query(plain, kinds)
    assert ("again.txt", "exact", False) in [tuple(r) for r in query(tight, kinds)]
