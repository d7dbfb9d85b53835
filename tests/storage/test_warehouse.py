"""Warehouse storage: atomic Parquet writes, the run lock, named SQL blocks."""
import pyarrow as pa
import pytest

from ingest.storage.lake import write_parquet_atomic
from ingest.storage.sql import named_statements
from ingest.storage.warehouse import Warehouse, WarehouseError, WarehouseLocked


def test_parquet_is_written_under_a_temporary_name_then_renamed(tmp_path):
    target = tmp_path / "t" / "part.parquet"
    write_parquet_atomic(pa.table({"a": [1, 2]}), target)
    assert target.exists() and [p.name for p in target.parent.iterdir()] == ["part.parquet"]


def test_one_run_at_a_time(tmp_path):
    wh = Warehouse.at(tmp_path)
    with wh.run_lock():
        with pytest.raises(WarehouseLocked):
            with wh.run_lock():
                pass


def test_read_only_open_of_missing_warehouse(tmp_path):
    with pytest.raises(WarehouseError, match="no warehouse at"):
        Warehouse.at(tmp_path / "x").connect(read_only=True)


def test_schema_is_idempotent_and_views_work_on_empty_warehouse(tmp_path):
    wh = Warehouse.at(tmp_path)
    con = wh.connect()
    wh.ensure_schema(con)
    wh.ensure_schema(con)
    assert con.execute("SELECT count(*) FROM tokens").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM speeches").fetchone() == (0,)
    con.close()


def test_load_statements_are_named():
    assert {"new_documents", "insert_documents", "insert_run"} <= set(named_statements("load.sql"))
