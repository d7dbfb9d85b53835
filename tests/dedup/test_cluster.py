"""Run-level clustering: every kind of repost joins, quotations and other speeches do not, runs add up."""
from datetime import datetime

from dedup_fixtures import candidates, ingest, partition, speeches  # noqa: F401 (fixture)

from ingest.dedup import MemoryState, assign_clusters


def corpus(speeches) -> dict[str, str]:
    """Five speeches, each with the reposts the issue lists, plus quotations of two of them."""
    docs = {}
    for name in ("000", "002", "003", "004"):
        v = speeches[name]
        docs.update({
            f"{name}-original": v.original(), f"{name}-copy": v.original(), f"{name}-trad": v.traditional(),
            f"{name}-halfwidth": v.halfwidth(), f"{name}-masked": v.masked(), f"{name}-dropped": v.dropped_paragraph(),
            f"{name}-retitled": v.retitled(), f"{name}-forum": v.forum(), f"{name}-layout": v.layout(),
            f"{name}-edited": v.edited(), f"{name}-excerpt": v.excerpt(0.6),
        })
    docs["001-original"] = speeches["001"].original()
    docs["q004-quote"] = speeches["004"].quote(start=8, count=4)
    docs["q003-quote"] = speeches["003"].quote(start=3, count=2)
    return docs


def expected(docs) -> set[frozenset[str]]:
    return partition({d: d.split("-")[0] for d in docs})


def test_all_variant_kinds_cluster_with_their_speech(speeches):
    docs = corpus(speeches)
    state = MemoryState()
    plan = ingest(state, docs)
    assert partition(state.clusters()) == expected(docs)
    kinds = {a.doc_id: a.dup_kind for a in plan.assignments}
    assert kinds["003-copy"] in ("exact", "unique") and kinds["004-excerpt"] == "contained"
    assert kinds["004-trad"] == "exact"  # exact on the matching form: script does not count
    assert kinds["004-masked"] == kinds["004-edited"] == "near"
    assert kinds["001-original"] == "unique"
    canon = {a.cluster_id: a.doc_id for a in plan.assignments if a.is_canonical}
    assert len(canon) == len(expected(docs))
    assert {canon[state.docs[f"{n}-original"].cluster_id] for n in ("000", "002", "003", "004")} <= {
        f"{n}-{k}" for n in ("000", "002", "003", "004") for k in ("original", "copy", "halfwidth", "layout")}


def test_quotations_are_text_reuse_not_duplicates(speeches):
    docs = corpus(speeches)
    state = MemoryState()
    ingest(state, docs)
    assert state.docs["q004-quote"].cluster_id != state.docs["004-original"].cluster_id

    def links(doc_id):
        return {k for *_, keys in state.occurrences.get(doc_id, []) for k in keys}

    assert links("q004-quote") & links("004-original") and links("q003-quote") & links("003-original")
    # the quotation's span is the quoted text itself, a run of several sentences
    key, start, end, sentences, _ = max(state.occurrences["q004-quote"], key=lambda o: o[3])
    quoted = "\n".join(speeches["004"].paras[8:12])
    assert sentences >= 3 and docs["q004-quote"][start:end] in quoted and end - start >= 100
    # every member of the speech's cluster carries the passage too (reposts included), once each
    carriers = {d for d, spans in state.occurrences.items() if links(d) & links("q004-quote")}
    assert {"004-original", "004-copy", "004-forum"} <= carriers


def test_recommendation_lists_naming_other_titles_do_not_merge(speeches):
    titles = [speeches[n].title for n in speeches] + ["市委书记在全市组织工作会议上的讲话"]
    docs = {f"{n}-listed": speeches[n].with_recommendations(titles) for n in ("000", "002", "003")}
    state = MemoryState()
    ingest(state, docs)
    assert len(set(state.clusters().values())) == 3


def test_half_then_half_gives_the_same_clusters_as_all_at_once(speeches):
    docs = corpus(speeches)
    once = MemoryState()
    ingest(once, docs)
    ids = sorted(docs)
    for first, second in ((ids[::2], ids[1::2]), (ids[: len(ids) // 2], ids[len(ids) // 2 :])):
        twice = MemoryState()
        ingest(twice, {d: docs[d] for d in first})
        before = dict(twice.clusters())
        ingest(twice, {d: docs[d] for d in second})
        assert partition(twice.clusters()) == partition(once.clusters())
        assert all(twice.clusters()[d] == c for d, c in before.items())  # ids never change


def test_a_better_member_arriving_later_becomes_canonical(speeches):
    v = speeches["004"]  # a sample without masks
    state = MemoryState()
    first = ingest(state, {"masked": v.masked()})
    assert first.assignments[0].is_canonical
    second = ingest(state, {"clean": v.original()}, clean={"published_at": datetime(2024, 7, 4)})
    new = second.assignments[0]
    assert new.is_canonical and new.cluster_id == first.assignments[0].cluster_id
    assert new.canonical_reason.startswith("unmasked decided over masked")
    assert [(u.doc_id, u.is_canonical, u.dup_kind) for u in second.updates] == [("masked", False, "near")]


def test_a_document_already_loaded_is_ignored(speeches):
    state = MemoryState()
    ingest(state, {"a": speeches["002"].original()})
    again = candidates({"a": speeches["002"].original()})
    plan = assign_clusters(again, state.prior_for(again), state.fetch_texts)
    assert plan.assignments == [] and plan.updates == []


def test_a_document_bridging_two_earlier_clusters_joins_one_and_records_the_link(speeches):
    v = speeches["004"]
    head = "\n".join(v.paras[:10])
    tail = "\n".join(v.paras[10:])
    state = MemoryState()
    ingest(state, {"head": head, "tail": tail})
    assert state.docs["head"].cluster_id != state.docs["tail"].cluster_id
    plan = ingest(state, {"full": v.original()})
    assert plan.assignments[0].cluster_id in (state.docs["head"].cluster_id, state.docs["tail"].cluster_id)
    assert state.docs["head"].cluster_id != state.docs["tail"].cluster_id
    assert len(plan.links) == 1 and plan.links[0][2] == "full"


def test_of_exact_copies_the_one_with_a_title_is_canonical_whatever_the_ids(speeches):
    """An untitled repost with the smallest doc_id used to become the speech in `speeches`."""
    text = speeches["002"].original()
    docs = {"a-untitled-repost": text, "b-titled": text, "c-titled": text}
    state = MemoryState()
    titled = {"title": "某某在会议上的讲话"}
    plan = ingest(state, docs, **{"b-titled": titled, "c-titled": titled})
    canon = [a for a in plan.assignments if a.is_canonical]
    assert [a.doc_id for a in canon] == ["b-titled"]
    # a later run's untitled copy does not take over either
    later = ingest(state, {"0-untitled-later": text})
    assert not any(a.is_canonical for a in later.assignments if a.doc_id == "0-untitled-later")


def test_copies_of_a_text_without_shingles_form_one_cluster():
    # found with a corpus of one-paragraph notices: the canonical reason divided by zero shingles
    state = MemoryState()
    plan = ingest(state, {"a": "——。", "b": "——。", "c": "会议延期。"})  # no character the matching form keeps
    clusters = state.clusters()
    assert clusters["a"] == clusters["b"] != clusters["c"]
    kinds = {a.doc_id: (a.dup_kind, a.is_canonical, a.canonical_reason) for a in plan.assignments}
    assert kinds["a"][1] and kinds["b"][:2] == ("exact", False)
    assert "too short for shingles" in kinds["a"][2]


def test_centrality_compares_each_text_once_and_answers_as_member_by_member():
    import numpy as np

    from ingest.dedup.cluster import _centrality

    rng = np.random.default_rng(5)
    texts = rng.integers(0, 4, (6, 128)).astype(np.uint32)  # six texts, values often shared
    which = rng.integers(0, 6, 700)  # 700 members, copies of them
    sigs = [texts[w] for w in which]

    def member_by_member(sample=200):
        ref = np.stack(sigs[:sample])
        total = np.array([(s[None, :] == ref).mean(axis=1).sum() for s in sigs])
        n = len(ref)
        return np.where(np.arange(len(sigs)) < n, (total - 1.0) / (n - 1), total / n)

    expect = member_by_member()
    assert np.array_equal(_centrality(sigs, which.tolist()), expect)  # to the last bit
    assert np.array_equal(_centrality(sigs), expect)
    assert np.array_equal(_centrality(sigs[:3], which[:3].tolist()), _centrality(sigs[:3]))
    # given as a sequence computed when asked (the canonical rule's), one signature per text is asked for
    from ingest.dedup.cluster import _Lazy
    asked = []
    lazy = _Lazy(lambda i: asked.append(i) or sigs[i], len(sigs))
    assert np.array_equal(_centrality(lazy, which.tolist()), expect)
    assert len(asked) == len(set(which.tolist())) == 6


def test_a_copy_arriving_later_relabels_only_its_own_twin(speeches):
    """`contained` is a markedly shorter member than the canonical one, whichever pair verified it:
    an excerpt's near copy was `near` in its own run and turned `contained` (reported as a canonical
    change) when an exact copy of the speech arrived in a later run."""
    from dedup_fixtures import Variants

    v = speeches["003"]
    half = Variants(v.paras[:round(len(v.paras) * 0.5)]).edited(rate=0.03)  # an excerpt's near copy
    state = MemoryState()
    first = ingest(state, {"a-speech": v.original(), "b-excerpt": v.excerpt(0.5), "c-excerpt-edited": half})
    assert {a.doc_id: a.dup_kind for a in first.assignments} == \
        {"a-speech": "unique", "b-excerpt": "contained", "c-excerpt-edited": "contained"}
    copy = ingest(state, {"d-speech-copy": v.original()})
    assert [(a.dup_kind, a.is_canonical) for a in copy.assignments] == [("exact", False)]
    assert copy.updates == [] and (copy.stats["canonical_changes"], copy.stats["kind_changes"]) == (0, 0)
    # an exact copy of an earlier member makes that member an exact copy too: a relabel, not a new canonical
    twin = ingest(state, {"e-excerpt-edited-copy": half})
    assert [(u.doc_id, u.dup_kind, u.is_canonical) for u in twin.updates] == [("c-excerpt-edited", "exact", False)]
    assert (twin.stats["canonical_changes"], twin.stats["kind_changes"]) == (0, 1)
