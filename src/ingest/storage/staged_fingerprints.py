"""Staged fingerprints: a batch's dedup fingerprints as Parquet rows, read back by the run-level decision."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..dedup import BANDS, Fingerprint
from ..dedup.new_documents import passage_rows

FINGERPRINT_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("exact_hash", pa.int64()), ("signature", pa.binary()),
    ("band_keys", pa.list_(pa.int64())), ("n_shingles", pa.int32()), ("match_len", pa.int32()),
    ("has_masking", pa.bool_()), ("was_traditional", pa.bool_()), ("dropped_lines", pa.int32()),
    ("passage_keys", pa.list_(pa.int64())), ("passage_starts", pa.list_(pa.int32())),
    ("passage_ends", pa.list_(pa.int32())), ("matching_lines", pa.string()), ("titled", pa.bool_()),
])


def fingerprints_table(items: list[tuple[str, Fingerprint]]) -> pa.Table:
    """(doc_id, fingerprint) pairs as rows of FINGERPRINT_SCHEMA, with their LSH band keys."""
    fps = [fp for _, fp in items]

    def listed(arrays: list[np.ndarray], kind: pa.DataType) -> pa.Array:
        offsets = np.concatenate(([0], np.cumsum([len(a) for a in arrays]))).astype(np.int32)
        values = np.concatenate(arrays) if arrays else np.zeros(0)
        return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(values, kind))

    return pa.table({
        "doc_id": pa.array([d for d, _ in items], pa.string()),
        "exact_hash": pa.array([fp.exact_hash for fp in fps], pa.int64()),
        "signature": pa.array([np.asarray(fp.signature, dtype="<u4").tobytes() for fp in fps], pa.binary()),
        "band_keys": listed(list(BANDS.keys_of([fp.signature for fp in fps])), pa.int64()),
        **{name: pa.array([getattr(fp, name) for fp in fps], FINGERPRINT_SCHEMA.field(name).type)
           for name in ("n_shingles", "match_len", "has_masking", "was_traditional", "dropped_lines")},
        "passage_keys": listed([fp.passages.keys for fp in fps], pa.int64()),
        "passage_starts": listed([fp.passages.starts for fp in fps], pa.int32()),
        "passage_ends": listed([fp.passages.ends for fp in fps], pa.int32()),
        "matching_lines": pa.array([fp.matching_lines for fp in fps], pa.string()),
        "titled": pa.array([fp.titled for fp in fps], pa.bool_()),
    }, schema=FINGERPRINT_SCHEMA)


def fingerprint_columns(table: pa.Table, doc_ids: list[str], signatures: bool = False, lines: bool = True) -> dict:
    """The fingerprints of `doc_ids` (each in the table; of a doc_id it holds twice, the first
    row), in that order, as the keyword arguments of NewDocuments they give: `numbers` (less the
    staged document's own `has_masking`), `objects` (the matching lines; None each without
    `lines`), `passages`, `passage_bounds` and, with `signatures`, the signatures as a matrix.

    Column by column: a Python object per passage cost more than the clustering itself, and a
    Fingerprint and a Passages per document, held for the whole decision, more than the columns
    (NewDocuments says how much).
    The matching lines are one string per distinct value: exact copies (a notice reposted 30
    times) share one string instead of holding 30.
    """
    at = pc.index_in(pa.array(doc_ids, pa.string()), value_set=table["doc_id"].combine_chunks())
    if at.null_count:
        raise ValueError(f"{at.null_count} documents have no staged fingerprint")
    taken = at.cast(pa.int64())
    at = taken.to_numpy(zero_copy_only=False)
    numbers = {name: table[source].take(taken).to_numpy(zero_copy_only=False) for name, source in
               (("exact_hash", "exact_hash"), ("n_shingles", "n_shingles"), ("match_len", "match_len"),
                ("dropped_lines", "dropped_lines"), ("fp_masking", "has_masking"),
                ("was_traditional", "was_traditional"), ("titled", "titled"))}
    shared: dict = {}
    lines = [shared.setdefault(x, x) for x in table["matching_lines"].take(taken).to_pylist()] if lines \
        else [None] * len(doc_ids)
    del shared
    # (the three passage columns have the same row lengths: one key, start and end per sentence;
    # offsets index a list array's values as they are, sliced or not)
    lists = [table[c].combine_chunks() for c in ("passage_keys", "passage_starts", "passage_ends")]
    offsets = lists[0].offsets.to_numpy().astype(np.int64)
    lo, hi = offsets[at], offsets[at + 1]
    rows = passage_rows(lo, hi)
    out = {"numbers": numbers, "objects": {"matching_lines": lines},
           "passages": tuple(c.values.to_numpy(zero_copy_only=False)[rows] for c in lists),
           "passage_bounds": np.concatenate(([0], np.cumsum(hi - lo)))}
    if signatures:
        matrix = signature_rows(table["signature"].combine_chunks())
        out["signatures"] = matrix[at] if not isinstance(matrix, list) else np.stack([matrix[i] for i in at.tolist()])
    return out


def signature_rows(col: pa.Array) -> np.ndarray | list[np.ndarray]:
    """A binary column of uint32 signatures as one 2-D array (a copy), or one array per row
    when their lengths differ."""
    _, offsets_buf, data_buf = col.buffers()
    sig_offsets = np.frombuffer(offsets_buf, dtype=np.int32, count=len(col) + 1, offset=4 * col.offset)
    widths = np.diff(sig_offsets)
    if col.null_count == 0 and len(widths) and (widths == widths[0]).all() and widths[0] % 4 == 0:
        # every signature the same length: one array, a row per document
        return np.frombuffer(data_buf, dtype="<u4", count=len(widths) * int(widths[0]) // 4,
                             offset=int(sig_offsets[0])).reshape(len(widths), -1).copy()
    return [np.frombuffer(b, dtype="<u4").copy() for b in col.to_pylist()]
