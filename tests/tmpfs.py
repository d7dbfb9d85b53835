"""A real small tmpfs for tests of a full disk: mounted for a test (skipped without root), filled to the last byte."""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest


@contextmanager
def mounted_tmpfs(mnt: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (e.g. "24m") mounted at `mnt` (made here) for the block; the test is
    skipped where this process cannot mount one."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a tmpfs")
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)
        if os.path.ismount(mnt):
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(disk: Path, name: str = "filler") -> int:
    """Write until the disk is full; returns the bytes written."""
    written = 0
    with open(disk / name, "wb", buffering=0) as fh:
        for size in (1 << 20, 1 << 14, 1 << 10, 64, 1):
            while True:
                try:
                    fh.write(b"\0" * size)
                    written += size
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
                    break
    return written
