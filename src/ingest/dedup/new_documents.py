"""A run's new documents as columns for the clustering: a Candidate per document only when asked for."""
from __future__ import annotations

from bisect import bisect_left
from typing import Iterable, Iterator

import numpy as np

from .records import Candidate, Fingerprint
from .reuse import Passages

# per-document numbers: name -> dtype (`fp_masking` is the fingerprint's masking, `has_masking`
# the staged document's; the canonical rule reads either)
NUMBERS = {"exact_hash": np.int64, "n_shingles": np.int64, "match_len": np.int64, "dropped_lines": np.int64,
           "fp_masking": bool, "was_traditional": bool, "titled": bool, "has_masking": bool}
# per-document objects, held in lists (strings and dates are shared where documents share them)
OBJECTS = ("matching_lines", "text", "title", "published_at", "source_kind")


class NewDocuments:
    """The run's new documents, one row each, sorted by doc_id, as columns.

    Read like a dict of Candidate by doc_id (`docs[d]`, `d in docs`, `values()`, `items()`): a
    Candidate is built from its row when asked. The clustering's passes over every document read
    the columns instead. Held for the whole decision, a Candidate, a Fingerprint, a Passages and
    the ints they hold per document put the candidate search's start 63 MB higher at 360,000
    notices (120 MB).

    `signatures` is a matrix with a row per document, or None: the clustering then reads them
    from the staged parts when it needs them (assign_clusters(new_signatures=...)).
    """

    def __init__(self, doc_ids: list[str], numbers: dict[str, np.ndarray], objects: dict[str, list],
                 passages: tuple[np.ndarray, np.ndarray, np.ndarray], passage_bounds: np.ndarray,
                 signatures: np.ndarray | None = None) -> None:
        n = len(doc_ids)
        if any(a <= b for a, b in zip(doc_ids[1:], doc_ids)):
            raise ValueError("NewDocuments wants distinct doc_ids in sorted order")
        self.doc_ids = doc_ids
        self._row: dict[str, int] | None = None
        self.numbers = {k: np.asarray(numbers[k], dtype=t).reshape(n) for k, t in NUMBERS.items()}
        self.objects = {k: list(objects.get(k) or [None] * n) for k in OBJECTS}
        if any(len(v) != n for v in self.objects.values()):
            raise ValueError("every column of NewDocuments needs a value per document")
        self.passages = (np.asarray(passages[0], np.int64), np.asarray(passages[1], np.int32),
                         np.asarray(passages[2], np.int32))
        self.passage_bounds = np.asarray(passage_bounds, np.int64)
        if len(self.passage_bounds) != n + 1:
            raise ValueError("passage_bounds needs one more value than there are documents")
        self.signatures = signatures
        if signatures is not None and len(signatures) != n:
            raise ValueError("signatures needs a row per document")

    # ---- building ------------------------------------------------------------------------------
    @classmethod
    def of(cls, candidates: Iterable[Candidate], leave_out=()) -> "NewDocuments":
        """From Candidates (the last of each doc_id counts), less those whose doc_id is in
        `leave_out`. Signatures: a matrix when every candidate has one, else None."""
        by_id = {c.doc_id: c for c in candidates if c.doc_id not in leave_out}
        ids = sorted(by_id)
        cands = [by_id[d] for d in ids]
        fps = [c.fingerprint for c in cands]
        numbers = {"exact_hash": [f.exact_hash for f in fps], "n_shingles": [f.n_shingles for f in fps],
                   "match_len": [f.match_len for f in fps], "dropped_lines": [f.dropped_lines for f in fps],
                   "fp_masking": [f.has_masking for f in fps], "was_traditional": [f.was_traditional for f in fps],
                   "titled": [f.titled for f in fps], "has_masking": [c.has_masking for c in cands]}
        objects = {"matching_lines": [f.matching_lines for f in fps], "text": [c.text for c in cands],
                   "title": [c.title for c in cands], "published_at": [c.published_at for c in cands],
                   "source_kind": [c.source_kind for c in cands]}
        bounds = np.concatenate(([0], np.cumsum([len(f.passages) for f in fps], dtype=np.int64)))
        passages = tuple(np.concatenate([getattr(f.passages, name) for f in fps] or [np.zeros(0, t)]).astype(t)
                         for name, t in (("keys", np.int64), ("starts", np.int32), ("ends", np.int32)))
        signed = [f.signature is not None for f in fps]
        signatures = np.stack([f.signature for f in fps]).astype(np.uint32) if fps and all(signed) else None
        return cls(ids, numbers, objects, passages, bounds, signatures)

    def without(self, leave_out) -> "NewDocuments":
        """These documents less those whose doc_id is in `leave_out` (self when none is)."""
        keep = [i for i, d in enumerate(self.doc_ids) if d not in leave_out]
        return self if len(keep) == len(self.doc_ids) else self.take(np.array(keep, dtype=np.int64))

    def take(self, rows: np.ndarray) -> "NewDocuments":
        """The documents at `rows` (increasing), as new columns."""
        rows = np.asarray(rows, dtype=np.int64)
        lo, hi = self.passage_bounds[rows], self.passage_bounds[rows + 1]
        at = passage_rows(lo, hi)
        listed = rows.tolist()
        return NewDocuments([self.doc_ids[i] for i in listed], {k: v[rows] for k, v in self.numbers.items()},
                            {k: [v[i] for i in listed] for k, v in self.objects.items()},
                            tuple(c[at] for c in self.passages), np.concatenate(([0], np.cumsum(hi - lo))),
                            None if self.signatures is None else self.signatures[rows])

    def set_matching_lines(self, found: dict[str, str]) -> None:
        """The matching lines of some documents (read after the candidate search, which does not
        need them: 38 MB of its top at 120 MB of notices), one string per distinct value."""
        lines, shared = self.objects["matching_lines"], {}
        for d, x in found.items():
            lines[self.row[d]] = shared.setdefault(x, x)

    # ---- reading ---------------------------------------------------------------------------------
    @property
    def row(self) -> dict[str, int]:
        """doc_id -> its row. Built when first asked for: the candidate search, the decision's
        top, reads documents by number and has no use for it (a dict entry and an int each,
        24 MB at 360,000 notices)."""
        if self._row is None:
            self._row = {d: i for i, d in enumerate(self.doc_ids)}
        return self._row

    def __len__(self) -> int:
        return len(self.doc_ids)

    def __contains__(self, doc_id) -> bool:
        if self._row is None:  # (sorted ids: no dict needed to ask)
            i = bisect_left(self.doc_ids, doc_id)
            return i < len(self.doc_ids) and self.doc_ids[i] == doc_id
        return doc_id in self._row

    def __iter__(self) -> Iterator[str]:
        return iter(self.doc_ids)

    def keys(self) -> list[str]:
        return self.doc_ids

    def __getitem__(self, doc_id: str) -> Candidate:
        return self.candidate(self.row[doc_id])

    def get(self, doc_id: str, default=None) -> Candidate | None:
        i = self.row.get(doc_id)
        return default if i is None else self.candidate(i)

    def values(self) -> Iterator[Candidate]:
        return map(self.candidate, range(len(self)))

    def items(self) -> Iterator[tuple[str, Candidate]]:
        return zip(self.doc_ids, self.values())

    def candidate(self, i: int) -> Candidate:
        """Row i as a Candidate (its fingerprint's passages a view of the columns)."""
        num, obj = self.numbers, self.objects
        fp = Fingerprint(int(num["exact_hash"][i]), None if self.signatures is None else self.signatures[i],
                         int(num["n_shingles"][i]), int(num["match_len"][i]), bool(num["fp_masking"][i]),
                         bool(num["was_traditional"][i]), int(num["dropped_lines"][i]),
                         self.passages_of(i), obj["matching_lines"][i], bool(num["titled"][i]))
        return Candidate(self.doc_ids[i], fp, obj["text"][i], obj["title"][i], obj["published_at"][i],
                         obj["source_kind"][i], bool(num["has_masking"][i]))

    def passages_of(self, i: int) -> Passages:
        return Passages.rows(self.passages, int(self.passage_bounds[i]), int(self.passage_bounds[i + 1]))

    def passage_counts(self) -> np.ndarray:
        return np.diff(self.passage_bounds)


def passage_rows(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The rows lo[i]:hi[i] of flat columns, for each i in turn, as one index array."""
    sizes = hi - lo
    total = int(sizes.sum())
    if not total:
        return np.zeros(0, np.int64)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    return np.repeat(lo - starts, sizes) + np.arange(total, dtype=np.int64)
