"""The in-memory dedup state (tests, the dev-set evaluator) holds its documents' signatures itself."""
from dedup_fixtures import ingest

from ingest.dedup import MemoryState

TEXT = "同志们：今天我们召开全市工作会议，研究部署下一阶段工作。会议要求各部门认真落实，确保各项任务按期完成。"


def test_signatures_are_the_states_own_not_rows_of_a_runs_search_matrix():
    state = MemoryState()
    ingest(state, {"a": TEXT, "b": TEXT.replace("全市", "全省")})
    # the second run touches the first run's documents (its copy and near copy)
    later = ingest(state, {"c": TEXT, "d": TEXT.replace("全市", "全县")})
    assert {a.cluster_id for a in later.assignments} == {"ca"}
    # a view would keep its run's whole matrix (new and touched documents) alive with the state
    assert all(p.signature.base is None for p in state.docs.values())
    assert len(state.docs) == 4
