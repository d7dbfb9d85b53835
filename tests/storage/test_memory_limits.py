"""DuckDB's memory limits from the environment: the default, a set value, and one DuckDB cannot read."""
import pytest

from ingest.storage.errors import WarehouseError
from ingest.storage.memory_limits import LOAD_MEMORY_DEFAULT, load_memory_limit, lookup_memory_limit


def test_unset_or_blank_is_the_default_and_a_set_value_is_taken(monkeypatch):
    monkeypatch.delenv("INGEST_DUCKDB_MEMORY_LIMIT", raising=False)
    assert load_memory_limit() == LOAD_MEMORY_DEFAULT == "192MB"
    monkeypatch.setenv("INGEST_DUCKDB_MEMORY_LIMIT", "  ")
    assert load_memory_limit() == "192MB"
    monkeypatch.setenv("INGEST_LOOKUP_MEMORY_LIMIT", " 1GB ")
    assert lookup_memory_limit() == "1GB"


def test_a_value_duckdb_cannot_read_names_the_variable(monkeypatch):
    monkeypatch.setenv("INGEST_LOOKUP_MEMORY_LIMIT", "lots")
    with pytest.raises(WarehouseError, match=r"INGEST_LOOKUP_MEMORY_LIMIT='lots' is not a memory size DuckDB reads.*"
                                             r"INGEST_LOOKUP_MEMORY_LIMIT=64MB or INGEST_LOOKUP_MEMORY_LIMIT=1GB"):
        lookup_memory_limit()
