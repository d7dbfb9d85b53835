"""Exact duplicates on the matching form."""
from ingest.dedup import Candidate, assign_clusters, fingerprint


def test_width_and_punctuation_do_not_matter():
    assert fingerprint("同志们：今天，我们开会。") == fingerprint("同志们:今天,我们开会.")


def test_copies_join_the_first_cluster_and_earlier_runs_win():
    a, b = Candidate("a", fingerprint("一段话。"), 4), Candidate("b", fingerprint("一段话"), 3)
    out = assign_clusters([a, b], prior={})
    assert [(d.cluster_id, d.dup_kind, d.is_canonical) for d in out] == [("a", "unique", True), ("a", "exact", False)]
    out = assign_clusters([b], prior={fingerprint("一段话"): "old"})
    assert out[0].cluster_id == "old" and out[0].dup_kind == "exact"
