"""Verifying in order with a helper computing a share of the chunks gives the plan of verifying alone."""
import numpy as np
import pytest
from dedup_fixtures import candidates, speeches, two_runs  # noqa: F401 (fixture)

from ingest.dedup import MemoryState, assign_clusters, verification
from ingest.dedup.containment import Shingled, compare
from test_cluster import corpus


class InlineHelper:
    """The helper's side of verification.Helper in this process: compares what it is handed at
    once, from the lines it was sent (as the helper process does). `fail_from`: from that chunk
    on, it answers nothing, as a helper that died."""

    def __init__(self, policy, fail_from: int | None = None) -> None:
        self.policy, self.fail_from = policy, fail_from
        self.answered, self.compared, self.handed, self.closed = {}, 0, 0, False

    def send_documents(self, ids, lines, titled) -> bool:
        self.sets = {i: Shingled.from_lines(ids[i], x, bool(titled[i])) for i, x in enumerate(lines) if x is not None}
        self.ids = ids
        return True

    def submit(self, chunk, a, b) -> bool:
        rows = [verification.overlap_row(compare(self.sets[x], self.sets[y], self.policy), self.ids[x])
                for x, y in zip(a.tolist(), b.tolist())]
        self.compared += len(rows)
        self.handed += 1
        self.answered[chunk] = np.array(rows, dtype=float).reshape(-1, verification.RESULT_WIDTH)
        return True

    def ready(self) -> bool:
        return True

    def result(self, chunk):
        return None if self.fail_from is not None and chunk >= self.fail_from else self.answered.pop(chunk)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(verification, "CHUNK", 3)
    monkeypatch.setattr(verification, "HELPER_MIN_PAIRS", 0)


@pytest.mark.parametrize("fail_from", [None, 5, 1])
def test_a_helper_computing_every_other_chunk_changes_no_decision(speeches, small_chunks, fail_from):
    docs = corpus(speeches)
    alone, clusters = two_runs(docs)
    helpers = []

    def start(policy):
        helpers.append(InlineHelper(policy, fail_from))
        return helpers[-1]

    helped, helped_clusters = two_runs(docs, start)
    assert helped == alone and helped_clusters == clusters
    assert len(helpers) == 2 and all(h.closed for h in helpers)
    if fail_from is None:
        # (the second run compares new documents with the first run's, their lines folded from texts)
        assert all(h.compared > 0 for h in helpers)
        assert all(not h.answered for h in helpers)  # every answer was taken
    else:  # what it computed and was never asked for again: this process compared it
        assert any(h.answered for h in helpers)


def test_few_pairs_start_no_helper(speeches):
    started = []
    docs = corpus(speeches)
    new = candidates(docs)
    state = MemoryState()
    assign_clusters(new, state.prior_for(new), state.fetch_texts, reuse=state, start_helper=started.append)
    assert started == []  # a few hundred pairs: under HELPER_MIN_PAIRS


@pytest.mark.parametrize("fail_from", [None, 3])
def test_each_pair_is_judged_as_comparing_it_here_would(speeches, small_chunks, fail_from):
    """The verified pairs themselves, edge by edge (kinds, sides, the four numbers), and the groups."""
    from ingest.dedup.candidates import ClusterConfig, candidate_pairs
    from ingest.dedup.containment import MatchPolicy
    from ingest.dedup.groups import DocumentGroups, VerifiedPairs
    from ingest.dedup.new_documents import NewDocuments

    new = candidates(corpus(speeches))
    docs, prior, policy = NewDocuments.of(new), MemoryState().prior_for(new), MatchPolicy()
    cands = candidate_pairs(docs, prior, ClusterConfig())
    lines = {c.doc_id: (c.fingerprint.matching_lines, c.fingerprint.titled) for c in new}

    def shingled(d):
        return Shingled.from_lines(d, *lines[d])

    def verify(helper):
        groups = DocumentGroups(cands.ids, len(docs), docs.numbers["n_shingles"].tolist(), prior)
        edges = VerifiedPairs(cands.ids)
        skipped = verification.verify_in_order(cands, groups, edges, shingled, policy, helper, lines.get)
        return (skipped, bytes(edges.kinds), edges.small.tolist(), edges.large.tolist(), edges.values.tolist(),
                groups.roots().tolist())

    helper = InlineHelper(policy, fail_from)
    assert verify(helper) == verify(None)
    assert helper.compared > 0 and helper.closed


class SlowHelper(InlineHelper):
    """Never has an answer ready before it is waited for: a helper slower than this process."""

    def ready(self) -> bool:
        return False


def test_the_helpers_share_follows_its_speed_and_changes_no_decision(speeches, small_chunks):
    docs = corpus(speeches)
    alone, _ = two_runs(docs)
    handed = {}
    for kind in (InlineHelper, SlowHelper):
        helpers = []

        def start(policy, kind=kind, helpers=helpers):
            helpers.append(kind(policy))
            return helpers[-1]

        assert two_runs(docs, start)[0] == alone
        handed[kind.__name__] = sum(h.handed for h in helpers)
    # a helper that has its answers before they are needed gets more chunks than a slow one
    assert handed["InlineHelper"] > handed["SlowHelper"] > 0


def test_no_helper_beside_a_decision_over_too_many_documents(speeches, small_chunks, monkeypatch):
    started = []
    new = candidates(corpus(speeches))
    monkeypatch.setattr(verification, "HELPER_MAX_DOCUMENTS", len(new) - 1)
    state = MemoryState()
    assign_clusters(new, state.prior_for(new), state.fetch_texts, reuse=state, start_helper=started.append)
    assert started == []
    monkeypatch.setattr(verification, "HELPER_MAX_DOCUMENTS", len(new))
    assign_clusters(new, state.prior_for(new), state.fetch_texts, reuse=state,
                    start_helper=lambda policy: started.append(policy))
    assert len(started) == 1
