"""The run-level duplicate decision reads the staged signatures when its search needs them."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import SAMPLE
from ingest import decision, run_plan, stages
from ingest.dedup import BANDS, cluster
from ingest.decision import StagedSignatures
from ingest.dedup import NewDocuments
from ingest.storage.staged_fingerprints import fingerprint_columns
from ingest.storage.warehouse import Warehouse


def staged_run(tmp_path, copies: int = 1) -> tuple[Warehouse, str]:
    """The sample speeches staged (not decided) in one run, the first of them `copies` times
    under other names and twice with an editor's footer (more documents of its matching form)."""
    src = tmp_path / "in"
    src.mkdir()
    speeches = sorted(SAMPLE.glob("*.txt"))
    for i, p in enumerate(speeches):
        (src / f"{i:03d}.txt").write_bytes(p.read_bytes())
    for k in range(1, copies):
        (src / f"copy{k}.txt").write_bytes(speeches[0].read_bytes())
    for editor in ("张三", "李四"):
        (src / f"edited-{editor}.txt").write_text(speeches[0].read_text("utf-8") + f"\n（责编：{editor}）\n", "utf-8")
    wh = Warehouse.at(tmp_path / "wh")
    with wh.run_lock():
        stages.prepare_warehouse(wh)
        plan = run_plan.plan_run(wh, [str(src)], batch_bytes=5000)  # several parts
        for no, refs in enumerate(plan.batches):
            stages.stage_batch(wh, plan.run_id, no, refs, workers=1)
    return wh, plan.run_id


def staged_fingerprints(wh: Warehouse, run_id: str) -> dict:
    """doc_id -> its staged fingerprint, signature included."""
    table = pa.concat_tables(decision._read_parts(sorted(wh.staging(run_id).glob("fingerprints-*.parquet"))))
    ids = sorted(set(table["doc_id"].to_pylist()))
    found = fingerprint_columns(table, ids, signatures=True)
    found["numbers"]["has_masking"] = np.zeros(len(ids), dtype=bool)
    return {d: c.fingerprint for d, c in NewDocuments(ids, **found).items()}


def test_the_new_documents_are_the_staged_rows_with_their_fingerprints(tmp_path):
    """The decision's documents, as columns, read back as each staged row and its fingerprint
    (compared with the Parquet parts row by row). Their matching lines are read when asked for
    (after the candidate search), exact copies sharing one string."""
    wh, run_id = staged_run(tmp_path, copies=3)
    staging = wh.staging(run_id)
    staged = decision.StagedDocuments.read(staging)
    rows = {r[0]: r for r in staged.rows}
    fps = {r["doc_id"]: r for part in decision._read_parts(sorted(staging.glob("fingerprints-*.parquet")))
           for r in part.to_pylist()}
    leave_out = {sorted(rows)[1]}
    docs = decision._new_documents(staging, staged.rows, leave_out)
    assert docs.doc_ids == sorted(set(rows) - leave_out) and docs.signatures is None
    assert all(c.fingerprint.matching_lines is None for c in docs.values())
    lines = StagedSignatures(staging).matching_lines(docs.doc_ids + ["no-such-doc"])
    assert set(lines) == set(docs.doc_ids)
    docs.set_matching_lines(lines)
    for d, c in docs.items():
        fp, row = c.fingerprint, fps[d]
        assert (c.title, c.published_at, c.source_kind, c.has_masking) == rows[d][1:]
        assert (fp.exact_hash, fp.n_shingles, fp.match_len, fp.has_masking, fp.was_traditional, fp.dropped_lines,
                fp.matching_lines, fp.titled) == tuple(row[k] for k in (
                    "exact_hash", "n_shingles", "match_len", "has_masking", "was_traditional", "dropped_lines",
                    "matching_lines", "titled"))
        assert (fp.passages.keys.tolist(), fp.passages.starts.tolist(), fp.passages.ends.tolist()) == \
            (row["passage_keys"], row["passage_starts"], row["passage_ends"])
    by_hash: dict = {}
    for c in docs.values():
        by_hash.setdefault(c.fingerprint.exact_hash, []).append(c.fingerprint.matching_lines)
    shared = [lines for lines in by_hash.values() if len(lines) > 1]
    assert shared and all(x is lines[0] for lines in shared for x in lines)


def test_signatures_are_read_into_the_rows_asked_for(tmp_path):
    wh, run_id = staged_run(tmp_path, copies=3)
    fps = staged_fingerprints(wh, run_id)
    ids = sorted(fps, reverse=True)
    signatures = StagedSignatures(wh.staging(run_id))
    assert len(signatures.paths) > 1
    out = np.zeros((len(ids), len(fps[ids[0]].signature)), dtype=np.uint32)
    signatures.read(ids, out)
    assert all((out[i] == fps[d].signature).all() for i, d in enumerate(ids))

    keys = signatures.band_keys(ids)
    expected = BANDS.keys(np.stack([fps[d].signature for d in ids])).ravel()
    assert sorted(keys.tolist()) == sorted(expected.tolist())

    with pytest.raises(ValueError, match="1 documents have no staged signature"):
        signatures.read([ids[0], "no-such-doc"], np.zeros((2, out.shape[1]), dtype=np.uint32))


def test_the_decision_holds_no_signature_per_document(tmp_path, monkeypatch):
    wh, run_id = staged_run(tmp_path, copies=3)
    staged = staged_fingerprints(wh, run_id)
    seen, reads = [], []
    search, read = cluster.candidate_pairs, StagedSignatures.read

    def watched(docs, prior, config, new_signatures=None):
        seen.append([c.fingerprint.signature for c in docs.values()])
        return search(docs, prior, config, new_signatures)

    def counted(self, doc_ids, out):
        reads.append(list(doc_ids))
        return read(self, doc_ids, out)

    lines_asked: list[list[str]] = []
    lines_of = StagedSignatures.matching_lines

    def lines_counted(self, doc_ids):
        lines_asked.append(list(doc_ids))
        return lines_of(self, doc_ids)

    monkeypatch.setattr(cluster, "candidate_pairs", watched)
    monkeypatch.setattr(StagedSignatures, "read", counted)
    monkeypatch.setattr(StagedSignatures, "matching_lines", lines_counted)
    counts = decision.decide_duplicates(wh, run_id)
    assert len(seen) == 1 and len(seen[0]) == len(staged) and all(s is None for s in seen[0])
    # the matching lines: read once, after the search, for the documents in a candidate pair
    assert len(lines_asked) == 1 and 0 < len(lines_asked[0]) < len(staged)
    # The search read one signature per text (exact copies share it: the first copy by doc_id);
    # the canonical rule, which compares the members of clusters of three or more, one per
    # matching form of the speech's cluster: the speech, its copies and its two edited copies
    # (one form) and the sample's forum repost of it (another).
    first_copies = {}
    for d in sorted(staged):
        first_copies.setdefault(staged[d].exact_hash, d)
    assert len(first_copies) < len(staged)
    assert sorted(reads[0]) == sorted(first_copies.values()) and len(reads) == 2 and len(reads[1]) == 2
    assert counts["exact"] >= 2


def test_staged_texts_are_found_by_doc_id(tmp_path):
    wh, run_id = staged_run(tmp_path, copies=2)
    staged = decision.StagedDocuments.read(wh.staging(run_id))
    parts = decision._read_parts(staged.paths, ["doc_id", "text"])
    texts = {d: t for part in parts for d, t in zip(part["doc_id"].to_pylist(), part["text"].to_pylist())}
    assert len(staged.paths) > 1 and len(staged.rows) == len(texts) == 12
    some = sorted(texts)[::2]
    assert staged.texts(some + ["no-such-doc"]) == {d: texts[d] for d in some}


def loaded_then_staged(tmp_path) -> tuple[Warehouse, str]:
    """The sample speeches loaded by a first run; a second run staged (not decided) with copies
    of two of them under new names and an edited copy of a third: its decision looks up the
    earlier documents' postings, members and texts."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    speeches = sorted(SAMPLE.glob("*.txt"))
    for i, p in enumerate(speeches):
        (first / f"{i:03d}.txt").write_bytes(p.read_bytes())
    for i in (0, 3):
        (second / f"again-{i}.txt").write_bytes(speeches[i].read_bytes())
    (second / "edited.txt").write_text(speeches[5].read_text("utf-8") + "\n（责编：王五）\n", "utf-8")
    wh = Warehouse.at(tmp_path / "wh")
    with wh.run_lock():
        stages.prepare_warehouse(wh)
        plan = run_plan.plan_run(wh, [str(first)])
        counts = [stages.stage_batch(wh, plan.run_id, no, refs, workers=1) for no, refs in enumerate(plan.batches)]
        known = decision.decide_duplicates(wh, plan.run_id)["documents_known"]
        stages.load_run(wh, plan, counts, known, None, "rjieba")
        plan = run_plan.plan_run(wh, [str(second)])
        for no, refs in enumerate(plan.batches):
            stages.stage_batch(wh, plan.run_id, no, refs, workers=1)
    return wh, plan.run_id


def staged_plan(wh: Warehouse, run_id: str) -> dict[str, list[dict]]:
    """The plan the decision staged, each table's rows sorted (as bench/decision_rss.py digests it)."""
    out = {}
    for name in ("decisions", "dedup-decisions", "dedup-links", "dedup-occurrences"):
        table = pq.read_table(wh.staging(run_id) / f"{name}.parquet")
        keys = [c for c in table.column_names if not str(table.schema.field(c).type).startswith("list")]
        out[name] = table.sort_by([(c, "ascending") for c in keys]).to_pylist()
    return out


def test_the_lookups_run_under_a_memory_limit_and_decide_as_without_one(tmp_path, monkeypatch):
    """DuckDB caches what the lookups read up to its memory limit (80% of RAM unless set): the
    decision's connection has a small one, and decides as a connection without it does."""
    wh, run_id = loaded_then_staged(tmp_path)
    limits = []
    real_prior = decision.dedup_store.load_prior

    def prior_seen(con, *args, **kwargs):
        limits.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        return real_prior(con, *args, **kwargs)

    monkeypatch.setattr(decision.dedup_store, "load_prior", prior_seen)
    counts = decision.decide_duplicates(wh, run_id)
    capped = staged_plan(wh, run_id)
    assert limits[-1] == "61.0 MiB"  # DuckDB's way of saying 64MB
    # (the editor's footer is left out of the matching form: the edited copy is exact too)
    assert counts["exact"] == 3 and counts.get("unique", 0) == 0

    try:  # (the decision without a limit of its own)
        assert decision._decide_duplicates(wh, run_id, None) == counts
    finally:
        decision.release_memory()
    assert staged_plan(wh, run_id) == capped
    assert limits[-1] != "61.0 MiB"


def test_lookups_that_need_more_than_the_limit_decide_again_without_it(tmp_path, monkeypatch, caplog):
    wh, run_id = loaded_then_staged(tmp_path)
    counts = decision.decide_duplicates(wh, run_id)
    expected = staged_plan(wh, run_id)
    for name in expected:
        (wh.staging(run_id) / f"{name}.parquet").unlink()
    # (a limit no lookup fits in: DuckDB refuses the first block it would pin)
    monkeypatch.setenv("INGEST_LOOKUP_MEMORY_LIMIT", "1KB")
    with caplog.at_level("WARNING", logger="ingest.decision"):
        assert decision.decide_duplicates(wh, run_id) == counts
    assert staged_plan(wh, run_id) == expected
    assert "needed more than 1KB" in caplog.text and "deciding again without that limit" in caplog.text
    assert "INGEST_LOOKUP_MEMORY_LIMIT=1GB" in caplog.text
