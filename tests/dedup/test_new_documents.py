"""The run's new documents as columns read back as the Candidates they were made from."""
from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from dedup_fixtures import body_paragraphs, candidates
from ingest.dedup.new_documents import NewDocuments, passage_rows


def texts() -> dict[str, str]:
    paras = body_paragraphs("004")
    return {"d": "\n".join(paras[:3]), "a": "\n".join(paras[2:6]), "c": paras[7], "b": "\n".join(paras[:3])}


def same_candidate(got, want) -> None:
    g, w = got.fingerprint, want.fingerprint
    assert (got.doc_id, got.text, got.title, got.published_at, got.source_kind, got.has_masking) == \
        (want.doc_id, want.text, want.title, want.published_at, want.source_kind, want.has_masking)
    assert (g.exact_hash, g.n_shingles, g.match_len, g.has_masking, g.was_traditional, g.dropped_lines,
            g.matching_lines, g.titled) == (w.exact_hash, w.n_shingles, w.match_len, w.has_masking,
                                            w.was_traditional, w.dropped_lines, w.matching_lines, w.titled)
    assert g.passages == w.passages
    assert (g.signature is None and w.signature is None) or np.array_equal(g.signature, w.signature)


def test_candidates_read_back_from_the_columns_by_doc_id():
    meta = {"a": {"title": "通知", "published_at": datetime(2024, 7, 4), "source_kind": "web", "has_masking": True}}
    given = candidates(texts(), **meta)
    docs = NewDocuments.of(reversed(given))
    assert docs.doc_ids == ["a", "b", "c", "d"] and len(docs) == 4 and list(docs) == docs.doc_ids
    for c in given:
        assert c.doc_id in docs
        same_candidate(docs[c.doc_id], c)
    assert [c.doc_id for c in docs.values()] == docs.doc_ids and "x" not in docs and docs.get("x") is None
    assert docs.signatures.shape == (4, len(given[0].fingerprint.signature))
    # the passage columns: each document's rows, in order
    assert docs.passage_counts().tolist() == [len(c.fingerprint.passages) for c in sorted(given, key=lambda c: c.doc_id)]


def test_the_last_of_a_doc_id_counts_and_left_out_documents_are_not_there():
    first, second = candidates({"a": texts()["a"]}), candidates({"a": texts()["c"]}, a={"title": "后来的"})
    others = candidates({k: v for k, v in texts().items() if k != "a"})
    docs = NewDocuments.of(first + others + second, leave_out={"c"})
    assert docs.doc_ids == ["a", "b", "d"]
    same_candidate(docs["a"], second[0])


def test_some_documents_taken_keep_their_own_rows():
    given = sorted(candidates(texts()), key=lambda c: c.doc_id)
    docs = NewDocuments.of(given)
    fewer = docs.without({"a", "c"})
    assert fewer.doc_ids == ["b", "d"]
    for c in given:
        if c.doc_id in fewer:
            same_candidate(fewer[c.doc_id], c)
    assert docs.without({"no-such-doc"}) is docs


def test_without_every_signature_the_documents_hold_none():
    given = candidates(texts())
    given[1].fingerprint.signature = None
    docs = NewDocuments.of(given)
    assert docs.signatures is None and all(c.fingerprint.signature is None for c in docs.values())


def test_rows_must_be_distinct_and_sorted():
    docs = NewDocuments.of(candidates(texts()))
    with pytest.raises(ValueError, match="sorted"):
        NewDocuments(["b", "a", "c", "d"], docs.numbers, docs.objects, docs.passages, docs.passage_bounds)


def test_passage_rows_are_the_ranges_in_turn():
    assert passage_rows(np.array([5, 0, 9, 2]), np.array([7, 0, 12, 3])).tolist() == [5, 6, 9, 10, 11, 2]
    assert passage_rows(np.zeros(0, np.int64), np.zeros(0, np.int64)).tolist() == []


def test_the_row_of_a_doc_id_is_found_without_a_dict_until_one_is_asked_for():
    docs = NewDocuments.of(candidates(texts()))
    assert "b" in docs and "d" in docs and "bb" not in docs and "0" not in docs and "z" not in docs
    assert docs._row is None  # (the candidate search asks only this)
    assert docs["c"].doc_id == "c" and docs._row == {"a": 0, "b": 1, "c": 2, "d": 3}
    assert "bb" not in docs and "b" in docs


def test_matching_lines_given_later_are_one_string_per_value():
    given = candidates(texts())
    for c in given:
        c.fingerprint.matching_lines = None
    docs = NewDocuments.of(given)
    docs.set_matching_lines({"b": "甲乙丙\n丁戊", "d": "".join(["甲乙丙\n", "丁戊"])})
    assert docs["b"].fingerprint.matching_lines == "甲乙丙\n丁戊"
    assert docs["b"].fingerprint.matching_lines is docs["d"].fingerprint.matching_lines
    assert docs["a"].fingerprint.matching_lines is None
