"""The analysts' macros are created when their SQL is new or changed, not on every open."""
import duckdb
import pytest

from ingest.storage import macros
from ingest.storage.warehouse import Warehouse


def macro_names(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT function_name FROM duckdb_functions() WHERE NOT internal").fetchall()}


def test_macros_are_created_once_and_again_when_their_sql_changes(tmp_path, monkeypatch):
    wh = Warehouse.at(tmp_path / "wh")
    con = wh.connect()
    try:
        wh.ensure_schema(con)
        assert {"term_trend", "kwic", "collocates", "search_query", "search_ranked"} <= macro_names(con)
        assert {f for f, _ in con.execute("SELECT * FROM macro_versions").fetchall()} == {"macros.sql", "search.sql"}

        # unchanged SQL: nothing is executed again (a macro dropped by hand stays dropped ...)
        con.execute("DROP MACRO TABLE kwic")
        wh.ensure_schema(con)
        assert "kwic" not in macro_names(con)
        # ... until its file's row goes
        con.execute("DELETE FROM macro_versions WHERE file = 'search.sql'")
        wh.ensure_schema(con)
        assert "kwic" in macro_names(con)

        # changed SQL (a new version of the file): created again
        real = macros.sql_file
        monkeypatch.setattr(macros, "sql_file", lambda name: real(name) + (
            "\nCREATE OR REPLACE MACRO planted_in_test(x) AS x + 1;\n" if name == "macros.sql" else ""))
        wh.ensure_schema(con)
        assert con.execute("SELECT planted_in_test(1)").fetchone() == (2,)
    finally:
        con.close()


def test_a_broken_macro_file_fails_the_open_and_records_nothing(tmp_path, monkeypatch):
    wh = Warehouse.at(tmp_path / "wh")
    real = macros.sql_file
    monkeypatch.setattr(macros, "sql_file", lambda name: real(name) + ("\nCREATE OR REPLACE MACRO broken(x) AS nope(x);\n"
                                                                        if name == "search.sql" else ""))
    con = wh.connect()
    try:
        with pytest.raises(duckdb.CatalogException, match="nope"):
            wh.ensure_schema(con)
        assert "search.sql" not in {f for f, _ in con.execute("SELECT * FROM macro_versions").fetchall()}
    finally:
        con.close()
