"""Item 6: a load that fails after its token files reached the lake is retried to the same result."""
from __future__ import annotations

import pytest

from conftest import SAMPLE
from helpers import counts, query, token_digest


@pytest.mark.parametrize("point", ["after_lake_tokens", "before_commit", "after_commit"])
def test_a_failed_first_load_attempt_commits_the_tokens_of_a_clean_run(run_cli, tmp_path, point):
    clean, retried = tmp_path / "clean", tmp_path / "retried"
    run_cli("run", str(SAMPLE), "--warehouse", str(clean))
    # The first load attempt raises ENOSPC at `point`; Prefect's retry of load-warehouse must commit
    # exactly what a clean run commits (INGEST_FAIL_ONCE_AT: a fault injected once per process).
    proc = run_cli("run", str(SAMPLE), "--warehouse", str(retried), env={"INGEST_FAIL_ONCE_AT": point})
    assert "injected fault at " + point in proc.stdout + proc.stderr
    assert token_digest(retried) == token_digest(clean)
    assert token_digest(retried)[0] > 10000
    assert counts(retried) == counts(clean)
    assert query(retried, "SELECT count(*) FROM runs") == [(1,)]
    assert query(retried, "SELECT documents_new FROM runs") == [(10,)]
    # the lake holds the committed run's partitions and nothing else
    parts = sorted(p.parent.name for p in (retried / "lake").glob("*/run_id=*/*.parquet"))
    assert all(p.startswith("run_id=") for p in parts)
    assert not (retried / ".staging").exists() or not any((retried / ".staging").iterdir())
