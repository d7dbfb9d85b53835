"""The raw layer and fetch state: HTTP responses as Parquet, staged per run and loaded with it."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow as pa

from ..sources.crawl import CrawlResult, KnownPage, body_hash
from .lake import write_parquet_atomic
from .sql import named_statements

RAW_SCHEMA = pa.schema([
    ("url", pa.string()), ("final_url", pa.string()), ("status", pa.int32()), ("headers", pa.string()),
    ("body", pa.binary()), ("content_hash", pa.string()), ("fetched_at", pa.timestamp("us")),
    ("error", pa.string()), ("attempts", pa.int32()), ("role", pa.string()), ("source_kind", pa.string()),
    ("unit_uri", pa.string()), ("page_no", pa.int32()),
])
FETCH_STATE_SCHEMA = pa.schema([
    ("url", pa.string()), ("etag", pa.string()), ("last_modified", pa.string()), ("content_hash", pa.string()),
    ("status", pa.int32()), ("last_fetched", pa.timestamp("us")), ("unit_uri", pa.string()),
])


def raw_table(result: CrawlResult) -> pa.Table:
    rows = []
    for rec in result.records:
        r = rec.response
        rows.append((r.url, r.final_url, r.status, json.dumps(r.headers, ensure_ascii=False), r.body,
                     body_hash(r.body) if r.body else None, r.fetched_at, r.error, r.attempts, rec.role,
                     rec.source_kind, rec.unit_uri, rec.page_no))
    cols = list(zip(*rows)) if rows else [[]] * len(RAW_SCHEMA)
    return pa.table([pa.array(c, type=f.type) for f, c in zip(RAW_SCHEMA, cols)], schema=RAW_SCHEMA)


def fetch_state_table(state: dict[str, KnownPage]) -> pa.Table:
    rows = [(k.url, k.etag, k.last_modified, k.content_hash, k.status, k.fetched_at, k.unit_uri)
            for k in state.values()]
    cols = list(zip(*rows)) if rows else [[]] * len(FETCH_STATE_SCHEMA)
    return pa.table([pa.array(c, type=f.type) for f, c in zip(FETCH_STATE_SCHEMA, cols)], schema=FETCH_STATE_SCHEMA)


def stage_crawl(staging: Path, part: str, result: CrawlResult) -> None:
    """The responses and the new fetch state of one crawl task, beside the run's other staged files."""
    write_parquet_atomic(raw_table(result), staging / f"raw-{part}.parquet")
    write_parquet_atomic(fetch_state_table(result.state), staging / f"fetch-{part}.parquet")


def ensure_raw_schema(lake: Path) -> None:
    """An empty partition so the raw_responses view has a file to read before the first fetch."""
    empty = lake / "raw" / "run_id=__schema__" / "part-0.parquet"
    if not empty.exists():
        write_parquet_atomic(pa.table({f.name: pa.array([], f.type) for f in RAW_SCHEMA}), empty)


def load_fetch(con: duckdb.DuckDBPyConnection, staging: Path, params: dict) -> bool:
    """Inside the load transaction: upsert fetch state and retire superseded versions; True if raw is staged."""
    stmts = {k: v.replace("{staging}", staging.as_posix()) for k, v in named_statements("fetch_load.sql").items()}
    con.execute(stmts["supersede_versions"])
    if not any(staging.glob("fetch-*.parquet")):
        return False
    con.execute(stmts["upsert_fetch_state"], params)
    return any(staging.glob("raw-*.parquet"))


def raw_lake_query(staging: Path) -> str:
    return named_statements("fetch_load.sql")["new_raw_lake"].replace("{staging}", staging.as_posix())


def known_pages(con: duckdb.DuckDBPyConnection) -> dict[str, KnownPage]:
    rows = con.execute(named_statements("fetch_load.sql")["known_pages"]).fetchall()
    return {r[0]: KnownPage(*r) for r in rows}


def previous_versions(con: duckdb.DuckDBPyConnection, uris: list[str]) -> dict[str, tuple[str, str]]:
    """source_uri -> (doc_id, match_hash) of the newest document already loaded from it."""
    if not uris:
        return {}
    con.register("wanted_uris", pa.table({"source_uri": pa.array(uris, pa.string())}))
    try:
        rows = con.execute(named_statements("fetch_load.sql")["previous_versions"]).fetchall()
    finally:
        con.unregister("wanted_uris")
    return {uri: (doc_id, mh) for uri, doc_id, mh in rows}


class StoredBodies:
    """Bodies kept in the raw layer, by content hash: what a 304 answer stands for."""

    def __init__(self, lake: Path) -> None:
        self.lake = lake

    def __call__(self, content_hash: str) -> bytes | None:
        query = named_statements("fetch_load.sql")["stored_body"].replace("{lake}", self.lake.as_posix())
        con = duckdb.connect()
        try:
            row = con.execute(query, {"content_hash": content_hash}).fetchone()
        except duckdb.Error:
            return None
        finally:
            con.close()
        return bytes(row[0]) if row else None
