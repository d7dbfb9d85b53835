"""Full-text search over the warehouse's jieba tokens: the query language, BM25 queries, session functions.

The ranking itself is SQL (warehouse/search.sql, macro `search_query`): each query reads the
tokens of its terms from the lake, so nothing is indexed at ingest time. This module turns a
query string into that macro's arguments, segmenting every word with the same engine and user
dictionary as the ingest run, and registers `segment`, `segment_query` and `search(query)` on a
DuckDB connection (what `ingest sql` sessions get).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from itertools import product
from typing import Callable

from .storage.sql import named_statements

MAX_CLAUSES = 64  # (a OR b) (c OR d) ... multiplies out; a query past this is refused, not run slowly
OPERATORS = {"OR", "AND"}
# A phrase in ASCII or Chinese quotes; brackets in ASCII or full width; anything else up to a
# space, a quote or a bracket is a word.
_LEXEME = re.compile(r'\s*(?:"(?P<q1>[^"]*)"|“(?P<q2>[^”]*)”|(?P<open>[(（])|(?P<close>[)）])|(?P<word>[^\s"“”()（）]+))')
_UNCLOSED_QUOTE = re.compile(r'^\s*["“]')


class QueryError(ValueError):
    """A query that cannot be read, with a message for the user."""


class SearchUnavailable(Exception):
    """The warehouse was last written by a version without search (its next `ingest run` adds it)."""


@dataclass(frozen=True)
class SearchQuery:
    """A query as search_query(leaves, clauses) takes it.

    leaves: each a term (one token) or a phrase (tokens that must stand side by side).
    clauses: the query in disjunctive normal form, 1-based leaf indices: a speech matches when
    it holds every leaf of at least one clause.
    """

    leaves: list[list[str]] = field(default_factory=list)
    clauses: list[list[int]] = field(default_factory=list)

    def as_struct(self) -> dict:
        return {"leaves": self.leaves, "clauses": self.clauses}


def parse_query(text: str, cut: Callable[[str], list[str]] | None = None) -> SearchQuery:
    """Read a query: words separated by spaces are all required (AND, also written out), `OR`
    between words or groups allows either, brackets group, "quotes" make a phrase.

    AND binds tighter than OR, as in SQL: `a b OR c` is `(a AND b) OR c`. Each word and phrase is
    segmented with `cut` (the project's segmenter by default); a word the segmenter splits, like
    a quoted phrase, matches only where its tokens stand side by side, as it was typed.
    """
    if cut is None:
        from .segment import get_segmenter

        cut = get_segmenter().cut
    lexemes = _lex(text)
    if not lexemes:
        raise QueryError("empty query: give at least one word")
    leaves: list[tuple[str, ...]] = []
    pos = 0

    def leaf_index(tokens: list[str], shown: str) -> int:
        if not tokens:
            raise QueryError(f"nothing to search for in {shown!r} (only spaces or punctuation the segmenter drops)")
        key = tuple(tokens)
        if key not in leaves:
            leaves.append(key)
        return leaves.index(key) + 1

    def peek() -> tuple[str, str] | None:
        return lexemes[pos] if pos < len(lexemes) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        pos += 1
        return lexemes[pos - 1]

    def either() -> list[frozenset[int]]:
        clauses = both()
        while peek() == ("op", "OR"):
            take()
            if peek() is None or peek()[0] in ("close", "op"):
                raise QueryError("OR needs a word or a group on each side")
            clauses = clauses + both()
        return clauses

    def both() -> list[frozenset[int]]:
        clauses = atom()
        while peek() is not None and peek()[0] != "close" and peek() != ("op", "OR"):
            if peek() == ("op", "AND"):
                take()
                if peek() is None or peek()[0] in ("close", "op"):
                    raise QueryError("AND needs a word or a group on each side")
            right = atom()
            clauses = [a | b for a, b in product(clauses, right)]
            if len(clauses) > MAX_CLAUSES:
                raise QueryError(f"query too complex: more than {MAX_CLAUSES} alternatives once multiplied out")
        return clauses

    def atom() -> list[frozenset[int]]:
        kind, value = take()
        if kind == "open":
            inner = either()
            if peek() != ("close", ")"):
                raise QueryError("unbalanced brackets: a '(' is not closed")
            take()
            return inner
        if kind == "close":
            raise QueryError("unbalanced brackets: a ')' without its '('")
        if kind == "op":
            raise QueryError(f"{value} needs a word or a group on each side")
        return [frozenset([leaf_index(cut(value), value)])]

    clauses = either()
    if pos < len(lexemes):
        raise QueryError("unbalanced brackets: a ')' without its '('")
    unique = sorted({tuple(sorted(c)) for c in clauses})
    # A clause holding every leaf of another adds no match: keep the smaller one.
    minimal = [c for c in unique if not any(set(o) < set(c) for o in unique)]
    return SearchQuery([list(x) for x in leaves], [list(c) for c in minimal])


def _lex(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _LEXEME.match(text, pos)
        if m is None or m.end() == pos:
            if text[pos:].strip() == "":
                break
            if _UNCLOSED_QUOTE.match(text, pos):
                raise QueryError("unbalanced quotes: a phrase is not closed")
            raise QueryError(f"cannot read the query from {text[pos:]!r}")
        pos = m.end()
        if m.group("q1") is not None or m.group("q2") is not None:
            out.append(("phrase", m.group("q1") if m.group("q1") is not None else m.group("q2")))
        elif m.group("open"):
            out.append(("open", "("))
        elif m.group("close"):
            out.append(("close", ")"))
        elif m.group("word") in OPERATORS:
            out.append(("op", m.group("word")))
        else:
            out.append(("word", m.group("word")))
    return out


def parse_since(value: str | None) -> datetime | None:
    """--since: a year, a month or a day (2024, 2024-03, 2024-03-15)."""
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            return datetime.strptime(value.strip(), fmt)
        except ValueError:
            continue
    raise QueryError(f"--since {value!r}: give a date as 2024, 2024-03 or 2024-03-15")


def search(con, query: str | SearchQuery, limit: int | None = 10, since: datetime | None = None,
           org: str | None = None, marks: tuple[str, str] = ("【", "】"), context: int = 30) -> list[dict]:
    """Ranked canonical speeches for a query (best first): doc_id, score, title, published_at,
    organization, speaker, genre, matched (the leaves it holds), snippet, source_uri.

    `since` keeps speeches published on or after it (undated ones are left out); `org` keeps
    those whose organization contains it. Statistics (N, df, mean length) are the whole corpus's
    either way, so a speech's score does not depend on the filters.
    """
    import duckdb

    parsed = query if isinstance(query, SearchQuery) else parse_query(query)
    try:
        cur = con.execute(named_statements("search_session.sql")["ranked"], {
            "leaves": parsed.leaves, "clauses": parsed.clauses, "mark_open": marks[0], "mark_close": marks[1],
            "context": context, "since": since, "org": org, "limit": limit,
        })
    except duckdb.CatalogException as exc:
        if "search_ranked" in str(exc) or "search_snippet" in str(exc):
            raise SearchUnavailable("this warehouse has no search macros yet: the next `ingest run` adds them") from None
        raise
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, row)) for row in cur.fetchall()]


def add_session_functions(con) -> None:
    """What an `ingest sql` session adds to the warehouse's macros (connection-local, read-only safe).

    - segment(text) -> VARCHAR[]: the tokens the ingest run makes of a text (same user dictionary).
    - segment_query(query) -> STRUCT(leaves VARCHAR[][], clauses BIGINT[][]): a query as
      search_query takes it.
    - search(query): search_query over a query string (TEMP macro over the two functions).
    The segmenter loads on the first call, so a session that never segments pays nothing.
    """
    import duckdb

    def segment(text: str | None) -> list[str] | None:
        from .segment import get_segmenter

        return None if text is None else get_segmenter().cut(text)

    def segment_query(text: str | None) -> dict | None:
        return None if text is None else parse_query(text).as_struct()

    con.create_function("segment", segment, [duckdb.sqltype("VARCHAR")], duckdb.sqltype("VARCHAR[]"),
                        null_handling="special")
    con.create_function("segment_query", segment_query, [duckdb.sqltype("VARCHAR")],
                        duckdb.sqltype("STRUCT(leaves VARCHAR[][], clauses BIGINT[][])"), null_handling="special")
    try:
        con.execute(named_statements("search_session.sql")["session_macros"])
    except duckdb.CatalogException:
        pass  # a warehouse no run of this version has opened yet: no search_query to build on
