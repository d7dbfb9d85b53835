"""Inside the load transaction: edits, retirements and renames of local files, then new canonicals."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..dedup import canonical
from .sql import named_statements

CHANGES_FILE = "file_changes.parquet"


def apply_file_changes(con: duckdb.DuckDBPyConnection, staging: Path, run_id: str) -> None:
    """Link new versions, retire, revive and move documents as the run's file_changes say."""
    path = staging / CHANGES_FILE
    if not path.exists():
        return
    sql = named_statements("file_versions.sql")
    params = {"run_id": run_id, "now": datetime.now(timezone.utc).replace(tzinfo=None)}
    con.register("file_changes", pq.read_table(path))
    try:
        con.execute(sql["link_versions"])
        con.execute(sql["supersede_versions"])
        con.execute(sql["retire_documents"], {"now": params["now"]})
        con.execute(sql["revive_documents"])
        con.execute(sql["move_documents"])
        con.execute(sql["record_moves"], params)
        con.execute(sql["forget_paths"])
    finally:
        con.unregister("file_changes")


def reelect_canonicals(con: duckdb.DuckDBPyConnection) -> int:
    """Clusters whose canonical is retired or superseded (or that lost theirs) get one again: the
    written rule (dedup.canonical) over their current members. Returns the clusters re-elected."""
    sql = named_statements("file_versions.sql")
    clusters = [r[0] for r in con.execute(sql["clusters_to_reelect"]).fetchall()]
    if not clusters:
        return 0
    con.register("reelect_clusters", pa.table({"cluster_id": pa.array(clusters, pa.string())}))
    try:
        rows = con.execute(sql["current_members"]).fetchall()
        by_cluster: dict[str, list[tuple]] = {}
        for row in rows:
            by_cluster.setdefault(row[1], []).append(row)
        winners = [_elect(members) for members in by_cluster.values()]
        con.register("reelect_winners", pa.table({
            "doc_id": pa.array([w[0] for w in winners], pa.string()),
            "reason": pa.array([w[1] for w in winners], pa.string()),
            "cluster_id": pa.array(list(by_cluster), pa.string())}))
        try:
            con.execute(sql["step_down"])
            con.execute(sql["elect"])
        finally:
            con.unregister("reelect_winners")
    finally:
        con.unregister("reelect_clusters")
    return len(clusters)


def _elect(rows: list[tuple]) -> tuple[str, str]:
    members = [canonical.Member(r[0], r[2], bool(r[3]), r[4], r[5], r[6], r[7], titled=bool(r[9])) for r in rows]
    if len(members) > 2:  # most typical member: mean MinHash agreement with (up to 200 of) the others
        sigs = np.stack([np.frombuffer(r[8], dtype="<u4") for r in rows])
        ref = sigs[:200]
        total = (sigs[:, None, :] == ref[None, :, :]).mean(axis=2).sum(axis=1)
        in_ref = np.arange(len(sigs)) < len(ref)  # those met themselves once
        centrality = np.where(in_ref, (total - 1.0) / max(len(ref) - 1, 1), total / len(ref))
        for m, c in zip(members, centrality):
            m.centrality = float(c)
    chosen, reason = canonical.choose(members)
    return chosen.doc_id, f"{reason}; elected again: the canonical member was retired or superseded"
