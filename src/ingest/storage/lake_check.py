"""The lake checked against what `runs` committed: each run's files, their row counts and checksums."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from .lake import file_checksum
from .sql import named_statements

if TYPE_CHECKING:
    from .warehouse import Warehouse

LAKE_TABLES = ("tokens", "documents", "raw")
LAKE_FILE_SCHEMA = pa.schema([("run_id", pa.string()), ("table_name", pa.string()), ("path", pa.string()),
                              ("row_count", pa.int64()), ("bytes", pa.int64()), ("checksum", pa.string())])


@dataclass(frozen=True)
class LakeProblem:
    run_id: str
    path: str  # relative to the warehouse directory
    kind: str  # missing | damaged
    detail: str

    def line(self) -> str:
        return f"{self.kind}: {self.path} (run {self.run_id}): {self.detail}"


@dataclass
class LakeReport:
    files_checked: int
    problems: list[LakeProblem]
    unrecorded_runs: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def run_files(wh: "Warehouse", run_id: str) -> pa.Table:
    """The lake files a run has now: path (relative), rows (Parquet footer), bytes, checksum."""
    rows = []
    for table in LAKE_TABLES:
        for path in sorted((wh.lake / table / f"run_id={run_id}").glob("*.parquet")):
            rows.append((run_id, table, path.relative_to(wh.root).as_posix(),
                         pq.ParquetFile(path).metadata.num_rows, path.stat().st_size, file_checksum(path)))
    cols = list(zip(*rows)) if rows else [[]] * len(LAKE_FILE_SCHEMA)
    return pa.table([pa.array(c, f.type) for f, c in zip(LAKE_FILE_SCHEMA, cols)], schema=LAKE_FILE_SCHEMA)


def record_run_files(con: duckdb.DuckDBPyConnection, wh: "Warehouse", run_id: str, how: str = "commit") -> int:
    """Inside the load transaction: what the run's lake files are, so damage can be told later."""
    files = run_files(wh, run_id)
    con.register("lake_files_new", files)
    try:
        con.execute(named_statements("lake.sql")["record_files"], {"recorded": how})
    finally:
        con.unregister("lake_files_new")
    return files.num_rows


def record_unrecorded_runs(con: duckdb.DuckDBPyConnection, wh: "Warehouse") -> None:
    """Runs committed before checksums were kept: their files as they are now ('adopted')."""
    for (run_id,) in con.execute(named_statements("lake.sql")["unrecorded_runs"]).fetchall():
        record_run_files(con, wh, run_id, how="adopted")


def check_lake(con: duckdb.DuckDBPyConnection, wh: "Warehouse", checksums: bool = True) -> LakeReport:
    """Every lake file `runs` committed: present, same size, same rows, same checksum."""
    sql = named_statements("lake.sql")
    problems, checked = [], 0
    for run_id, path, rows, size, checksum in con.execute(sql["committed_files"]).fetchall():
        checked += 1
        problem = _file_problem(wh.root / path, rows, size, checksum, checksums)
        if problem:
            problems.append(LakeProblem(run_id, path, *problem))
    for table in ("tokens", "raw"):
        schema_file = wh.lake / table / "run_id=__schema__" / "part-0.parquet"
        if not schema_file.exists():
            problems.append(LakeProblem("-", schema_file.relative_to(wh.root).as_posix(), "missing",
                                        "the empty file the views need (the next `ingest run` writes it again)"))
    unrecorded = [r[0] for r in con.execute(sql["unrecorded_runs"]).fetchall()]
    return LakeReport(checked, problems, unrecorded)


def _file_problem(path: Path, rows: int, size: int, checksum: str, checksums: bool) -> tuple[str, str] | None:
    if not path.exists():
        return "missing", f"{rows} rows committed"
    actual = path.stat().st_size
    if actual != size:
        return "damaged", f"{actual} bytes, {size} committed"
    if checksums and file_checksum(path) != checksum:
        return "damaged", "contents differ from what was committed (checksum)"
    try:
        found = pq.ParquetFile(path).metadata.num_rows
    except Exception as exc:  # a garbled footer: pyarrow's error says what it could not read
        return "damaged", f"not readable as Parquet ({exc})"
    if found != rows:
        return "damaged", f"{found} rows, {rows} committed"
    return None
