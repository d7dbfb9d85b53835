"""Analyst sessions (`ingest sql`, `ingest status`): the warehouse read-only, no file written, no network."""
from __future__ import annotations

import re
from typing import Callable

import duckdb

from .warehouse import LAKE_IN_VIEWS, Warehouse, WarehouseError

# What DuckDB's own settings cannot stop: `allowed_directories` lets the views read the lake,
# and it lets these statements write there too (a planted Parquet file is read by the tokens
# view as if a run had written it). They are refused by type before anything runs.
WRITING_STATEMENTS = {
    "COPY": "COPY reads or writes files",
    "COPY_DATABASE": "COPY FROM DATABASE writes a database",
    "EXPORT": "EXPORT DATABASE writes files",
    "ATTACH": "ATTACH opens (or creates) another database file",
    "DETACH": "DETACH changes the session's databases",
    "LOAD": "INSTALL and LOAD bring in extensions",
    "EXTENSION": "extension statements bring in code",
}


# EXPLAIN ANALYZE runs the statement it explains, so that statement is checked as well.
_EXPLAIN_PREFIX = re.compile(r"^(?:\s|--[^\n]*\n|/\*.*?\*/)*explain\s+(?:analy[sz]e\s+)?(?:\([^)]*\)\s*)?",
                             re.I | re.S)


class ReadOnlyRefused(duckdb.Error):
    """A statement an analyst session does not run; the message says which and why."""


def open_analyst_session(wh: Warehouse, extend: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
                         wait: float | None = None) -> duckdb.DuckDBPyConnection:
    """The warehouse opened read-only, reading files in its lake and nowhere else.

    External access is off except for the lake (the tokens and raw_responses views read its
    Parquet files), extensions are neither installed nor loaded on demand, and the
    configuration is locked so no statement can undo any of it. `extend` adds the session's
    own functions and macros (e.g. `ingest sql`'s segment() and search()) before the lock.
    """
    # missing, or locked past `wait` seconds: the WarehouseError a run gives too
    con = wh.connect(read_only=True, wait=wait)
    try:
        # DuckDB accepts the allow-list only after the database has started, and only while
        # external access is still on: connect, allow, then switch off.
        # (an extension analysts need is LOADed here, while files may still be read)
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        # The views name the lake relatively ('lake/tokens/...', found through file_search_path);
        # DuckDB checks the path as written, so the relative form is allowed beside the absolute
        # one ('lake/../..' is still refused).
        con.execute("SET allowed_directories = $dirs",
                    {"dirs": [wh.lake.as_posix() + "/", f"{LAKE_IN_VIEWS}/"]})
        con.execute("SET enable_external_access = false")
        if extend is not None:
            extend(con)
        con.execute("SET lock_configuration = true")
    except duckdb.Error as exc:
        con.close()
        raise WarehouseError(f"cannot open a read-only session on {wh.db_path}: {exc}") from None
    return con


def _why_refused(con: duckdb.DuckDBPyConnection, statement) -> str | None:
    why = WRITING_STATEMENTS.get(statement.type.name)
    if why or statement.type.name != "EXPLAIN":
        return why
    inner = _EXPLAIN_PREFIX.sub("", statement.query, count=1)
    if inner == statement.query:
        return None
    for explained in con.extract_statements(inner):
        why = _why_refused(con, explained)
        if why:
            return f"EXPLAIN runs what it explains, and {why}"
    return None


def run_analyst_query(con: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[tuple]]:
    """Columns and rows of the last statement of QUERY, every statement checked before any runs.

    Raises ReadOnlyRefused for a statement that writes files or loads code, duckdb.Error for
    the rest (with DuckDB's whole message: its hints are on the lines after the first).
    """
    statements = con.extract_statements(query)
    for statement in statements:
        why = _why_refused(con, statement)
        if why:
            text = " ".join(statement.query.split())
            raise ReadOnlyRefused(f"ingest sql is read-only: {why}, so it is refused: "
                                  f"{text[:120]}{'…' if len(text) > 120 else ''}")
    columns: list[str] = []
    rows: list[tuple] = []
    for statement in statements:
        cur = con.execute(statement)
        # Each result is fetched to the end before the connection runs the next statement.
        columns = [d[0] for d in cur.description] if cur.description else []
        rows = cur.fetchall() if columns else []
    return columns, rows
