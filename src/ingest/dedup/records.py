"""Records exchanged between the dedup step, the pipeline and the dedup store."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from typing import TYPE_CHECKING

from .reuse import Passages

if TYPE_CHECKING:
    from .occurrences import Occurrences


@dataclass(slots=True)
class Fingerprint:
    """Everything about one document that dedup needs later, computed once per batch."""

    exact_hash: int  # signed 64-bit xxh3 of the matching form
    # uint32 MinHash values (its LSH band keys are derived where needed: lsh.BANDS.keys; held
    # for every document of a run they were ~0.8 KB each, 145 MB of 180,000 notices' fingerprints);
    # None in the run-level decision, which reads them from the staged parts when it needs them
    signature: np.ndarray | None
    n_shingles: int
    match_len: int
    has_masking: bool
    was_traditional: bool
    dropped_lines: int  # chrome lines the matching step removed
    passages: Passages = field(default_factory=lambda: Passages([], [], []))
    # the matching form's kept lines joined by "\n" (what verification shingles: computed once,
    # in the worker that fingerprints the document), and whether its first line is a title
    matching_lines: str | None = None
    titled: bool = False


@dataclass(slots=True)
class Candidate:
    """A document of the current run, waiting for its cluster."""

    doc_id: str
    fingerprint: Fingerprint
    text: str | None  # None: not read yet; assign_clusters asks for the texts it needs
    title: str | None = None
    published_at: datetime | None = None
    source_kind: str = "file"
    has_masking: bool = False


@dataclass(slots=True)
class PriorDoc:
    """A document loaded by an earlier run, as the dedup tables remember it."""

    doc_id: str
    cluster_id: str
    exact_hash: int
    signature: np.ndarray
    n_shingles: int
    has_masking: bool
    was_traditional: bool
    dropped_lines: int
    published_at: datetime | None
    source_kind: str
    is_canonical: bool
    dup_kind: str
    titled: bool = False


@dataclass(slots=True)
class Postings:
    """Postings of earlier documents as two columns, one row per posting (key, doc_id).

    A sentence an earlier document holds twice is two rows, as in the warehouse. Columns rather
    than a dict of lists: a 10 MB run against a 60 MB warehouse hits ~100,000 postings, and the
    candidate search wants them as arrays anyway.
    """

    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    doc_ids: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, pairs: list[tuple[int, str]]) -> "Postings":
        return cls(np.array([k for k, _ in pairs], dtype=np.int64), [d for _, d in pairs])

    def __len__(self) -> int:
        return len(self.doc_ids)


@dataclass(slots=True)
class PriorIndex:
    """The part of the warehouse's dedup state that the current run's documents can touch.

    `docs` holds every document named by a posting below plus all members of their clusters
    (the canonical rule looks at whole clusters).
    """

    docs: dict[str, PriorDoc] = field(default_factory=dict)
    exact: dict[int, list[str]] = field(default_factory=dict)
    bands: Postings = field(default_factory=Postings)
    passages: Postings = field(default_factory=Postings)  # sentence keys (positions are not needed)


@dataclass(slots=True)
class Assignment:
    """Where one document lands: its cluster, kind of duplicate and canonical status."""

    doc_id: str
    cluster_id: str
    dup_kind: str  # unique | exact | near | contained
    is_canonical: bool
    canonical_reason: str | None = None
    matched_doc_id: str | None = None
    similarity: float | None = None


@dataclass(slots=True)
class DedupPlan:
    """The decisions of one run and the state rows to persist with them."""

    assignments: list[Assignment] = field(default_factory=list)  # the run's new documents
    updates: list[Assignment] = field(default_factory=list)  # earlier documents that changed
    # the run's new documents by doc_id (new_documents.NewDocuments, read like this dict)
    candidates: dict[str, Candidate] = field(default_factory=dict)
    # text reuse: the spans this run stores (occurrences.Occurrences), set after the clustering
    occurrences: "Occurrences | None" = None
    links: list[tuple[str, str, str, float]] = field(default_factory=list)  # cluster, other, via doc, sim
    stats: dict[str, int] = field(default_factory=dict)

