"""`ingest run --runner dask` on a two-process LocalCluster builds the same warehouse as the default runner."""
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from prefect_server import ROOT

pytestmark = pytest.mark.server

SAMPLE = ROOT / "src" / "ingest" / "data" / "sample"
DOCUMENT_COLUMNS = ("doc_id, source_uri, title, text, published_at, author, speaker, char_count, "
                    "content_hash, match_hash, cluster_id, is_canonical, dup_kind")


def _warehouse_content(wh: Path) -> dict:
    con = duckdb.connect(str(wh / "speeches.duckdb"), read_only=True, config={"file_search_path": str(wh)})
    try:
        return {
            "documents": con.execute(f"select {DOCUMENT_COLUMNS} from documents order by doc_id").fetchall(),
            "tokens": con.execute("select doc_id, count(*), md5(string_agg(token, ' ' order by position)) "
                                  "from tokens group by doc_id order by doc_id").fetchall(),
            "rejects": con.execute("select source_uri, stage, reason from rejects order by all").fetchall(),
            "runs": con.execute("select inputs_read, documents_new, exact_duplicates, near_duplicates, rejects "
                                "from runs").fetchall(),
        }
    finally:
        con.close()


def _ingest(server, *args: str, env: dict | None = None) -> str:
    exe = str(Path(sys.executable).with_name("ingest"))
    proc = subprocess.run([exe, "run", *args], cwd=ROOT, env={**server.env, **(env or {})}, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, f"ingest run {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_dask_local_cluster_builds_the_same_warehouse(prefect_server, tmp_path, monkeypatch):
    from distributed import Client, LocalCluster

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for p in SAMPLE.iterdir():
        if p.suffix in {".txt", ".html"}:
            (corpus / p.name).write_bytes(p.read_bytes())
    (corpus / "empty.txt").write_bytes(b"")
    # Small batches so both workers get some: the sample corpus is ~80 KB.
    small = {"INGEST_BATCH_BYTES": "20000"}
    _ingest(prefect_server, str(corpus), "--warehouse", str(tmp_path / "default"), env=small)

    # Worker processes inherit this environment: they report to the test's server, and import
    # flows/ from the checkout.
    for key in ("PREFECT_API_URL", "PREFECT_HOME"):
        monkeypatch.setenv(key, prefect_server.env[key])
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        out = _ingest(prefect_server, str(corpus), "--warehouse", str(tmp_path / "dask"), "--runner", "dask",
                      "--dask-address", cluster.scheduler_address, env=small)
        # Each worker process loaded the segmenter and its user dictionary itself.
        loaded = client.run(lambda: __import__("ingest.segment", fromlist=["x"]).get_segmenter.cache_info().currsize)
        assert sorted(loaded.values()) == [1, 1]
    assert "10 new" in out

    default, dask = _warehouse_content(tmp_path / "default"), _warehouse_content(tmp_path / "dask")
    assert len(default["documents"]) == 10 and default["rejects"]
    assert default == dask
