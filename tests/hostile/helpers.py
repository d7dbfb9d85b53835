"""Shared helpers of the hostile tests: read a warehouse directly, copy sample files."""
from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from conftest import SAMPLE

TABLES = ["documents", "rejects", "boilerplate_hits", "file_state"]


def query(wh: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(wh / "speeches.duckdb"), read_only=True, config={"file_search_path": str(wh)})
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def token_digest(wh: Path) -> tuple:
    """Row count and an order-free digest of every committed token (doc_id, position, token)."""
    return query(wh, "SELECT count(*), sum(hash(doc_id || ':' || position || ':' || token)) FROM tokens")[0]


def counts(wh: Path) -> dict:
    return {t: query(wh, f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}


def copy_sample(dest: Path, names: list[str] | None = None) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for p in sorted(SAMPLE.iterdir()):
        if p.suffix in (".txt", ".html") and p.name != "README.md" and (names is None or p.name in names):
            shutil.copy2(p, dest / p.name)
    return dest
