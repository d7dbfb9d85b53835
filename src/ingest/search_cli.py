"""`ingest search`: ranked speeches with a highlighted snippet, from the command line."""
from __future__ import annotations

import csv
import json
import os
import sys

import click

# On a terminal the matched words are styled; elsewhere (a pipe, a file, --format csv/json)
# they stand in these brackets. The ranking SQL marks them with two control characters that
# never occur in a clean text, so both renderings come from one query.
PLAIN_MARKS = ("【", "】")
_TTY_MARKS = ("\x02", "\x03")
HIGHLIGHT_STYLE = "bold red"
TABLE_COLUMNS = ("#", "score", "date", "who", "title", "snippet")
# search_query's columns (also the CSV header of an empty result)
RESULT_COLUMNS = ("doc_id", "score", "title", "published_at", "organization", "speaker", "genre", "matched",
                  "snippet", "source_uri")


@click.command("search")
@click.argument("query")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Speeches to show.")
@click.option("--since", default=None, metavar="DATE",
              help="Only speeches published on or after DATE (2024, 2024-03 or 2024-03-15); undated ones are left out.")
@click.option("--org", default=None, metavar="ORG", help="Only speeches whose organization contains ORG.")
@click.option("--warehouse", "warehouse", type=click.Path(file_okay=False), default=None,
              help="Warehouse directory (default: $INGEST_WAREHOUSE or ./warehouse).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def search_command(query: str, limit: int, since: str | None, org: str | None, warehouse: str | None,
                   fmt: str) -> None:
    """Canonical speeches matching QUERY, best first (BM25 over the jieba tokens), each with a
    snippet around its rarest matched term.

    Words separated by spaces are all required; OR allows either side (AND binds tighter:
    `a b OR c` is `(a b) OR c`); brackets group; "quotes" (or “…”) make a phrase whose tokens must
    stand side by side. Each word is segmented like the speeches (same user dictionary); a word
    the segmenter splits matches only as typed, like a phrase. On a terminal the matched words
    are highlighted, elsewhere they are marked 【like this】.
    """
    from .cli import Fatal, _open_read_only
    from .search import QueryError, SearchUnavailable, parse_query, parse_since, search

    try:
        parsed = parse_query(query)
        since_date = parse_since(since)
    except QueryError as exc:
        raise Fatal(str(exc)) from None
    styled = fmt == "table" and sys.stdout.isatty()
    _, con = _open_read_only(warehouse)
    try:
        rows = search(con, parsed, limit=limit, since=since_date, org=org,
                      marks=_TTY_MARKS if styled else PLAIN_MARKS)
    except SearchUnavailable as exc:
        raise Fatal(str(exc)) from None
    finally:
        con.close()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, default=str, indent=1))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(list(rows[0]) if rows else list(RESULT_COLUMNS))
        writer.writerows([[_csv_value(v) for v in r.values()] for r in rows])
    else:
        _print_table(rows, styled)


def _csv_value(value):
    return "|".join(value) if isinstance(value, list) else value


def _print_table(rows: list[dict], styled: bool) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for name in TABLE_COLUMNS:
        table.add_column(name, overflow="fold", justify="right" if name in ("#", "score") else "left",
                         ratio=3 if name == "snippet" else None)
    for rank, r in enumerate(rows, 1):
        when = r["published_at"].strftime("%Y-%m-%d") if r.get("published_at") else ""
        who = r.get("organization") or r.get("speaker") or ""
        snippet = _highlighted(r["snippet"], Text) if styled else Text(r["snippet"])
        # Text, not markup: titles and snippets of forum posts hold brackets ('[/b]') rich would parse.
        table.add_row(str(rank), f"{r['score']:.3f}", when, Text(who), Text(r.get("title") or "(untitled)"), snippet)
    # A pipe or a file gets the width `ingest sql` uses; a terminal its own.
    width = os.environ.get("COLUMNS") or (None if styled else "160")
    console = Console(width=int(width) if width else None, force_terminal=styled, highlight=False,
                      no_color=not styled)
    console.print(table)
    console.print(f"({len(rows)} speech{'es' if len(rows) != 1 else ''})", highlight=False)


def _highlighted(snippet: str, text_cls):
    """The snippet as rich Text, the marked words styled and their markers gone."""
    out = text_cls()
    rest = snippet
    while _TTY_MARKS[0] in rest:
        before, _, after = rest.partition(_TTY_MARKS[0])
        word, _, rest = after.partition(_TTY_MARKS[1])
        out.append(before)
        out.append(word, style=HIGHLIGHT_STYLE)
    out.append(rest)
    return out
