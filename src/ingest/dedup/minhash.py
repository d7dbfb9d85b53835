"""Character n-gram shingles and one-permutation MinHash signatures, vectorised with numpy."""
from __future__ import annotations

import numpy as np

SHINGLE = 5  # characters per shingle; see ingest.dedup.__init__ for why 5
_EMPTY = np.zeros(0, dtype=np.uint64)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser, in place: spreads the rolling hash over all 64 bits."""
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def shingle_hashes(form: str, k: int = SHINGLE, narrow: bool = False) -> np.ndarray:
    """Sorted unique 64-bit hashes of the k-character shingles of a matching form (`narrow`:
    their top 32 bits, as uint32, the sets pair verification compares: see `narrowed`).

    A text shorter than k still gets one shingle (itself) so that tiny documents can match exactly.
    """
    if not form:
        return _EMPTY32 if narrow else _EMPTY
    cps = np.frombuffer(form.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(cps) - k + 1
    if n <= 0:
        cps = np.concatenate([cps, np.zeros(k - len(cps), dtype=np.uint64)])
        n = 1
    h = _window_hashes(cps, n, k)
    if narrow:
        h = narrowed(h)
    # sort + neighbour compare: same result as np.unique, without its hash table (3x faster here)
    h.sort()
    if len(h) > 1:
        h = h[np.concatenate(([True], h[1:] != h[:-1]))]
    return h


_PRIME = np.uint64(0x100000001B3)
_EMPTY32 = np.zeros(0, dtype=np.uint32)
_HIGH = np.uint64(32)


def narrowed(hashes: np.ndarray) -> np.ndarray:
    """The top 32 bits of mixed 64-bit shingle hashes (order kept), for pair verification.

    Verification rebuilds and caches the shingle sets of the documents it compares; at half the
    bytes a set, twice as many stay cached (at 120 MB of real paragraphs the rebuilds were a
    third of the decision). Two different shingles share 32 bits with probability 2**-32, so a
    pair of ~1,000-shingle sets counts one shared shingle too many about once in 4,000 pairs: a
    difference of ~0.1 % in a ratio, against thresholds that are 0.05 apart or more.
    """
    return (hashes >> _HIGH).astype(np.uint32)


def _window_hashes(cps: np.ndarray, n: int, k: int) -> np.ndarray:
    """Mixed polynomial hash of each of the n k-character windows of uint64 code points.

    No np.errstate: array arithmetic on unsigned integers wraps without a warning, and entering
    the context cost more than the hashing of a short paragraph.
    """
    h = cps[:n].copy()
    for i in range(1, k):  # polynomial hash of the window, one vector op per position
        h *= _PRIME
        h += cps[i : i + n]
    return _mix64(h)


def line_shingle_sets(lines: list[str], k: int = SHINGLE, narrow: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """`shingle_hashes` of every line of >= k characters, concatenated, and where each line's
    run starts: the same values as one call per line, hashed in one pass over the lines joined
    (windows that cross a line boundary are dropped)."""
    kept = [line for line in lines if len(line) >= k]
    if not kept:
        return (_EMPTY32 if narrow else _EMPTY), np.zeros(0, np.int64)
    cps = np.frombuffer("".join(kept).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(cps) - k + 1
    h = _window_hashes(cps, n, k)
    lengths = np.fromiter(map(len, kept), dtype=np.int64, count=len(kept))
    line_end = np.cumsum(lengths)
    line = np.repeat(np.arange(len(kept), dtype=np.int64), lengths)[:n]
    inside = np.arange(n) <= (line_end - k)[line]  # the window ends within its line
    h, line = h[inside], line[inside]
    if narrow:
        h = narrowed(h)
    # The windows are in text order, so each line's run is contiguous: sorting the runs in place
    # one by one gives lexsort((h, line))'s order at a sixth of its cost.
    lo = 0
    for hi in np.cumsum(np.bincount(line, minlength=len(kept))).tolist():
        h[lo:hi].sort()
        lo = hi
    first = np.concatenate(([True], (h[1:] != h[:-1]) | (line[1:] != line[:-1])))
    h, line = h[first], line[first]
    counts = np.bincount(line, minlength=len(kept))
    return h, np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)


# One-permutation MinHash (Li, Owen & Zhang 2012): the top 7 bits of a shingle hash pick one of
# 128 bins, and a bin's value is the smallest hash in it. The hashes are already sorted, so the
# minimum of a bin is the first hash at or after the bin's start: one searchsorted per document.
NUM_PERM = 128  # bins (the name stays: 128 values, cut into LSH bands like 128 permutations)
_BIN_BITS = 7
_BIN_SHIFT = np.uint64(64 - _BIN_BITS)
_SIGN_SLICE = 64
_LOW32 = np.uint64(0xFFFFFFFF)
_EMPTY_VALUE = np.iinfo(np.uint32).max
# Stored with the signatures (dedup_store): signatures of different schemes must never be
# compared, so a warehouse whose scheme differs from this one is migrated when it is opened
# (dedup_migrations).
SIGNATURE_SCHEME = "oph128-v1"


def _probe_orders(seed: int = 20261123) -> np.ndarray:
    """Row i: bin i, then all other bins in a fixed random order (where an empty bin i borrows from)."""
    rng = np.random.default_rng(seed)
    orders = np.empty((NUM_PERM, NUM_PERM), dtype=np.intp)
    for i in range(NUM_PERM):
        others = np.delete(np.arange(NUM_PERM), i)
        orders[i] = np.concatenate(([i], rng.permutation(others)))
    return orders


_PROBES = _probe_orders()


def signatures(hash_sets: list[np.ndarray]) -> np.ndarray:
    """One-permutation MinHash signatures, shape (len(hash_sets), 128), uint32.

    `hash_sets` are `shingle_hashes` results (sorted, unique). A bin's value is the low 32 bits
    of its smallest hash: uniform however full the bin (the high bits of a minimum are mostly
    zeros), so different minima collide with probability 2**-32. An empty bin is densified as
    in Shrivastava 2017 ("optimal densification"): it takes the value of the first non-empty
    bin in its own fixed random probe order. Two documents follow the same orders, so every bin
    agrees with probability equal to their Jaccard similarity, and different empty bins borrow
    from independently chosen bins (low variance). A document without shingles keeps all
    values 0xFFFFFFFF.
    """
    if len(hash_sets) > _SIGN_SLICE:
        # a slice of documents at a time: the temporaries of a whole batch (~10 MB each) fell out
        # of the cache and made signing ~5x slower per document
        return np.concatenate([signatures(hash_sets[lo : lo + _SIGN_SLICE])
                               for lo in range(0, len(hash_sets), _SIGN_SLICE)])
    n = len(hash_sets)
    values = np.full((n, NUM_PERM), _EMPTY_VALUE, dtype=np.uint32)
    filled = np.zeros((n, NUM_PERM), dtype=bool)
    sizes = np.fromiter(map(len, hash_sets), dtype=np.int64, count=n)
    if sizes.any():
        # The documents together (a loop over them was most of the signing): a hash's bin is its
        # top bits, each document's hashes are sorted, so (document, bin) never decreases along
        # the concatenation and a bin's minimum is the first hash of its run.
        h = np.concatenate(hash_sets)
        cell = np.repeat(np.arange(n, dtype=np.int64), sizes) * NUM_PERM + (h >> _BIN_SHIFT).astype(np.int64)
        first = np.flatnonzero(np.concatenate(([True], cell[1:] != cell[:-1])))
        values.ravel()[cell[first]] = h[first] & _LOW32
        filled.ravel()[cell[first]] = True
    # Each empty bin of a document with some filled bin borrows along its own probe order.
    r, b = np.nonzero(~filled & filled.any(axis=1)[:, None])
    probes = _PROBES[b]  # (empty bins, 128): bin b first, then the others in b's order
    step = filled[r[:, None], probes].argmax(axis=1)  # the first filled one
    values[r, b] = values[r, probes[np.arange(len(b)), step]]
    return values


def signature(hashes: np.ndarray) -> np.ndarray:
    """The signature of one set of shingle hashes."""
    return signatures([hashes])[0]


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    return float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)
