"""Shingle hashes and one-permutation MinHash: bin minima, densification, estimates that track Jaccard."""
from dedup_fixtures import speeches  # noqa: F401 (fixture)
import numpy as np

from ingest.dedup import BANDS
from ingest.dedup.minhash import (NUM_PERM, SIGNATURE_SCHEME, _mix64, estimate_jaccard, shingle_hashes, signature,
                                  signatures)

EMPTY = np.iinfo(np.uint32).max


def random_set(rng, n: int) -> np.ndarray:
    """What shingle_hashes returns: sorted unique well-mixed 64-bit hashes."""
    return np.unique(_mix64(rng.integers(0, 1 << 63, size=n, dtype=np.uint64)))


def pair_with_jaccard(rng, union: int, jaccard: float) -> tuple[np.ndarray, np.ndarray, float]:
    pool = random_set(rng, union)
    rng.shuffle(pool)
    shared = round(jaccard * len(pool))
    half = shared + (len(pool) - shared) // 2
    a, b = np.sort(pool[:half]), np.sort(np.concatenate([pool[:shared], pool[half:]]))
    return a, b, shared / len(pool)


def test_shingles_are_unique_sorted_and_deterministic():
    h = shingle_hashes("全面从严治党全面从严治党")
    assert len(h) == len(set(h.tolist())) == 6  # 8 windows, the last two repeat the first two
    assert np.array_equal(h, np.sort(h))
    assert np.array_equal(h, shingle_hashes("全面从严治党全面从严治党"))
    assert len(shingle_hashes("短")) == 1 and len(shingle_hashes("")) == 0


def test_signature_is_pinned_to_its_scheme():
    # Stored signatures must equal new ones: a change here needs a new SIGNATURE_SCHEME (which
    # makes every warehouse recompute its signatures), then new values below.
    sig = signature(shingle_hashes("同志们：今天我们召开全市工作会议，研究部署下一阶段的重点工作任务。"))
    assert SIGNATURE_SCHEME == "oph128-v1"
    assert sig.dtype == np.uint32 and sig.shape == (NUM_PERM,)
    assert sig[:4].tolist() == [284183963, 2964164233, 551527136, 3654607645]


def test_each_filled_bin_holds_the_low_bits_of_its_smallest_hash():
    h = random_set(np.random.default_rng(3), 5000)  # ~39 per bin: no bin empty
    bins = (h >> np.uint64(57)).astype(np.int64)
    expect = [int(h[bins == b].min()) & 0xFFFFFFFF for b in range(NUM_PERM)]
    assert signature(h).tolist() == expect


def test_batch_equals_single_and_is_deterministic(speeches):
    texts = ["".join(v.paras) for v in speeches.values()] + ["", "短文", "全面从严治党"]
    sets = [shingle_hashes(t) for t in texts]
    batch = signatures(sets)
    assert batch.shape == (len(texts), NUM_PERM) and batch.dtype == np.uint32
    for s, row in zip(sets, batch):
        assert np.array_equal(signature(s), row)
    assert np.array_equal(batch, signatures([shingle_hashes(t) for t in texts]))
    assert signatures([]).shape == (0, NUM_PERM)


def test_empty_and_tiny_inputs():
    assert (signature(shingle_hashes("")) == EMPTY).all()  # no shingles: as before, all 0xFFFFFFFF
    one = shingle_hashes("短")
    assert (signature(one) == int(one[0]) & 0xFFFFFFFF).all()  # one shingle fills every bin
    assert estimate_jaccard(signature(one), signature(shingle_hashes("长"))) == 0.0


def test_densification_fills_empty_bins_from_filled_ones():
    rng = np.random.default_rng(4)
    for n in (2, 5, 20, 60, 200):
        h = random_set(rng, n)
        bins = (h >> np.uint64(57)).astype(np.int64)
        own = {b: int(h[bins == b].min()) & 0xFFFFFFFF for b in set(bins.tolist())}
        sig = signature(h).tolist()
        assert all(sig[b] == v for b, v in own.items())  # filled bins keep their own minimum
        assert set(sig) == set(own.values())  # every empty bin borrowed some filled bin's value
    # different empty bins borrow from different bins (not all from one neighbour)
    sig = signature(random_set(rng, 5))
    assert len(set(sig.tolist())) == 5 and max(np.unique(sig, return_counts=True)[1]) < 64


def test_estimates_track_jaccard_as_closely_as_128_permutations():
    # 128 independent permutations: standard error sqrt(J(1-J)/128), at most 0.044
    rng = np.random.default_rng(5)
    for union in (30, 300, 3000):  # 30: most bins are empty and densified
        for jaccard in (0.1, 0.3, 0.5, 0.7, 0.9):
            errors = []
            for _ in range(60):
                a, b, true = pair_with_jaccard(rng, union, jaccard)
                sig_a, sig_b = signatures([a, b])
                errors.append(estimate_jaccard(sig_a, sig_b) - true)
            errors = np.array(errors)
            binomial = np.sqrt(jaccard * (1 - jaccard) / NUM_PERM)
            # bins densified from the same source agree together: more spread when most are empty
            spread = 1.6 if union < NUM_PERM else 1.2
            assert abs(errors.mean()) < 0.025, (union, jaccard, errors.mean())
            assert np.sqrt((errors**2).mean()) < spread * binomial, (union, jaccard)


def test_bands_catch_pairs_at_the_lsh_threshold():
    rng = np.random.default_rng(6)
    caught = {}
    for jaccard in (0.05, 0.3):
        hits = 0
        for _ in range(200):
            a, b, _ = pair_with_jaccard(rng, 2000, jaccard)
            ka, kb = BANDS.keys(signatures([a, b]))
            hits += bool(np.any(ka == kb))
        caught[jaccard] = hits / 200
    assert caught[0.3] >= 0.95 and caught[0.05] < 0.3  # S-curve: P(0.30) = 0.998, P(0.05) = 0.15


def test_estimate_tracks_true_jaccard(speeches):
    paras = speeches["004"].paras
    a = shingle_hashes("".join(paras))
    b = shingle_hashes("".join(paras[: len(paras) // 2]))
    true = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    est = estimate_jaccard(signature(a), signature(b))
    assert abs(est - true) < 0.12
    assert estimate_jaccard(signature(a), signature(a)) == 1.0


def test_a_batch_of_any_size_signs_each_document_by_the_definition():
    # signatures() signs slices of documents together; every row must be the one-document definition
    from ingest.dedup.minhash import _PROBES

    def by_definition(h: np.ndarray) -> list[int]:
        bins = (h >> np.uint64(57)).astype(np.int64)
        own = {b: int(h[bins == b].min()) & 0xFFFFFFFF for b in set(bins.tolist())}
        if not own:
            return [EMPTY] * NUM_PERM
        return [own[next(int(p) for p in _PROBES[b] if int(p) in own)] for b in range(NUM_PERM)]

    rng = np.random.default_rng(11)
    sets = [random_set(rng, int(n)) if n else np.zeros(0, np.uint64) for n in rng.integers(0, 900, 150)]
    sets[64] = np.zeros(0, np.uint64)  # an empty document first in a slice
    batch = signatures(sets)
    assert [row.tolist() for row in batch] == [by_definition(h) for h in sets]
