"""The canonical rule: unmasked, simplified, complete, clean, earliest, source kind; with a reason."""
from datetime import datetime

from ingest.dedup.canonical import Member, choose


def member(doc_id, **kw):
    base = dict(n_shingles=1000, has_masking=False, was_traditional=False, dropped_lines=0,
                published_at=None, source_kind="file")
    return Member(doc_id, **{**base, **kw})


def test_each_criterion_in_order():
    assert choose([member("a", has_masking=True), member("b")])[0].doc_id == "b"
    assert choose([member("a", was_traditional=True), member("b", n_shingles=950)])[0].doc_id == "b"
    assert choose([member("a", n_shingles=500), member("b", dropped_lines=3)])[0].doc_id == "b"
    assert choose([member("a", dropped_lines=2), member("b", n_shingles=980)])[0].doc_id == "b"
    early, late = datetime(2024, 1, 1), datetime(2024, 6, 1)
    assert choose([member("a", published_at=late), member("b", published_at=early)])[0].doc_id == "b"
    assert choose([member("a"), member("b", published_at=late)])[0].doc_id == "b"
    assert choose([member("a", source_kind="forum"), member("b", source_kind="web")])[0].doc_id == "b"
    assert choose([member("b"), member("a")])[0].doc_id == "a"


def test_reason_names_the_deciding_criterion():
    best, reason = choose([member("a", has_masking=True), member("b", published_at=datetime(2024, 7, 4))])
    assert best.doc_id == "b"
    assert reason.startswith("unmasked decided over a") and "published 2024-07-04" in reason
    assert choose([member("solo")])[1] == "only member"


def test_copies_of_a_text_too_short_for_shingles_get_a_reason_too():
    # found with a corpus of one-paragraph notices: the reason divided by the longest member's 0 shingles
    best, reason = choose([member("b", n_shingles=0, source_kind="web"), member("a", n_shingles=0)])
    assert best.doc_id == "a" and reason.startswith("source kind decided over b") and "too short for shingles" in reason


def test_the_member_already_canonical_stays_unless_a_criterion_beats_it():
    kept, reason = choose([member("a"), member("b", was_canonical=True)])
    assert kept.doc_id == "b" and reason.startswith("already canonical decided over a")
    # a stated criterion above it still wins (here: the earlier publication date)
    assert choose([member("a", published_at=datetime(2024, 1, 1)),
                   member("b", was_canonical=True, published_at=datetime(2024, 6, 1))])[0].doc_id == "a"
    # and it comes before the weak ones: typicality, doc_id
    assert choose([member("a", centrality=0.9), member("b", was_canonical=True, centrality=0.5)])[0].doc_id == "b"


def test_a_titled_copy_beats_an_untitled_one_before_typicality_and_doc_id():
    """Exact copies tie on everything above; the one that kept its title makes `speeches` useful."""
    best, reason = choose([member("a"), member("b", titled=True)])
    assert best.doc_id == "b" and reason.startswith("has a title decided over a")
    assert choose([member("a", centrality=0.9), member("b", titled=True, centrality=0.5)])[0].doc_id == "b"
    # the member already canonical stays even without a title: a new copy does not flip it
    assert choose([member("a", was_canonical=True), member("b", titled=True)])[0].doc_id == "a"
