"""Stored signatures follow the code's signature scheme: a warehouse of another scheme is migrated."""
import numpy as np
import pytest

from dedup_fixtures import candidates, speeches, write_devset  # noqa: F401 (fixture)
from ingest import stages
from ingest.dedup import BANDS, fingerprint_batch
from ingest.dedup.minhash import SIGNATURE_SCHEME
from ingest.evaluation.dedup_run import ingest_files
from ingest.storage import dedup_migrations, dedup_store
from ingest.storage.warehouse import Warehouse


def scheme(con):
    row = con.execute("SELECT value FROM dedup_meta WHERE name = 'signature_scheme'").fetchone()
    return row and row[0]


def stored_state(con):
    """doc_id -> (text, signature, sorted band keys) as the warehouse holds them."""
    rows = con.execute("SELECT doc_id, d.text, f.signature FROM documents d JOIN dedup_docs f USING (doc_id)"
                       " ORDER BY doc_id").fetchall()
    bands = {}
    for key, doc_id in con.execute("SELECT key, doc_id FROM dedup_bands").fetchall():
        bands.setdefault(doc_id, []).append(key)
    return {d: (t, np.frombuffer(s, dtype="<u4"), sorted(bands.get(d, []))) for d, t, s in rows}


def pretend_older_scheme(con, recorded: str | None) -> None:
    """Signatures unrelated to today's (as another scheme's are), and that scheme's record."""
    rng = np.random.default_rng(5)
    con.execute("DELETE FROM dedup_bands")
    for doc_id, in con.execute("SELECT doc_id FROM dedup_docs").fetchall():
        sig = rng.integers(0, 1 << 32, size=128, dtype=np.uint64).astype(np.uint32)
        con.execute("UPDATE dedup_docs SET signature = ? WHERE doc_id = ?", [sig.astype("<u4").tobytes(), doc_id])
        for key in BANDS.keys(sig)[0].tolist():
            con.execute("INSERT INTO dedup_bands VALUES (?, ?)", [key, doc_id])
    con.execute("DELETE FROM dedup_meta")
    if recorded:
        con.execute("INSERT INTO dedup_meta VALUES ('signature_scheme', ?)", [recorded])


@pytest.fixture
def corpus(tmp_path, speeches):
    root = write_devset(tmp_path / "set", speeches)
    return sorted(str(p) for p in (root / "docs").glob("*.txt"))


def test_fresh_warehouse_records_the_scheme_without_migrating(tmp_path, capsys):
    wh = Warehouse.at(tmp_path / "wh")
    con = wh.connect()
    try:
        wh.ensure_schema(con)
        assert scheme(con) == SIGNATURE_SCHEME
    finally:
        con.close()
    assert "recomputing" not in capsys.readouterr().err


@pytest.mark.parametrize("recorded", ["retired-scheme", None])
def test_older_scheme_is_recomputed_and_a_later_repost_still_joins(tmp_path, corpus, speeches, capsys,
                                                                   monkeypatch, recorded):
    wh = Warehouse.at(tmp_path / "wh")
    ingest_files(wh, [corpus])
    # A warehouse that records no scheme was written before schemes were recorded.
    monkeypatch.setattr(dedup_migrations, "UNRECORDED_SCHEME", "retired-scheme")
    repost = speeches["004"].edited(rate=0.03, seed=11)  # near duplicate, not in the corpus
    con = wh.connect()
    try:
        original_id = con.execute("SELECT doc_id FROM documents WHERE source_uri LIKE '%004_original.txt'").fetchone()[0]
        pretend_older_scheme(con, recorded)
        hits = dedup_store.load_prior(con, candidates({"new": repost})).bands
        assert original_id not in hits.doc_ids  # the bug the migration prevents
    finally:
        con.close()
    capsys.readouterr()

    with wh.run_lock():
        stages.prepare_warehouse(wh)
    assert "recomputing them for 19 documents" in capsys.readouterr().err

    con = wh.connect()
    try:
        assert scheme(con) == SIGNATURE_SCHEME
        state = stored_state(con)
        fresh = fingerprint_batch([text for text, _, _ in state.values()])
        for (text, sig, bands), fp in zip(state.values(), fresh):
            assert np.array_equal(sig, fp.signature)
            assert bands == sorted(BANDS.keys(fp.signature)[0].tolist())
        original = con.execute("SELECT doc_id, cluster_id FROM documents WHERE source_uri LIKE '%004_original.txt'"
                               ).fetchone()
        hits = dedup_store.load_prior(con, candidates({"new": repost})).bands
        assert original[0] in hits.doc_ids
    finally:
        con.close()

    path = tmp_path / "later" / "004_repost.txt"
    path.parent.mkdir()
    path.write_text(repost, encoding="utf-8")
    ingest_files(wh, [[str(path)]])
    con = wh.connect(read_only=True)
    try:
        joined, kind = con.execute("SELECT cluster_id, dup_kind FROM documents WHERE source_uri = ?",
                                   [str(path.resolve())]).fetchone()
    finally:
        con.close()
    assert (joined, kind) == (original[1], "near")


def test_a_failed_migration_leaves_the_old_state(tmp_path, corpus, monkeypatch):
    wh = Warehouse.at(tmp_path / "wh")
    ingest_files(wh, [corpus[:6]])
    con = wh.connect()
    try:
        pretend_older_scheme(con, "retired-scheme")
        before = stored_state(con)
        real, calls = dedup_migrations.signature_batch, []

        def failing(texts):
            calls.append(len(texts))
            if len(calls) == 2:  # the first chunk is already written inside the transaction
                raise RuntimeError("killed mid-migration")
            return real(texts)

        monkeypatch.setattr(dedup_migrations, "signature_batch", failing)
        with pytest.raises(RuntimeError):
            dedup_migrations.ensure_signature_scheme(con, chunk=4)
        after = stored_state(con)
        assert scheme(con) == "retired-scheme"
        assert before.keys() == after.keys()
        assert all(np.array_equal(before[d][1], after[d][1]) and before[d][2] == after[d][2] for d in before)
    finally:
        con.close()
