"""The candidate pairs verified in their order, a share of them computed ahead by a helper on the second core."""
from __future__ import annotations

from typing import Callable, Protocol

import numpy as np

from .candidates import CandidatePairs
from .containment import MatchPolicy, Overlap, Shingled, compare, similar, verdict
from .groups import DocumentGroups, VerifiedPairs

# Pairs handed out at a time. The helper computes a chunk from the groups as they were when it
# was handed out, a chunk or three before its turn: a pair joined meanwhile is computed for
# nothing (at real 60 MB, ~1.5 % of a 4,096-pair lag).
CHUNK = 2048
# Below this many pairs to compare, the helper's start (~0.3 s of imports) and the documents'
# lines sent to it cost more than it saves.
HELPER_MIN_PAIRS = 20_000
# The helper takes every chunk but each HELPER_EVERY-th (half of them: a third left here had this
# process wait for it), at most QUEUED of them ahead.
HELPER_EVERY = 2
QUEUED = 3


class Helper(Protocol):
    """Computes `compare` for pairs of documents (numbers into `ids`) in another process."""

    def send_documents(self, ids: list[str], lines: list[str | None], titled: np.ndarray) -> bool: ...

    def submit(self, chunk: int, a: np.ndarray, b: np.ndarray) -> bool: ...

    def result(self, chunk: int) -> np.ndarray | None: ...

    def close(self) -> None: ...


# Row of a helper's result: 1.0 when the pair's first document is the smaller one, then Overlap's
# four numbers (floats travel exactly, so the verdicts are those of comparing here).
RESULT_WIDTH = 5


def overlap_row(ov: Overlap, a: str) -> tuple[float, float, float, float, float]:
    return (1.0 if ov.small == a else 0.0, ov.jaccard, ov.contained, ov.coverage, ov.size_ratio)


def verify_in_order(cands: CandidatePairs, groups: DocumentGroups, edges: VerifiedPairs,
                    shingled: Callable[[str], Shingled], policy: MatchPolicy,
                    helper: Helper | None = None,
                    lines_of: Callable[[str], tuple[str, bool]] | None = None) -> int:
    """Verify the candidate pairs in their order (strongest first), recording edges and joining
    similar documents; returns how many were skipped.

    A pair whose documents are already joined through pairs verified before is skipped: the
    clusters are those of verifying every pair, and a cluster of n copies costs ~n comparisons,
    not n^2 / 2. With a `helper` (and `lines_of`: a document's matching lines and whether its
    first line is a title), every other chunk of pairs is compared there while this process
    compares the chunk before it; this process still takes every pair in order and skips what
    the groups of that moment skip, so the edges, joins and counts are those of verifying alone.
    A helper that fails leaves its chunks to this process.
    """
    n = len(cands)
    chunks = [(lo, min(lo + CHUNK, n)) for lo in range(0, n, CHUNK)]
    if helper is not None and (lines_of is None or not worth_a_helper(cands)
                               or not _send_documents(helper, cands, lines_of)):
        helper.close()
        helper = None
    sent: dict[int, np.ndarray] = {}  # helper's chunk -> the places in it that it compares
    theirs = iter([k for k in range(len(chunks)) if k % HELPER_EVERY])
    next_out = next(theirs, None)
    skipped = 0
    try:
        for k, (lo, hi) in enumerate(chunks):
            # keep chunks queued for the helper, so that it never waits for this process
            while helper is not None and next_out is not None and len(sent) < QUEUED:
                places = _not_joined(cands, groups, *chunks[next_out])
                if not helper.submit(next_out, cands.a[chunks[next_out][0] + places],
                                     cands.b[chunks[next_out][0] + places]):
                    helper.close()
                    helper = None
                    break
                sent[next_out] = places
                next_out = next(theirs, None)
            computed: dict[int, np.ndarray] = {}
            if k in sent:
                rows = helper.result(k) if helper is not None else None
                if rows is None:  # (a failed helper: this process compares its chunks)
                    if helper is not None:
                        helper.close()
                        helper = None
                else:
                    computed = dict(zip(sent[k].tolist(), rows))
                del sent[k]
            skipped += _verify_chunk(cands, lo, hi, groups, edges, shingled, policy, computed)
    finally:
        if helper is not None:
            helper.close()
    return skipped


def _verify_chunk(cands: CandidatePairs, lo: int, hi: int, groups: DocumentGroups, edges: VerifiedPairs,
                  shingled: Callable[[str], Shingled], policy: MatchPolicy, computed: dict[int, np.ndarray]) -> int:
    ids, skipped = cands.ids, 0
    for j, (ia, ib, same) in enumerate(zip(cands.a[lo:hi].tolist(), cands.b[lo:hi].tolist(),
                                           cands.exact[lo:hi].tolist())):
        if groups.same(ia, ib):
            skipped += 1
            continue
        a, b = ids[ia], ids[ib]
        if same:
            edges.add("exact", Overlap(a, b, 1.0, 1.0, 1.0, 1.0), ia, ib)
            groups.union(ia, ib)
            continue
        row = computed.get(j)
        if row is None:
            ov = compare(shingled(a), shingled(b), policy)
        else:  # (not joined when handed out, so not before: groups only grow)
            a_small, jaccard, contained, coverage, ratio = row.tolist()
            ov = Overlap(*((a, b) if a_small else (b, a)), jaccard, contained, coverage, ratio)
        kind = verdict(ov, policy)
        if kind:
            edges.add(kind, ov, *((ia, ib) if ov.small == a else (ib, ia)))
            if similar(ov, policy):
                groups.union(ia, ib)
    return skipped


def _not_joined(cands: CandidatePairs, groups: DocumentGroups, lo: int, hi: int) -> np.ndarray:
    """Places in the chunk of pairs that need comparing as the groups stand now."""
    return np.array([j for j, (ia, ib, same) in enumerate(zip(cands.a[lo:hi].tolist(), cands.b[lo:hi].tolist(),
                                                             cands.exact[lo:hi].tolist()))
                     if not same and not groups.same(ia, ib)], dtype=np.int64)


def worth_a_helper(cands: CandidatePairs) -> bool:
    """Whether the pairs to compare (not exact copies) are enough to pay for a helper."""
    return len(cands) - int(np.count_nonzero(cands.exact)) >= HELPER_MIN_PAIRS


def _send_documents(helper: Helper, cands: CandidatePairs, lines_of: Callable[[str], tuple[str, bool]]) -> bool:
    """The matching lines of every document in a pair, by number (None for the others)."""
    ids = cands.ids
    lines: list[str | None] = [None] * len(ids)
    titled = np.zeros(len(ids), dtype=np.uint8)
    for i in np.unique(np.concatenate((cands.a, cands.b))).tolist():
        lines[i], titled[i] = lines_of(ids[i])
    return helper.send_documents(ids, lines, titled)
