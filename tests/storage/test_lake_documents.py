"""The lake copy of a run's new documents: the rows and columns the load's SQL join gave, written
part by part in row groups bounded by bytes."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ingest.storage.lake_documents import write_new_documents
from ingest.storage.tables import DOCUMENT_COLUMNS

DECISION_COLUMNS = {"cluster_id": pa.string(), "is_canonical": pa.bool_(), "dup_kind": pa.string(),
                    "canonical_reason": pa.string(), "matched_doc_id": pa.string(), "similarity": pa.float64()}


def staged_part(path: Path, doc_ids: list[str], text_chars: int = 50, previous: bool = False) -> Path:
    """A staged documents part as the staging writes it (DOCUMENT_COLUMNS, batch_no; a web part
    also previous_doc_id)."""
    n = len(doc_ids)
    columns = {name: pa.nulls(n, kind) for name, kind in DOCUMENT_COLUMNS.items()}
    columns["doc_id"] = pa.array(doc_ids, pa.string())
    columns["text"] = pa.array([f"{d}：" + "讲话正文" * (text_chars // 4) for d in doc_ids], pa.string())
    columns["char_count"] = pa.array([text_chars] * n, pa.int32())
    columns["batch_no"] = pa.array([0] * n, pa.int32())
    if previous:
        columns["previous_doc_id"] = pa.array([f"old-{d}" for d in doc_ids], pa.string())
    pq.write_table(pa.table(columns), path, compression="none")
    return path


def decisions(doc_ids: list[str]) -> pa.Table:
    return pa.table({"doc_id": pa.array(doc_ids, pa.string()),
                     "cluster_id": pa.array([f"c-{d}" for d in doc_ids], pa.string()),
                     "is_canonical": pa.array([i % 2 == 0 for i in range(len(doc_ids))], pa.bool_()),
                     "dup_kind": pa.array(["none"] * len(doc_ids), pa.string()),
                     "canonical_reason": pa.array(["only member"] * len(doc_ids), pa.string()),
                     "matched_doc_id": pa.nulls(len(doc_ids), pa.string()),
                     "similarity": pa.array([0.5] * len(doc_ids), pa.float64())}, schema=pa.schema(
        [("doc_id", pa.string()), *DECISION_COLUMNS.items()]))


def sql_join(staging: Path, new: pa.Table, target: Path) -> None:
    """What the load wrote before, with DuckDB: the staged parts joined with the decisions."""
    con = duckdb.connect()
    con.register("new_documents", new)
    con.execute(f"COPY (SELECT s.* EXCLUDE (batch_no), n.* EXCLUDE (doc_id) "
                f"FROM read_parquet('{staging}/documents-*.parquet', union_by_name = true) s "
                f"JOIN new_documents n USING (doc_id)) TO '{target}' (FORMAT parquet)")


def test_the_new_documents_with_their_decisions_as_the_sql_join_gave_them(tmp_path):
    staging = tmp_path / "staging"
    staging.mkdir()
    parts = [staged_part(staging / "documents-00000-000.parquet", ["a", "b", "c"]),
             staged_part(staging / "documents-00000-001.parquet", ["d", "e"]),
             staged_part(staging / "documents-00001-000.parquet", ["f", "g"], previous=True)]
    new = decisions(["b", "c", "d", "g"])  # a and f: already in the warehouse; e: no new document
    target = tmp_path / "lake" / "documents" / "run_id=r" / "part-0.parquet"

    assert write_new_documents(parts, new, target) == 4
    sql_join(staging, new, tmp_path / "join.parquet")
    con = duckdb.connect()
    ours = f"read_parquet('{target}', hive_partitioning = false)"
    theirs = f"read_parquet('{tmp_path / 'join.parquet'}')"
    assert con.execute(f"DESCRIBE SELECT * FROM {ours}").fetchall() == \
        con.execute(f"DESCRIBE SELECT * FROM {theirs}").fetchall()
    assert con.execute(f"SELECT * FROM {ours} ORDER BY doc_id").fetchall() == \
        con.execute(f"SELECT * FROM {theirs} ORDER BY doc_id").fetchall()
    names = pq.read_schema(target).names
    assert names[-7:] == ["previous_doc_id", *DECISION_COLUMNS] and "batch_no" not in names
    assert con.execute(f"SELECT doc_id, previous_doc_id, cluster_id FROM {ours} WHERE doc_id IN ('c', 'g') "
                       "ORDER BY doc_id").fetchall() == [("c", None, "c-c"), ("g", "old-g", "c-g")]
    assert [p.name for p in target.parent.iterdir()] == ["part-0.parquet"]  # no temporary file left


def test_row_groups_are_bounded_by_bytes_however_long_the_documents(tmp_path):
    staging = tmp_path / "staging"
    staging.mkdir()
    ids = [f"doc-{i:03d}" for i in range(40)]
    parts = [staged_part(staging / f"documents-00000-{p:03d}.parquet", ids[p * 4:(p + 1) * 4], text_chars=40_000)
             for p in range(10)]  # 40 reports of ~120 KB of UTF-8 each
    target = tmp_path / "part-0.parquet"

    assert write_new_documents(parts, decisions(ids), target, row_group_bytes=1 << 20) == 40
    meta = pq.ParquetFile(target).metadata
    groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    # a group closes with the part that takes it past 1 MiB: 3 parts of 4 documents (~0.46 MiB each)
    assert groups == [12, 12, 12, 4]
    assert pq.read_table(target, columns=["doc_id"]).column(0).to_pylist() == ids


def test_a_run_without_new_documents_writes_an_empty_file_with_the_columns(tmp_path):
    staging = tmp_path / "staging"
    staging.mkdir()
    parts = [staged_part(staging / "documents-00000-000.parquet", ["a"])]
    target = tmp_path / "part-0.parquet"
    assert write_new_documents(parts, decisions([]), target) == 0
    table = pq.read_table(target)
    assert table.num_rows == 0 and table.column_names[-6:] == list(DECISION_COLUMNS)
