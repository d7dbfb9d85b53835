"""Parquet files written atomically: a temporary name first, then a rename."""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


# For files only the same run reads back (documents, hits, rejects, fingerprints, file state):
# they live for minutes, so compression, dictionary encoding (which pyarrow attempts on every
# text before giving up on it) and min/max statistics nobody prunes on would cost CPU twice,
# here and in the load. Token files do not qualify: they move into the lake as they are.
STAGING_OPTIONS = {"compression": "none", "use_dictionary": False, "write_statistics": False}


def write_parquet_atomic(table: pa.Table, path: Path, **options) -> Path:
    """Readers see the whole file or no file, never a half-written one (zstd unless told otherwise)."""
    import pyarrow.parquet as pq  # here: the analyst commands import this module and need no pyarrow

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    pq.write_table(table, tmp, **({"compression": "zstd"} | options))
    os.replace(tmp, path)
    return path


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def file_checksum(path: Path) -> str:
    """xxh3-128 of a file's bytes (read in chunks: lake files can be large)."""
    import xxhash

    h = xxhash.xxh3_128()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
