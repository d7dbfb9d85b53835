"""Candidate pairs: each document's best pairs, the same however the band pairs are piled and pruned."""
from itertools import combinations

import numpy as np
import pytest
from dedup_fixtures import body_paragraphs, candidates, ingest

from ingest.dedup import MemoryState, PriorIndex
from ingest.dedup import band_pairs
from ingest.dedup import candidates as module
from ingest.dedup.candidates import ClusterConfig, candidate_pairs
from ingest.dedup.pair_arrays import SignatureRows

# bounds small enough to bind on a few dozen documents; no sentence proposes pairs, so the band
# buckets propose them all
TIGHT = ClusterConfig(candidates_per_doc=3, bucket_all_pairs=4, bucket_hubs=2, candidate_max_df=1)


def notices() -> dict[str, str]:
    """Short documents sharing paragraphs: every pair of eight paragraphs, each paragraph alone
    (three copies of each of the first three), the shape whose band pairs grow with the square."""
    paragraphs = body_paragraphs("004")[:8]
    docs = {f"pair-{i}-{j}": f"{paragraphs[i]}\n\n{paragraphs[j]}" for i, j in combinations(range(8), 2)}
    docs.update({f"one-{i}": paragraphs[i] for i in range(8)})
    docs.update({f"copy-{i}-{k}": paragraphs[i] for i in range(3) for k in range(2)})
    return docs


def pairs(texts: dict[str, str], config: ClusterConfig) -> list[tuple[str, str, bool]]:
    cands = candidate_pairs({c.doc_id: c for c in candidates(texts)}, PriorIndex(), config)
    return [(cands.ids[a], cands.ids[b], bool(s)) for a, b, s in zip(cands.a, cands.b, cands.exact)]


def test_pruning_the_band_pairs_as_they_pile_up_changes_no_pair(monkeypatch):
    texts = notices()
    monkeypatch.setattr(band_pairs, "PAIR_SLICE", 1 << 30)  # one pile, judged once at the end
    whole = pairs(texts, TIGHT)
    reductions = []
    real = module.best_per_document
    monkeypatch.setattr(module, "best_per_document", lambda *a, **k: reductions.append(1) or real(*a, **k))
    monkeypatch.setattr(band_pairs, "PAIR_SLICE", 4)  # a slice of ~4 pairs: piled and pruned many times
    assert pairs(texts, TIGHT) == whole
    assert len(reductions) > 5
    assert len(whole) > 40


def test_band_postings_in_parts_by_key_give_the_pairs_of_one_part(monkeypatch):
    texts = notices()
    monkeypatch.setattr(band_pairs, "BAND_PARTS", 1)
    whole = pairs(texts, TIGHT)
    monkeypatch.setattr(band_pairs, "BAND_PARTS", 8)
    assert pairs(texts, TIGHT) == whole
    assert len(whole) > 40


@pytest.mark.parametrize("limit", [1, 3])
def test_each_text_chooses_its_best_pairs_and_its_exact_copies_join_it(limit):
    texts = notices()
    found = pairs(texts, ClusterConfig(candidates_per_doc=limit, bucket_all_pairs=4, bucket_hubs=2,
                                       candidate_max_df=1))
    # three texts of paragraph 0: the first (by doc_id) is paired with the others as an exact copy,
    # and only it proposes other pairs (the copies would propose the same ones again)
    assert {("copy-0-0", "copy-0-1", True), ("copy-0-0", "one-0", True)} <= set(found)
    assert [p for p in found if {"copy-0-1", "one-0"} & set(p[:2])] == \
        [("copy-0-0", "copy-0-1", True), ("copy-0-0", "one-0", True)]
    assert any("copy-0-0" in p[:2] and not p[2] for p in found)
    # a pair stays when one of its documents has it among its `limit` best (as the first or the
    # second of the pair): at most 2 * limit pairs per document, against the 52 * 51 / 2 in all
    others = [p for p in found if not p[2]]
    assert 0 < len(others) <= 2 * limit * len(texts)


def test_earlier_signatures_become_rows_of_their_own_matrix_not_of_the_searchs():
    state = MemoryState()
    texts = notices()
    first = dict(list(texts.items())[:20])
    ingest(state, first)
    new = [c for c in candidates(texts) if c.doc_id not in first]
    prior = state.prior_for(new)
    assert len(prior.docs) > 1
    cands = candidate_pairs({c.doc_id: c for c in new}, prior, ClusterConfig())
    assert any(cands.ids[b] in prior.docs for b in cands.b)  # pairs with earlier documents were found
    # The earlier documents' signatures are the rows of one matrix of their own: rows of the
    # search's matrix would keep the new documents' signatures alive with them, and their own
    # arrays beside the search's copy would hold every signature twice.
    bases = {id(p.signature.base) for p in prior.docs.values()}
    base = next(iter(prior.docs.values())).signature.base
    assert len(bases) == 1 and base.shape == (len(prior.docs), len(new[0].fingerprint.signature))


def test_signatures_read_for_the_search_are_read_once_per_text():
    """A reader gives the search one signature per text (exact copies share its row), and the
    pairs are those of documents that hold their own signatures."""
    texts = notices()
    held = pairs(texts, TIGHT)
    docs = {c.doc_id: c for c in candidates(texts)}
    signature_of = {d: c.fingerprint.signature for d, c in docs.items()}
    asked: list[str] = []

    def read(doc_ids, out):
        asked.extend(doc_ids)
        for row, d in zip(out, doc_ids):
            row[:] = signature_of[d]

    for c in docs.values():
        c.fingerprint.signature = None
    cands = candidate_pairs(docs, PriorIndex(), TIGHT, read)
    assert [(cands.ids[a], cands.ids[b], bool(s)) for a, b, s in zip(cands.a, cands.b, cands.exact)] == held
    texts_held = {docs[d].fingerprint.exact_hash for d in docs}
    assert len(asked) == len(set(asked)) == len(texts_held) < len(docs)  # copies of paragraphs 0-2
    # the first document of each text (by doc_id) is the one read
    assert set(asked) == {min(d for d in docs if docs[d].fingerprint.exact_hash == h) for h in texts_held}


def test_shared_signature_rows_read_like_one_matrix():
    new = np.arange(12, dtype=np.uint32).reshape(3, 4)
    prior = np.arange(100, 108, dtype=np.uint32).reshape(2, 4)
    rows = SignatureRows(new, prior, new_rows=np.array([0, 1, 1, 2, 0]))
    assert rows.shape == (7, 4)
    whole = np.concatenate([new[[0, 1, 1, 2, 0]], prior])
    for pick in ([0, 1, 2, 3, 4], [4, 5, 6, 2], [6, 5], []):
        pick = np.array(pick, dtype=np.int64)
        assert np.array_equal(rows[pick], whole[pick])


def test_the_pairs_come_strongest_first_by_their_estimates():
    """Band pairs are kept with their signatures' agreement, not their priority: the priority
    computed again from it orders the pairs as the estimates from the signatures themselves do
    (exact copies first, then estimated containment of the smaller text, ties in pair order)."""
    texts = notices()
    docs = {c.doc_id: c for c in candidates(texts)}
    cands = candidate_pairs(dict(docs), PriorIndex(), TIGHT)
    n = len(cands.ids)

    def priority(a: str, b: str) -> float:
        fa, fb = docs[a].fingerprint, docs[b].fingerprint
        if fa.exact_hash == fb.exact_hash:
            return 2.0
        est = np.count_nonzero(fa.signature == fb.signature) / len(fa.signature)
        small = max(min(fa.n_shingles, fb.n_shingles), 1)
        return min(1.0, est * (fa.n_shingles + fb.n_shingles) / ((1.0 + est) * small))

    keys = [(-priority(cands.ids[a], cands.ids[b]), a * n + b) for a, b in zip(cands.a.tolist(), cands.b.tolist())]
    assert len(keys) > 40 and len({k for k, _ in keys}) > 5
    assert keys == sorted(keys)
