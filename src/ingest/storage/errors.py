"""The warehouse's errors, each with a message fit for the user, and telling a full disk from other failures."""
from __future__ import annotations

import errno


class WarehouseError(Exception):
    """A fatal warehouse problem, with a message fit for the user."""


class WarehouseLocked(WarehouseError):
    holder = "another process"  # "pid N" when DuckDB names it


class DiskFull(WarehouseError):
    """The disk under the warehouse (or its staging area) ran out of space."""


class OutOfMemory(WarehouseError):
    """A write needed more memory than DuckDB may use for it ($INGEST_DUCKDB_MEMORY_LIMIT)."""


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether an error (or one it was raised from) is a full disk, as the OS, Arrow or DuckDB say it."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, DiskFull):
            return True
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            return True
        if "no space left on device" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
    return False
