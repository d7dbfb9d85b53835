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
# Above this many documents in the decision (new and earlier ones), the decision's own memory is
# the run's top and the helper's ~150 MB would add to it: 120 MB of one-paragraph notices (360,000
# of them) peaked at 884 MB with a helper, 619 MB at 20 MB (+43 %; 797 MB without one).
HELPER_MAX_DOCUMENTS = 100_000
# The helper's share of the chunks, to begin with, and how far it moves: down when this process
# has to wait for one of the helper's chunks, up when the helper has answered everything it was
# given by the time this process starts a chunk of its own. The two do not compare at one speed:
# at 120 MB of real paragraphs, in a flow run, the helper (its smaller cache rebuilding more sets)
# took 22 s over its half while this process waited for it.
HELPER_SHARE = 0.5
SHARE_STEP = 0.04
SHARE_BOUNDS = (0.1, 0.9)
# Chunks handed to the helper and not yet taken back, at most; and how far past the chunk this
# process is at they may be.
QUEUED = 3
AHEAD = 8


class Helper(Protocol):
    """Computes `compare` for pairs of documents (numbers into `ids`) in another process."""

    def send_documents(self, ids: list[str], lines: list[str | None], titled: np.ndarray) -> bool: ...

    def submit(self, chunk: int, a: np.ndarray, b: np.ndarray) -> bool: ...

    def ready(self) -> bool:
        """Whether the next answer has come (or the helper is gone: `result` then says None)."""

    def result(self, chunk: int) -> np.ndarray | None: ...

    def close(self) -> None: ...


# Row of a helper's result: 1.0 when the pair's first document is the smaller one, then Overlap's
# four numbers (floats travel exactly, so the verdicts are those of comparing here).
RESULT_WIDTH = 5


def overlap_row(ov: Overlap, a) -> tuple[float, float, float, float, float]:
    """A result row of `ov`, an overlap computed with `a` (a doc_id, or what stands for it) first."""
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
    first line is a title), a share of the chunks of pairs is compared there while this process
    compares the others; this process still takes every pair in order and skips what
    the groups of that moment skip, so the edges, joins and counts are those of verifying alone.
    A helper that fails leaves its chunks to this process. Which chunks go to the helper follows
    how fast each side is (HELPER_SHARE); the answers do not depend on it.
    """
    n = len(cands)
    chunks = [(lo, min(lo + CHUNK, n)) for lo in range(0, n, CHUNK)]
    if helper is not None and (lines_of is None or not worth_a_helper(cands)
                               or not _send_documents(helper, cands, lines_of)):
        helper.close()
        helper = None
    sent: dict[int, np.ndarray] = {}  # helper's chunk -> the places in it that it compares
    answers: dict[int, np.ndarray | None] = {}  # what the helper answered, not yet used
    share, owed = HELPER_SHARE, 0.0
    next_out = 1  # the next chunk to give to one side or the other (chunk 0 is this process's)
    skipped = 0
    try:
        for k, (lo, hi) in enumerate(chunks):
            # keep chunks queued for the helper, so that it never waits for this process
            next_out = max(next_out, k + 1)
            while helper is not None and len(sent) < QUEUED and next_out < min(len(chunks), k + AHEAD):
                owed += share
                if owed >= 1.0:
                    owed -= 1.0
                    start = chunks[next_out][0]
                    places = _not_joined(cands, groups, *chunks[next_out])
                    if not helper.submit(next_out, cands.a[start + places], cands.b[start + places]):
                        helper.close()
                        helper = None
                        break
                    sent[next_out] = places
                next_out += 1
            # the answers already there (they come in the order the chunks were handed out)
            while helper is not None and len(answers) < len(sent) and helper.ready():
                helper = _take_answer(helper, min(c for c in sent if c not in answers), answers)
            computed: dict[int, np.ndarray] = {}
            if k in sent:
                if helper is not None and k not in answers:
                    share = max(share - SHARE_STEP, SHARE_BOUNDS[0])  # this process waits for it
                    helper = _take_answer(helper, k, answers)
                rows = answers.pop(k, None)
                if rows is not None:  # (none from a failed helper: this process compares its chunks)
                    computed = dict(zip(sent[k].tolist(), rows))
                del sent[k]
            elif helper is not None and len(answers) == len(sent):
                share = min(share + SHARE_STEP, SHARE_BOUNDS[1])  # the helper has nothing left to do
            skipped += _verify_chunk(cands, lo, hi, groups, edges, shingled, policy, computed)
    finally:
        if helper is not None:
            helper.close()
    return skipped


def _take_answer(helper: Helper, chunk: int, answers: dict) -> Helper | None:
    """The helper's answer for `chunk` into `answers`; the helper, or None once it has failed."""
    answers[chunk] = helper.result(chunk)
    if answers[chunk] is None:
        helper.close()
        return None
    return helper


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
    """Whether the pairs to compare (not exact copies) are enough to pay for a helper, among
    documents few enough to leave room for it."""
    return (len(cands.ids) <= HELPER_MAX_DOCUMENTS
            and len(cands) - int(np.count_nonzero(cands.exact)) >= HELPER_MIN_PAIRS)


def _send_documents(helper: Helper, cands: CandidatePairs, lines_of: Callable[[str], tuple[str, bool]]) -> bool:
    """The matching lines of every document in a pair, by number (None for the others)."""
    ids = cands.ids
    lines: list[str | None] = [None] * len(ids)
    titled = np.zeros(len(ids), dtype=np.uint8)
    for i in np.unique(np.concatenate((cands.a, cands.b))).tolist():
        lines[i], titled[i] = lines_of(ids[i])
    return helper.send_documents(ids, lines, titled)
