"""Verifying a candidate pair on its real shingle sets: near duplicate, long excerpt, or neither."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .matching import MatchingForm
from .minhash import SHINGLE, line_shingle_sets, shingle_hashes


def titled(form: MatchingForm) -> bool:
    """Whether the form's first paragraph is a title (and long enough to be shingled)."""
    return bool(form.title_lines) and len(form.lines[0]) >= SHINGLE


class Shingled:
    """A document's exact shingle set plus the shingles of each paragraph (built on first use)."""

    __slots__ = ("doc_id", "hashes", "_lines", "_paragraphs", "_n_paragraphs", "titled", "size", "on_grow", "owned")

    # the object, its array's header and a cache entry: ~340 bytes a set by tracemalloc, rounded up
    OVERHEAD = 400

    def __init__(self, doc_id: str, hashes: np.ndarray, lines: list[str] | str, titled: bool = False) -> None:
        # lines: a list, or the lines joined by "\n" (a fingerprint's own string: no copy is held)
        self.doc_id, self.hashes, self._lines, self.titled = doc_id, hashes, lines, titled
        self._paragraphs: tuple[np.ndarray, np.ndarray] | None = None
        self._n_paragraphs = -1  # not counted yet
        # an attribute, not a property: read millions of times by the verification loop
        self.size = len(hashes)
        # told the bytes of the paragraph sets when they are built (a cache bounded by bytes)
        self.on_grow: Callable[[int], None] | None = None
        # bytes held for this set alone besides its arrays (its lines, where nothing else holds them)
        self.owned = 0

    @classmethod
    def from_form(cls, doc_id: str, form: MatchingForm) -> "Shingled":
        return cls(doc_id, shingle_hashes(form.text, narrow=True), form.lines, titled(form))

    @classmethod
    def from_lines(cls, doc_id: str, joined: str, is_titled: bool) -> "Shingled":
        """From Fingerprint.matching_lines (the form's lines joined by "\n")."""
        return cls(doc_id, shingle_hashes(joined.replace("\n", ""), narrow=True), joined, is_titled)

    @property
    def paragraphs(self) -> tuple[np.ndarray, np.ndarray]:
        """The shingles of every line of >= SHINGLE characters, concatenated, and where each
        line's run starts; the first one is a title-like line when `titled`."""
        at, starts, _, universe = self.paragraph_index
        return universe[at], starts

    @property
    def paragraph_index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """`paragraphs` as places (int32) in a sorted set holding them all, where each line's
        run starts, each run's length, and that set: `hashes` itself (built once, counted by
        on_grow).

        Every shingle inside a line is a shingle of the whole text, so a comparison asks once
        which of this text's shingles the other text holds and reads each paragraph's off that
        (a binary search per shingle of the other, smaller, text: not per paragraph shingle).
        """
        if self._paragraphs is None:
            lines = self._lines.split("\n") if isinstance(self._lines, str) else self._lines
            flat, starts = line_shingle_sets(lines, narrow=True)
            universe = self.hashes
            at = np.searchsorted(universe, flat)
            if len(flat) and (at.max() >= len(universe) or not np.array_equal(universe[at], flat)):
                # (lines that are not this text's own: counted as they are, against their union)
                universe = np.union1d(universe, flat)
                at = np.searchsorted(universe, flat)
            sizes = np.diff(np.append(starts, len(flat))).astype(np.int32)
            self._paragraphs = (at.astype(np.int32), starts, sizes, universe)
            if self.on_grow is not None:
                self.on_grow(self._paragraph_bytes())
        return self._paragraphs

    def _paragraph_bytes(self) -> int:
        at, starts, sizes, universe = self._paragraphs
        return at.nbytes + starts.nbytes + sizes.nbytes + (0 if universe is self.hashes else universe.nbytes)

    @property
    def paragraph_count(self) -> int:
        """How many runs `paragraphs` has (its lines of >= SHINGLE characters), without building them."""
        if self._n_paragraphs < 0:
            if self._paragraphs is not None:
                self._n_paragraphs = len(self._paragraphs[1])
            else:
                lines = self._lines.split("\n") if isinstance(self._lines, str) else self._lines
                self._n_paragraphs = sum(1 for line in lines if len(line) >= SHINGLE)
        return self._n_paragraphs

    @property
    def nbytes(self) -> int:
        """What holding this set costs: its hashes, its paragraph sets once built, the objects."""
        held = self.hashes.nbytes + self.OVERHEAD + self.owned
        if self._paragraphs is not None:
            held += self._paragraph_bytes()
        return held


@dataclass(frozen=True, slots=True)
class Overlap:
    """How two documents overlap; `small`/`large` name the documents by shingle count."""

    small: str
    large: str
    jaccard: float
    contained: float  # share of the smaller document found in the larger one
    # share of the larger document reproduced by the smaller one: in characters, or in paragraphs
    # when that is more and can change the verdict (compare computes it only then)
    coverage: float
    size_ratio: float  # |small| / |large|


@dataclass(frozen=True, slots=True)
class MatchPolicy:
    """Thresholds of the verification step (tuned on the dev set; reasons: docs/evaluation.md).

    near_jaccard      two texts are one speech when their Jaccard reaches this, whatever sizes;
    reword_jaccard    ... or this much when they are of similar length (size_ratio >= reword_ratio):
                      a real edited draft keeps only ~1/3 of the 5-grams but is still the speech;
    contained_min     "mostly contained": this share of the smaller text occurs in the larger;
    cover_min         a contained text joins only when it reproduces this share of the larger
                      text (policy: excerpts of >= 50 % are the speech, quotations <= 40 % are not);
    para_hit          a paragraph counts as reproduced when this share of its shingles occurs;
    min_paragraphs    below this many paragraphs (a layout that merged them) use characters;
    partial_ratio     a matched text that is mostly contained and smaller than this share of the
                      other is reported as `contained` (an excerpt), not `near`.
    """

    near_jaccard: float = 0.5
    reword_jaccard: float = 0.3
    reword_ratio: float = 0.8
    contained_min: float = 0.7
    cover_min: float = 0.45
    para_hit: float = 0.5
    min_paragraphs: int = 4
    partial_ratio: float = 0.7


def _paragraph_coverage(large: Shingled, small_set: np.ndarray, policy: MatchPolicy) -> float | None:
    """Share of the larger text's paragraphs that the smaller text reproduces.

    Counted in paragraphs rather than characters because excerpts are cut at paragraph
    boundaries and the policy speaks of "how much of the speech" was reposted: a poem
    commentary's first six short paragraphs are half of it although they are 20 % of its characters.
    """
    if large.paragraph_count < policy.min_paragraphs:
        # too few to count in paragraphs, title or not (below): most short notices, whose
        # paragraph sets are then never built (they were ~40 % of the verification there)
        return None
    at, starts, sizes, universe = large.paragraph_index
    if not len(starts):
        return None
    # which of the larger text's shingles the smaller one holds, then each paragraph's count
    found = _held_by(universe, small_set)[at]
    hits = np.add.reduceat(found, starts) >= policy.para_hit * sizes
    if large.titled and not hits[0]:
        hits = hits[1:]  # a title the smaller text does not repeat is no paragraph of the speech
    if len(hits) < policy.min_paragraphs:
        return None
    return float(np.count_nonzero(hits)) / len(hits)


def _held_by(sorted_set: np.ndarray, other: np.ndarray) -> np.ndarray:
    """For each value of a sorted array of distinct values, whether the sorted distinct `other`
    holds it (0/1 as int64): one binary search per value of `other`, the smaller set here."""
    held = np.zeros(len(sorted_set), np.int64)
    if not len(sorted_set) or not len(other):
        return held
    at = np.searchsorted(sorted_set, other)
    at[at == len(sorted_set)] = 0
    held[at[sorted_set[at] == other]] = 1
    return held


def _count_in(values: np.ndarray, sorted_set: np.ndarray) -> int:
    """How many of the sorted distinct values occur in another sorted array of distinct values.

    A value in both is one equal neighbour once the two are sorted together, and sorting two
    sorted runs is one merge (a stable sort finds the runs): ~1.7x faster than a binary search
    per value, the verification loop's largest cost.
    """
    both = np.concatenate((values, sorted_set))
    both.sort(kind="stable")
    return int(np.count_nonzero(both[1:] == both[:-1]))


def compare(a: Shingled, b: Shingled, policy: MatchPolicy = MatchPolicy()) -> Overlap:
    small, large = (a, b) if (a.size, a.doc_id) <= (b.size, b.doc_id) else (b, a)
    if small.size == 0:
        return Overlap(small.doc_id, large.doc_id, 0.0, 0.0, 0.0, 0.0)
    inter = _count_in(small.hashes, large.hashes)
    union = small.size + large.size - inter
    char_cover = inter / large.size
    jaccard = inter / union
    # Paragraphs matter only where they can change the verdict: a mostly contained text that is
    # not similar already and whose characters alone cover too little of the larger text (a
    # third of the verification time went to paragraph counts that could not change it).
    size_ratio = small.size / large.size
    needed = (inter and inter >= policy.contained_min * small.size and char_cover < policy.cover_min
              and not _similar(jaccard, size_ratio, policy))
    para_cover = _paragraph_coverage(large, small.hashes, policy) if needed else None
    coverage = char_cover if para_cover is None else max(char_cover, para_cover)
    return Overlap(small.doc_id, large.doc_id, jaccard, inter / small.size, coverage, size_ratio)


def similar(o: Overlap, policy: MatchPolicy = MatchPolicy()) -> bool:
    """Same text by overall similarity (as opposed to by containment and coverage)."""
    return _similar(o.jaccard, o.size_ratio, policy)


def _similar(jaccard: float, size_ratio: float, policy: MatchPolicy) -> bool:
    return jaccard >= policy.near_jaccard or (size_ratio >= policy.reword_ratio and jaccard >= policy.reword_jaccard)


def verdict(o: Overlap, policy: MatchPolicy = MatchPolicy()) -> str | None:
    """'near', 'contained' (the smaller text is an excerpt of the larger) or None (different texts)."""
    partial = o.contained >= policy.contained_min and o.size_ratio < policy.partial_ratio
    if similar(o, policy):
        return "contained" if partial else "near"
    if o.contained >= policy.contained_min and o.coverage >= policy.cover_min:
        return "contained"
    return None
