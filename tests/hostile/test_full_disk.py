"""Item 7: a full disk ends the run with one line and exit 2; leftovers are swept before anything is
written; the next run succeeds once there is space. The warehouse sits on a real 24 MB tmpfs (a DuckDB file of the sample
corpus takes ~5 MB and a load's checkpoint needs as much again)."""
from __future__ import annotations

import errno
import os
import shutil
import subprocess

import pytest

from conftest import SAMPLE
from helpers import copy_sample, counts, query

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("mount"), reason="needs root to mount a tmpfs")


@pytest.fixture
def small_disk(tmp_path):
    mnt = tmp_path / "disk"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)
        if os.path.ismount(mnt):
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(disk, name: str = "filler") -> int:
    """Write until the disk is full; returns the bytes written."""
    written = 0
    with open(disk / name, "wb", buffering=0) as fh:
        for size in (1 << 20, 1 << 14, 1 << 10, 64):
            while True:
                try:
                    fh.write(b"\0" * size)
                    written += size
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
    return written


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

