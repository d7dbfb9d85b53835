"""Each document's best pairs: chosen a range of documents at a time, the same as all at once."""
import numpy as np
import pytest

from ingest.dedup import pair_choice
from ingest.dedup.candidates import _in_verification_order
from ingest.dedup.pair_choice import best_per_document, by_document_then_priority


def reference(a, b, priority, limit):
    """Plainly: per side, each document's pairs by priority (ties: earlier pair first), the
    first `limit` kept; and the position of the `limit`-th of those with that many."""
    keep = np.zeros(len(a), dtype=bool)
    bars = []
    for side in (a, b):
        limit_th = {}
        for doc in np.unique(side).tolist():
            rows = sorted(np.flatnonzero(side == doc).tolist(), key=lambda r: (-priority[r], r))
            keep[rows[:limit]] = True
            if len(rows) >= limit:
                limit_th[doc] = rows[limit - 1]
        bars.append(limit_th)
    return keep, bars


def random_pairs(rng, n_docs, n_forced, n_band, distinct):
    """Forced pairs (a, b, priority) and band pairs (sorted distinct codes, priority), many ties."""
    def pairs(count):
        a = rng.integers(0, n_docs - 1, count)
        b = a + 1 + (rng.integers(0, 1 << 30, count) % (n_docs - 1 - a))
        return np.unique(a * n_docs + b)
    forced = pairs(n_forced)
    band = np.setdiff1d(pairs(n_band), forced)
    priority = lambda k: rng.integers(0, distinct, k) / 128.0  # noqa: E731
    return forced // n_docs, forced % n_docs, priority(len(forced)), band, priority(len(band))


@pytest.mark.parametrize("part_rows", [1 << 20, 7, 100])
@pytest.mark.parametrize("limit", [1, 3])
def test_the_choice_by_ranges_of_documents_is_the_choice_over_all_pairs(monkeypatch, part_rows, limit):
    monkeypatch.setattr(pair_choice, "PART_ROWS", part_rows)
    rng = np.random.default_rng(part_rows + limit)
    n_docs = 60
    f_a, f_b, f_p, band, b_p = random_pairs(rng, n_docs, 40, 600, 6)
    bars: list = []
    forced_keep, band_keep = best_per_document(f_a, f_b, f_p, band, b_p, n_docs, limit, bars)
    keep, expected_bars = reference(np.concatenate([f_a, band // n_docs]), np.concatenate([f_b, band % n_docs]),
                                    np.concatenate([f_p, b_p]), limit)
    assert np.array_equal(np.concatenate([forced_keep, band_keep]), keep)
    assert 0 < np.count_nonzero(keep) < len(keep)  # the bound binds
    for (docs, at), expected in zip(bars, expected_bars):
        assert dict(zip(docs.tolist(), at.tolist())) == expected


def test_a_document_with_more_pairs_than_a_range_holds_is_a_range_of_its_own(monkeypatch):
    monkeypatch.setattr(pair_choice, "PART_ROWS", 4)
    n_docs = 30
    # document 0 pairs with 1..19 (19 pairs in one range), and 5 with 6 (a range of their own)
    band = np.array([d for d in range(1, 20)] + [5 * n_docs + 6, 7 * n_docs + 8], dtype=np.int64)
    priority = np.array([0.1] * 19 + [0.5, 0.5])
    ranges = pair_choice._document_ranges(np.zeros(0, np.int32), (band // n_docs).astype(np.int32), n_docs)
    assert ranges[0] == (0, 1) and ranges[-1][1] == n_docs
    bars: list = []
    _, band_keep = best_per_document(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0),
                                     band, priority, n_docs, 3, bars)
    keep, expected_bars = reference(band // n_docs, band % n_docs, priority, 3)
    assert np.array_equal(band_keep, keep)
    assert dict(zip(*(x.tolist() for x in bars[0]))) == expected_bars[0] == {0: 2}  # ties: the earlier pairs


def test_nothing_to_choose_from():
    empty = np.zeros(0, np.int64)
    forced_keep, band_keep = best_per_document(empty, empty, np.zeros(0), empty, np.zeros(0), 10, 3, [])
    assert len(forced_keep) == len(band_keep) == 0


def test_the_per_document_order_is_lexsorts_with_ties_kept_in_pair_order(monkeypatch):
    """Documents, then highest priority first, then as given: np.lexsort((-priority, side)),
    from one ranking of the priorities and one packed sort per side."""
    monkeypatch.setattr(pair_choice, "_SLICE", 777)  # many slices, boundaries inside runs of ties

    rng = np.random.default_rng(3)
    for n_pairs, n_docs, distinct in ((0, 1, 1), (1, 1, 1), (5000, 40, 7), (20000, 3000, 5000)):
        priority = rng.integers(0, distinct, n_pairs) / 128.0  # many ties
        priority[: n_pairs // 10] = 2.0  # exact copies first
        order = by_document_then_priority(priority)
        for side in (rng.integers(0, n_docs, n_pairs).astype(np.int32), rng.integers(0, n_docs, n_pairs)):
            assert np.array_equal(order(side), np.lexsort((-priority, side)))
    # document numbers too wide to pack with the ranks: lexsort itself
    side = np.array([1 << 61, 0, 1 << 61], dtype=np.int64)
    assert by_document_then_priority(np.array([0.5, 0.1, 0.9]))(side).tolist() == [1, 2, 0]


def test_chosen_pairs_come_strongest_first_then_by_documents_as_one_lexsort_of_all():
    rng = np.random.default_rng(5)
    n_docs = 50
    f_a, f_b, f_p, band, b_p = random_pairs(rng, n_docs, 30, 300, 5)
    hashes = rng.integers(0, 4, n_docs)  # many exact copies
    forced = f_a * n_docs + f_b
    cands = _in_verification_order([str(i) for i in range(n_docs)], n_docs, hashes, forced, f_p, [band, b_p.copy()])
    a = np.concatenate([f_a, band // n_docs])
    b = np.concatenate([f_b, band % n_docs])
    order = np.lexsort((b, a, -np.concatenate([f_p, b_p])))
    assert np.array_equal(cands.a, a[order]) and np.array_equal(cands.b, b[order])
    assert np.array_equal(cands.exact, hashes[a[order]] == hashes[b[order]])
