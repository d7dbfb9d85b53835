"""The DuckDB warehouse: opening it safely, its schema, and the one-transaction load of a run."""
from __future__ import annotations

import fcntl
import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import duckdb

from .macros import ensure_macros
from .sql import named_statements, sql_file

if TYPE_CHECKING:
    import pyarrow as pa
# pyarrow, numpy and the dedup store are imported where a load or a schema change needs them:
# `ingest search`, `ingest sql` and `ingest status` only open the database, and those imports
# were ~0.3 s of each such command.

DB_NAME = "speeches.duckdb"
LOAD_MEMORY_LIMIT = os.environ.get("INGEST_DUCKDB_MEMORY_LIMIT", "512MB")
# The Parquet writer holds a whole row group in memory: a few thousand documents (~20-40 MB of
# text) at a time, however large the run. 2,048 rows is DuckDB's floor (a smaller ROW_GROUP_SIZE
# is ignored); reading the staged parts, it may close a group only at a part's end (2,078 then
# 4,014 rows at 60 MB with 0.5 MB parts; 2,111, 2,118 and 1,863 with 1 MB parts).
LAKE_ROW_GROUP_ROWS = 2048
SCHEMA_FILES = ("schema.sql", "dedup.sql", "views.sql", "fetch.sql")  # then the macros (storage/macros.py)


# (warehouse root, thread) -> depth of the run locks that thread holds on it
_held_locks: dict[tuple[Path, int], int] = {}


class WarehouseError(Exception):
    """A fatal warehouse problem, with a message fit for the user."""


class WarehouseLocked(WarehouseError):
    pass


def default_warehouse_dir() -> Path:
    return Path(os.environ.get("INGEST_WAREHOUSE") or "warehouse")


@dataclass(frozen=True)
class Warehouse:
    root: Path

    @classmethod
    def at(cls, root: str | os.PathLike | None) -> "Warehouse":
        return cls(Path(root).expanduser().resolve() if root else default_warehouse_dir().resolve())

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def lake(self) -> Path:
        return self.root / "lake"

    @property
    def staging_root(self) -> Path:
        return self.root / ".staging"

    def staging(self, run_id: str) -> Path:
        return self.staging_root / run_id

    def exists(self) -> bool:
        return self.db_path.exists()

    # -- connections -------------------------------------------------------------------------
    def connect(self, read_only: bool = False) -> duckdb.DuckDBPyConnection:
        """A connection; a clear WarehouseError when the file is missing or another process holds it."""
        if read_only and not self.exists():
            raise WarehouseError(f"no warehouse at {self.root} (run `ingest run` first, or pass --warehouse DIR)")
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            if read_only:
                return duckdb.connect(str(self.db_path), read_only=True)
            # The load of a big run spills to disk instead of growing with the corpus.
            return duckdb.connect(str(self.db_path), config={"memory_limit": LOAD_MEMORY_LIMIT})
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                holder = re.search(r"PID (\d+)", str(exc))
                who = f" (pid {holder.group(1)})" if holder else ""
                raise WarehouseLocked(
                    f"warehouse {self.db_path} is locked by another process{who}; try again when it finishes"
                ) from None
            raise WarehouseError(f"cannot open warehouse {self.db_path}: {exc}") from None

    @contextmanager
    def run_lock(self) -> Iterator[None]:
        """One ingest run per warehouse at a time; readers are not blocked by this lock.

        Re-entrant within one thread: the CLI takes it to start staging before Prefect is
        imported, and the flow it then calls takes it again. Another thread or process is refused.
        """
        key = (self.root, threading.get_ident())
        if key in _held_locks:
            _held_locks[key] += 1
            try:
                yield
            finally:
                _held_locks[key] -= 1
            return
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / ".ingest.lock", "w") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise WarehouseLocked(f"another ingest run is using {self.root}; wait for it to finish") from None
            fh.write(str(os.getpid()))
            fh.flush()
            _held_locks[key] = 1
            try:
                yield
            finally:
                del _held_locks[key]
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- schema ------------------------------------------------------------------------------
    def ensure_schema(self, con: duckdb.DuckDBPyConnection) -> None:
        """Tables, views (pointing at this lake's absolute path) and macros; idempotent.

        Also brings stored MinHash signatures to the code's scheme (a one-off recomputation
        after an upgrade that changed it) and text reuse to passage occurrences (a one-off
        rebuild from dedup_passages), so call it under the run lock.
        """
        import pyarrow as pa

        from . import dedup_store
        from .lake import write_parquet_atomic
        from .tables import TOKEN_SCHEMA

        empty_tokens = self.lake / "tokens" / "run_id=__schema__" / "part-0.parquet"
        if not empty_tokens.exists():
            write_parquet_atomic(pa.table({f.name: pa.array([], f.type) for f in TOKEN_SCHEMA}), empty_tokens)
        from .raw import ensure_raw_schema

        ensure_raw_schema(self.lake)
        for name in SCHEMA_FILES:
            con.execute(sql_file(name).replace("{lake}", self.lake.as_posix()))
        ensure_macros(con)
        dedup_store.ensure_signature_scheme(con)
        dedup_store.ensure_reuse_state(con)
        fill_token_counts(con)

    def sweep(self, con: duckdb.DuckDBPyConnection) -> None:
        """Remove what a crashed run left: staging dirs and lake partitions of uncommitted runs."""
        from .lake import remove_tree

        remove_tree(self.staging_root)
        committed = {r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()}
        for table_dir in self.lake.glob("*"):
            for part in table_dir.glob("run_id=*"):
                run_id = part.name.split("=", 1)[1]
                if run_id != "__schema__" and run_id not in committed:
                    remove_tree(part)

    # -- what is already there -----------------------------------------------------------------
    def file_state(self, con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int, str]]:
        """path -> (size, mtime_ns, content hash) of every file as last ingested."""
        rows = con.execute("SELECT path, size, mtime_ns, content_hash FROM file_state").fetchall()
        return {p: (s, m, h) for p, s, m, h in rows}

    # -- the load --------------------------------------------------------------------------------
    def load_run(self, con: duckdb.DuckDBPyConnection, run_id: str, run_row: pa.Table) -> dict:
        """Everything a run adds, in one transaction: all of it lands, or none of it does."""
        from . import dedup_store
        from .lake import remove_tree

        stmts = {k: v.replace("{staging}", self.staging(run_id).as_posix())
                 for k, v in named_statements("load.sql").items()}
        params = {"run_id": run_id}
        in_transaction = False
        # One thread: on two cores a second one added a third more CPU time to every statement
        # (and the lake COPY's second row-group buffer ~80 MB of peak memory) for no shorter wall time.
        con.execute("SET threads = 1")
        # The staged documents are scanned several times (the new ones, their insert, the counts):
        # their footers are parsed once.
        con.execute("SET parquet_metadata_cache = true")
        con.execute(stmts["staged_documents"])
        con.execute(stmts["new_documents"])
        con.execute(stmts["new_documents_full"])
        # The lake copy of the new documents is written on a second connection while this one
        # inserts: on two cores the two take about the same time, and neither waits for the other.
        # Until the commit it is an uncommitted run's partition, which nothing reads and the next
        # run sweeps away.
        side = ThreadPoolExecutor(1, thread_name_prefix="lake-documents")
        lake_documents = side.submit(self._write_lake_documents, con, stmts, run_id)
        try:
            con.execute("BEGIN TRANSACTION")
            in_transaction = True
            con.execute(stmts["insert_documents"], params)
            # dedup state, canonical flips of earlier documents and text reuse: same transaction
            dedup_store.save_plan(con, dedup_store.read_plan_tables(self.staging(run_id)), run_id,
                                  new_doc_ids="new_documents")
            con.execute(stmts["insert_hits"], params)
            con.execute(stmts["insert_rejects"], params)
            con.execute(stmts["upsert_file_state"], params)
            from .raw import load_fetch, raw_lake_query

            has_raw = load_fetch(con, self.staging(run_id), params)
            counts = dict(zip(("documents_new", "exact_duplicates", "near_duplicates"),
                              con.execute(stmts["load_counts"]).fetchone()))
            staged, new = con.execute(stmts["staged_and_new"]).fetchone()
            if staged == new:
                # Every staged document is new: its token files are already what the lake wants,
                # so they move in by rename instead of being read and written again.
                self._move_into_lake(run_id, "tokens", "tokens-*.parquet")
            else:
                self._write_lake(con, run_id, "tokens", stmts["new_tokens"])
            if has_raw:
                self._write_lake(con, run_id, "raw", raw_lake_query(self.staging(run_id)))
            con.register("run_row", _with_counts(run_row, counts))
            con.execute(stmts["insert_run"])
            con.unregister("run_row")
            lake_documents.result()  # the run is committed only with its lake copy complete
            _crash_point("before_commit")
            # The commit checkpoints at once instead of first copying every new row into the
            # WAL (which the CHECKPOINT after it would copy again): a run's rows are written once.
            # Still all or nothing: the new database header is the commit.
            con.execute("SET checkpoint_threshold = '0KB'")
            con.execute("COMMIT")
        except BaseException:
            if in_transaction:
                con.execute("ROLLBACK")
            side.shutdown(wait=True)  # nothing may still be writing the partitions removed here
            for table in ("tokens", "documents", "raw"):
                remove_tree(self.lake / table / f"run_id={run_id}")
            raise
        finally:
            side.shutdown(wait=True)
        return counts

    def _move_into_lake(self, run_id: str, table: str, pattern: str) -> None:
        target = self.lake / table / f"run_id={run_id}"
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(self.staging(run_id).glob(pattern)):
            os.replace(path, target / path.name)

    def _write_lake_documents(self, con: duckdb.DuckDBPyConnection, stmts: dict, run_id: str) -> None:
        # The new documents as the insert reads them: temporary views belong to one connection,
        # so this one defines its own (reading only committed rows, as the insert's did).
        cur = con.cursor()
        try:
            for name in ("staged_documents", "new_documents", "new_documents_full"):
                cur.execute(stmts[name])
            self._write_lake(cur, run_id, "documents", stmts["new_documents_lake"])
        finally:
            cur.close()

    def _write_lake(self, con: duckdb.DuckDBPyConnection, run_id: str, table: str, query: str,
                    params: dict | None = None) -> None:
        target = self.lake / table / f"run_id={run_id}" / "part-0.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(".part-0.parquet.tmp")
        # zstd level 1: a third less time than the default level for ~1.5x the bytes; the text
        # is also in speeches.duckdb, and this copy is written on every run's critical path.
        con.execute(f"COPY ({query}) TO '{tmp.as_posix()}' (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1,"
                    f" ROW_GROUP_SIZE {LAKE_ROW_GROUP_ROWS})", params)
        os.replace(tmp, target)


def fill_token_counts(con: duckdb.DuckDBPyConnection) -> None:
    """documents.token_count of rows loaded before staging filled it: counted in the lake, once."""
    stmts = named_statements("search_migrate.sql")
    if con.execute(stmts["documents_without_token_count"]).fetchone()[0]:
        con.execute(stmts["fill_token_count"])


def _with_counts(run_row: pa.Table, counts: dict) -> pa.Table:
    import pyarrow as pa

    for name, value in counts.items():
        idx = run_row.column_names.index(name)
        run_row = run_row.set_column(idx, name, pa.array([value], pa.int32()))
    return run_row


def _crash_point(name: str) -> None:
    """Tests kill the process here (INGEST_CRASH_AT=name) to prove a crash leaves no trace."""
    if os.environ.get("INGEST_CRASH_AT") == name:
        os.kill(os.getpid(), 9)
