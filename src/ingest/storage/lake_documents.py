"""The lake copy of a run's new documents, written part by part in row groups bounded by bytes."""
from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

# A row group is closed once it holds this many bytes of Arrow data (texts, mostly). DuckDB's
# COPY of the staged parts joined with the run's decisions did not bound its groups by bytes
# (ROW_GROUP_SIZE_BYTES bounds a plain scan's, not a join's, in DuckDB 1.5): a run of 1,299
# reports of ~42 KB became one group and one 51 MiB allocation, past the load's memory limit.
# Written here, memory is one staged part plus one group, however long the documents.
ROW_GROUP_BYTES = 16 << 20
# Columns with few distinct values get dictionary pages (as DuckDB's writer gave them); the texts,
# titles and ids would only be tried and given up on, at a cost in CPU.
_DICTIONARY_COLUMNS = ("source_kind", "extractor", "rules_version", "genre", "organization", "speaker",
                       "source_name", "event", "author", "editor", "print_edition", "dup_kind", "canonical_reason")
_STAGING_ONLY = ("batch_no",)


def write_new_documents(parts: list[Path], decisions: pa.Table, target: Path,
                        row_group_bytes: int = ROW_GROUP_BYTES) -> int:
    """Write the staged documents whose doc_id `decisions` holds, each followed by its decision.

    Columns: the staged parts' (by name, in order of first appearance; a part without one gets
    nulls) except the staging's own, then `decisions`' columns other than doc_id. zstd level 1, as
    the other lake copies (Warehouse._write_lake says why). Atomic: a temporary name, then a
    rename. Returns the number of rows written.
    """
    schemas = [pq.read_schema(p) for p in parts]
    staged = pa.unify_schemas(schemas) if schemas else pa.schema([("doc_id", pa.string())])
    staged = pa.schema([f for f in staged if f.name not in _STAGING_ONLY])
    extra = [f for f in decisions.schema if f.name not in staged.names]
    schema = pa.schema(list(staged) + extra)
    wanted = decisions.column("doc_id").combine_chunks()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    rows = 0
    pending: list[pa.Table] = []
    pending_bytes = 0
    with pq.ParquetWriter(tmp, schema, compression="zstd", compression_level=1,
                          use_dictionary=[c for c in _DICTIONARY_COLUMNS if c in schema.names],
                          write_statistics=[c for c in schema.names if c != "text"]) as writer:
        def flush() -> None:
            nonlocal pending, pending_bytes
            if pending:
                group = pa.concat_tables(pending)
                writer.write_table(group, row_group_size=max(group.num_rows, 1))
            pending, pending_bytes = [], 0

        for part, where in zip(parts, _decision_rows(parts, wanted)):
            keep = pc.is_valid(where)
            kept = pc.sum(keep).as_py() or 0
            if not kept:
                continue
            table = pq.read_table(part, memory_map=True, use_threads=False)
            if kept < len(where):
                table, where = table.filter(keep), where.filter(keep)
            columns = [table.column(f.name) if f.name in table.column_names else pa.nulls(table.num_rows, f.type)
                       for f in staged]
            columns += [decisions.column(f.name).take(where) for f in extra]
            table = pa.table(columns, schema=schema)
            pending.append(table)
            pending_bytes += table.nbytes
            rows += table.num_rows
            if pending_bytes >= row_group_bytes:
                flush()
        flush()
    os.replace(tmp, target)
    return rows


def _decision_rows(parts: list[Path], wanted: pa.Array) -> list[pa.Array]:
    """Per part, each staged row's index in `wanted` (null: not a new document). One lookup for
    all parts: a lookup per part rebuilt the hash table of every doc_id a hundred times."""
    ids = [pq.read_table(p, columns=["doc_id"], memory_map=True, use_threads=False).column("doc_id") for p in parts]
    if not ids:
        return []
    where = pc.index_in(pa.chunked_array([c for col in ids for c in col.chunks], pa.string()), value_set=wanted)
    out, start = [], 0
    for col in ids:
        out.append(where.slice(start, len(col)).combine_chunks())
        start += len(col)
    return out
