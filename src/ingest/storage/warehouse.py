"""The DuckDB warehouse: opening it safely, its schema, and the one-transaction load of a run."""
from __future__ import annotations

import errno
import fcntl
import os
import re
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import duckdb

from .errors import DiskFull, WarehouseError, WarehouseLocked, is_disk_full
from .lake import remove_tree
from .macros import ensure_macros
from .memory_limits import load_memory_limit
from .sql import named_statements, sql_file

if TYPE_CHECKING:
    import pyarrow as pa
# pyarrow, numpy and the dedup store are imported where a load or a schema change needs them:
# `ingest search`, `ingest sql` and `ingest status` only open the database, and those imports
# were ~0.3 s of each such command.

DB_NAME = "speeches.duckdb"
# DuckDB's Parquet writer holds a whole row group in memory: for the lake copies it writes (tokens
# of a run with documents already present, raw pages) a few thousand rows at a time. 2,048 rows is
# DuckDB's floor (a smaller ROW_GROUP_SIZE is ignored). The documents, whose texts can be long,
# are written by storage/lake_documents.py in groups bounded by bytes.
LAKE_ROW_GROUP_ROWS = 2048
SCHEMA_FILES = ("schema.sql", "dedup.sql", "views.sql", "fetch.sql")  # then the macros (storage/macros.py)
# The views name the lake relative to the warehouse directory ('lake/tokens/...'): every connection
# this project opens sets DuckDB's file_search_path to that directory, so a moved or copied
# warehouse reads its own lake. An analyst's own session does the same (README, "The warehouse").
LAKE_IN_VIEWS = "lake"
# How long a connection waits for another process holding the DuckDB file (a notebook's
# read-only session blocks a writer; a run's load blocks readers). $INGEST_LOCK_TIMEOUT, seconds.
LOCK_TIMEOUT_ENV = "INGEST_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT_S = 600.0
LOCK_POLL_S = 0.5


# (warehouse root, thread) -> depth of the run locks that thread holds on it
_held_locks: dict[tuple[Path, int], int] = {}


def schema_fingerprint() -> str:
    """Hash of the schema statements as run: equal in the warehouse (warehouse_meta) = nothing to migrate."""
    import xxhash

    return xxhash.xxh3_64_hexdigest("\0".join(sql_file(n).replace("{lake}", LAKE_IN_VIEWS)
                                              for n in SCHEMA_FILES).encode("utf-8"))


def stored_schema(con: duckdb.DuckDBPyConnection) -> str | None:
    """The fingerprint of the schema the warehouse was last brought to (None: none yet)."""
    try:
        row = con.execute("SELECT value FROM warehouse_meta WHERE name = 'schema'").fetchone()
    except duckdb.CatalogException:  # a new warehouse: no warehouse_meta yet
        return None
    return row[0] if row else None


def lock_timeout_from_env() -> float:
    """Seconds a run waits for the warehouse file: $INGEST_LOCK_TIMEOUT, else ten minutes."""
    value = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    return float(value) if value else DEFAULT_LOCK_TIMEOUT_S


def _lock_holder(message: str) -> str | None:
    found = re.search(r"PID (\d+)", message)
    return found.group(1) if found else None


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
    def connect(self, read_only: bool = False, wait: float | None = None) -> duckdb.DuckDBPyConnection:
        """A connection; a clear WarehouseError when the file is missing or stays held by another process.

        While another process holds the file (a writer blocks everyone; a reader blocks writers),
        waits up to `wait` seconds (default: $INGEST_LOCK_TIMEOUT, else ten minutes), saying once
        on stderr which pid it waits for.
        """
        if read_only and not self.exists():
            raise WarehouseError(f"no warehouse at {self.root} (run `ingest run` first, or pass --warehouse DIR)")
        self.root.mkdir(parents=True, exist_ok=True)
        wait = lock_timeout_from_env() if wait is None else wait
        deadline, told = time.monotonic() + wait, False
        # The lake is found relative to the warehouse directory (the views say 'lake/...').
        config = {"file_search_path": str(self.root)}
        if not read_only:
            # The load of a big run spills to disk instead of growing with the corpus.
            config["memory_limit"] = load_memory_limit()
        while True:
            try:
                return duckdb.connect(str(self.db_path), read_only=read_only, config=config)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    if is_disk_full(exc):
                        raise DiskFull(f"no space left on device for warehouse {self.db_path}") from None
                    raise WarehouseError(f"cannot open warehouse {self.db_path}: {exc}") from None
                holder = _lock_holder(str(exc))
                who = f"pid {holder}" if holder else "another process"
                if time.monotonic() >= deadline:
                    locked = WarehouseLocked(
                        f"warehouse {self.db_path} is locked by another process ({who}) and was still held "
                        f"after {wait:g} s; try again when it finishes")
                    locked.holder = who
                    raise locked from None
                if not told:
                    print(f"waiting for {who} holding the warehouse {self.db_path} (up to {wait:g} s; "
                          f"{LOCK_TIMEOUT_ENV} or --lock-timeout sets how long)", file=sys.stderr, flush=True)
                    told = True
                time.sleep(LOCK_POLL_S)

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
        """Tables, views (reading the lake relative to the warehouse directory) and macros; idempotent.

        Also brings stored MinHash signatures to the code's scheme (a one-off recomputation
        after an upgrade that changed it) and text reuse to passage occurrences (a one-off
        rebuild from dedup_passages), so call it under the run lock.
        """
        import pyarrow as pa

        from . import dedup_migrations
        from .lake import write_parquet_atomic
        from .tables import TOKEN_SCHEMA

        empty_tokens = self.lake / "tokens" / "run_id=__schema__" / "part-0.parquet"
        if not empty_tokens.exists():
            write_parquet_atomic(pa.table({f.name: pa.array([], f.type) for f in TOKEN_SCHEMA}), empty_tokens)
        from .raw import ensure_raw_schema

        ensure_raw_schema(self.lake)
        if stored_schema(con) != schema_fingerprint():
            # Only when the schema files changed (as the macros: a view dropped by hand stays
            # dropped until then): re-creating the views every run dirtied the catalog, and the
            # checkpoint when the connection closed took ~0.5 s at 45,929 documents.
            for name in SCHEMA_FILES:
                con.execute(sql_file(name).replace("{lake}", LAKE_IN_VIEWS))
            con.execute("INSERT OR REPLACE INTO warehouse_meta VALUES ('schema', ?)", [schema_fingerprint()])
        ensure_macros(con)
        dedup_migrations.ensure_signature_scheme(con)
        dedup_migrations.ensure_reuse_state(con)
        fill_token_counts(con)
        from .lake_check import record_unrecorded_runs

        record_unrecorded_runs(con, self)

    def schema_is_current(self) -> bool:
        """Whether the warehouse already has this version's schema (asked read-only: a reader
        holding the file does not block it). Decides whether a run may stage before it gets the file."""
        if not self.exists():
            return False
        try:
            con = self.connect(read_only=True, wait=0)
        except WarehouseError:
            return False
        try:
            return stored_schema(con) == schema_fingerprint()
        except duckdb.Error:
            return False
        finally:
            con.close()

    def sweep_staging(self) -> None:
        """Remove staging areas of runs that died, keeping those kept on purpose for the next run
        (a `resumable.json` beside the batches: a run that gave up waiting for the lock, or whose load
        ran out of memory).
        Touches no DuckDB file, so it runs first, before anything is written: on a full disk it
        is what frees the space."""
        if not self.staging_root.exists():
            return
        for run_dir in self.staging_root.iterdir():
            if not (run_dir / "resumable.json").exists():
                remove_tree(run_dir)

    def sweep(self, con: duckdb.DuckDBPyConnection, keep_staging: bool = False) -> None:
        """Remove what a crashed run left: staging dirs and lake partitions of uncommitted runs
        (the staging dirs stay with `keep_staging`: a load sweeping while its own run is staged)."""
        if not keep_staging:
            self.sweep_staging()
        has_runs = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'runs'").fetchone()[0]
        committed = {r[0] for r in con.execute("SELECT run_id FROM runs").fetchall()} if has_runs else set()
        for table_dir in self.lake.glob("*"):
            for part in table_dir.glob("run_id=*"):
                run_id = part.name.split("=", 1)[1]
                if run_id != "__schema__" and run_id not in committed:
                    remove_tree(part)

    def discard_staging(self) -> int:
        """Remove every staging area (a full disk: space first); returns the bytes freed."""
        freed = sum(p.stat().st_size for p in self.staging_root.rglob("*") if p.is_file()) \
            if self.staging_root.exists() else 0
        remove_tree(self.staging_root)
        return freed

    # -- what is already there -----------------------------------------------------------------
    def file_state(self, con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, int, str]]:
        """path -> (size, mtime_ns, content hash) of every file as last ingested."""
        rows = con.execute("SELECT path, size, mtime_ns, content_hash FROM file_state").fetchall()
        return {p: (s, m, h) for p, s, m, h in rows}

    # -- the load --------------------------------------------------------------------------------
    def load_run(self, con: duckdb.DuckDBPyConnection, run_id: str, run_row: pa.Table) -> dict:
        """Everything a run adds, in one transaction: all of it lands, or none of it does.

        Idempotent: a retry after a failure anywhere (before or after the commit) commits what
        one clean attempt commits. The staged files stay until the caller drops them, so a retry
        finds them again (token files reach the lake as hard links, not moves).
        """
        from . import dedup_store

        committed = self._committed_counts(con, run_id)
        if committed is not None:  # an earlier attempt committed, then failed (e.g. in CHECKPOINT)
            return committed
        stmts = {k: v.replace("{staging}", self.staging(run_id).as_posix())
                 for k, v in named_statements("load.sql").items()}
        params = {"run_id": run_id}
        in_transaction = committed_now = False
        # One thread: on two cores a second one added a third more CPU time to every statement
        # (and, when DuckDB wrote the lake copy, a second row-group buffer of ~80 MB) for no
        # shorter wall time.
        con.execute("SET threads = 1")
        # The staged documents are scanned several times (the new ones, their insert, the counts):
        # their footers are parsed once.
        con.execute("SET parquet_metadata_cache = true")
        # Not their bytes: each staged file is read once or twice, and DuckDB's cache of what it
        # read was ~25 MB more of the load's peak at 120 MB of notices (1,442 parts of each kind).
        con.execute("SET enable_external_file_cache = false")
        con.execute(stmts["staged_documents"])
        con.execute(stmts["new_documents"])
        con.execute(stmts["new_documents_full"])
        decisions = con.execute(stmts["new_document_decisions"]).to_arrow_table()
        side = ThreadPoolExecutor(1, thread_name_prefix="lake-documents")
        try:
            con.execute("BEGIN TRANSACTION")
            in_transaction = True
            con.execute(stmts["insert_documents"], params)
            # The lake copy of the new documents is written in a second thread while this connection
            # saves the rest: on two cores neither waits for the other. Started after the insert,
            # not beside it: the two together were ~70 MB more peak (at 120 MB) for the same time.
            # Until the commit it is an uncommitted run's partition, which nothing reads and the
            # next run sweeps away.
            lake_documents = side.submit(self._write_lake_documents, run_id, decisions)
            # dedup state, canonical flips of earlier documents and text reuse: same transaction
            dedup_store.save_plan(con, self.staging(run_id), run_id,
                                  new_doc_ids="new_documents")
            con.execute(stmts["insert_hits"], params)
            con.execute(stmts["insert_rejects"], params)
            con.execute(stmts["upsert_file_state"], params)
            from .raw import load_fetch, raw_lake_query

            has_raw = load_fetch(con, self.staging(run_id), params)
            from .versions import apply_file_changes, reelect_canonicals

            apply_file_changes(con, self.staging(run_id), run_id)
            reelect_canonicals(con)
            counts = dict(zip(("documents_new", "exact_duplicates", "near_duplicates"),
                              con.execute(stmts["load_counts"]).fetchone()))
            staged, new = con.execute(stmts["staged_and_new"]).fetchone()
            if staged == new:
                # Every staged document is new: its token files are already what the lake wants,
                # so they enter it as hard links instead of being read and written again.
                self._move_into_lake(run_id, "tokens", "tokens-*.parquet")
            else:
                self._write_lake(con, run_id, "tokens", stmts["new_tokens"])
            _crash_point("after_lake_tokens")
            if has_raw:
                self._write_lake(con, run_id, "raw", raw_lake_query(self.staging(run_id)))
            con.register("run_row", _with_counts(run_row, counts))
            con.execute(stmts["insert_run"])
            con.unregister("run_row")
            lake_documents.result()  # the run is committed only with its lake copy complete
            from .lake_check import record_run_files

            record_run_files(con, self, run_id)
            _crash_point("before_commit")
            # The commit checkpoints at once instead of first copying every new row into the
            # WAL (which the CHECKPOINT after it would copy again): a run's rows are written once.
            # Still all or nothing: the new database header is the commit.
            con.execute("SET checkpoint_threshold = '0KB'")
            con.execute("COMMIT")
            in_transaction, committed_now = False, True
            _crash_point("after_commit")
        except BaseException:
            if in_transaction:
                try:
                    con.execute("ROLLBACK")
                except duckdb.Error:  # a failed write may have invalidated the connection: nothing committed
                    pass
            side.shutdown(wait=True)  # nothing may still be writing the partitions removed here
            if not committed_now:  # a committed run's partitions are the warehouse's now
                for table in ("tokens", "documents", "raw"):
                    remove_tree(self.lake / table / f"run_id={run_id}")
            raise
        finally:
            side.shutdown(wait=True)
        return counts

    def _committed_counts(self, con: duckdb.DuckDBPyConnection, run_id: str) -> dict | None:
        row = con.execute("SELECT documents_new, exact_duplicates, near_duplicates FROM runs WHERE run_id = ?",
                          [run_id]).fetchone()
        return None if row is None else dict(zip(("documents_new", "exact_duplicates", "near_duplicates"), row))

    def _move_into_lake(self, run_id: str, table: str, pattern: str) -> None:
        """The staged files enter the lake as hard links: no bytes copied, and the staged names stay
        for a retry of this load (a failed attempt removes the lake side only)."""
        target = self.lake / table / f"run_id={run_id}"
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(self.staging(run_id).glob(pattern)):
            dest = target / path.name
            dest.unlink(missing_ok=True)
            try:
                os.link(path, dest)
            except OSError:  # a file system without hard links: a copy (atomic by rename)
                tmp = dest.with_name(f".{dest.name}.tmp")
                shutil.copyfile(path, tmp)
                os.replace(tmp, dest)

    def _write_lake_documents(self, run_id: str, decisions: pa.Table) -> None:
        from .lake_documents import write_new_documents

        write_new_documents(sorted(self.staging(run_id).glob("documents-*.parquet")), decisions,
                            self.lake / "documents" / f"run_id={run_id}" / "part-0.parquet")

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


def _with_counts(run_row: pa.Table, counts: dict) -> pa.Table:
    import pyarrow as pa

    for name, value in counts.items():
        idx = run_row.column_names.index(name)
        run_row = run_row.set_column(idx, name, pa.array([value], pa.int32()))
    return run_row


_faults_fired: set[str] = set()


def _crash_point(name: str) -> None:
    """Fault injection for tests: INGEST_CRASH_AT=name kills the process here (a crash must leave
    no trace); INGEST_FAIL_ONCE_AT=name raises ENOSPC here the first time in this process (the
    retry that follows must commit what a clean run commits)."""
    if os.environ.get("INGEST_CRASH_AT") == name:
        os.kill(os.getpid(), 9)
    if os.environ.get("INGEST_FAIL_ONCE_AT") == name and name not in _faults_fired:
        _faults_fired.add(name)
        raise OSError(errno.ENOSPC, f"injected fault at {name}: No space left on device")


def fill_token_counts(con: duckdb.DuckDBPyConnection) -> None:
    """documents.token_count of rows loaded before staging filled it: counted in the lake, once."""
    stmts = named_statements("search_migrate.sql")
    if con.execute(stmts["documents_without_token_count"]).fetchone()[0]:
        con.execute(stmts["fill_token_count"])
