"""New documents' shingle sets kept between comparisons, bounded by the bytes they really hold."""
from __future__ import annotations

from collections import OrderedDict

from .containment import Shingled

# Rebuilding a set costs ~30 us and a template-copying corpus compares each document with dozens
# of others, but holding every compared document's sets grew with the corpus (~270 MB at 120 MB
# of real paragraphs). A set used to be counted at twice its hashes, for the paragraph sets a
# comparison may build beside it; only about one set in three ever gets them (real paragraphs),
# so the budget held half the sets it could, and at 120 MB each set was rebuilt three times.
SHINGLED_BYTES = 128 << 20


class RecentShingles:
    """The most recently used shingle sets, at most `budget` bytes of them: each set counts its
    hashes and a fixed overhead when it comes in, and its paragraph sets when a comparison
    builds them (Shingled.on_grow)."""

    def __init__(self, budget: int = SHINGLED_BYTES) -> None:
        self.budget = budget
        self.held = 0
        self.sets: OrderedDict[str, Shingled] = OrderedDict()

    def get(self, doc_id: str) -> Shingled | None:
        hit = self.sets.get(doc_id)
        if hit is not None:
            self.sets.move_to_end(doc_id)
        return hit

    def add(self, s: Shingled) -> Shingled:
        self.sets[s.doc_id] = s
        s.on_grow = self._grew
        self.held += s.nbytes
        self._evict()
        return s

    def clear(self) -> None:
        for s in self.sets.values():
            s.on_grow = None
        self.sets.clear()
        self.held = 0

    def _grew(self, nbytes: int) -> None:
        self.held += nbytes
        self._evict()

    def _evict(self) -> None:
        # the newest stays even when it alone is over the budget (it is being compared)
        while self.held > self.budget and len(self.sets) > 1:
            gone = self.sets.popitem(last=False)[1]
            gone.on_grow = None  # a comparison still holding it may build its paragraphs
            self.held -= gone.nbytes
