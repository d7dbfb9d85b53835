"""Special and hostile local files through the real `ingest run`: a FIFO, a device, a socket, an
oversized file, a name that is not UTF-8 and links out of the named directory are one reject
each (never opened, never read whole), and the rest of the run loads."""
import os
import resource
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLE
from warehouse_db import open_db

INGEST = str(Path(sys.executable).with_name("ingest"))
# A regression must fail, not hang or eat the machine: each run is timed out, and its memory is
# capped well above what a run of this size needs (~0.4 GB) and far below what /dev/zero would take.
RUN_TIMEOUT_S = 240
DATA_LIMIT = 2 << 30
BAD_NAME = b"bad-\xff\xfe.txt"  # not UTF-8
STORED_BAD_NAME = "bad-\\xff\\xfe.txt"  # how the warehouse names it (backslash escapes)


def ingest(prefect_api: str, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    def cap_memory():
        resource.setrlimit(resource.RLIMIT_DATA, (DATA_LIMIT, DATA_LIMIT))

    return subprocess.run([INGEST, *args], capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
                          preexec_fn=cap_memory, env={**os.environ, "PREFECT_API_URL": prefect_api, **(env or {})})


def sample(number: str) -> Path:
    return next(SAMPLE.glob(f"{number}_*.txt"))


def query(wh: Path, sql: str) -> list[tuple]:
    con = open_db(str(wh / "speeches.duckdb"))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def hostile_tree(tmp_path):
    """corpus/ with two good speeches (one under a non-UTF-8 name) beside every kind of trap."""
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    shutil.copy(sample("001"), corpus / "good.txt")
    shutil.copy(sample("003"), os.path.join(os.fsencode(corpus), BAD_NAME))
    (corpus / "inside-link.txt").symlink_to(corpus / "good.txt")  # inside the tree: followed as before
    os.mkfifo(corpus / "fifo.txt")  # opening it for reading would wait for a writer forever
    (corpus / "zero.txt").symlink_to("/dev/zero")  # endless
    (corpus / "big.txt").write_bytes(("很长的一行没有换行。" * 70_000).encode())  # 2.1 MB, one line
    shutil.copy(sample("004"), outside / "secret.txt")
    (corpus / "secret.txt").symlink_to(outside / "secret.txt")  # leads out of the named directory
    listener = socket.socket(socket.AF_UNIX)
    listener.bind(str(corpus / "socket.txt"))
    os.mkfifo(outside / "named.txt")  # a FIFO named on the command line itself
    yield tmp_path
    listener.close()


EXPECTED_REJECTS = {
    "fifo.txt": "not a regular file (FIFO): not opened",
    "socket.txt": "not a regular file (socket): not opened",
    "named.txt": "not a regular file (FIFO): not opened",
    "big.txt": "file too large (2100000 bytes, limit 1000000; --max-file-bytes raises it)",
    "zero.txt": "symbolic link out of the named directory (to /dev/zero); --follow-links-outside follows it",
}


def rejects_by_name(wh: Path) -> dict[str, str]:
    return {uri.rsplit("/", 1)[1]: reason for uri, reason in query(wh, "select source_uri, reason from rejects")}


def test_special_files_are_one_reject_each_and_the_rest_loads(prefect_api, hostile_tree):
    corpus, outside, wh = hostile_tree / "corpus", hostile_tree / "outside", hostile_tree / "wh"
    args = ("run", str(corpus), str(outside / "named.txt"), "--warehouse", str(wh), "--max-file-bytes", "1000000")
    proc = ingest(prefect_api, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    docs = sorted(uri.rsplit("/", 1)[1] for (uri,) in query(wh, "select source_uri from documents"))
    assert docs == sorted(["good.txt", STORED_BAD_NAME])
    outside_secret = f"symbolic link out of the named directory (to {outside / 'secret.txt'}); " \
                     "--follow-links-outside follows it"
    assert rejects_by_name(wh) == {**EXPECTED_REJECTS, "secret.txt": outside_secret}
    assert "6 rejects" in proc.stdout + proc.stderr or "rejects:    6" in proc.stdout
    # the odd name is stored escaped and round-trips through DuckDB and the lake's Parquet
    (uri,) = query(wh, "select source_uri from documents where source_uri like '%bad-%'")[0]
    assert uri == str(corpus / STORED_BAD_NAME)
    assert query(wh, "select count(*) from tokens join documents using (doc_id) "
                     "where source_uri like '%bad-%'")[0][0] > 100

    # A re-run adds nothing: no document, no second copy of a reject, nothing left in staging.
    before = query(wh, "select (select count(*) from documents), (select count(*) from rejects)")
    proc = ingest(prefect_api, *args)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert query(wh, "select (select count(*) from documents), (select count(*) from rejects)") == before
    assert not any((wh / ".staging").rglob("*.parquet"))


def test_links_out_of_the_tree_are_followed_only_when_asked(prefect_api, hostile_tree):
    corpus, wh = hostile_tree / "corpus", hostile_tree / "wh"
    proc = ingest(prefect_api, "run", str(corpus), "--warehouse", str(wh), "--follow-links-outside",
                  env={"INGEST_MAX_FILE_BYTES": "1000000"})  # the size cap from the environment
    assert proc.returncode == 0, proc.stdout + proc.stderr
    docs = sorted(uri.rsplit("/", 1)[1] for (uri,) in query(wh, "select source_uri from documents"))
    assert docs == sorted(["good.txt", STORED_BAD_NAME, "secret.txt"])  # named by its target, as links are
    got = rejects_by_name(wh)
    assert got["zero"] == "not a regular file (character device): not opened"  # /dev/zero, named by its target
    assert got["big.txt"] == EXPECTED_REJECTS["big.txt"]
