"""Each document's best candidate pairs, chosen a range of documents at a time.

The pairs are the forced ones (exact copies and shared sentences: columns a, b, priority), then
the band pairs (codes a * n + b, sorted, and their priorities); on equal priority the earlier
pair in that order comes first. A pair stays when either of its documents has it among its
`limit` best.

Why ranges. Where many short documents share a paragraph, millions of pairs are kept (6 million
at 120 MB of notices) and the choice is made again each time band pairs pile up. Ranking all of
them at once took ~50 bytes a pair of temporaries (both sides' document numbers, a copy of the
priorities, their ranking, a packed sort key), the decision's peak; a range of documents holds
about PART_ROWS pairs, so the temporaries stay ~50 MB whatever the corpus, and the choice is the
same: a document's pairs are all in its range.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .pair_arrays import groups

PART_ROWS = 1 << 20  # pairs ranked at once (about: a document's pairs are never split)
_SLICE = 1 << 20


def best_per_document(forced_a: np.ndarray, forced_b: np.ndarray, forced_priority: np.ndarray,
                      codes: np.ndarray, priority: np.ndarray | Callable[[np.ndarray], np.ndarray], n: int,
                      limit: int, bars: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Which forced pairs and which band pairs (two masks) are among the `limit` best of either
    of their documents. With `bars`, appends per side (a, then b) the documents with at least
    `limit` pairs there and the position of their `limit`-th best (forced pairs first, then the
    band pairs: position len(forced_a) + i is codes[i]). `priority`: the band pairs', or a
    function giving those of some rows of `codes` (asked a range at a time)."""
    n_forced = len(forced_a)
    priority_of = priority if callable(priority) else priority.__getitem__
    keep = np.zeros(n_forced + len(codes), dtype=bool)
    narrow = np.int32 if n < 1 << 31 else np.int64
    for side_no in (0, 1):
        forced_side = (forced_a if side_no == 0 else forced_b).astype(narrow)
        side = document_column(codes, n, side_no, narrow)
        found_docs, found_at = [], []
        for lo, hi in _document_ranges(forced_side, side, n):
            f_rows = np.flatnonzero((forced_side >= lo) & (forced_side < hi))
            if side_no == 0:  # the codes are sorted, so their first documents are
                b_rows = np.arange(*np.searchsorted(side, [lo, hi]))
            else:
                b_rows = np.flatnonzero((side >= lo) & (side < hi))
            docs = np.concatenate([forced_side[f_rows], side[b_rows]])
            ranked = np.concatenate([forced_priority[f_rows], priority_of(b_rows)])
            rows = np.concatenate([f_rows, b_rows + n_forced])
            del f_rows, b_rows
            order = by_document_then_priority(ranked)(docs - lo)
            del ranked
            starts, counts = groups(docs[order])
            # the first `limit` rows of each document's run, a rank at a time
            for k in range(limit):
                keep[rows[order[starts[counts > k] + k]]] = True
            if bars is not None:
                full = counts >= limit
                found_docs.append(docs[order[starts[full]]])
                found_at.append(rows[order[starts[full] + limit - 1]])
        del side
        if bars is not None:
            bars.append((np.concatenate(found_docs or [np.zeros(0, narrow)]).astype(np.int64),
                         np.concatenate(found_at or [np.zeros(0, np.int64)])))
    return keep[:n_forced], keep[n_forced:]


def document_column(codes: np.ndarray, n: int, side_no: int, dtype=np.int64) -> np.ndarray:
    """The first (side 0) or second (side 1) document of each pair code, a slice at a time
    (the int64 quotient of all codes at once was one more array as long as the pairs)."""
    out = np.empty(len(codes), dtype=dtype)
    for lo in range(0, len(codes), _SLICE):
        part = codes[lo:lo + _SLICE]
        out[lo:lo + len(part)] = part // n if side_no == 0 else part % n
    return out


def _document_ranges(forced_side: np.ndarray, side: np.ndarray, n: int) -> list[tuple[int, int]]:
    """Ranges [lo, hi) of document numbers holding about PART_ROWS pairs each (a document with
    more is a range of its own)."""
    per_doc = np.bincount(forced_side, minlength=n)
    for lo in range(0, len(side), _SLICE):  # (bincount copies its input to intp)
        per_doc += np.bincount(side[lo:lo + _SLICE], minlength=n)
    total = int(per_doc.sum())
    if total <= PART_ROWS:
        return [(0, n)] if total else []
    ends = np.cumsum(per_doc)
    del per_doc
    cuts = np.searchsorted(ends, np.arange(PART_ROWS, total, PART_ROWS), side="left") + 1
    bounds = np.unique(np.concatenate(([0], cuts, [n]))).tolist()
    return list(zip(bounds[:-1], bounds[1:]))


def by_document_then_priority(priority: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """For a column of document numbers, the order of `np.lexsort((-priority, side))`: by
    document, then highest priority first, then as given.

    Two lexsorts (each two stable sorts) over millions of pairs were most of the candidate
    search on short notices: the priorities are ranked once for both sides, and each side is
    one in-place sort of document number, rank and position packed into one integer (the
    position makes every key distinct, so no stable sort is needed, and is the answer).
    """
    n = len(priority)
    by_priority = np.argsort(priority)
    changes = np.zeros(n, dtype=np.int32)
    for lo in range(0, max(n - 1, 0), _SLICE):
        ranked = priority[by_priority[lo:lo + _SLICE + 1]]
        changes[lo + 1:lo + len(ranked)] = ranked[1:] != ranked[:-1]
    np.cumsum(changes, out=changes)
    top = int(changes[-1]) if n else 0
    np.subtract(top, changes, out=changes)  # 0 for the highest priority
    rank = np.empty(n, dtype=np.int32)
    rank[by_priority] = changes
    del by_priority, changes
    rank_bits = max(top.bit_length(), 1)
    at_bits = max((n - 1).bit_length(), 1)

    def order(side: np.ndarray) -> np.ndarray:
        if int(side.max(initial=0)).bit_length() + rank_bits + at_bits > 63:  # too wide to pack
            return np.lexsort((-priority, side))
        key = side.astype(np.int64)
        key <<= rank_bits + at_bits
        for lo in range(0, n, _SLICE):
            part = rank[lo:lo + _SLICE].astype(np.int64)
            part <<= at_bits
            part |= np.arange(lo, lo + len(part), dtype=np.int64)
            key[lo:lo + len(part)] |= part
        key.sort()
        key &= (1 << at_bits) - 1
        return key

    return order
