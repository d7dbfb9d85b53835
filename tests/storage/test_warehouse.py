"""Warehouse storage: atomic Parquet writes, the run lock, named SQL blocks."""
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

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

    def take_and_release() -> bool:
        with wh.run_lock():
            return True

    with wh.run_lock():
        # the CLI holds the lock and the flow it calls takes it again, in the same thread
        with wh.run_lock():
            pass
        with ThreadPoolExecutor(1) as other:
            with pytest.raises(WarehouseLocked):
                other.submit(take_and_release).result()
        other_process = subprocess.run(
            [sys.executable, "-c", "import sys; from ingest.storage.warehouse import Warehouse\n"
             "with Warehouse.at(sys.argv[1]).run_lock(): pass", str(tmp_path)], capture_output=True, text=True)
        assert other_process.returncode != 0 and "another ingest run is using" in other_process.stderr
    with ThreadPoolExecutor(1) as other:  # released when the outer one ends
        assert other.submit(take_and_release).result()


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
