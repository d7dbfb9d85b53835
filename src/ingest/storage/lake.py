"""Parquet files written atomically: a temporary name first, then a rename."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def write_parquet_atomic(table: pa.Table, path: Path) -> Path:
    """Readers see the whole file or no file, never a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)
    return path


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
