"""SQL lives in warehouse/*.sql; this finds those files and the named blocks inside them."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parents[3] / "warehouse"
_BLOCK = re.compile(r"^-- name: (\S+)\s*$", re.M)


def sql_file(name: str) -> str:
    path = SQL_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"SQL file {path} is missing: run ingest from a checkout of the project")
    return path.read_text("utf-8")


@lru_cache(maxsize=None)
def named_statements(name: str) -> dict[str, str]:
    """'-- name: x' blocks of a SQL file, by name."""
    text = sql_file(name)
    parts = _BLOCK.split(text)
    return {parts[i]: parts[i + 1].strip().rstrip(";") for i in range(1, len(parts), 2)}
