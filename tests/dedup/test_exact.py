"""Exact duplicates on the matching form (script, width, punctuation and layout do not count)."""
from dedup_fixtures import ingest

from ingest.dedup import MemoryState, fingerprint


def test_width_punctuation_and_script_do_not_matter():
    key = fingerprint("同志们：今天，我们开会。").exact_hash
    assert fingerprint("同志们:今天,我们开会.").exact_hash == key
    assert fingerprint("同志們：今天，我們開會。").exact_hash == key
    assert fingerprint("同志们：\n今天，我们\n开会。").exact_hash == key
    assert fingerprint("同志们：明天，我们开会。").exact_hash != key


def test_copies_join_the_first_cluster_and_earlier_runs_keep_their_id():
    state = MemoryState()
    first = ingest(state, {"a": "同志们：今天我们召开全市工作会议，研究部署下一阶段工作。", "b": "同志们:今天我们召开全市工作会议,研究部署下一阶段工作."})
    assert {a.cluster_id for a in first.assignments} == {"ca"}
    assert sorted((a.doc_id, a.dup_kind) for a in first.assignments) == [("a", "unique"), ("b", "exact")]
    later = ingest(state, {"c": "同志们：今天我们召开全市工作会议，研究部署下一阶段工作。"})
    assert later.assignments[0].cluster_id == "ca" and later.assignments[0].dup_kind == "exact"
