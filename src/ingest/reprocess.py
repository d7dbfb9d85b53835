"""Rebuild web documents from the raw layer with the current rules, without touching the network."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pyarrow as pa

from .sources.crawl import Unit, body_hash
from .sources.web import Response
from .storage.lake import write_parquet_atomic
from .storage.sql import named_statements
from .storage.warehouse import Warehouse, WarehouseError


def read_raw_units(src: Warehouse) -> list[Unit]:
    """Every complete fetch of a document in the raw layer, oldest first; identical refetches once."""
    con = src.connect(read_only=True)
    try:
        rows = con.execute(named_statements("reprocess.sql")["raw_pages"]).fetchall()
    finally:
        con.close()
    groups: dict[tuple[str, str], list] = defaultdict(list)
    order: list[tuple[str, str]] = []
    for unit_uri, run_id, url, final_url, status, headers, body, fetched_at, kind, page_no in rows:
        key = (unit_uri, run_id)
        if key not in groups:
            order.append(key)
        groups[key].append((page_no, Response(url, final_url, status, json.loads(headers or "{}"), bytes(body),
                                              fetched_at), kind))
    units, seen = [], set()
    for key in order:
        pages = [r for _, r, _ in sorted(groups[key], key=lambda g: g[0] or 1)]
        fingerprint = (key[0], body_hash(b"\0".join(p.body for p in pages)))
        if fingerprint in seen:
            continue
        seen.add(fingerprint)
        units.append(Unit(key[0], groups[key][0][2], pages, "new"))
    return units


def stage_raw_copy(src: Warehouse, dest: Warehouse, run_id: str) -> None:
    """The source's raw layer and fetch state travel with the rebuilt documents (kept forever)."""
    staging = dest.staging(run_id)
    con = src.connect(read_only=True)
    try:
        stmts = named_statements("reprocess.sql")
        raw = con.execute(stmts["raw_copy"]).fetch_arrow_table()
        state = con.execute(stmts["fetch_state_copy"]).fetch_arrow_table()
    finally:
        con.close()
    write_parquet_atomic(raw, staging / "raw-copy.parquet")
    write_parquet_atomic(state, staging / "fetch-copy.parquet")


def check_target(src: Warehouse, dest: Warehouse) -> None:
    if not src.exists():
        raise WarehouseError(f"no warehouse at {src.root} to reprocess")
    if dest.root == src.root:
        raise WarehouseError("--into must be a different directory from --warehouse (the rebuild is a new warehouse)")
    if dest.exists():
        raise WarehouseError(f"{dest.root} already holds a warehouse; choose an empty directory for --into")


def empty_table(schema: pa.Schema) -> pa.Table:
    return pa.table({f.name: pa.array([], f.type) for f in schema})


def target_note(dest: Path) -> str:
    return f"rebuilt warehouse at {dest}; point --warehouse (or INGEST_WAREHOUSE) at it to use it"
