"""The ingest flow lets go of its files' plan before the duplicate decision, the run's peak."""
import gc

from flows import ingest_speeches as mod
from ingest.sources.files import FileRef
from prefect_server import ROOT

SAMPLE = ROOT / "src" / "ingest" / "data" / "sample"


def test_no_file_ref_of_the_run_is_alive_during_the_decision(prefect_api, tmp_path, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    for i, p in enumerate(sorted(SAMPLE.glob("*.txt"))):
        (src / f"{i:03d}.txt").write_bytes(p.read_bytes())
    monkeypatch.setenv("INGEST_BATCH_BYTES", "20000")  # a few batches
    alive = []
    decide = mod.stages.decide_duplicates

    def counted(wh, run_id):
        gc.collect()
        alive.append(sum(1 for o in gc.get_objects() if isinstance(o, FileRef) and o.path.startswith(str(src))))
        return decide(wh, run_id)

    monkeypatch.setattr(mod.stages, "decide_duplicates", counted)
    state = mod.ingest_speeches(sources=[str(src)], warehouse=str(tmp_path / "wh"), return_state=True)
    assert state.is_completed()
    assert state.result()["documents_new"] == len(list(SAMPLE.glob("*.txt")))
    assert alive == [0]
