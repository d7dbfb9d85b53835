"""LSH band candidates: the band postings of a run, in parts by key, turned into pair codes bucket by
bucket, a slice of buckets at a time (see candidates.py for the bounds and how pairs are judged)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import numpy as np

from ..memory import trim_heap
from .lsh import BANDS, KEYS_CHUNK
from .pair_arrays import SignatureRows, counted, groups, mix, pairs_in_groups, postings

if TYPE_CHECKING:
    from .candidates import ClusterConfig

BAND_PARTS = 8


def band_postings(sigs: SignatureRows, n_new: int, prior_keys: np.ndarray, prior_nums: np.ndarray,
                   proposing: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The band postings (as `postings`) of the proposing new documents and the prior ones
    (`prior_keys` and their document numbers: `pair_arrays.numbered`), in
    BAND_PARTS parts by key (a bucket is in one part): all of them at once, sorted, with their
    sort's temporaries, were the decision's peak where many short documents share a paragraph
    (64 per document that proposes pairs); a part is an eighth of that.

    Each part derives the new documents' keys again, KEYS_CHUNK signatures at a time, and keeps
    its own: holding every key for the parts to share was 36 MB at 180,000 notices (70,931 of
    them propose pairs; their signatures were copied beside the keys, as much again); deriving
    them 8 times takes 1.04 s there instead of 0.12 s."""
    rows = np.flatnonzero(proposing[:n_new])
    prior_part = _key_part(prior_keys)
    for p in range(BAND_PARTS):
        new_keys, new_nums = _keys_in_part(sigs, rows, p)
        at = prior_part == p
        yield postings(new_keys, new_nums, prior_keys[at], prior_nums[at], n_new)


def _keys_in_part(sigs: SignatureRows, rows: np.ndarray, part: int) -> tuple[np.ndarray, np.ndarray]:
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


def bucket_pairs(parts: Iterable[tuple[np.ndarray, np.ndarray]], n_new: int, n: int, config: ClusterConfig,
                  judge: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
                  still_chosen: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Pair codes (a * n + b, distinct, sorted) proposed by LSH buckets, with their priorities:
    all pairs of a small bucket, hub pairs of a big one. `parts` are band postings (key, holder;
    sorted) in parts that share no key.

    Built a slice of buckets at a time: the pairs of all buckets at once (with their
    temporaries) were the largest allocation of a 120 MB run. `judge` turns each slice's codes
    into those worth verifying and their priorities, or a column they are computed from (the
    search keeps each pair's signature agreement, a byte: candidates.py) (default: all,
    priority 0); `still_chosen` marks which of the distinct codes so far can still be chosen,
    given that column (default: all). The pile is
    reduced each time it grows by half, so each code is sorted a few times, not once per slice.
    """
    judge = judge or (lambda c: (c, np.zeros(len(c))))
    kept = [np.zeros(0, np.int64), np.zeros(0)]  # distinct codes, sorted, and their priorities
    piled: list[tuple[np.ndarray, np.ndarray]] = []

    def reduce_pile() -> None:
        """The pile's codes merged into the kept ones, then those that can still be chosen kept
        (the pile and the kept arrays go as soon as they are copied: this is the search's top)."""
        codes = np.concatenate([c for c, _ in piled])
        priorities = [p for _, p in piled]
        piled.clear()  # (the pile's codes go before its priorities are copied)
        priority = np.concatenate(priorities)
        del priorities
        order = np.argsort(codes, kind="stable")
        codes = codes[order]
        priority = priority[order]
        del order
        merge_into(kept, codes, priority)
        del codes, priority
        if still_chosen is not None and len(kept[0]):
            chosen = still_chosen(kept[0], kept[1])
            kept[0] = kept[0][chosen]
            kept[1] = kept[1][chosen]

    judged = 0  # band pairs judged since the last reduction, kept ones included
    for keys, holders in parts:
        starts, counts = groups(keys)
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
            codes, priority = judge(_slice_pairs(keys[rows], holders[rows], n_new, n, config))
            judged += len(codes)
            # Pairs already kept are not piled again: notices sharing a paragraph meet in several
            # of its bands (at 120 MB of notices a pile of 2.7 million codes added 0.8 million
            # to the 5 million kept, and the pile and its sort were the reduction's top).
            piled.append(_not_in(kept[0], codes, priority))
            del codes, priority
            lo_group = hi_group
            # (at half the kept pairs, not all of them: the reduction is the search's top, 724 ->
            # 688 MB at 180,000 notices, for 4 s more there and 0.15 s on the real 60 MB corpus)
            if judged > max(2 * PAIR_SLICE, len(kept[0]) // 2):
                reduce_pile()
                judged = 0
                trim_heap()
        del keys, holders, starts, counts
        # Freed arrays of 0.1-32 MB stay in the C heap (glibc's moving mmap threshold) and the
        # RSS only grew through the search: handed back after each part and each reduction,
        # the search's top at 180,000 notices is 865 -> 759 MB, in the same 21 s.
        trim_heap()
    if piled:
        reduce_pile()
    return kept[0], kept[1]


def _not_in(kept: np.ndarray, codes: np.ndarray, priority: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The codes and their priorities, without those in `kept` (sorted)."""
    if not len(kept) or not len(codes):
        return codes, priority
    fresh = kept[np.minimum(np.searchsorted(kept, codes), len(kept) - 1)] != codes
    return codes[fresh], priority[fresh]


def merge_into(kept: list[np.ndarray], codes: np.ndarray, priority: np.ndarray) -> None:
    """Sorted `codes` (and their priorities) merged into `kept` ([codes, priorities], distinct
    and sorted), each code once (a pair's priority is the pair's own, wherever it was found).
    A merge rather than a sort of both, and the kept arrays go as soon as they are copied: with
    millions of pairs kept, the reduction's top."""
    old = kept[0]
    at = np.searchsorted(old, codes)
    new = np.ones(len(codes), dtype=bool)
    new[1:] = codes[1:] != codes[:-1]
    if len(old):
        new &= old[np.minimum(at, len(old) - 1)] != codes
    codes, priority, at = codes[new], priority[new], at[new]
    del new
    at += np.arange(len(codes))
    is_new = np.zeros(len(old) + len(codes), dtype=bool)
    is_new[at] = True
    merged = np.empty(len(is_new), dtype=np.int64)
    merged[at] = codes
    merged[~is_new] = old
    del old, codes
    kept[0] = merged
    # (the kept priorities' type: any the judge gives, e.g. a byte from which they are computed)
    merged = np.empty(len(is_new), dtype=kept[1].dtype if len(kept[1]) else priority.dtype)
    merged[at] = priority
    merged[~is_new] = kept[1]
    kept[1] = merged


PAIR_SLICE = 1 << 19


def _slice_pairs(keys: np.ndarray, holders: np.ndarray, n_new: int, n: int, config: ClusterConfig) -> np.ndarray:
    starts, counts = groups(keys)
    big = np.repeat(counts > config.bucket_all_pairs, counts)
    a, b = pairs_in_groups(keys[~big], holders[~big])
    codes = [a[a < n_new] * n + b[a < n_new]]
    if big.any():
        bk, bh = keys[big], holders[big]
        # hubs: the members with the smallest hash of (holder, key) in each bucket
        with np.errstate(over="ignore"):
            rank_key = mix(bh.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ bk.view(np.uint64))
        order = np.lexsort((rank_key, bk))
        bk, bh = bk[order], bh[order]
        gs, gc = groups(bk)
        hubs = config.bucket_hubs
        hub_rows = (gs[:, None] + np.arange(hubs)[None, :])  # every big bucket has > hubs members
        member_group = np.repeat(np.arange(len(gs)), gc)
        x = np.repeat(bh, hubs)
        y = bh[hub_rows[member_group].ravel()]
        lo, hi = np.minimum(x, y), np.maximum(x, y)
        del x, y
        keep = (lo != hi) & (lo < n_new)
        codes.append(lo[keep] * n + hi[keep])
    return counted(np.concatenate(codes))[0]
