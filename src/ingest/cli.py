"""The `ingest` command line: run the flow, query the warehouse, show its status."""
from __future__ import annotations

import atexit
import gc
import json
import os
import shlex
import sys
from contextlib import ExitStack
from pathlib import Path

import click

from .storage.sql import named_statements
from .storage.memory_limits import load_memory_limit, lookup_memory_limit
from .storage.warehouse import LOCK_TIMEOUT_ENV, Warehouse, WarehouseError, is_disk_full

WAREHOUSE_OPTION = click.option(
    "--warehouse", "warehouse", type=click.Path(file_okay=False), default=None,
    help="Warehouse directory (default: $INGEST_WAREHOUSE or ./warehouse).",
)


class Fatal(click.ClickException):
    """One clear line on stderr and exit status 2."""

    exit_code = 2


# A reader waits this long for a run's load (which holds the file for seconds) before giving up.
SQL_LOCK_TIMEOUT_S = 30.0


class Damaged(click.ClickException):
    """The warehouse opened, but its lake does not match what was committed: exit status 1."""

    exit_code = 1


def _lock_timeout_option(default: float, what: str, env: bool = True):
    fallback = f"${LOCK_TIMEOUT_ENV} or {default:g} s" if env else f"{default:g} s"
    return click.option("--lock-timeout", "lock_timeout", type=float, default=None, metavar="SECONDS",
                        help=f"How long to wait while another process holds the warehouse file ({what}; "
                             f"default {fallback}).")


def _load_flow(name: str = "ingest_speeches"):
    """The flows live in flows/ beside src/ (they import Prefect; this library does not)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    # The temporary server's 20 s default is too short on a busy two-core machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    root = str(Path(__file__).resolve().parents[2])
    if root not in sys.path:
        sys.path.insert(0, root)
    if name == "reprocess":
        from flows.reprocess import reprocess_raw

        return reprocess_raw
    from flows.ingest_speeches import ingest_speeches

    return ingest_speeches


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="speech-ingest")
def main() -> None:
    """Ingest Chinese speeches and official texts into a DuckDB warehouse."""


@main.command()
@click.argument("sources", nargs=-1)
@WAREHOUSE_OPTION
@click.option("--segmenter", type=click.Choice(["rjieba", "jieba"]), default="rjieba", show_default=True,
              help="Word segmentation engine (same tokens; rjieba is much faster).")
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False), default=None,
              help="A sources.yaml listing URLs to fetch, with per-source options.")
@click.option("--allow-private-hosts", is_flag=True, default=False,
              help="Allow fetching from private and loopback addresses (also INGEST_ALLOW_PRIVATE_HOSTS=1).")
@click.option("--runner", type=click.Choice(["default", "dask"]), default="default", show_default=True,
              help="Where batches run: in this process, or on Dask (a local cluster unless --dask-address).")
@click.option("--dask-address", default=None, metavar="tcp://HOST:PORT",
              help="Scheduler of an existing Dask cluster (with --runner dask).")
@click.option("--dask-workers", type=int, default=2, show_default=True,
              help="Worker processes of the local Dask cluster (with --runner dask and no address).")
@click.option("--max-file-bytes", type=click.IntRange(min=1), default=None, metavar="BYTES",
              help="Reject local files larger than this, unopened (default: $INGEST_MAX_FILE_BYTES or "
                   "20 MB).")
@click.option("--follow-links-outside", is_flag=True, default=False,
              help="Read symbolic links that lead out of a named directory (by default each is a reject).")
@click.option("--always-flow-run", is_flag=True, default=False,
              help="Start a Prefect flow run even when no file is new or changed (by default such a "
                   "run is recorded in the warehouse's `runs` table only, in about a second).")
@_lock_timeout_option(600, "a notebook's read-only session blocks the load")
def run(sources: tuple[str, ...], warehouse: str | None, segmenter: str, sources_file: str | None,
        allow_private_hosts: bool, runner: str, dask_address: str | None, dask_workers: int,
        max_file_bytes: int | None, follow_links_outside: bool, always_flow_run: bool,
        lock_timeout: float | None) -> None:
    """Run the ingest flow over SOURCES: files or directories (recursive; .txt, .html, .htm) and
    URLs (an article, an RSS/Atom feed, a sitemap, a Discuz! board or thread).

    With no SOURCE, ingests the bundled sample corpus. Only new or changed files are read and
    only new or changed web pages are downloaded; when no file is new or changed (and no URL is
    named), the run is recorded without starting Prefect. Bad inputs land in the `rejects` table
    and do not stop the run; exit status is non-zero only on a fatal error.
    """
    from .config import ParameterError, validate_params
    from .sources.config import load_sources_file
    from .sources.files import SourceError, stored_name
    from .sources.urls import allow_private_from_env, names_url, printable_url, without_password

    # A URL's bytes that are not UTF-8 are percent-encoded, as a browser would send them; a password
    # in it is masked before it becomes a flow parameter the Prefect server keeps (the URL is refused).
    sources = tuple(without_password(printable_url(s)) if names_url(s) else s for s in sources)
    for source in sources:
        if not names_url(source) and not Path(source).expanduser().exists():
            raise Fatal(f"no such file or directory: {stored_name(source)}")
        if stored_name(source) != source and not names_url(source):
            # Flow parameters travel as JSON, which cannot carry such a name; files inside a
            # named directory can have any name (the warehouse stores it escaped).
            raise Fatal(f"a path that is not UTF-8 cannot be named on the command line: {stored_name(source)} "
                        "(name the directory that holds it)")
    if sources_file:
        try:
            load_sources_file(sources_file)  # fail before the flow starts, with the file's own message
        except SourceError as exc:
            raise Fatal(str(exc)) from None
    if lock_timeout is not None:
        os.environ[LOCK_TIMEOUT_ENV] = str(lock_timeout)  # read by every connection the run opens
    wh = Warehouse.at(warehouse)
    params = dict(sources=list(sources) or None, warehouse=str(wh.root), segmenter=segmenter,
                  sources_file=str(Path(sources_file).resolve()) if sources_file else None,
                  allow_private_hosts=allow_private_hosts or allow_private_from_env(),
                  runner=runner, dask_address=dask_address, dask_workers=dask_workers,
                  max_file_bytes=max_file_bytes, follow_links_outside=follow_links_outside)
    try:
        validate_params(**params)
    except ParameterError as exc:
        raise Fatal(str(exc)) from None
    try:  # DuckDB's memory limits: a misread one is named now, not minutes into the run
        load_memory_limit(), lookup_memory_limit()
    except WarehouseError as exc:
        raise Fatal(str(exc)) from None
    # Registered before Prefect registers its own exit handlers, so it runs after them: the
    # interpreter's last collections then skip Prefect's import-time objects (~0.5 s at exit).
    atexit.register(gc.freeze)

    with ExitStack() as held:
        try:
            summary = _run_held(held, wh, sources, params, always_flow_run)
        except click.ClickException:
            raise
        except Exception as exc:
            if is_disk_full(exc):  # still under the run lock: what it staged goes before the lock does
                from .stages import give_up_on_full_disk

                raise Fatal(str(give_up_on_full_disk(wh))) from None
            raise
    if summary is not None:
        _print_summary(summary, wh)


def _run_held(held: ExitStack, wh: Warehouse, sources: tuple[str, ...], params: dict,
              always_flow_run: bool) -> dict | None:
    """The run itself, under the run lock (taken here unless Dask runs the batches)."""
    from .config import ParameterError
    from .sources.files import FileRules, SourceError
    from .sources.urls import local_paths, names_url
    from .stages import start_staging_early

    segmenter, sources_file = params["segmenter"], params["sources_file"]
    if params["runner"] != "dask":
        # Staging starts now, under the run lock, while this process imports Prefect and the
        # flow starts; the flow adopts the plan (a re-run over unchanged input queues nothing).
        try:
            held.enter_context(wh.run_lock())
        except WarehouseError as exc:
            raise Fatal(str(exc)) from None
        plan = start_staging_early(wh, local_paths(list(sources) or None, sources_file), segmenter,
                                   FileRules.from_env(params["max_file_bytes"], params["follow_links_outside"]))
        if plan is not None and not plan.batches and not always_flow_run and not sources_file \
                and not any(names_url(s) for s in sources):
            # Nothing to read: the same stages in this process take about a second, where
            # importing Prefect and running the flow would take several.
            from .stages import record_idle_run

            summary = record_idle_run(wh, plan, segmenter, sources_named=bool(sources))
            _print_summary(summary, wh, note="nothing new or changed: recorded in `runs` without a "
                                             "Prefect flow run (--always-flow-run starts one)")
            return None
    flow = _load_flow()
    _warn_temporary_server()
    gc.freeze()  # what the imports built lives until exit: the run's collections need not walk it
    try:
        return flow(**params)
    except (WarehouseError, SourceError, ParameterError) as exc:
        raise Fatal(str(exc)) from None


@main.command()
@click.argument("sources", nargs=-1)
@WAREHOUSE_OPTION
@click.option("--sources", "sources_file", type=click.Path(dir_okay=False), default=None,
              help="A sources.yaml listing URLs to fetch.")
@click.option("--name", default="ingest-serve", show_default=True, help="Deployment name shown in the UI.")
@click.option("--cron", default="0 6 * * *", show_default=True, help="When to run (cron, in --timezone).")
@click.option("--timezone", "tz", default="Asia/Shanghai", show_default=True, help="IANA time zone of --cron.")
def serve(sources: tuple[str, ...], warehouse: str | None, sources_file: str | None, name: str,
          cron: str, tz: str) -> None:
    """Serve the ingest flow from this process: a scheduled deployment with no pool or worker.

    Runs until interrupted (Ctrl-C). Needs PREFECT_API_URL pointing at a running server
    (`prefect server start`); scheduled and UI-triggered runs execute inside this process.
    """
    from .config import ParameterError, validate_params

    wh = Warehouse.at(warehouse)
    params = dict(sources=list(sources) or None, warehouse=str(wh.root),
                  sources_file=str(Path(sources_file).resolve()) if sources_file else None)
    try:
        validate_params(**params)
    except ParameterError as exc:
        raise Fatal(str(exc)) from None
    _load_flow()  # sets up the environment and sys.path for flows/
    from flows.serve import api_url_configured, serve_ingest

    if not os.environ.get("PREFECT_API_URL") and not api_url_configured():
        click.echo("PREFECT_API_URL is not set: start a server (`prefect server start --background`) and\n"
                   "export PREFECT_API_URL=http://127.0.0.1:4200/api to see this deployment in the UI.", err=True)
    serve_ingest({k: v for k, v in params.items() if v is not None}, name, cron, tz)


# Measured by bench/temporary_server_cost.py (interleaved runs of the sample corpus, with and
# without a running server); the README quotes the same figure.
TEMPORARY_SERVER_COST = "about 4 s"


def _warn_temporary_server() -> None:
    """One line when the flow run is about to start Prefect's temporary server: what it costs and how to avoid it."""
    from flows.serve import api_url_configured

    if not api_url_configured():
        click.echo(f"Prefect: PREFECT_API_URL is not set, so this run starts a temporary Prefect server "
                   f"({TEMPORARY_SERVER_COST} per run); to avoid it: `make server` and "
                   f"`export PREFECT_API_URL=http://127.0.0.1:4200/api`.", err=True)


def _print_summary(s: dict, wh: Warehouse, note: str | None = None) -> None:
    click.echo("")
    click.echo(f"Run {s['run_id']} finished" + (f": {note}." if note else "."))
    click.echo(f"  inputs:     {s['inputs_seen']} found, {s['inputs_unchanged']} unchanged since last run, "
               f"{s['inputs_read']} read ({s['bytes_read'] / 1e6:.2f} MB)")
    click.echo(f"  documents:  {s['documents_new']} new, {s['documents_known']} already in the warehouse")
    reuse = (f"; {s['text_reuse']} reused-passage spans" if s.get("text_reuse") else "") + \
        (f"; {s['canonical_changes']} earlier canonical choices changed" if s.get("canonical_changes") else "") + \
        (f"; {s['kind_changes']} earlier duplicates relabelled" if s.get("kind_changes") else "")
    click.echo(f"  duplicates: {s['exact_duplicates']} exact, {s['near_duplicates']} near or contained{reuse}")
    reasons = ", ".join(f"{n} × {r}" for r, n in sorted(s["reject_reasons"].items(), key=lambda kv: -kv[1]))
    click.echo(f"  rejects:    {s['rejects']}" + (f" ({reasons})" if reasons else ""))
    files = s.get("files") or {}
    if any(files.values()):
        click.echo(f"  files:      {files['edited']} edited (new versions), {files['deleted']} deleted (retired), "
                   f"{files['renamed']} renamed, {files['restored']} restored")
    if s.get("web"):
        w = s["web"]
        click.echo(f"  web:        {w['seen']} seen, {w['new']} new, {w['changed']} changed, {w['unchanged']} unchanged, "
                   f"{w['rejected']} rejected ({w['requests']} requests, {w['not_modified']} answered 304)")
    click.echo(f"  warehouse:  {wh.db_path}")
    click.echo("")
    example = " ".join(named_statements("status.sql")["example"].split())
    click.echo(f"Try: ingest sql \"{example}\" --warehouse {shlex.quote(str(wh.root))}")
    con = wh.connect(read_only=True)
    try:
        cur = con.execute(example)
        click.echo(_format_table([d[0] for d in cur.description], cur.fetchall()))
    finally:
        con.close()


@main.command()
@WAREHOUSE_OPTION
@click.option("--into", "into", type=click.Path(file_okay=False), required=True,
              help="Directory for the rebuilt warehouse (must not hold one yet).")
@click.option("--segmenter", type=click.Choice(["rjieba", "jieba"]), default="rjieba", show_default=True)
def reprocess(warehouse: str | None, into: str, segmenter: str) -> None:
    """Rebuild the web documents of a warehouse from its raw layer with the current rules, into a
    new warehouse (--into DIR), without the network. The raw layer and fetch state are copied along,
    so later `ingest run`s against the new warehouse stay incremental.
    """
    src, dest = Warehouse.at(warehouse), Warehouse.at(into)
    from .reprocess import check_target

    try:
        check_target(src, dest)
        summary = _load_flow("reprocess")(warehouse=str(src.root), into=str(dest.root), segmenter=segmenter)
    except WarehouseError as exc:
        raise Fatal(str(exc)) from None
    click.echo(f"\nReprocess run {summary['run_id']} finished.")
    click.echo(f"  raw fetches: {summary['raw_units']} read from {summary['source']}")
    click.echo(f"  documents:   {summary['documents_new']} rebuilt, {summary['rejects']} rejects")
    click.echo(f"  warehouse:   {dest.db_path}")


def _open_read_only(warehouse: str | None, wait: float | None = None, extend=None):
    """(warehouse, read-only analyst session), or a one-line fatal error (missing, locked past
    `wait` seconds). `extend(con)` adds session functions before the session's configuration is locked."""
    from .storage.analyst import open_analyst_session

    wh = Warehouse.at(warehouse)
    try:
        return wh, open_analyst_session(wh, extend, wait=SQL_LOCK_TIMEOUT_S if wait is None else wait)
    except WarehouseError as exc:
        raise Fatal(str(exc)) from None


@main.command()
@click.argument("query")
@WAREHOUSE_OPTION
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@_lock_timeout_option(SQL_LOCK_TIMEOUT_S, "a run's load holds it for seconds", env=False)
def sql(query: str, warehouse: str | None, fmt: str, lock_timeout: float | None) -> None:
    """Run a read-only SQL QUERY against the warehouse and print the result.

    Besides the warehouse's tables, views and macros, the session has segment(text),
    segment_query(query) and search(query) (see `ingest search`). Statements that write files,
    attach databases or load extensions are refused, and only the warehouse's own lake can be
    read from (DuckDB's external access is off for the session).
    """
    import duckdb

    from .search import add_session_functions
    from .storage.analyst import run_analyst_query

    wh, con = _open_read_only(warehouse, lock_timeout, extend=add_session_functions)
    try:
        columns, rows = run_analyst_query(con, query)
    except duckdb.Error as exc:
        # DuckDB's whole message: the lines after the first carry its hints ("Did you mean ...")
        # and the position of the error in the query.
        message = str(exc).strip()
        if isinstance(exc, duckdb.PermissionException):
            message += f"\n(ingest sql reads files only in the warehouse's lake, {wh.lake})"
        raise Fatal(f"SQL error: {message}") from None
    finally:
        con.close()
    if fmt == "json":
        click.echo(json.dumps([dict(zip(columns, r)) for r in rows], ensure_ascii=False, default=str, indent=1))
    elif fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        click.echo(_format_table(columns, rows))


@main.command()
@WAREHOUSE_OPTION
@_lock_timeout_option(SQL_LOCK_TIMEOUT_S, "a run's load holds it for seconds", env=False)
def status(warehouse: str | None, lock_timeout: float | None) -> None:
    """What the warehouse holds, its last runs, and whether its lake is what the runs committed."""
    import duckdb

    wh, con = _open_read_only(warehouse, lock_timeout)
    try:
        size = sum(p.stat().st_size for p in wh.root.rglob("*") if p.is_file() and ".staging" not in p.parts)
        click.echo(f"Warehouse {wh.root} ({size / 1e6:.1f} MB)")
        queries = named_statements("status.sql")
        for label, relation in con.execute(queries["counted_relations"]).fetchall():
            try:
                n = f"{con.execute(f'SELECT count(*) FROM {relation}').fetchone()[0]:,}"
            except duckdb.Error:  # e.g. `tokens` over a lake that is gone: the check below says why
                n = "unreadable"
            click.echo(f"  {label:<22}{n:>10}")
        cur = con.execute(queries["last_runs"])
        click.echo("\nLast runs:")
        click.echo(_format_table([d[0] for d in cur.description], cur.fetchall()))
        click.echo("")
        _report_lake(con, wh)
    finally:
        con.close()


@main.command()
@WAREHOUSE_OPTION
@_lock_timeout_option(SQL_LOCK_TIMEOUT_S, "a run's load holds it for seconds", env=False)
def check(warehouse: str | None, lock_timeout: float | None) -> None:
    """Verify the lake against what `runs` committed: every file present, with its row count and
    checksum. Exit status 1 names what is missing or damaged; 0 when all is well."""
    wh, con = _open_read_only(warehouse, lock_timeout)
    try:
        _report_lake(con, wh)
    finally:
        con.close()


def _report_lake(con, wh: Warehouse) -> None:
    from .storage.lake_check import check_lake

    report = check_lake(con, wh)
    if report.unrecorded_runs:
        click.echo(f"  ({len(report.unrecorded_runs)} runs committed before checksums were kept cannot be verified"
                   f" until the next `ingest run` records them)")
    if report.ok:
        click.echo(f"Lake OK: {report.files_checked} files match what their runs committed "
                   "(row counts and checksums)")
        return
    if not wh.lake.exists():
        click.echo(f"The lake directory {wh.lake} is missing.", err=True)
    for problem in report.problems:
        click.echo(f"  {problem.line()}", err=True)
    committed = [p for p in report.problems if p.run_id != "-"]  # not the views' empty schema files
    missing = sum(p.kind == "missing" for p in committed)
    raise Damaged(f"lake damaged: {missing} missing and {len(committed) - missing} damaged of the "
                  f"{report.files_checked} files runs committed;"
                  f" queries over `tokens` and `raw_responses` give wrong answers until they are restored"
                  f" (from a backup of {wh.root}) or the runs re-ingested")


def _format_table(columns: list[str], rows: list[tuple]) -> str:
    from io import StringIO

    from rich import box
    from rich.console import Console
    from rich.table import Table

    from rich.text import Text

    # Text, not markup: values and aliases hold brackets ('[/b]' from forum BBCode) rich would parse.
    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for col in columns:
        table.add_column(Text(col), overflow="fold")
    for row in rows:
        table.add_row(*(Text("NULL" if v is None else str(v)) for v in row))
    buf = StringIO()
    Console(file=buf, width=int(os.environ.get("COLUMNS", "160")), force_terminal=False).print(table)
    return buf.getvalue().rstrip("\n") + f"\n({len(rows)} row{'s' if len(rows) != 1 else ''})"


def _register_eval() -> None:
    from .evaluation.commands import eval_group

    main.add_command(eval_group)


def _register_search() -> None:
    from .search_cli import search_command

    main.add_command(search_command)


_register_eval()
_register_search()


if __name__ == "__main__":
    main()
