"""DuckDB's memory limits: the load's and the duplicate decision's lookups', from the environment."""
from __future__ import annotations

import functools
import os

import duckdb

from .errors import OutOfMemory, WarehouseError

# The load holds every new row in transaction-local storage until the commit (46k documents do
# not fill one row group, so none is written early): under this limit it spills them to disk.
# 192MB: at 120 MB of text the load's peak was ~200 MB below 512MB's, the load ~0.1 s longer.
MEMORY_LIMIT_ENV = "INGEST_DUCKDB_MEMORY_LIMIT"
LOAD_MEMORY_DEFAULT = "192MB"
# The duplicate decision's read-only lookups (decision.py says why they have a limit of their own).
LOOKUP_MEMORY_ENV = "INGEST_LOOKUP_MEMORY_LIMIT"
LOOKUP_MEMORY_DEFAULT = "64MB"


def out_of_memory(doing: str, after: str = "") -> OutOfMemory:
    """The message for a DuckDB OutOfMemoryException of a writing connection: the same limit
    fails the same way again, so the user is told which setting to raise."""
    return OutOfMemory(f"{doing} needed more memory than DuckDB may use for it ({load_memory_limit()}, set by "
                       f"{MEMORY_LIMIT_ENV}); run again with a higher limit, e.g. {MEMORY_LIMIT_ENV}=1GB{after}")


def load_memory_limit() -> str:
    """DuckDB's memory limit for writing connections: $INGEST_DUCKDB_MEMORY_LIMIT, else 192MB."""
    return memory_limit_from_env(MEMORY_LIMIT_ENV, LOAD_MEMORY_DEFAULT)


def lookup_memory_limit() -> str:
    """DuckDB's memory limit for the duplicate decision's lookups: $INGEST_LOOKUP_MEMORY_LIMIT, else 64MB."""
    return memory_limit_from_env(LOOKUP_MEMORY_ENV, LOOKUP_MEMORY_DEFAULT)


def memory_limit_from_env(name: str, default: str) -> str:
    """A memory limit from $name (else `default`); a WarehouseError naming the variable when DuckDB
    cannot read it (rather than DuckDB's parser error from deep inside a run)."""
    value = os.environ.get(name, "").strip() or default
    return _readable_memory_limit(name, value, default)


@functools.lru_cache(maxsize=8)
def _readable_memory_limit(name: str, value: str, default: str) -> str:
    try:
        duckdb.connect(config={"memory_limit": value}).close()  # (in memory: DuckDB reads it, nothing more)
    except duckdb.Error:
        raise WarehouseError(f"{name}={value!r} is not a memory size DuckDB reads; give a number and a unit, "
                             f"e.g. {name}={default} or {name}=1GB") from None
    return value
