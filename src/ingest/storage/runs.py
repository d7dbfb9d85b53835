"""Read what a committed run added, for its report."""
from __future__ import annotations

from .sql import named_statements
from .warehouse import Warehouse


def new_canonical_speeches(wh: Warehouse, run_id: str, limit: int = 500) -> list[dict]:
    """The canonical documents a run loaded, as dicts (title, speaker, published_at, source)."""
    con = wh.connect(read_only=True)
    try:
        cur = con.execute(named_statements("status.sql")["new_speeches"], {"run_id": run_id, "limit": limit})
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]
    finally:
        con.close()


def run_rejects(wh: Warehouse, run_id: str, limit: int = 50) -> list[dict]:
    """The inputs a committed run rejected (source_uri, stage, reason), in path order."""
    con = wh.connect(read_only=True)
    try:
        cur = con.execute(named_statements("status.sql")["run_rejects"], {"run_id": run_id, "limit": limit})
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]
    finally:
        con.close()
