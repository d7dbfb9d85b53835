"""Staged fingerprints: a batch's dedup fingerprints as Parquet rows, read back by the run-level decision."""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..dedup import BANDS, Fingerprint
from ..dedup.reuse import Passages

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


def fingerprints_from_table(table: pa.Table, lines: dict[str, str] | None = None,
                            signatures: bool = True) -> dict[str, Fingerprint]:
    """Column by column: a Python object per passage cost more than the clustering itself.

    Chunk by chunk (a staged part each), without combining the table: a combined copy of the
    matching lines and signatures was the largest allocation of the decision at 120 MB. The
    fingerprints' arrays are views into a few arrays per chunk (signatures: one 2-D array).
    Without `signatures` the fingerprints hold none (signature None): the run-level decision
    reads them from the staged parts when its search needs them (decision.StagedSignatures).
    """
    out: dict[str, Fingerprint] = {}
    lines = {} if lines is None else lines  # (pass one dict for several tables: see _fingerprints_of)
    for batch in table.to_batches():
        if batch.num_rows:
            out.update(_fingerprints_of(batch, lines, signatures))
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


def _fingerprints_of(batch: pa.RecordBatch, lines: dict[str, str] | None = None,
                     signatures: bool = True) -> dict[str, Fingerprint]:
    """`lines` holds one string per distinct matching_lines seen so far: exact copies (a notice
    reposted 30 times) share one string instead of holding 30 (40 MB less peak at 180,000 notices)."""
    def flat(name: str, dtype) -> tuple[np.ndarray, list[int]]:
        """A list column's values (a view where the type allows) and each row's bounds in them."""
        col = batch.column(name)
        offsets = col.offsets.to_numpy()
        values = col.values.to_numpy(zero_copy_only=False).astype(dtype, copy=False)
        return values[offsets[0]:offsets[-1]], (offsets - offsets[0]).tolist()

    # the three passage columns have the same row lengths (one key, start and end per sentence)
    (keys, bounds), (starts, _), (ends, _) = (flat("passage_keys", np.int64), flat("passage_starts", np.int32),
                                              flat("passage_ends", np.int32))
    passage_columns = (keys, starts, ends)
    sig_rows = signature_rows(batch.column("signature")) if signatures else [None] * batch.num_rows
    cols = {name: batch.column(name).to_pylist() for name in
            ("doc_id", "exact_hash", "n_shingles", "match_len", "has_masking", "was_traditional", "dropped_lines",
             "matching_lines", "titled")}
    if lines is not None:
        cols["matching_lines"] = [lines.setdefault(x, x) if x is not None else None for x in cols["matching_lines"]]
    out = {}
    for i, doc_id in enumerate(cols["doc_id"]):
        out[doc_id] = Fingerprint(
            cols["exact_hash"][i], sig_rows[i],
            cols["n_shingles"][i], cols["match_len"][i], cols["has_masking"][i], cols["was_traditional"][i],
            cols["dropped_lines"][i], Passages.rows(passage_columns, bounds[i], bounds[i + 1]),
            cols["matching_lines"][i],
            bool(cols["titled"][i]))
    return out

