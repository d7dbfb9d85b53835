"""The verification's bookkeeping: groups of documents over earlier clusters, verified pairs as columns."""
from __future__ import annotations


def test_groups_keep_the_largest_members_of_each_group_and_no_more():
    """The containment check asks a group for its three largest members; a group keeps only those
    (whole member lists, copied at each union, grew with the square of a notice cluster's size)."""
    import random

    from ingest.dedup.groups import DocumentGroups
    from ingest.dedup.records import PriorDoc, PriorIndex

    rng = random.Random(7)
    n_new = 400
    ids = [f"n{i:03d}" for i in range(n_new)] + [f"p{i}" for i in range(5)]
    sizes = [rng.randrange(10, 5000) for _ in range(n_new)]
    prior = PriorIndex(docs={f"p{i}": PriorDoc(f"p{i}", "c-old", 0, None, 100 * (i + 1), False, False, 0, None,
                                               "file", i == 0, "unique") for i in range(5)})
    groups = DocumentGroups(ids, n_new, sizes, prior)
    assert groups.largest(n_new) == ["p4", "p3", "p2"]
    old_cluster = set(range(n_new, len(ids)))  # one earlier cluster: one node
    members = {i: old_cluster if i >= n_new else {i} for i in range(len(ids))}
    for _ in range(600):  # random unions, the earlier cluster among them
        a, b = rng.randrange(len(ids)), rng.randrange(len(ids))
        if groups.union(a, b):
            joined = members[a] | members[b]
            for m in joined:
                members[m] = joined
    size_of = {d: s for d, s in zip(ids, sizes)} | {f"p{i}": 100 * (i + 1) for i in range(5)}
    for doc in range(len(ids)):
        expect = sorted(((size_of[ids[m]], ids[m]) for m in members[doc]), reverse=True)[:3]
        assert groups.largest(doc) == [d for _, d in expect]
    assert all(len(top) <= DocumentGroups.TOP for top in groups.top.values())


def test_verified_pairs_give_back_each_pair_as_it_was_added():
    from ingest.dedup.containment import Overlap
    from ingest.dedup.groups import VerifiedPairs

    ids = ["a", "b", "c", "d"]
    pairs = VerifiedPairs(ids)
    added = [("exact", Overlap("a", "b", 1.0, 1.0, 1.0, 1.0), 0, 1),
             ("contained", Overlap("c", "d", 0.25, 0.9, 0.5, 0.3), 2, 3),
             ("near", Overlap("b", "c", 0.6, 0.8, 0.7, 0.75), 1, 2)]
    for kind, ov, small, large in added:
        pairs.add(kind, ov, small, large)
    assert len(pairs) == 3 and [pairs.count(k) for k in VerifiedPairs.KINDS] == [1, 1, 1]
    assert list(pairs) == [(kind, ov) for kind, ov, _, _ in added]
    assert pairs.jaccards().tolist() == [1.0, 0.25, 0.6] and pairs.contained(1) == 0.9
    assert (pairs.small[2], pairs.large[2]) == (1, 2)
