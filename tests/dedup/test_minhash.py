"""Shingle hashes and MinHash signatures: deterministic, batch = single, estimates track Jaccard."""
from dedup_fixtures import speeches  # noqa: F401 (fixture)
import numpy as np

from ingest.dedup.minhash import estimate_jaccard, shingle_hashes, signature, signatures


def test_shingles_are_unique_sorted_and_deterministic():
    h = shingle_hashes("全面从严治党全面从严治党")
    assert len(h) == len(set(h.tolist())) == 6  # 8 windows, the last two repeat the first two
    assert np.array_equal(h, np.sort(h))
    assert np.array_equal(h, shingle_hashes("全面从严治党全面从严治党"))
    assert len(shingle_hashes("短")) == 1 and len(shingle_hashes("")) == 0


def test_batch_signatures_equal_single_signatures(speeches):
    texts = ["".join(v.paras) for v in speeches.values()] + ["", "短文"]
    sets = [shingle_hashes(t) for t in texts]
    batch = signatures(sets, block=512)  # small blocks: documents spread over many blocks
    for s, row in zip(sets, batch):
        assert np.array_equal(signature(s), row)


def test_estimate_tracks_true_jaccard(speeches):
    paras = speeches["004"].paras
    a = shingle_hashes("".join(paras))
    b = shingle_hashes("".join(paras[: len(paras) // 2]))
    true = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    est = estimate_jaccard(signature(a), signature(b))
    assert abs(est - true) < 0.12
    assert estimate_jaccard(signature(a), signature(a)) == 1.0
