"""Tests open the warehouse file the way an analyst's own session must: the lake found beside it."""
from __future__ import annotations

import os
from pathlib import Path

import duckdb


def open_db(db_path: str | os.PathLike, read_only: bool = True) -> duckdb.DuckDBPyConnection:
    """A plain DuckDB connection to speeches.duckdb whose views find the lake (file_search_path =
    the warehouse directory, as README "The warehouse" tells analysts)."""
    return duckdb.connect(str(db_path), read_only=read_only,
                          config={"file_search_path": str(Path(db_path).resolve().parent)})
