"""Staged fingerprints: a batch's fingerprints written as Parquet rows and read back by the decision."""
from dedup_fixtures import speeches  # noqa: F401 (fixture)
from ingest.storage import staged_fingerprints


def test_fingerprints_survive_the_staging_round_trip(speeches):
    from ingest.dedup import fingerprint_batch

    fps = fingerprint_batch([speeches["003"].original(), speeches["004"].traditional()])
    back = staged_fingerprints.fingerprints_from_table(staged_fingerprints.fingerprints_table(list(zip(["a", "b"], fps))))
    for fp, doc in zip(fps, ("a", "b")):
        got = back[doc]
        assert got.exact_hash == fp.exact_hash and (got.signature == fp.signature).all()
        assert got.passages == fp.passages
        assert got.was_traditional == fp.was_traditional
    # a staged part's passages are read back as one set of columns, each document its rows of them
    assert back["a"].passages._columns is back["b"].passages._columns


def test_exact_copies_read_back_share_one_matching_lines_string(speeches):
    from ingest.dedup import fingerprint_batch

    text = speeches["003"].original()
    fps = fingerprint_batch([text, text, speeches["004"].original()])
    parts = [staged_fingerprints.fingerprints_table([("a", fps[0]), ("c", fps[2])]),
             staged_fingerprints.fingerprints_table([("b", fps[1])])]  # the copy in another staged part
    lines: dict[str, str] = {}
    back = {d: fp for t in parts for d, fp in staged_fingerprints.fingerprints_from_table(t, lines).items()}
    assert back["a"].matching_lines == fps[0].matching_lines
    assert back["a"].matching_lines is back["b"].matching_lines  # one string, not two
    assert back["c"].matching_lines == fps[2].matching_lines != back["a"].matching_lines
