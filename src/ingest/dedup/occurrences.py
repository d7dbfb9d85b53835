"""Text reuse as passage occurrences: spans of consecutive shared sentences per document, O(documents).

A sentence (a passage key, see `reuse.passages`) is *shared* when documents of two or more
clusters hold it; two consecutive sentences of a document are *aligned* when documents of two or
more clusters hold them consecutively too (their pair key). A document's **span** is a maximal run
of shared sentences in which every neighbour pair is aligned: the part of the text it has in common
with another speech, cut where the copy stops (like passim's aligned passages). One row per span
and document, however many documents share it: a template copied by 200 cities is 200 rows, not
19,900 pair rows.

A span's link keys are its aligned pair keys (a one-sentence span: its sentence key); spans with
a link key in common belong to one **passage family**, which the warehouse derives on demand
(warehouse/dedup.sql: `passage_families`, `reused_passages`, `text_reuse_pairs`, `reuse_of`).
Pair keys and sentence keys never mix, so a stock sentence that also stands inside a template
does not glue the template to every other text using that sentence.

Spans change when later documents arrive (a sentence of an earlier document becomes shared):
the run recomputes the spans of exactly those earlier documents (`touched`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from .new_documents import NewDocuments, passage_rows
from .records import DedupPlan


def pair_keys(keys: np.ndarray, doc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Key of each sentence paired with the next sentence of its document, and whether it has one.

    `key XOR (next_key >> 1)` (arithmetic shift): the same expression in SQL fills
    dedup_passages.pair_key (warehouse/dedup_state.sql), so both sides agree.
    """
    if not len(keys):
        return np.zeros(0, np.int64), np.zeros(0, bool)
    nxt = np.append(keys[1:], 0)
    has = np.append(doc[1:] == doc[:-1], False)
    return np.where(has, keys ^ (nxt >> 1), 0), has


@dataclass(slots=True)
class SentenceRows:
    """Sentences of some documents in text order: one row per sentence, sorted by (doc, start)."""

    doc_ids: list[str]  # row's document: doc_ids[doc[i]]
    clusters: list[str]  # the documents' clusters, aligned with doc_ids
    doc: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    key: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    end: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    def __len__(self) -> int:
        return len(self.key)

    def concat(self, other: "SentenceRows") -> "SentenceRows":
        shift = len(self.doc_ids)
        return SentenceRows(self.doc_ids + other.doc_ids, self.clusters + other.clusters,
                            np.concatenate([self.doc, other.doc + shift]), np.concatenate([self.key, other.key]),
                            np.concatenate([self.start, other.start]), np.concatenate([self.end, other.end]))


class PriorReuse(Protocol):
    """What the warehouse (or MemoryState) tells the run about earlier documents' sentences."""

    def key_clusters(self, keys: np.ndarray, pairs: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """(key, cluster) rows: for each given sentence or pair key, up to two distinct clusters of
        earlier documents holding it (two are enough to know it is shared)."""

    def holders(self, keys: np.ndarray, pairs: np.ndarray) -> list[str]:
        """Earlier documents holding any of these sentence keys or pair keys."""

    def sentence_rows(self, doc_ids: list[str]) -> SentenceRows:
        """The sentences of these earlier documents."""


@dataclass(slots=True)
class Occurrences:
    """Spans to store (one row each) and the earlier documents whose stored spans they replace."""

    doc_ids: list[str] = field(default_factory=list)
    clusters: list[str] = field(default_factory=list)
    passage_key: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    end: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    sentences: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # every span's link keys, one after another, and where span i's begin (link_offsets[i]) and
    # end: one array, not an array per span (~380,000 of them at 120 MB of real paragraphs)
    link_values: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    link_offsets: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))
    touched: list[str] = field(default_factory=list)  # earlier documents whose spans are rewritten

    def __len__(self) -> int:
        return len(self.doc_ids)

    def link_keys(self, i: int) -> np.ndarray:
        """Span i's link keys (sorted)."""
        return self.link_values[self.link_offsets[i]:self.link_offsets[i + 1]]


def new_sentence_rows(plan: DedupPlan) -> SentenceRows:
    """The sentences of the run's new documents (fingerprint passages, already in text order)."""
    ids = [a.doc_id for a in plan.assignments]
    docs = plan.candidates
    if not isinstance(docs, NewDocuments):
        docs = NewDocuments.of(docs.values())
    at = np.array([docs.row[d] for d in ids], dtype=np.int64)
    lo, hi = docs.passage_bounds[at], docs.passage_bounds[at + 1]
    if not (hi - lo).sum():
        return SentenceRows(ids, [a.cluster_id for a in plan.assignments])
    rows = passage_rows(lo, hi)
    return SentenceRows(ids, [a.cluster_id for a in plan.assignments],
                        np.repeat(np.arange(len(ids), dtype=np.int64), hi - lo),
                        *(column[rows].astype(np.int64) for column in docs.passages))


def reuse_occurrences(plan: DedupPlan, prior: PriorReuse | None) -> Occurrences:
    """The spans of the run's new documents, and the new spans of earlier documents whose
    sentences this run made shared. Work and rows grow with the documents, not with the pairs."""
    new = new_sentence_rows(plan)
    if not len(new):
        return Occurrences()
    new_pairs, new_has = pair_keys(new.key, new.doc)
    clusters = _ClusterCodes()
    new_cluster = clusters.codes(new.clusters)[new.doc]
    row_keys = [new.key, new_pairs[new_has]]
    row_clusters = [new_cluster, new_cluster[new_has]]
    touched: list[str] = []
    scope = new
    if prior is not None:
        # Earlier holders: up to two clusters per key, enough to tell shared from not.
        k, c = prior.key_clusters(np.unique(new.key), np.unique(new_pairs[new_has]))
        row_keys.append(k)
        row_clusters.append(clusters.codes(c))
        before = _shared(np.concatenate(row_keys[2:]), np.concatenate(row_clusters[2:]))
        after = _shared(np.concatenate(row_keys), np.concatenate(row_clusters))
        newly = np.setdiff1d(after, before, assume_unique=True)
        touched = sorted(set(prior.holders(newly, newly)) - set(new.doc_ids))
        if touched:
            old = prior.sentence_rows(touched)
            old_pairs, old_has = pair_keys(old.key, old.doc)
            # their other keys: earlier holders too (this run's documents are already counted)
            known = np.concatenate(row_keys)
            ask = np.setdiff1d(np.concatenate([old.key, old_pairs[old_has]]), known)
            if len(ask):
                k2, c2 = prior.key_clusters(ask, ask)
                row_keys.append(k2)
                row_clusters.append(clusters.codes(c2))
            old_cluster = clusters.codes(old.clusters)[old.doc]
            row_keys += [old.key, old_pairs[old_has]]
            row_clusters += [old_cluster, old_cluster[old_has]]
            scope = new.concat(old)
    shared = _shared(np.concatenate(row_keys), np.concatenate(row_clusters))
    out = spans(scope, shared)
    out.touched = touched
    return out


def spans(rows: SentenceRows, shared: np.ndarray) -> Occurrences:
    """Maximal runs of shared sentences whose neighbour pairs are shared (aligned) too.

    `shared` holds, sorted, every sentence key and pair key held by two or more clusters.
    """
    if not len(rows):
        return Occurrences()
    pairs, has = pair_keys(rows.key, rows.doc)
    is_shared = _member(rows.key, shared)
    aligned = has & _member(pairs, shared)
    # row i continues the span of row i - 1
    cont = np.concatenate(([False], aligned[:-1] & is_shared[:-1] & is_shared[1:]))
    begins = is_shared & ~cont
    if not begins.any():
        return Occurrences()
    span = np.cumsum(begins) - 1
    rows_in = np.flatnonzero(is_shared)
    span_of = span[rows_in]
    first = np.flatnonzero(begins)
    sizes = np.bincount(span_of, minlength=len(first))
    last = first + sizes - 1
    # link keys: the aligned pairs inside a span (rows first .. last - 1), or the lone sentence
    inner = np.flatnonzero(cont)  # row i continues: pair (i - 1, i) is inside span[i]
    links_flat = np.concatenate([pairs[inner - 1], rows.key[first[sizes == 1]]])
    links_span = np.concatenate([span[inner], np.flatnonzero(sizes == 1)])
    order = np.lexsort((links_flat, links_span))
    links_flat, links_span = links_flat[order], links_span[order]
    bounds = np.searchsorted(links_span, np.arange(len(first) + 1))
    passage_key = links_flat[bounds[:-1]]  # the smallest link key (sorted within a span)
    docs = rows.doc[first]
    return Occurrences([rows.doc_ids[d] for d in docs.tolist()], [rows.clusters[d] for d in docs.tolist()],
                       passage_key, rows.start[first], rows.end[last], sizes, links_flat, bounds.astype(np.int64))


class _ClusterCodes:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def codes(self, names: list[str]) -> np.ndarray:
        return np.array([self.index.setdefault(n, len(self.index)) for n in names], dtype=np.int64)


def _shared(keys: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    """Sorted keys that appear with two or more distinct clusters."""
    if not len(keys):
        return np.zeros(0, np.int64)
    order = np.lexsort((clusters, keys))
    k, c = keys[order], clusters[order]
    distinct = np.concatenate(([True], (k[1:] != k[:-1]) | (c[1:] != c[:-1])))
    k = k[distinct]
    starts = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
    counts = np.diff(np.append(starts, len(k)))
    return k[starts[counts >= 2]]


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    if not len(sorted_set):
        return np.zeros(len(values), bool)
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return sorted_set[at] == values
