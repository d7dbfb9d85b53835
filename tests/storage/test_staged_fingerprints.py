"""Staged fingerprints: a batch's fingerprints written as Parquet rows and read back by the decision."""
import numpy as np
import pyarrow as pa

from dedup_fixtures import speeches  # noqa: F401 (fixture)
from ingest.dedup import NewDocuments
from ingest.storage import staged_fingerprints


def read_back(table: pa.Table) -> dict:
    """doc_id -> fingerprint, as the decision reads a staged table's columns."""
    ids = sorted(set(table["doc_id"].to_pylist()))
    found = staged_fingerprints.fingerprint_columns(table, ids, signatures=True)
    found["numbers"]["has_masking"] = np.zeros(len(ids), dtype=bool)
    return {d: c.fingerprint for d, c in NewDocuments(ids, **found).items()}


def test_fingerprints_survive_the_staging_round_trip(speeches):
    from ingest.dedup import fingerprint_batch

    fps = fingerprint_batch([speeches["003"].original(), speeches["004"].traditional()])
    back = read_back(staged_fingerprints.fingerprints_table(list(zip(["a", "b"], fps))))
    for fp, doc in zip(fps, ("a", "b")):
        got = back[doc]
        assert got.exact_hash == fp.exact_hash and (got.signature == fp.signature).all()
        assert got.passages == fp.passages
        assert got.was_traditional == fp.was_traditional
    # the passages are read back as one set of columns, each document its rows of them
    assert back["a"].passages._columns is back["b"].passages._columns


def test_exact_copies_read_back_share_one_matching_lines_string(speeches):
    from ingest.dedup import fingerprint_batch

    text = speeches["003"].original()
    fps = fingerprint_batch([text, text, speeches["004"].original()])
    parts = [staged_fingerprints.fingerprints_table([("a", fps[0]), ("c", fps[2])]),
             staged_fingerprints.fingerprints_table([("b", fps[1])])]  # the copy in another staged part
    back = read_back(pa.concat_tables(parts))
    assert back["a"].matching_lines == fps[0].matching_lines
    assert back["a"].matching_lines is back["b"].matching_lines  # one string, not two
    assert back["c"].matching_lines == fps[2].matching_lines != back["a"].matching_lines
