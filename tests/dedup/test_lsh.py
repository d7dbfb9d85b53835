"""Bands and rows follow from the stated threshold; band keys collide exactly when bands agree."""
import numpy as np

from ingest.dedup import BANDS, LSH_THRESHOLD
from ingest.dedup.lsh import BandPlan, candidate_probability, optimal_bands


def test_parameters_derive_from_the_threshold():
    assert optimal_bands(0.3, 128) == (64, 2)
    assert optimal_bands(0.8, 128) == (18, 7)
    assert (BANDS.bands, BANDS.rows) == optimal_bands(LSH_THRESHOLD, 128)


def test_chosen_bands_catch_pairs_at_the_threshold_and_one_more_row_would_not():
    for t in (0.3, 0.5, 0.8):
        b, r = optimal_bands(t, 128)
        assert candidate_probability(t, b, r) >= 0.95
        assert candidate_probability(t, 128 // (r + 1), r + 1) < 0.95
    # the often quoted 9 x 13 for 0.8 misses most pairs at exactly 0.8
    assert candidate_probability(0.8, 9, 13) < 0.5


def test_band_keys_collide_only_on_equal_bands():
    plan = BandPlan(0.3, 64, 2)
    rng = np.random.default_rng(1)
    a = rng.integers(0, 2**32, 128, dtype=np.uint64).astype(np.uint32)
    b = a.copy()
    b[2:] = rng.integers(0, 2**32, 126, dtype=np.uint64).astype(np.uint32)  # only band 0 equal
    ka, kb = plan.keys(np.stack([a, b]))
    assert ka.dtype == np.int64 and ka.shape == (64,)
    assert ka[0] == kb[0] and not np.any(ka[1:] == kb[1:])
    # the same values in different bands give different keys
    c = np.tile(a[:2], 64)
    kc = plan.keys(c[None, :])[0]
    assert len(set(kc.tolist())) == 64
