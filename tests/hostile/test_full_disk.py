"""Item 7: a full disk ends the run with one line and exit 2; leftovers are swept before anything is
written; the next run succeeds once there is space. The warehouse sits on a real 24 MB tmpfs (a DuckDB file of the sample
corpus takes ~5 MB and a load's checkpoint needs as much again)."""
from __future__ import annotations

import os
import shutil

import pytest

from conftest import SAMPLE
from helpers import copy_sample, counts, query
from tmpfs import fill, mounted_tmpfs

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("mount"), reason="needs root to mount a tmpfs")


@pytest.fixture
def small_disk(tmp_path):
    with mounted_tmpfs(tmp_path / "disk", "24m") as mnt:
        yield mnt


def leftovers(wh) -> list[str]:
    committed = {r[0] for r in query(wh, "SELECT run_id FROM runs")} | {"__schema__"}
    staged = [p.name for p in (wh / ".staging").glob("*")] if (wh / ".staging").exists() else []
    parts = [p.name for p in (wh / "lake").glob("*/run_id=*") if p.name.split("=", 1)[1] not in committed]
    return staged + parts


def assert_one_line_disk_error(proc) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:])
    assert "Traceback" not in proc.stdout + proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "no space left" in last.lower(), last


def test_full_disk_fails_cleanly_and_the_next_run_succeeds(run_cli, small_disk, tmp_path):
    wh = small_disk / "wh"
    src = copy_sample(tmp_path / "in")
    run_cli("run", str(SAMPLE / "001_e53861ccea28f2a4.txt"), "--warehouse", str(wh))
    before = counts(wh)
    fill(small_disk)
    proc = run_cli("run", str(src), "--warehouse", str(wh), check=False)
    assert_one_line_disk_error(proc)
    assert counts(wh) == before  # nothing half-loaded
    assert leftovers(wh) == []  # the failed run removed what it had staged: the disk is not left full
    (small_disk / "filler").unlink()
    run_cli("run", str(src), "--warehouse", str(wh))
    assert counts(wh)["documents"] == 11 and leftovers(wh) == []


def test_leftovers_of_a_killed_run_are_swept_before_anything_is_written(run_cli, small_disk, tmp_path):
    wh = small_disk / "wh"
    src = copy_sample(tmp_path / "in")
    run_cli("run", str(SAMPLE / "001_e53861ccea28f2a4.txt"), "--warehouse", str(wh))
    killed = run_cli("run", str(src), "--warehouse", str(wh), env={"INGEST_CRASH_AT": "before_commit"}, check=False)
    left = leftovers(wh)
    assert killed.returncode == -9 and left
    fill(small_disk)
    proc = run_cli("run", str(src), "--warehouse", str(wh), check=False)
    # Whether or not the freed space was enough for the run, the killed run's files are gone and
    # nothing printed a traceback.
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr[-3000:]
    if proc.returncode != 0:
        assert_one_line_disk_error(proc)
    assert not set(left) & set(leftovers(wh))
    (small_disk / "filler").unlink()
    run_cli("run", str(src), "--warehouse", str(wh))
    assert counts(wh)["documents"] == 11 and leftovers(wh) == []

