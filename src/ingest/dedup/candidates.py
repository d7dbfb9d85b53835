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
    the pairs held grow with the documents, not with the square of those sharing a paragraph;
  * exact copies of a text propose no band or sentence pairs: the first of them does, and the
    others are paired with it (exact pairs): their own pairs would repeat its pairs and crowd
    out other texts from the bound above.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

import numpy as np

from ..memory import trim_heap
from .lsh import BANDS, KEYS_CHUNK
from .records import Candidate, Postings, PriorIndex


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
    contained_ratio   an earlier member smaller than this share of a new canonical becomes `contained`.
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


def candidate_pairs(docs: dict[str, Candidate], prior: PriorIndex, config: ClusterConfig) -> CandidatePairs:
    ids = list(docs) + [d for d in prior.docs if d not in docs]
    number = {d: i for i, d in enumerate(ids)}
    n_new, n = len(docs), len(ids)
    fps = [c.fingerprint for c in docs.values()]
    prior_docs = [prior.docs[d] for d in ids[n_new:]]
    hashes = np.array([fp.exact_hash for fp in fps] + [p.exact_hash for p in prior_docs], dtype=np.int64)
    sizes = np.array([fp.n_shingles for fp in fps] + [p.n_shingles for p in prior_docs], dtype=np.int64)

    sigs = np.stack([fp.signature for fp in fps] + [p.signature for p in prior_docs]) if n else \
        np.zeros((0, 1), np.uint32)
    # The documents' signatures become rows of this matrix (the same values): the arrays they
    # were rows of go, instead of a second copy of every signature (92 MB at 180,000 notices).
    for i, holder in enumerate(fps + prior_docs):
        holder.signature = sigs[i]
    trim_heap()  # (those arrays were ~0.5 MB each, in the C heap: its RSS until handed back)

    def estimates(c: np.ndarray):
        a, b = c // n, c % n
        est = _agreement(sigs, a, b) / sigs.shape[1]
        small = np.maximum(np.minimum(sizes[a], sizes[b]), 1)
        est_contained = np.minimum(1.0, est * (sizes[a] + sizes[b]) / ((1.0 + est) * small))
        keep = (est >= config.estimate_min) & ((est >= config.near_estimate_min)
                                               | (est_contained >= config.contained_estimate_min))
        return a, b, est_contained, keep

    def scored(c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """a, b, same exact hash, priority (exact copies first, then estimated containment), keep."""
        a, b, est_contained, keep = estimates(c)
        same = hashes[a] == hashes[b]
        return a, b, same, np.where(same, 2.0, est_contained), keep

    hub = _hubs(hashes)
    exact = _exact_pairs(hub, n_new)
    # Exact copies (one matching form) would propose the same band and sentence pairs again, each
    # filling its own candidates_per_doc with them: only the hub of each text proposes, the others
    # join it through their exact pair (a reposted notice's 30 copies made 30 times the pairs).
    first = hub == np.arange(n)
    del hub
    passage = _passage_pairs(docs, prior, number, n_new, config, first)
    forced = _counted(np.concatenate([exact, passage]))[0]
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
        c = np.setdiff1d(c, forced, assume_unique=True)
        a, b, same, priority, keep = scored(c)
        above = same
        for side, (bar_priority, bar_tie) in zip((a, b), bars):
            p = bar_priority[side]
            above = above | (priority > p) | ((priority == p) & (c < bar_tie[side]))
        keep &= above
        return c[keep], priority[keep]

    def still_chosen(c: np.ndarray, priority: np.ndarray) -> np.ndarray:
        """Which band pairs can still be among a document's `candidates_per_doc` best: a pair
        outside both its documents' best among the pairs known so far stays outside when more
        come (forced pairs before band pairs, then by code, on ties: the final choice's order)."""
        # (this is the decision's peak where many documents share a paragraph: arrays are
        # freed as soon as they are used, document numbers held in 32 bits where they fit)
        narrow = np.int32 if n < 1 << 31 else np.int64
        a = (c // n).astype(narrow)
        b = (c % n).astype(narrow)
        same = hashes[a] == hashes[b]
        all_a = np.concatenate([f_a.astype(narrow), a])
        del a
        all_b = np.concatenate([f_b.astype(narrow), b])
        del b
        all_priority = np.concatenate([f_priority, priority])
        found: list = []
        best = _best_per_document(all_a, all_b, all_priority, config.candidates_per_doc, found)
        del all_a, all_b
        for (bar_priority, bar_tie), (docs_, at) in zip(bars, found):
            bar_priority[docs_] = all_priority[at]
            bar_tie[docs_] = np.where(at < len(f_a), -1, c[np.maximum(at - len(f_a), 0)])
        return best[len(f_a):] | same

    # Band pairs are judged by their estimates a slice at a time, as they are made, and those no
    # document can choose any more are dropped as they pile up: all of them at once (tens of
    # millions where many short documents share a paragraph) were the peak of the decision.
    band, b_priority = _bucket_pairs(_band_postings(sigs, n_new, prior.bands, number, first), n_new, n, config,
                                     worth_verifying, still_chosen)
    if not len(forced) + len(band):
        empty = np.zeros(0, np.int64)
        return CandidatePairs(ids, empty, empty, np.zeros(0, bool))
    b_a, b_b = band // n, band % n
    del band
    a, b = np.concatenate([f_a, b_a]), np.concatenate([f_b, b_b])
    same = np.concatenate([f_same, hashes[b_a] == hashes[b_b]])
    del b_a, b_b
    priority = np.concatenate([f_priority, b_priority])
    del b_priority
    keep = _best_per_document(a, b, priority, config.candidates_per_doc) | same
    a, b, same, priority = a[keep], b[keep], same[keep], priority[keep]
    order = np.lexsort((b, a, -priority))
    return CandidatePairs(ids, a[order], b[order], same[order])


def _hubs(hashes: np.ndarray) -> np.ndarray:
    """Per document number, the first (smallest) number with its exact hash: its text's hub."""
    order = np.lexsort((np.arange(len(hashes)), hashes))
    starts, counts = _groups(hashes[order])
    hub = np.empty(len(hashes), dtype=np.int64)
    hub[order] = np.repeat(order[starts], counts)
    return hub


def _exact_pairs(hub: np.ndarray, n_new: int) -> np.ndarray:
    """Each document paired with its text's hub (a star: the same clusters as all pairs, without
    the square of a much reposted text's copies); pair codes, sorted."""
    d = np.arange(len(hub), dtype=np.int64)
    keep = (hub != d) & (hub < n_new)
    return np.sort(hub[keep] * len(hub) + d[keep])


BAND_PARTS = 8


def _band_postings(sigs: np.ndarray, n_new: int, prior: Postings, number: dict[str, int],
                   proposing: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The band postings (as `_postings`) of the proposing new documents and the prior ones, in
    BAND_PARTS parts by key (a bucket is in one part): all of them at once, sorted, with their
    sort's temporaries, were the decision's peak where many short documents share a paragraph
    (64 per document that proposes pairs); a part is an eighth of that.

    Each part derives the new documents' keys again, KEYS_CHUNK signatures at a time, and keeps
    its own: holding every key for the parts to share was 92 MB at 180,000 notices (and the
    proposing documents' signatures copied beside them as much again); deriving them 8 times
    costs ~1 s there."""
    rows = np.flatnonzero(proposing[:n_new])
    prior_keys, prior_nums = _numbered(prior, number, proposing)
    prior_part = _key_part(prior_keys)
    for p in range(BAND_PARTS):
        new_keys, new_nums = _keys_in_part(sigs, rows, p)
        at = prior_part == p
        yield _postings(new_keys, new_nums, prior_keys[at], prior_nums[at], n_new)


def _keys_in_part(sigs: np.ndarray, rows: np.ndarray, part: int) -> tuple[np.ndarray, np.ndarray]:
    """The band keys of signatures `rows` that fall in `part`, and the row of each."""
    keys, nums = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for lo in range(0, len(rows), KEYS_CHUNK):
        chunk = rows[lo:lo + KEYS_CHUNK]
        chunk_keys = BANDS.keys(sigs[chunk])
        r, c = np.nonzero(_key_part(chunk_keys) == part)
        keys.append(chunk_keys[r, c])
        nums.append(chunk[r])
    return np.concatenate(keys), np.concatenate(nums)


def _key_part(keys: np.ndarray) -> np.ndarray:
    """Which of the BAND_PARTS parts a band key falls in (its top bits)."""
    return (keys.view(np.uint64) >> np.uint64(64 - (BAND_PARTS - 1).bit_length())).astype(np.uint8)


def _bucket_pairs(parts: Iterable[tuple[np.ndarray, np.ndarray]], n_new: int, n: int, config: ClusterConfig,
                  judge: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
                  still_chosen: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Pair codes (a * n + b, distinct, sorted) proposed by LSH buckets, with their priorities:
    all pairs of a small bucket, hub pairs of a big one. `parts` are band postings (key, holder;
    sorted) in parts that share no key.

    Built a slice of buckets at a time: the pairs of all buckets at once (with their
    temporaries) were the largest allocation of a 120 MB run. `judge` turns each slice's codes
    into those worth verifying and their priorities (default: all, priority 0); `still_chosen`
    marks which of the distinct codes so far can still be chosen (default: all). The pile is
    reduced each time it grows by half, so each code is sorted a few times, not once per slice.
    """
    judge = judge or (lambda c: (c, np.zeros(len(c))))
    kept = (np.zeros(0, np.int64), np.zeros(0))
    piled: list[tuple[np.ndarray, np.ndarray]] = []

    def reduced(pile: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        """The pile's distinct codes that can still be chosen (the pile is emptied: its arrays go
        as soon as they are copied, not after the reduction, which is the search's peak)."""
        codes = np.concatenate([c for c, _ in pile])
        priority = np.concatenate([p for _, p in pile])
        pile.clear()
        order = np.argsort(codes, kind="stable")
        codes = codes[order]
        priority = priority[order]
        del order
        first = np.concatenate(([True], codes[1:] != codes[:-1])) if len(codes) else np.zeros(0, bool)
        codes, priority = codes[first], priority[first]
        if still_chosen is not None and len(codes):
            chosen = still_chosen(codes, priority)
            codes, priority = codes[chosen], priority[chosen]
        return codes, priority

    for keys, holders in parts:
        starts, counts = _groups(keys)
        # pairs each bucket proposes, to cut the buckets into slices of about PAIR_SLICE pairs
        proposes = np.where(counts > config.bucket_all_pairs, counts * config.bucket_hubs,
                            counts * (counts - 1) // 2)
        bounds = np.searchsorted(np.cumsum(proposes), np.arange(PAIR_SLICE, int(proposes.sum()) + PAIR_SLICE,
                                                                 PAIR_SLICE), side="right")
        lo_group = 0
        for hi_group in [*np.unique(bounds).tolist(), len(starts)]:
            hi_group = min(max(hi_group, lo_group + 1), len(starts))
            if hi_group <= lo_group:
                continue
            rows = slice(int(starts[lo_group]), int(starts[hi_group - 1] + counts[hi_group - 1]))
            piled.append(judge(_slice_pairs(keys[rows], holders[rows], n_new, n, config)))
            lo_group = hi_group
            # (at half the kept pairs, not all of them: the reduction is the search's top, 724 ->
            # 688 MB at 180,000 notices, for 4 s more there and 0.15 s on the real 60 MB corpus)
            if sum(len(c) for c, _ in piled) > max(2 * PAIR_SLICE, len(kept[0]) // 2):
                piled.insert(0, kept)
                del kept
                kept = reduced(piled)
                trim_heap()
        del keys, holders, starts, counts
        # Freed arrays of 0.1-32 MB stay in the C heap (glibc's moving mmap threshold) and the
        # RSS only grew through the search: handed back after each part and each reduction,
        # the search's top at 180,000 notices is 865 -> 759 MB, in the same 21 s.
        trim_heap()
    if not piled:
        return kept
    piled.insert(0, kept)
    del kept
    return reduced(piled)


PAIR_SLICE = 1 << 19


def _slice_pairs(keys: np.ndarray, holders: np.ndarray, n_new: int, n: int, config: ClusterConfig) -> np.ndarray:
    starts, counts = _groups(keys)
    big = np.repeat(counts > config.bucket_all_pairs, counts)
    a, b = _pairs_in_groups(keys[~big], holders[~big])
    codes = [a[a < n_new] * n + b[a < n_new]]
    if big.any():
        bk, bh = keys[big], holders[big]
        # hubs: the members with the smallest hash of (holder, key) in each bucket
        with np.errstate(over="ignore"):
            rank_key = _mix(bh.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ bk.view(np.uint64))
        order = np.lexsort((rank_key, bk))
        bk, bh = bk[order], bh[order]
        gs, gc = _groups(bk)
        hubs = config.bucket_hubs
        hub_rows = (gs[:, None] + np.arange(hubs)[None, :])  # every big bucket has > hubs members
        member_group = np.repeat(np.arange(len(gs)), gc)
        x = np.repeat(bh, hubs)
        y = bh[hub_rows[member_group].ravel()]
        lo, hi = np.minimum(x, y), np.maximum(x, y)
        del x, y
        keep = (lo != hi) & (lo < n_new)
        codes.append(lo[keep] * n + hi[keep])
    return _counted(np.concatenate(codes))[0]


def _passage_pairs(docs: dict[str, Candidate], prior: PriorIndex, number: dict[str, int], n_new: int,
                   config: ClusterConfig, proposing: np.ndarray) -> np.ndarray:
    """Pairs sharing >= min_shared sentences (and >= shared_share of the smaller one's), through
    sentences in at most candidate_max_df documents (of those `proposing`, a mask by document
    number): excerpts whatever their Jaccard."""
    n = len(number)
    new_keys = [c.fingerprint.passages.keys if keep else c.fingerprint.passages.keys[:0]
                for c, keep in zip(docs.values(), proposing[:n_new].tolist())]
    prior_keys, prior_nums = _numbered(prior.passages, number, proposing)
    keys, holders = _postings(np.concatenate(new_keys).astype(np.int64) if new_keys else np.zeros(0, np.int64),
                              np.repeat(np.arange(len(new_keys), dtype=np.int64), [len(k) for k in new_keys]),
                              prior_keys, prior_nums, n_new)
    del new_keys
    if not len(keys):
        return np.zeros(0, np.int64)
    first = np.concatenate(([True], (keys[1:] != keys[:-1]) | (holders[1:] != holders[:-1])))
    keys, holders = keys[first], holders[first]
    _, counts = _groups(keys)
    common = np.repeat(counts > config.candidate_max_df, counts)
    keys, holders = keys[~common], holders[~common]
    a, b = _pairs_in_groups(keys, holders, distinct=True)
    keep = a < n_new
    a, b = a[keep], b[keep]
    if not len(a):
        return np.zeros(0, np.int64)
    uniq, n_shared = _counted(a * n + b)
    n_passages = np.array([len(c.fingerprint.passages) for c in docs.values()] + [1 << 30] * (n - n_new))
    ua, ub = uniq // n, uniq % n
    fewest = np.minimum(n_passages[ua], n_passages[ub])
    few = fewest <= config.min_shared
    enough = (n_shared >= config.min_shared) & (n_shared >= config.shared_share * fewest)
    return uniq[enough | few]


def _agreement(sigs: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    agree = np.empty(len(a), dtype=np.int64)
    for lo in range(0, len(a), 1 << 11):  # 2 Ki pairs x 128 values: the scratch stays in cache
        hi = lo + (1 << 11)
        agree[lo:hi] = np.count_nonzero(sigs[a[lo:hi]] == sigs[b[lo:hi]], axis=1)
    return agree


def _best_per_document(a: np.ndarray, b: np.ndarray, priority: np.ndarray, limit: int,
                       bars: list | None = None) -> np.ndarray:
    """Pairs among the `limit` highest-priority pairs of either of their documents (on equal
    priority the earlier pair first). With `bars`, appends per side (a, then b) the documents
    with at least `limit` pairs there and the index of their `limit`-th best pair."""
    keep = np.zeros(len(a), dtype=bool)
    for side in (a, b):
        order = np.lexsort((-priority, side))
        starts, counts = _groups(side[order])
        # the first `limit` rows of each document's run, a rank at a time: a rank per row (and
        # its run's start repeated per row) were two more arrays as long as the pairs
        for k in range(limit):
            keep[order[starts[counts > k] + k]] = True
        if bars is not None:
            full = counts >= limit
            bars.append((side[order[starts[full]]], order[starts[full] + limit - 1]))
        del order
    return keep


def _mix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _numbered(prior: Postings, number: dict[str, int], proposing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Prior postings as (key, document number), without those of documents that have no
    number or do not propose (`proposing`: a mask by document number)."""
    nums = np.fromiter((number.get(d, -1) for d in prior.doc_ids), dtype=np.int64, count=len(prior))
    known = nums >= 0
    known[known] = proposing[nums[known]]
    return prior.keys[known], nums[known]


def _postings(new_keys: np.ndarray, new_nums: np.ndarray, prior_keys: np.ndarray, prior_nums: np.ndarray,
              n_new: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(key, document number) rows of the new documents and the prior postings, sorted by key
    then number; a new document's repeated key (numbers below n_new) is kept once, as the
    warehouse keeps one posting per sentence occurrence of earlier ones."""
    keys_a = np.concatenate([new_keys, prior_keys])
    nums_a = np.concatenate([new_nums, prior_nums])
    order = np.lexsort((nums_a, keys_a))
    keys_a, nums_a = keys_a[order], nums_a[order]
    if n_new and len(keys_a):
        repeat = np.concatenate(([False], (keys_a[1:] == keys_a[:-1]) & (nums_a[1:] == nums_a[:-1])))
        keep = ~(repeat & (nums_a < n_new))
        keys_a, nums_a = keys_a[keep], nums_a[keep]
    return keys_a, nums_a


def _counted(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values (sorted) and how often each occurs: np.unique by sorting, which is several
    times faster than np.unique's hash table on these arrays of int64 codes."""
    values = np.sort(values)
    starts, counts = _groups(values)
    return values[starts], counts


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start index and length of each run of equal values in a sorted array."""
    if not len(keys):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return starts, np.diff(np.append(starts, len(keys)))


def _pairs_in_groups(keys: np.ndarray, holders: np.ndarray, distinct: bool = False):
    """All pairs (a < b) of documents holding the same key; rows sorted by (key, holder). With
    `distinct`, each pair comes once per key it shares; without, once. Returns (a, b)."""
    if len(keys):  # a holder listed twice under one key (a repeated sentence) pairs once
        first = np.concatenate(([True], (keys[1:] != keys[:-1]) | (holders[1:] != holders[:-1])))
        keys, holders = keys[first], holders[first]
    starts, counts = _groups(keys)
    # row r pairs with the rows after it in its group: `later[r]` of them
    group_end = np.repeat(starts + counts, counts)
    later = group_end - np.arange(len(keys)) - 1
    total = int(later.sum())
    if total == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty
    row_a = np.repeat(np.arange(len(keys)), later)
    block_start = np.repeat(np.cumsum(later) - later, later)
    row_b = row_a + 1 + (np.arange(total) - block_start)
    a, b = holders[row_a], holders[row_b]  # a < b: holders sorted in a group
    if distinct:
        return a, b
    width = int(holders.max()) + 1
    codes = _counted(a * width + b)[0]
    return codes // width, codes % width
