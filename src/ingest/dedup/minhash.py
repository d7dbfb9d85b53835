"""Character n-gram shingles and MinHash signatures, vectorised with numpy (no per-shingle Python)."""
from __future__ import annotations

import numpy as np

SHINGLE = 5  # characters per shingle; see ingest.dedup.__init__ for why 5
NUM_PERM = 128
# Stored with the signatures (dedup_store): signatures of different schemes must never be
# compared, so a warehouse whose scheme differs from this one is migrated when it is opened.
SIGNATURE_SCHEME = "perm128"
_MASK61 = np.uint64((1 << 61) - 1)
_EMPTY = np.zeros(0, dtype=np.uint64)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, in place: spreads the rolling hash over all 64 bits."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def shingle_hashes(form: str, k: int = SHINGLE) -> np.ndarray:
    """Sorted unique 64-bit hashes of the k-character shingles of a matching form.

    A text shorter than k still gets one shingle (itself) so that tiny documents can match exactly.
    """
    if not form:
        return _EMPTY
    cps = np.frombuffer(form.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(cps) - k + 1
    if n <= 0:
        cps = np.concatenate([cps, np.zeros(k - len(cps), dtype=np.uint64)])
        n = 1
    with np.errstate(over="ignore"):
        h = np.zeros(n, dtype=np.uint64)
        for i in range(k):  # polynomial hash of the window, one vector op per position
            h *= np.uint64(0x100000001B3)
            h += cps[i : i + n]
        _mix64(h)
    # sort + neighbour compare: same result as np.unique, without its hash table (3x faster here)
    h.sort()
    if len(h) > 1:
        h = h[np.concatenate(([True], h[1:] != h[:-1]))]
    return h


def _permutations(num_perm: int, seed: int = 20261123) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 1 << 61, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 1 << 61, size=num_perm, dtype=np.uint64)
    return a, b


_A, _B = _permutations(NUM_PERM)


def signature(hashes: np.ndarray, num_perm: int = NUM_PERM) -> np.ndarray:
    """MinHash signature (uint32 per permutation) of a set of shingle hashes.

    Each permutation is h -> mix(a*h + b) mod 2^64; the loop runs over permutations with
    in-place ops on one scratch array, which is much faster than a (shingles x perms) broadcast.
    """
    sig = np.full(num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
    if len(hashes) == 0:
        return sig
    a, b = (_A, _B) if num_perm == NUM_PERM else _permutations(num_perm)
    scratch = np.empty_like(hashes)
    with np.errstate(over="ignore"):
        for i in range(num_perm):
            np.multiply(hashes, a[i], out=scratch)
            scratch += b[i]
            sig[i] = np.uint32(scratch.min() >> np.uint64(32))
    return sig


def signatures(hash_sets: list[np.ndarray], num_perm: int = NUM_PERM, block: int = 1 << 15) -> np.ndarray:
    """MinHash signatures of many documents at once, shape (len(hash_sets), num_perm).

    Documents are packed into blocks of about `block` shingles (whole documents only) so that
    one scratch array stays in the CPU cache while all permutations run over it; per block the
    minimum per document is a single `np.minimum.reduceat`.
    """
    out = np.full((len(hash_sets), num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    a, b = (_A, _B) if num_perm == NUM_PERM else _permutations(num_perm)
    i = 0
    while i < len(hash_sets):
        j, size = i, 0
        while j < len(hash_sets) and (j == i or size + len(hash_sets[j]) <= block):
            size += len(hash_sets[j])
            j += 1
        rows = [r for r in range(i, j) if len(hash_sets[r])]
        if rows:
            packed = np.concatenate([hash_sets[r] for r in rows])
            starts = np.cumsum([0] + [len(hash_sets[r]) for r in rows[:-1]])
            scratch = np.empty_like(packed)
            with np.errstate(over="ignore"):
                for p in range(num_perm):
                    np.multiply(packed, a[p], out=scratch)
                    scratch += b[p]
                    out[rows, p] = (np.minimum.reduceat(scratch, starts) >> np.uint64(32)).astype(np.uint32)
        i = j
    return out


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)
