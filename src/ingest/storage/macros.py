"""The analysts' SQL macros (warehouse/macros.sql, search.sql), created again only when their SQL changed.

Creating a macro binds its body, and a body over the `tokens` view lists and opens the lake's
Parquet files: re-creating them all on every open cost a run ~0.1 s before staging could start.
"""
from __future__ import annotations

import hashlib

import duckdb

from .sql import named_statements, sql_file

MACRO_FILES = ("macros.sql", "search.sql")


def ensure_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Each macro file's macros as its current text defines them (call after the views exist).

    The digest alone decides: listing the database's functions to see that the macros are all
    there costs as much as creating them (duckdb_functions() lists ~3,000). A macro dropped by
    hand comes back once its file's row in macro_versions is deleted.
    """
    stmts = named_statements("macro_versions.sql")
    con.execute(stmts["create"])
    stored = dict(con.execute(stmts["stored"]).fetchall())
    for name in MACRO_FILES:
        sql = sql_file(name)
        digest = hashlib.sha256(sql.encode("utf-8")).hexdigest()
        if stored.get(name) == digest:
            continue
        con.execute(sql)
        con.execute(stmts["record"], {"file": name, "digest": digest})
