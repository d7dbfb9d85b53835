"""The band pairs' pile: codes already kept are not piled again, new ones are merged in once, in order."""
import numpy as np

from ingest.dedup import band_pairs


def test_merging_the_pile_keeps_each_code_once_in_order():
    kept = [np.array([3, 8, 20], dtype=np.int64), np.array([0.3, 0.8, 0.2])]
    band_pairs.merge_into(kept, np.array([1, 3, 3, 9, 25, 25]), np.array([0.1, 0.3, 0.3, 0.9, 0.5, 0.5]))
    assert kept[0].tolist() == [1, 3, 8, 9, 20, 25]
    assert kept[1].tolist() == [0.1, 0.3, 0.8, 0.9, 0.2, 0.5]
    empty = [np.zeros(0, np.int64), np.zeros(0)]
    band_pairs.merge_into(empty, np.array([2, 2, 4]), np.array([0.5, 0.5, 0.1]))
    assert empty[0].tolist() == [2, 4] and empty[1].tolist() == [0.5, 0.1]


def test_codes_already_kept_are_not_piled_again():
    kept = np.array([3, 8, 20], dtype=np.int64)
    codes, priority = band_pairs._not_in(kept, np.array([1, 3, 9, 20, 25]), np.array([0.1, 0.3, 0.9, 0.2, 0.5]))
    assert codes.tolist() == [1, 9, 25] and priority.tolist() == [0.1, 0.9, 0.5]
    codes, _ = band_pairs._not_in(np.zeros(0, np.int64), np.array([4, 2]), np.array([0.4, 0.2]))
    assert codes.tolist() == [4, 2]
