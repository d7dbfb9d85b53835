"""The flow as the UI shows it: run and task names, artifacts, retry and cache policy, runs.flow_run_id."""
import pytest

from flows import ingest_speeches as mod
from prefect_server import ROOT
from warehouse_db import open_db

SAMPLE = ROOT / "src" / "ingest" / "data" / "sample"


@pytest.fixture(scope="module")
def sample_run(prefect_api, tmp_path_factory):
    """One run of the flow over the sample corpus, with its flow run id and its artifacts."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, TaskRunFilter, TaskRunFilterFlowRunId

    wh = tmp_path_factory.mktemp("wh")
    state = mod.ingest_speeches(warehouse=str(wh), return_state=True)
    assert state.is_completed()
    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
        task_runs = client.read_task_runs(task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[flow_run_id])))
    return {"wh": wh, "state": state, "flow_run": flow_run, "artifacts": {a.key: a for a in artifacts},
            "task_runs": task_runs}


def test_markdown_summary_artifact_counts_the_run(sample_run):
    art = sample_run["artifacts"]["ingest-summary"]
    assert art.type == "markdown" and art.task_run_id is None  # listed under the flow run in the UI
    assert "| **documents loaded** | **10** |" in art.data and "| inputs seen | 10 |" in art.data
    assert "| exact duplicates |" in art.data and "Throughput:" in art.data
    assert "市委书记在全市组织工作会议上的讲话" in art.data
    assert "| text reuse: spans of passages shared with other clusters, written this run |" in art.data
    assert "| earlier documents whose canonical status changed | 0 |" in art.data
    # seconds per stage, in the order the flow ran them
    stages = [line.split(" | ")[0].lstrip("| ") for line in art.data.splitlines()
              if line.startswith("| ") and line.rstrip().endswith(" |") and line.count("|") == 3]
    timed = [s for s in stages if s in ("plan", "stage batches", "find duplicates", "load warehouse")]
    assert timed == ["plan", "stage batches", "find duplicates", "load warehouse"]


def test_summary_names_the_rejected_files(prefect_api, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    src = tmp_path / "in"
    src.mkdir()
    (src / "good.txt").write_bytes(sorted(SAMPLE.glob("00*.txt"))[0].read_bytes())
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04" * 20)
    state = mod.ingest_speeches(sources=[str(src)], warehouse=str(tmp_path / "wh"), return_state=True)
    assert state.is_completed()
    with get_client(sync_client=True) as client:
        (art,) = client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id]), key={"any_": ["ingest-summary"]}))
    assert "Rejected files (2; the first 2):" in art.data
    assert f"- `{src / 'binary.txt'}`:" in art.data and f"- `{src / 'empty.txt'}`:" in art.data


def test_table_artifact_lists_new_canonical_speeches(sample_run):
    import json

    art = sample_run["artifacts"]["new-speeches"]
    assert art.type == "table"
    rows = json.loads(art.data) if isinstance(art.data, str) else art.data
    con = open_db(str(sample_run["wh"] / "speeches.duckdb"))
    canonical = con.execute("select count(*) from speeches").fetchone()[0]
    con.close()
    assert len(rows) == canonical and set(rows[0]) == {"title", "speaker", "date", "source"}


def test_runs_table_carries_the_flow_run_id(sample_run):
    con = open_db(str(sample_run["wh"] / "speeches.duckdb"))
    ids = [r[0] for r in con.execute("select flow_run_id from runs").fetchall()]
    con.close()
    assert ids == [str(sample_run["flow_run"].id)]


def test_run_names_say_what_was_worked_on(sample_run):
    assert sample_run["flow_run"].name == f"ingest sample corpus -> {sample_run['wh'].name}"
    names = {t.name for t in sample_run["task_runs"]}
    assert "plan inputs: sample corpus" in names
    assert any(n.startswith("batch 1/1: 10 files sample/000_") and n.endswith("sample/repost_page_004.html") for n in names), names
    assert {"find exact and near duplicates", "load run into speeches.duckdb", "build run summary"} <= names


def test_retries_only_on_io_tasks():
    assert mod.plan_inputs.retries == 2 and mod.load_warehouse.retries == 2 and mod.build_report.retries == 2
    assert mod.stage_batch.retries == 0 and mod.find_duplicates.retries == 0


def test_staged_batches_are_reused_within_a_flow_run_only(prefect_api, tmp_path):
    """A retried run (same flow run) skips planning and staging again; a new run does not."""
    from prefect import flow

    from ingest.storage.warehouse import Warehouse

    wh = Warehouse.at(tmp_path / "wh")

    @flow
    def twice():
        with wh.run_lock():
            a = mod.plan_inputs(wh, [str(SAMPLE)], return_state=True)
            b = mod.plan_inputs(wh, [str(SAMPLE)], return_state=True)
            plan = a.result()
            call = dict(wh=wh, run_id=plan.run_id, batch_no=0, refs=plan.batches[0], segmenter="rjieba")
            c = mod.stage_batch(**call, return_state=True)
            d = mod.stage_batch(**call, return_state=True)
        return [s.name for s in (a, b, c, d)], plan.run_id, b.result().run_id

    names, first_id, second_id = twice()
    assert names == ["Completed", "Cached", "Completed", "Cached"] and first_id == second_id
    names_again, other_id, _ = twice()
    assert names_again[0] == "Completed" and other_id != first_id


def test_invalid_parameters_fail_the_run_with_a_clear_message(prefect_api, tmp_path):
    from ingest.config import ParameterError

    with pytest.raises(ParameterError, match="sources: no such file or directory: /nowhere"):
        mod.ingest_speeches(sources=["/nowhere"], warehouse=str(tmp_path))
