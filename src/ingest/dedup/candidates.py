"""Candidate pairs worth verifying: exact hashes, LSH band buckets and shared sentences, bounded per document.

Documents are numbers here (`ids[n]`; the run's new documents first, in doc_id order, then the
earlier documents the run can touch). Everything is numpy over all pairs at once: a per-pair
Python loop cost seconds per thousand documents.

Why bounds. On a corpus where many documents share long passages (templates copied between
cities, or paragraphs recombined into many documents), the documents that share a passage all
collide in LSH buckets with each other: the pairs grow with the square of the corpus (50 million
band pairs at 120 MB of recombined real paragraphs) although each document has a handful of real
duplicates. So:
  * a band bucket of at most `bucket_all_pairs` documents proposes all its pairs (every dev-set
    bucket, every bucket of an ordinary corpus); a bigger one pairs each of its documents with
    `bucket_hubs` hub documents of the bucket (chosen by a hash of document and key, so every
    bucket has other hubs): members of a real cluster meet through the hubs and their many
    other shared bands;
  * a sentence in more than `candidate_max_df` documents proposes no pairs (a stock phrase, or
    a template: documents sharing it are text reuse, reported from the passage occurrences, not
    duplicate candidates);
  * a band pair must look like something verification could accept: an estimated Jaccard of
    >= `near_estimate_min`, or an estimated containment of the smaller text of >= 
    `contained_estimate_min` (`estimate_min` stays the floor);
  * each document keeps its `candidates_per_doc` most promising pairs (by estimated containment
    of the smaller text; exact copies first); a pair stays when either side keeps it. The choice
    is made as band pairs are found (a pair below both its documents' bars is dropped then), so
    the pairs held grow with the documents, not with the square of those sharing a paragraph
    (the choice itself: pair_choice.py);
  * exact copies of a text propose no band or sentence pairs: the first of them does, and the
    others are paired with it (exact pairs): their own pairs would repeat its pairs and crowd
    out other texts from the bound above.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .band_pairs import PAIR_SLICE, band_postings, bucket_pairs, merge_into
from .minhash import NUM_PERM
from .pair_arrays import SignatureRows, agreement, counted, groups, numbered, pairs_in_groups, postings
from .pair_choice import best_per_document, document_column
from .new_documents import NewDocuments, passage_rows
from .records import Candidate, PriorIndex


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """Candidate generation limits (see the module docstring and docs/algorithms.md, "Near-duplicates and text reuse").

    estimate_min      band candidates whose MinHash estimate of the Jaccard is below this are
                      dropped before any text is read (true 0.30 pairs estimate >= 0.18 at 128 values);
    near_estimate_min, contained_estimate_min
                      ... and they must reach one of these: the estimated Jaccard, or the
                      estimated share of the smaller text inside the larger (J (a + b) / ((1 + J) a));
    candidate_max_df  a sentence found in more documents than this proposes no candidate pairs
                      (it is still text reuse: passage occurrences have no such cap);
    min_shared        sentences two documents must share to become a containment candidate ...
    shared_share      ... and at least this share of the smaller document's sentences;
    bucket_all_pairs, bucket_hubs   see the module docstring;
    candidates_per_doc  pairs verified per document at most (its most promising ones);
    partial_copy_ratio  the larger text of a containment is a partial copy of a member this much bigger;
    contained_ratio   a member smaller than this share of the canonical one (in shingles) is `contained`.
    """

    estimate_min: float = 0.15
    near_estimate_min: float = 0.25
    contained_estimate_min: float = 0.6
    candidate_max_df: int = 50
    min_shared: int = 2
    shared_share: float = 0.3
    bucket_all_pairs: int = 16
    bucket_hubs: int = 8
    candidates_per_doc: int = 32
    partial_copy_ratio: float = 0.8
    contained_ratio: float = 0.7


@dataclass(slots=True)
class CandidatePairs:
    """Pairs (a < b, at least one new) in the order to verify them: exact copies first, then by
    estimated containment of the smaller text, strongest first."""

    ids: list[str]
    a: np.ndarray
    b: np.ndarray
    exact: np.ndarray  # bool: same exact hash

    def __len__(self) -> int:
        return len(self.a)


def candidate_pairs(docs: NewDocuments | dict[str, Candidate], prior: PriorIndex, config: ClusterConfig,
                    new_signatures: SignatureReader | None = None) -> CandidatePairs:
    """`new_signatures` reads the signatures of new documents given without one (see SignatureReader)."""
    if not isinstance(docs, NewDocuments):
        docs = NewDocuments.of(docs.values())
    ids = docs.doc_ids + [d for d in prior.docs if d not in docs]  # (asked without docs.row: see there)
    n_new, n = len(docs), len(ids)
    # numbers of the earlier documents only: postings name no new document (those are not in
    # prior.docs), and a dict entry and an int per new document were ~0.1 KB each
    number = {d: n_new + k for k, d in enumerate(ids[n_new:])}
    prior_docs = [prior.docs[d] for d in ids[n_new:]]
    hashes = np.concatenate([docs.numbers["exact_hash"], np.array([p.exact_hash for p in prior_docs], dtype=np.int64)])
    sizes = np.concatenate([docs.numbers["n_shingles"], np.array([p.n_shingles for p in prior_docs], dtype=np.int64)])
    hub = _hubs(hashes)
    sigs = run_signatures(ids[:n_new], docs.signatures, prior_docs, new_signatures, hub[:n_new])

    def judged(a: np.ndarray, b: np.ndarray, agree: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Same exact hash, priority (exact copies first, then estimated containment) and keep,
        of pairs a, b whose signatures agree in `agree` values."""
        est = agree / sigs.shape[1]
        small = np.maximum(np.minimum(sizes[a], sizes[b]), 1)
        est_contained = np.minimum(1.0, est * (sizes[a] + sizes[b]) / ((1.0 + est) * small))
        keep = (est >= config.estimate_min) & ((est >= config.near_estimate_min)
                                               | (est_contained >= config.contained_estimate_min))
        same = hashes[a] == hashes[b]
        return same, np.where(same, 2.0, est_contained), keep

    def scored(c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """a, b, same exact hash, priority, keep (judged) and the signatures' agreement."""
        a, b = c // n, c % n
        agree = agreement(sigs, a, b)
        return a, b, *judged(a, b, agree), agree

    def priority_of(c: np.ndarray, agree: np.ndarray) -> np.ndarray:
        """The priorities of band pairs kept with their agreement only (a byte a pair instead of
        a float's eight), computed again as `scored` did, 64 Ki pairs at a time."""
        out = np.empty(len(c))
        for lo in range(0, len(c), 1 << 16):
            part = c[lo:lo + (1 << 16)]
            a, b = part // n, part % n
            out[lo:lo + len(part)] = judged(a, b, agree[lo:lo + len(part)].astype(np.int64))[1]
        return out

    exact = _exact_pairs(hub, n_new)
    # Exact copies (one matching form) would propose the same band and sentence pairs again, each
    # filling its own candidates_per_doc with them: only the hub of each text proposes, the others
    # join it through their exact pair (a reposted notice's 30 copies made 30 times the pairs).
    first = hub == np.arange(n)
    del hub
    passage = _passage_pairs(docs, prior, number, n_new, config, first)
    forced = counted(np.concatenate([exact, passage]))[0]
    del exact, passage
    # the forced pairs' scores, a slice at a time (their estimates' temporaries are per pair)
    scores = [scored(forced[lo:lo + PAIR_SLICE])[:4] for lo in range(0, len(forced), PAIR_SLICE)] or \
        [(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0))]
    f_a, f_b, f_same, f_priority = (np.concatenate([x[i] for x in scores]) for i in range(4))
    del scores

    # Per side (a, b) and document, the priority and tie-break (a band pair's code; -1: a forced
    # pair, which comes first on equal priority) of its candidates_per_doc-th best pair so far:
    # a band pair below both its documents' bars can no longer be chosen.
    bars = [(np.full(n, -np.inf), np.zeros(n, np.int64)) for _ in range(2)]

    def worth_verifying(c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The band pairs of `c` worth verifying, and their signatures' agreement (a byte while
        signatures have fewer than 256 values: the priority is computed from it where needed,
        `priority_of`)."""
        c = np.setdiff1d(c, forced, assume_unique=True)
        a, b, same, priority, keep, agree = scored(c)
        above = same
        for side, (bar_priority, bar_tie) in zip((a, b), bars):
            p = bar_priority[side]
            above = above | (priority > p) | ((priority == p) & (c < bar_tie[side]))
        keep &= above
        return c[keep], agree[keep].astype(np.uint8 if sigs.shape[1] < 256 else np.uint16)

    # the forced pairs kept by the latest choice, and how many band pairs it kept: the last
    # choice over the band pairs that remain is the final one (see below)
    latest: dict = {}

    def still_chosen(c: np.ndarray, agree: np.ndarray) -> np.ndarray:
        """Which band pairs (codes and agreement) can still be among a document's
        `candidates_per_doc` best: a pair outside both its documents' best among the pairs known
        so far stays outside when more come (forced pairs before band pairs, then by code, on
        ties: the final choice's order)."""
        found: list = []
        forced_best, best = best_per_document(f_a, f_b, f_priority, c, lambda rows: priority_of(c[rows], agree[rows]),
                                              n, config.candidates_per_doc, found)
        for (bar_priority, bar_tie), (docs_, at) in zip(bars, found):
            is_forced = at < len(f_a)
            bar_priority[docs_[is_forced]] = f_priority[at[is_forced]]
            bar_tie[docs_[is_forced]] = -1
            at = at[~is_forced] - len(f_a)
            bar_priority[docs_[~is_forced]] = priority_of(c[at], agree[at])
            bar_tie[docs_[~is_forced]] = c[at]
        best |= _same_text(c, hashes, n)
        latest.update(forced=forced_best | f_same, band=int(np.count_nonzero(best)))
        return best

    # Band pairs are judged by their estimates a slice at a time, as they are made, and those no
    # document can choose any more are dropped as they pile up: all of them at once (tens of
    # millions where many short documents share a paragraph) were the peak of the decision.
    prior_keys, prior_nums = numbered(prior.bands, number, first)
    # (the numbers by doc_id are not needed past here: a dict entry and an int per document)
    del number
    band, b_agree = bucket_pairs(band_postings(sigs, n_new, prior_keys, prior_nums, first), n_new, n, config,
                                  worth_verifying, still_chosen)
    if not len(forced) + len(band):
        empty = np.zeros(0, np.int64)
        return CandidatePairs(ids, empty, empty, np.zeros(0, bool))
    if latest.get("band") != len(band):  # no choice was made over these band pairs
        still_chosen(band, b_agree)
    kept = latest.pop("forced")
    chosen = [band, priority_of(band, b_agree)]  # (handed over in a list it empties: they go as soon as they are used)
    del band, b_agree
    return _in_verification_order(ids, n, hashes, forced[kept], f_priority[kept], chosen)


def _in_verification_order(ids: list[str], n: int, hashes: np.ndarray, forced: np.ndarray, f_priority: np.ndarray,
                           chosen_band: list[np.ndarray]) -> CandidatePairs:
    """The chosen pairs (forced codes and priorities; `chosen_band`: the band pairs' codes and
    priorities, emptied) by priority, strongest first, then by code, as np.lexsort((b, a,
    -priority)) of all of them did: millions of pairs at the end of the search on short notices,
    so the arrays are merged rather than stacked, and freed as they are used."""
    merge_into(chosen_band, forced, f_priority)  # (distinct sets: forced pairs are never band pairs)
    del forced, f_priority
    codes, priority = chosen_band
    chosen_band.clear()
    np.negative(priority, out=priority)
    order = np.argsort(priority, kind="stable")  # (codes sorted: ties stay in code order)
    del priority
    codes = codes[order]
    del order
    same = _same_text(codes, hashes, n)
    a = document_column(codes, n, 0)
    codes -= a * n
    return CandidatePairs(ids, a, codes, same)


def _same_text(codes: np.ndarray, hashes: np.ndarray, n: int) -> np.ndarray:
    """Whether the two documents of each pair code have the same exact hash, a slice at a time."""
    same = np.empty(len(codes), dtype=bool)
    for lo in range(0, len(codes), _SLICE):
        part = codes[lo:lo + _SLICE]
        same[lo:lo + len(part)] = hashes[part // n] == hashes[part % n]
    return same


# Reads the signatures of new documents (given without one) into the rows of a matrix, in the
# order of the doc_ids given: the run-level decision reads them from its staged parts.
SignatureReader = Callable[[list[str], np.ndarray], None]


def run_signatures(new_ids: list[str], new_signatures: np.ndarray | None, prior_docs: list,
                   read: SignatureReader | None = None, new_hubs: np.ndarray | None = None) -> SignatureRows:
    """The new documents' signatures (`new_signatures`, a row each, or None: `read` gives them),
    then the earlier documents' (they become rows of a matrix of their own: the arrays they
    were go, as the search would copy them otherwise).

    Signatures that `read` gives are read once per text: `new_hubs` (the first new document with
    each document's exact hash, `_hubs`) names the row a document shares with its exact copies,
    whose signature is the same (both are of its matching form). At 120 MB of notices, two in
    three documents are copies: a row each was 184 MB of the search's peak, one per text 60 MB.
    """
    width = new_signatures.shape[1] if new_signatures is not None else \
        next((len(p.signature) for p in prior_docs[:1]), NUM_PERM)
    prior = np.stack([p.signature for p in prior_docs]) if prior_docs else np.zeros((0, width), np.uint32)
    for row, p in zip(prior, prior_docs):
        p.signature = row
    if new_signatures is None and new_ids:
        if read is None:
            raise ValueError("new documents without a signature need a signature reader")
        if new_hubs is None:
            new_hubs = np.arange(len(new_ids))
        texts, new_rows = np.unique(new_hubs, return_inverse=True)
        new = np.empty((len(texts), width), dtype=np.uint32)
        read([new_ids[i] for i in texts.tolist()], new)
        return SignatureRows(new, prior, new_rows.reshape(-1))
    if new_signatures is None:
        return SignatureRows(np.zeros((0, width), np.uint32), prior)
    return SignatureRows(np.asarray(new_signatures, dtype=np.uint32), prior)


def _hubs(hashes: np.ndarray) -> np.ndarray:
    """Per document number, the first (smallest) number with its exact hash: its text's hub."""
    order = np.lexsort((np.arange(len(hashes)), hashes))
    starts, counts = groups(hashes[order])
    hub = np.empty(len(hashes), dtype=np.int64)
    hub[order] = np.repeat(order[starts], counts)
    return hub


def _exact_pairs(hub: np.ndarray, n_new: int) -> np.ndarray:
    """Each document paired with its text's hub (a star: the same clusters as all pairs, without
    the square of a much reposted text's copies); pair codes, sorted."""
    d = np.arange(len(hub), dtype=np.int64)
    keep = (hub != d) & (hub < n_new)
    return np.sort(hub[keep] * len(hub) + d[keep])


def _passage_pairs(docs: NewDocuments, prior: PriorIndex, number: dict[str, int], n_new: int,
                   config: ClusterConfig, proposing: np.ndarray) -> np.ndarray:
    """Pairs sharing >= min_shared sentences (and >= shared_share of the smaller one's), through
    sentences in at most candidate_max_df documents (of those `proposing`, a mask by document
    number): excerpts whatever their Jaccard. `number`: the earlier documents' numbers."""
    n = n_new + len(number)
    sentences = docs.passage_counts()
    rows = passage_rows(docs.passage_bounds[:-1][proposing[:n_new]], docs.passage_bounds[1:][proposing[:n_new]])
    new_keys = docs.passages[0][rows]
    new_nums = np.repeat(np.arange(n_new, dtype=np.int64)[proposing[:n_new]], sentences[proposing[:n_new]])
    del rows
    prior_keys, prior_nums = numbered(prior.passages, number, proposing)
    keys, holders = postings(new_keys, new_nums, prior_keys, prior_nums, n_new)
    del new_keys, new_nums
    if not len(keys):
        return np.zeros(0, np.int64)
    first = np.concatenate(([True], (keys[1:] != keys[:-1]) | (holders[1:] != holders[:-1])))
    keys, holders = keys[first], holders[first]
    _, counts = groups(keys)
    common = np.repeat(counts > config.candidate_max_df, counts)
    keys, holders = keys[~common], holders[~common]
    a, b = pairs_in_groups(keys, holders, distinct=True)
    keep = a < n_new
    a, b = a[keep], b[keep]
    if not len(a):
        return np.zeros(0, np.int64)
    uniq, n_shared = counted(a * n + b)
    n_passages = np.concatenate([sentences, np.full(n - n_new, 1 << 30, dtype=np.int64)])
    ua, ub = uniq // n, uniq % n
    fewest = np.minimum(n_passages[ua], n_passages[ub])
    few = fewest <= config.min_shared
    enough = (n_shared >= config.min_shared) & (n_shared >= config.shared_share * fewest)
    return uniq[enough | few]


_SLICE = 1 << 20
